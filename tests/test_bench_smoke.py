"""The benchmark's smoke run: 10^4 triples, our server only, a few seconds.

It runs `python -m bench --smoke` as a user would and checks that the report has figures for
every SPARQL scenario and that nothing failed: no errors in latency or throughput runs, and a
throughput above zero with 8 clients. Our server's restarts are measured too: a one-file edit until
it is served, and a warm start from `--store` that reuses the store the start before it built; and
its memory both as RSS and as PSS (its workers share the store host's pages).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.settings import REPO_ROOT

SCENARIOS = ("partners", "partners-naive", "timeline", "search", "lookup")


def test_smoke_benchmark(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path), "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "smoke.json").read_text())
    (size,) = results["sizes"]
    assert 8_000 <= size["triples"] <= 12_000
    ours = size["servers"]["cmskg"]
    assert "error" not in ours, ours.get("error")
    assert 0 < ours["startup"] < 60
    assert ours["peak_rss"] > 0
    assert 0 < ours["peak_pss"] <= ours["peak_rss"]  # shared pages count once in PSS, in each RSS
    edit = ours["edit_reload_detail"]
    assert edit["status"] == 200 and edit["changed"] is True, edit
    assert 0 < ours["edit_reload"] < 60 and edit["polls_failed"] == 0, edit
    assert 0 < ours["store_build"] < 60 and ours["store_build_reused"] is False, ours
    assert 0 < ours["warm_startup"] < 60 and ours["warm_startup_reused"] is True, ours
    assert ours["warm_startup_answers"] is True
    for name in SCENARIOS:
        stats = ours["latency"][name]
        assert stats["n"] > 0 and stats["p50"] > 0, (name, stats)
        assert stats["errors"] == {}, (name, stats["errors"])
        assert stats["bytes_per_answer"] > 100, (name, stats)
    for name, runs in ours["throughput"].items():
        assert not runs.get("skipped"), (name, runs)
        for clients, run in runs.items():
            assert run["errors"] == {}, (name, clients, run["errors"])
            assert run["rps"] > 0, (name, clients)
    assert {"lookup", "partners"} <= set(ours["throughput"])
    report = (tmp_path / "SMOKE.md").read_text()
    assert "| `lookup` |" in report and "Errors under load" in report
    assert "every request of every throughput run was answered 200" in report
    assert "## Start-up goals" in report and "### Our server's restarts" in report
    for goal in (
        "| cold start-up ≤ 30 s",
        "| warm start-up from `--store` on unchanged data ≤ 5 s | 1e4: ",
        "| a one-file edit revalidated and served ≤ 10 s (POST /admin/reload) | 1e4: ",
        "| start-up with the curated graph < 2 s",
    ):
        assert goal in report, goal
    assert "cmskg peak PSS (MiB)" in report and "cmskg peak RSS (MiB)" in report


def test_floor_measures_each_layer_of_the_stack(capsys):
    from bench.floor import ROUTES, main

    main(clients=2, seconds=0.5)
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.startswith("| ") and "req/s" not in line]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == list(ROUTES.values())
    assert all(float(row.split(" | ")[1].rstrip(" |").replace(",", "")) > 0 for row in rows)


def test_a_query_too_long_for_a_url_is_sent_by_form_post():
    """Oxigraph's server refuses a URL over 8 KiB (400 and a reset): the rolled-up canned queries
    (up to 10 KB) go by POST to every server alike; short ones stay GETs."""
    from urllib.parse import parse_qs

    from bench import scenarios as sc

    short, long = "ASK {}", "SELECT * { ?s ?p ?o } # " + "x" * 5000
    get, post = sc.sparql_requests("/sparql", [short, long])
    assert get.method == "GET" and get.body is None and get.path.startswith("/sparql?query=")
    assert post.method == "POST" and post.path == "/sparql"
    assert parse_qs(post.body or "")["query"] == [long]
    sent = post.head("127.0.0.1", 80)
    assert sent.startswith(b"POST /sparql HTTP/1.1\r\n")
    assert b"Content-Type: application/x-www-form-urlencoded\r\n" in sent
    assert sent.endswith(b"\r\n\r\n" + (post.body or "").encode())
