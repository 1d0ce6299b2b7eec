"""The floor of our stack for a one-resource lookup: what FastAPI + uvicorn serve on this machine
with nothing behind them, with pyoxigraph answering in the event loop, and with pyoxigraph in a
thread. Our server adds a worker process per query (so a deadline can stop it) and its guards;
this shows what each layer costs. Run: python -m bench.floor
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import QueryResultsFormat, RdfFormat, Store

from bench.load import closed_loop
from bench.scenarios import REPO_ROOT, lookup, sparql_requests
from bench.servers import free_port

JSON = "application/sparql-results+json"
EMPTY = b'{"head":{"vars":["p","o"]},"results":{"bindings":[]}}'
ROUTES = {
    "/bare": "FastAPI + uvicorn, a constant body",
    "/inline": "pyoxigraph in the event loop (no deadline possible)",
    "/thread": "pyoxigraph in a thread (run_in_threadpool)",
}
IRIS = [f"https://w3id.org/cms-kg/id/organisation/{slug}" for slug in ("ifaw", "fao", "iucn", "wwf", "unep")]

store = Store()
for path in sorted((REPO_ROOT / "graph").glob("*.ttl")):
    store.bulk_load(path=str(path), format=RdfFormat.TURTLE)
app = FastAPI()


def _answer(query: str) -> bytes:
    return store.query(query).serialize(format=QueryResultsFormat.JSON)


@app.get("/bare")
async def bare(query: str) -> Response:
    return Response(EMPTY, media_type=JSON)


@app.get("/inline")
async def inline(query: str) -> Response:
    return Response(_answer(query), media_type=JSON)


@app.get("/thread")
async def thread(query: str) -> Response:
    return Response(await run_in_threadpool(_answer, query), media_type=JSON)


@contextlib.contextmanager
def serve_floor() -> Iterator[str]:
    """This app on uvicorn (its defaults, httptools and uvloop when installed, as ours), on a free
    loopback port; yields its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.floor:app",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).parent.parent,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/bare?query=x", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(clients: int = 8, seconds: float = 4.0) -> None:
    with serve_floor() as base:
        print(f"| what answers a lookup ({clients} clients) | req/s |\n|---|---|")
        for route, title in ROUTES.items():
            requests = sparql_requests(route, [lookup(iri) for iri in IRIS])
            closed_loop(base, requests, clients, 1.0)
            print(f"| {title} | {closed_loop(base, requests, clients, seconds).throughput:,.0f} |")


if __name__ == "__main__":
    main()
