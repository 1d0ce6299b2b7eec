"""One snapshot per data version: under reloads, every route answers whole from the version its
X-Data-Version header names, and no write is acknowledged on a version that no longer serves.

Two versions differ in one label of NOAA ("Marker alpha" / "Marker beta"). Readers send a mix of
SPARQL, canned (a label search and a label-resolved parameter), Linked Data and web JSON requests
while the server reloads back and forth; each answer must carry exactly the marker of its header.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from app.graph.sources import version_of
from tests.conftest import FIXTURES, make_tree, start_server, stop_server

TOKEN = "snapshot-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOAA = "https://w3id.org/cms-kg/id/organisation/noaa"
MARKERS = {"A": "Marker alpha", "B": "Marker beta"}
MARKER = re.compile(r"Marker (alpha|beta)")
SPARQL = (
    f"SELECT ?l WHERE {{ <{NOAA}> <http://www.w3.org/2004/02/skos/core#altLabel> ?l "
    'FILTER(STRSTARTS(?l, "Marker")) }'
)


def write_version(root: Path, name: str) -> str:
    (root / "graph" / "extra.ttl").write_text(
        f'<{NOAA}> <http://www.w3.org/2004/02/skos/core#altLabel> "{MARKERS[name]}"@en .\n'
    )
    return version_of(root)


def markers_in(text: str) -> set[str]:
    return {match.group(0) for match in MARKER.finditer(text)}


def check(kind: str, response: httpx.Response, marker_of: dict[str, str]) -> str | None:
    """None if the answer is whole and from the version its header names; otherwise what is wrong."""
    version = response.headers.get("x-data-version")
    if version not in marker_of:
        return f"{kind}: X-Data-Version {version!r} is not a version we served"
    expected = marker_of[version]
    if kind == "profile":  # asked by the other version's label: only that version resolves it
        asked = response.request.url.params["organisation"]
        wanted = 200 if asked == expected else 404
        if response.status_code != wanted:
            return f"profile of {asked!r} under {expected!r}: {response.status_code} {response.text[:200]}"
        response.json()  # whole JSON either way
        return None
    if response.status_code != 200:
        return f"{kind}: {response.status_code} {response.text[:200]}"
    if kind in ("sparql", "search", "labels"):
        response.json()
    found = markers_in(response.text)
    if found != {expected}:
        return f"{kind}: header says {expected!r}, answer holds {sorted(found)}"
    return None


REQUESTS = {
    "sparql": ("/sparql", {"query": SPARQL}, {"Accept": "application/sparql-results+json"}),
    "search": ("/api/queries/search", {"text": "Marker"}, {"Accept": "application/json"}),
    "ld": ("/id/organisation/noaa", {}, {"Accept": "text/turtle"}),
    "labels": ("/web/labels", {"kind": "organisation", "q": "Marker"}, {}),
}


def test_every_route_answers_whole_from_the_version_its_header_names(tmp_path: Path):
    root = make_tree(tmp_path / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    marker_of = {write_version(root, "B"): MARKERS["B"], write_version(root, "A"): MARKERS["A"]}
    server = start_server("--root", str(root), "--update-token", TOKEN)
    problems: list[str] = []
    served: Counter[tuple[str, str]] = Counter()
    stop = threading.Event()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=server.url, timeout=60) as client:
            while not stop.is_set():
                kind = rng.choice([*REQUESTS, "profile"])
                if kind == "profile":
                    asked = rng.choice(list(MARKERS.values()))
                    response = client.get("/api/queries/organisation-profile", params={"organisation": asked})
                else:
                    path, params, headers = REQUESTS[kind]
                    response = client.get(path, params=params, headers=headers)
                problem = check(kind, response, marker_of)
                if problem:
                    problems.append(problem)
                served[(kind, response.headers.get("x-data-version", ""))] += 1

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(4)]
    try:
        for thread in threads:
            thread.start()
        for name in ["B", "A", "B", "A", "B", "A"]:
            write_version(root, name)
            reloaded = httpx.post(server.url + "/admin/reload", headers=AUTH, timeout=120)
            assert reloaded.status_code == 200 and reloaded.json()["changed"] is True, reloaded.text
            assert reloaded.headers["x-data-version"] in marker_of
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        stop_server(server)
    assert problems == [], problems[:10]
    for kind in [*REQUESTS, "profile"]:  # every kind of request was answered by both versions
        assert {version for k, version in served if k == kind} == set(marker_of), served


def test_no_write_is_acknowledged_on_a_version_that_no_longer_serves(tmp_path: Path):
    """Writes carry over from each version to the next; one acknowledged during a reload stays."""
    root = make_tree(tmp_path / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    versions = [write_version(root, "B"), write_version(root, "A")]
    server = start_server("--root", str(root), "--update-token", TOKEN)
    graph = "urn:test:writes"
    acknowledged: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        with httpx.Client(base_url=server.url, timeout=60, headers=AUTH) as client:
            n = 0
            while not stop.is_set():
                body = f"<urn:test:s{n}> <urn:test:p> {n} .\n"
                response = client.post(
                    "/store", params={"graph": graph}, content=body, headers={"Content-Type": "text/turtle"}
                )
                if response.status_code in (201, 204):
                    acknowledged.append(n)
                else:
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                n += 1

    thread = threading.Thread(target=writer)
    try:
        thread.start()
        for name in ["B", "A"] * 4:
            write_version(root, name)
            reloaded = httpx.post(server.url + "/admin/reload", headers=AUTH, timeout=120)
            assert reloaded.status_code == 200 and reloaded.json()["changed"] is True, reloaded.text
        stop.set()
        thread.join()
        query = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        answer = httpx.get(server.url + "/sparql", params={"query": query}, timeout=60)
        assert answer.headers["x-data-version"] == versions[1]
        kept = sorted(int(b["o"]["value"]) for b in answer.json()["results"]["bindings"])
    finally:
        stop.set()
        thread.join()
        stop_server(server)
    assert failures == []
    assert len(acknowledged) >= 8  # a write is a confined job: a few per reload
    assert kept == sorted(acknowledged)
