"""The remote-store backend, against two real servers started on loopback: an Oxigraph server
(PyPI) and Virtuoso (Debian's virtuoso-opensource, with our own config). `cmskg push` loads the
graph; `cmskg serve --backend remote` answers from it; every canned query gives the same rows as
the embedded store; cut or partial remote answers are refused, never passed on as complete."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import RunningServer, cmskg, start_server, stop_server
from tests.servers.peers import (
    Peer,
    oxigraph_update_endpoint,
    start_oxigraph,
    start_virtuoso,
    virtuoso_available,
)

COUNT_PER_GRAPH = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER STRSTARTS(STR(?g), "https://w3id.org/cms-kg/graph/") } GROUP BY ?g"""


def counts(endpoint: str) -> dict[str, int]:
    response = httpx.post(
        endpoint,
        data={"query": COUNT_PER_GRAPH},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in response.json()["results"]["bindings"]}


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory) -> Iterator[Peer]:
    peer = start_oxigraph(tmp_path_factory.mktemp("oxigraph-remote"))
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> Iterator[Peer]:
    assert virtuoso_available(), "Virtuoso is missing: `make test` installs virtuoso-opensource"
    peer = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), max_rows=5000)
    yield peer
    peer.stop()


def update_endpoint(peer: Peer) -> str:
    return oxigraph_update_endpoint(peer) if peer.name == "oxigraph" else peer.endpoint


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def pushed(request) -> Peer:
    peer: Peer = request.getfixturevalue(request.param)
    result = cmskg("push", "--endpoint", peer.endpoint, "--update-endpoint", update_endpoint(peer))
    assert result.returncode == 0, result.stderr
    return peer


@pytest.fixture(scope="module")
def remote(pushed: Peer) -> Iterator[RunningServer]:
    running = start_server("--backend", "remote", "--endpoint", pushed.endpoint)
    yield running
    stop_server(running)


def test_push_loads_every_graph_whole(pushed: Peer, server):
    ours = json.loads(cmskg("stats", "--format", "json").stdout)["per_file"]
    theirs = {g.rsplit("/", 1)[-1]: n for g, n in counts(pushed.endpoint).items()}
    assert theirs == ours


def test_push_again_replaces_graphs_and_leaves_no_staging(pushed: Peer):
    before = counts(pushed.endpoint)
    result = cmskg("push", "--endpoint", pushed.endpoint, "--update-endpoint", update_endpoint(pushed))
    assert result.returncode == 0, result.stderr
    after = counts(pushed.endpoint)
    assert after == before
    assert not [g for g in after if "/staging-" in g]


def test_remote_backend_health_and_sparql(remote: RunningServer, server):
    query = {
        "query": "PREFIX cms: <https://w3id.org/cms-kg/ontology#> SELECT (COUNT(DISTINCT ?m) AS ?n) "
        "WHERE { ?m a cms:MemorandumOfUnderstanding }"
    }
    theirs = httpx.get(remote.url + "/sparql", params=query).json()
    ours = httpx.get(server.url + "/sparql", params=query).json()
    assert (
        theirs["results"]["bindings"][0]["n"]["value"] == ours["results"]["bindings"][0]["n"]["value"] == "19"
    )


def _rows(url: str, name: str, params: dict[str, str]) -> list[tuple] | int:
    response = httpx.get(f"{url}/api/queries/{name}", params=params, timeout=60)
    if response.status_code != 200:
        return response.status_code
    body = response.json()
    # GROUP_CONCAT has no defined order: compare the parts of a joined cell as a set
    cell = lambda value: "; ".join(sorted(str(value).split("; ")))  # noqa: E731
    return sorted(tuple(cell(row.get(c)) for c in body["columns"]) for row in body["rows"])


def test_every_canned_query_answers_the_same_rows_as_the_embedded_store(
    remote: RunningServer, server, pushed: Peer
):
    catalogue = httpx.get(server.url + "/api/queries").json()
    assert len(catalogue) >= 12
    differences = {}
    for query in catalogue:
        params = {p["name"]: p["example"] for p in query["parameters"] if p.get("example") is not None}
        theirs, ours = _rows(remote.url, query["name"], params), _rows(server.url, query["name"], params)
        if theirs != ours:
            only = lambda a, b: [r for r in a if r not in b] if isinstance(a, list) else a  # noqa: E731
            differences[query["name"]] = {
                "remote only": only(theirs, ours)[:3],
                "ours only": only(ours, theirs)[:3],
            }
    assert differences == {}


def test_remote_partial_answer_is_refused(remote: RunningServer, pushed: Peer):
    everything = {"query": "SELECT * WHERE { ?s ?p ?o }"}
    response = httpx.get(remote.url + "/sparql", params=everything, timeout=60)
    if pushed.name == "virtuoso":  # our config caps Virtuoso at 5000 rows and it says so in a header
        assert response.status_code == 502 and "partial" in response.text
    else:
        assert response.status_code == 200 and len(response.json()["results"]["bindings"]) > 5000


class CutRemote:
    """A 'SPARQL server' that answers 200 with a body cut in the middle, or an appended error."""

    def __init__(self, body: bytes) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    "body",
    [
        b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://a"}}, {',
        b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}\nError: transaction timed out',
    ],
    ids=["cut", "appended-error"],
)
def test_cut_or_garbled_remote_answer_is_502(body: bytes, tmp_path: Path):
    fake = CutRemote(body)
    running = start_server("--backend", "remote", "--endpoint", fake.endpoint)
    try:
        response = httpx.get(running.url + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
        assert response.status_code == 502, response.text
        assert "malformed or cut" in response.text
    finally:
        stop_server(running)
        fake.close()


def test_unreachable_remote_is_502(tmp_path: Path):
    running = start_server("--backend", "remote", "--endpoint", "http://127.0.0.1:9/sparql")
    try:
        response = httpx.get(running.url + "/sparql", params={"query": "ASK {}"})
        assert response.status_code == 502 and "unreachable" in response.text
    finally:
        stop_server(running)


def test_push_by_graph_store_put_loads_the_same_graphs(tmp_path: Path, server):
    peer = start_oxigraph(tmp_path / "gsp")
    try:
        base = peer.endpoint.removesuffix("/query")
        result = cmskg(
            "push",
            "--endpoint",
            peer.endpoint,
            "--update-endpoint",
            base + "/update",
            "--graph-store",
            base + "/store",
        )
        assert result.returncode == 0, result.stderr
        ours = json.loads(cmskg("stats", "--format", "json").stdout)["per_file"]
        theirs = {g.rsplit("/", 1)[-1]: n for g, n in counts(peer.endpoint).items()}
        assert theirs == ours
    finally:
        peer.stop()
