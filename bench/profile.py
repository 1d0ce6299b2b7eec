"""Profile our server under load with py-spy (all its processes), and summarise where time goes.

    python -m bench --profile canned-api --size 1e5

Writes bench/results/profile-{scenario}-{size}.txt (top functions by own and inclusive samples,
main process and query workers apart) and merges a summary into extra.json for the report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench import scenarios as sc
from bench.generate import Replicator, label_of_size
from bench.load import Request, closed_loop
from bench.servers import start_cmskg

APP_MARKERS = ("app/", "bench/")


def _pyspy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy (or .[bench])")
    return found


def summarise(raw: Path, top: int = 25) -> dict:
    """Collapsed stacks ("frame;frame;frame count") -> own and inclusive sample counts."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    per_process: Counter = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        process = frames[0] if frames and frames[0].startswith("process") else "?"
        per_process[_process_kind(process)] += n
        own[_short(frames[-1])] += n
        for frame in set(map(_short, frames[1:])):
            inclusive[frame] += n
    return {
        "samples": total,
        "per_process": dict(per_process),
        "own": own.most_common(top),
        "inclusive": [(f, c) for f, c in inclusive.most_common(200) if any(m in f for m in APP_MARKERS)][
            :top
        ],
    }


def _process_kind(frame: str) -> str:
    if "cmskg-query-worker" in frame or "multiprocessing" in frame or "spawn_main" in frame:
        return "query worker"
    return frame.split(" ", 2)[-1][:60]


def _short(frame: str) -> str:
    """'func (path/to/file.py:12)' -> 'func (file-relative path:line)' with site-packages cut."""
    frame = frame.strip()
    for cut in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if cut in frame:
            head, _, tail = frame.partition("(")
            tail = tail.split(cut, 1)[-1]
            return f"{head.strip()} ({tail}"
    return frame


def profile(
    scenario: str, size: int, out: Path, clients: int = 8, seconds: float = 20.0, workers: int = 2
) -> Path:
    replicator = Replicator()
    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        generated = replicator.write(size, work / "data")
        running = start_cmskg(generated.root, work, 1200, workers=workers)
        try:
            iris = sc.lookup_iris(generated.replicas, replicator.files)
            canned = sc.load_canned()
            requests = {
                "lookup": sc.sparql_requests("/sparql", [sc.lookup(i) for i in iris]),
                "partners": sc.sparql_requests("/sparql", [sc.partners(g) for g in sc.GROUPS]),
                "search": sc.sparql_requests("/sparql", [sc.search(t) for t in sc.SEARCH_TERMS]),
                "timeline": sc.sparql_requests("/sparql", [sc.TIMELINE]),
                "canned-api": [Request(sc.canned_path(c), "application/json") for c in canned],
                "page-html": [Request(i.replace("https://w3id.org/cms-kg/", "/"), "text/html") for i in iris],
            }[scenario]
            raw = work / f"profile-{scenario}.collapsed"  # large: summarised below, not kept
            out.mkdir(parents=True, exist_ok=True)
            spy = subprocess.Popen(
                [
                    _pyspy(),
                    "record",
                    "--pid",
                    str(running.process.pid),
                    "--subprocesses",
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "--duration",
                    str(int(seconds)),
                    "--output",
                    str(raw),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            result: dict = {}
            thread = threading.Thread(
                target=lambda: result.update(
                    run=closed_loop(running.base_url, requests, clients, seconds - 2, timeout=35)
                )
            )
            thread.start()
            thread.join()
            spy.wait(timeout=seconds + 60)
        finally:
            running.stop()
        summary = summarise(raw)
        run = result["run"]
        summary.update(
            scenario=scenario,
            triples=generated.triples,
            clients=clients,
            rps=run.throughput,
            errors=dict(run.errors),
        )
        text = out / f"profile-{scenario}-{label_of_size(generated.triples)}.txt"
        lines = [
            f"py-spy, {scenario}, {generated.triples:,} triples, {clients} clients, "
            f"{run.throughput:.1f} req/s during the profile; {summary['samples']} samples",
            "",
            "samples per process:",
            *[f"  {c:8d}  {p}" for p, c in summary["per_process"].items()],
            "",
            "own time (top):",
            *[f"  {c:8d}  {f}" for f, c in summary["own"]],
            "",
            "inclusive, our code (top):",
            *[f"  {c:8d}  {f}" for f, c in summary["inclusive"]],
        ]
        text.write_text("\n".join(lines) + "\n")
        extra_path = out / "extra.json"
        extra = json.loads(extra_path.read_text()) if extra_path.exists() else {}
        extra.setdefault("profiles", {})[f"{scenario}@{label_of_size(generated.triples)}"] = {
            k: summary[k]
            for k in ("scenario", "triples", "clients", "rps", "errors", "samples", "per_process")
        }
        extra_path.write_text(json.dumps(extra, indent=1))
        print(text.read_text())
        return text
    finally:
        shutil.rmtree(work, ignore_errors=True)
