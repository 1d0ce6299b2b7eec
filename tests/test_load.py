"""A bounded load and soak test on loopback: many clients send mixed traffic (canned queries,
SPARQL, Linked Data pages, a few runaway queries) for a few seconds. Every answer is the right
one or a clean 503; memory stays flat; the workers recover."""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import start_server, stop_server

CLIENTS = 24
SECONDS = float(os.environ.get("CMSKG_SOAK_SECONDS", "20"))
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MIX = [
    ("/api/queries/partners-covering", {"subject": "sharks"}),
    ("/api/queries/members", {"collaboration": "CPW", "format": "csv"}),
    ("/api/queries/timeline", {"from": "2012", "to": "2013"}),
    (
        "/sparql",
        {
            "query": "PREFIX cms: <https://w3id.org/cms-kg/ontology#> "
            "SELECT ?a ?p WHERE { ?a cms:party ?p } ORDER BY ?a ?p"
        },
    ),
    (
        "/sparql",
        {
            "query": "CONSTRUCT WHERE { <https://w3id.org/cms-kg/id/organisation/ifaw> ?p ?o }",
            "format": "ntriples",
        },
    ),
    ("/id/organisation/ifaw", {"format": "turtle"}),
    ("/id/instrument/sharks-mou.nt", {}),
    ("/health", None),
]


def rss_of_tree(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total * 1024


def digest(response: httpx.Response) -> str:
    return hashlib.sha256(response.content).hexdigest()


def test_mixed_load_answers_right_or_503_with_flat_memory_and_recovering_workers():
    server = start_server(env={"CMSKG_QUEUE_WAIT": "10"})
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            expected = {}
            for path, params in MIX:
                if params is None:
                    continue
                first = client.get(path, params=params)
                assert first.status_code == 200, (path, first.text[:300])
                expected[(path, tuple(sorted(params.items())))] = digest(first)
            for _ in range(3):  # warm every path before measuring memory
                for path, params in MIX:
                    client.get(path, params=params)
        before = rss_of_tree(server.process.pid)

        problems: list[str] = []
        counts = {"ok": 0, "busy": 0, "runaway-stopped": 0}
        lock = threading.Lock()
        stop_at = time.monotonic() + SECONDS

        def client_loop(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=server.url, timeout=60) as client:
                while time.monotonic() < stop_at:
                    if rng.random() < 0.02:
                        response = client.get("/sparql", params={"query": RUNAWAY, "timeout": "1"})
                        key, outcome = None, "runaway-stopped" if response.status_code == 503 else "bad"
                    else:
                        path, params = rng.choice(MIX)
                        response = client.get(path, params=params)
                        key = None if params is None else (path, tuple(sorted(params.items())))
                        if response.status_code == 503 and response.headers.get("retry-after"):
                            outcome = "busy"
                        elif response.status_code != 200 or (
                            key is not None and digest(response) != expected[key]
                        ):
                            outcome = "bad"
                        else:
                            outcome = "ok"
                    with lock:
                        if outcome == "bad":
                            problems.append(
                                f"{response.request.url}: {response.status_code} {response.text[:200]}"
                            )
                        else:
                            counts[outcome] += 1

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert problems == []
        assert counts["ok"] > 200, counts
        assert counts["runaway-stopped"] >= 1, counts

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and httpx.get(server.url + "/health").json()["workers_idle"] < 2:
            time.sleep(0.2)
        assert httpx.get(server.url + "/health").json()["workers_idle"] == 2  # all workers back
        after = rss_of_tree(server.process.pid)
        assert after < before * 1.5 + 64 * 1024 * 1024, (before, after)
    finally:
        stop_server(server)
