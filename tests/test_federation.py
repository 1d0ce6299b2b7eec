"""Federation with a real partner: an Oxigraph server on 127.0.0.1 holding a CITES-style list of
shark listings, described as a partner endpoint in the graph. Plus partners that fail in each
way a network can: stopped, hanging, answering garbage, answering too much."""

from __future__ import annotations

import json
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from app.settings import REPO_ROOT
from tests.conftest import RunningServer, free_port, start_server, stop_server

PARTNER_DATA = """
@prefix cites: <http://example.org/cites-listing#> .
cites:l1 cites:taxonName "Rhincodon typus" ; cites:appendix "II" .
cites:l2 cites:taxonName "Cetorhinus maximus" ; cites:appendix "II" .
cites:l3 cites:taxonName "Carcharodon carcharias" ; cites:appendix "II" .
cites:l4 cites:taxonName "Panthera leo" ; cites:appendix "II" .
"""

PARTNER_DESCRIPTION = """
@prefix cms:  <https://w3id.org/cms-kg/ontology#> .
@prefix sd:   <http://www.w3.org/ns/sparql-service-description#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/cms-kg/id/partner-endpoint/test-cites> a cms:PartnerEndpoint ;
    skos:prefLabel "Test CITES listing endpoint"@en ;
    sd:endpoint <{endpoint}> ;
    cms:operatedBy <https://w3id.org/cms-kg/id/organisation/cites-secretariat> ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/cop11-doc-21-1> .
"""

JOIN = """PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX dwc: <http://rs.tdwg.org/dwc/terms/>
PREFIX cites: <http://example.org/cites-listing#>
SELECT ?species ?appendix WHERE {
  ?taxon a cms:Taxon ; dwc:scientificName ?species .
  SERVICE <{endpoint}> { ?listing cites:taxonName ?species ; cites:appendix ?appendix }
} ORDER BY ?species"""

SILENT_JOIN = (
    JOIN.replace("SERVICE <", "SERVICE SILENT <")
    .replace("SERVICE SILENT <{endpoint}> { ?listing", "OPTIONAL { SERVICE SILENT <{endpoint}> { ?listing")
    .replace("?appendix }\n}", "?appendix } }\n}")
)


def start_oxigraph(data: str) -> tuple[subprocess.Popen, str]:
    """An in-memory Oxigraph server on a free loopback port, loaded with `data` (Turtle)."""
    port = free_port()
    binary = Path(sys.executable).parent / "oxigraph"
    process = subprocess.Popen(
        [str(binary), "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            response = httpx.post(
                url + "/store?default", content=data, headers={"Content-Type": "text/turtle"}
            )
            if response.status_code in (200, 201, 204):
                return process, url + "/query"
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("oxigraph server did not start")


def federating_root(tmp: Path, endpoint: str) -> Path:
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(REPO_ROOT / folder, tmp / folder)
    (tmp / "graph" / "partners.ttl").write_text(PARTNER_DESCRIPTION.replace("{endpoint}", endpoint))
    return tmp


@pytest.fixture(scope="module")
def partner() -> Iterator[str]:
    process, endpoint = start_oxigraph(PARTNER_DATA)
    yield endpoint
    process.kill()


@pytest.fixture(scope="module")
def ours(partner: str, tmp_path_factory) -> Iterator[RunningServer]:
    root = federating_root(tmp_path_factory.mktemp("fed"), partner)
    running = start_server("--root", str(root))
    yield running
    stop_server(running)


def species(response: httpx.Response) -> list[str]:
    return [row["species"]["value"] for row in response.json()["results"]["bindings"]]


def test_federated_query_joins_our_taxa_with_the_partners_listings(ours: RunningServer, partner: str):
    response = httpx.post(
        ours.url + "/sparql", data={"query": JOIN.replace("{endpoint}", partner)}, timeout=30
    )
    assert response.status_code == 200, response.text
    found = species(response)
    assert "Rhincodon typus" in found and "Carcharodon carcharias" in found
    assert "Panthera leo" not in found  # not a taxon of ours: the join filtered it out
    assert "x-federation-skipped" not in response.headers


def test_partner_described_in_the_graph_is_on_the_allowlist(ours: RunningServer, partner: str):
    description = httpx.get(ours.url + "/sparql", headers={"Accept": "text/turtle"}).text
    assert "BasicFederatedQuery" in description
    other = JOIN.replace("{endpoint}", partner.replace("/query", "/other"))
    assert httpx.post(ours.url + "/sparql", data={"query": other}).status_code == 403


def test_gateway_refuses_requests_without_its_secret(ours: RunningServer):
    response = httpx.post(ours.url + "/_federation/guess/ticket/0", content=b"SELECT * {}")
    assert response.status_code == 404


class FaultyPartner:
    """A partner on loopback that fails in a chosen way: hang, garbage, error, flood."""

    def __init__(self, mode: str) -> None:
        mode_of_server = mode

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                if mode_of_server == "hang":
                    time.sleep(8)
                    return
                if mode_of_server == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()  # RST, no answer
                    return
                if mode_of_server == "stream":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.end_headers()
                    self.wfile.write(b'{"head": {"vars": ["species"]}, "results": {"bindings": [')
                    for _ in range(80):  # a row every 0.1 s: never finishes within the timeout
                        self.wfile.write(b'{"species": {"type": "literal", "value": "Rhincodon typus"}},')
                        self.wfile.flush()
                        time.sleep(0.1)
                    return
                if mode_of_server == "error":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"partner broke")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                if mode_of_server == "garbage":
                    self.wfile.write(b'{"head": {"vars": ["species"]}, "results": {"bindings": [ {')
                elif mode_of_server == "flood":
                    row = {"species": {"type": "literal", "value": "Rhincodon typus"}}
                    rows = [{**row, "appendix": {"type": "literal", "value": str(i)}} for i in range(50)]
                    answer = {"head": {"vars": ["species", "appendix"]}, "results": {"bindings": rows}}
                    self.wfile.write(json.dumps(answer).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def faulty() -> Iterator[dict[str, FaultyPartner]]:
    partners = {
        mode: FaultyPartner(mode) for mode in ("hang", "error", "garbage", "flood", "reset", "stream")
    }
    yield partners
    for partner in partners.values():
        partner.close()


@pytest.fixture(scope="module")
def strict(faulty: dict[str, FaultyPartner]) -> Iterator[RunningServer]:
    args: list[str] = []
    for partner in faulty.values():
        args += ["--federation-allow", partner.endpoint]
    running = start_server(*args, env={"CMSKG_FEDERATION_TIMEOUT": "1.5", "CMSKG_FEDERATION_MAX_ROWS": "5"})
    yield running
    stop_server(running)


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("hang", 504, "no complete answer within 1.5 s"),
        ("stream", 504, "no complete answer within 1.5 s"),
        ("error", 502, "HTTP 500"),
        ("garbage", 502, "malformed results"),
        ("reset", 502, "connection failed"),
    ],
)
def test_failing_partner_gives_a_named_error_within_its_timeout(strict, faulty, mode, status, words):
    endpoint = faulty[mode].endpoint
    started = time.monotonic()
    response = httpx.post(
        strict.url + "/sparql", data={"query": JOIN.replace("{endpoint}", endpoint)}, timeout=30
    )
    assert response.status_code == status, response.text
    assert endpoint in response.text and words in response.text
    assert time.monotonic() - started < 6


@pytest.mark.parametrize("mode", ["hang", "error", "garbage", "reset", "stream"])
def test_silent_service_keeps_our_rows_and_names_the_skipped_partner(strict, faulty, mode):
    endpoint = faulty[mode].endpoint
    response = httpx.post(
        strict.url + "/sparql", data={"query": SILENT_JOIN.replace("{endpoint}", endpoint)}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert "Rhincodon typus" in species(response)
    assert endpoint in response.headers["x-federation-skipped"]


def test_partner_rows_are_capped_and_the_cap_is_reported(strict, faulty):
    endpoint = faulty["flood"].endpoint
    response = httpx.post(
        strict.url + "/sparql", data={"query": JOIN.replace("{endpoint}", endpoint)}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["x-federation-capped"].startswith("true")


def test_other_queries_are_unaffected_by_a_hanging_partner(strict, faulty):
    endpoint = faulty["hang"].endpoint
    with httpx.Client(timeout=30) as client:
        done = {}

        def slow() -> None:
            done["r"] = client.post(
                strict.url + "/sparql", data={"query": JOIN.replace("{endpoint}", endpoint)}
            )

        thread = threading.Thread(target=slow)
        thread.start()
        quick = client.get(strict.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
        thread.join()
    assert quick.status_code == 200 and done["r"].status_code == 504


def test_partner_stopped_mid_test_gives_502_or_partial_rows_with_silent(tmp_path: Path):
    process, endpoint = start_oxigraph(PARTNER_DATA)
    root = federating_root(tmp_path / "root", endpoint)
    running = start_server("--root", str(root))
    try:
        join = {"query": JOIN.replace("{endpoint}", endpoint)}
        assert httpx.post(running.url + "/sparql", data=join, timeout=30).status_code == 200
        process.kill()
        process.wait()
        failed = httpx.post(running.url + "/sparql", data=join, timeout=30)
        assert failed.status_code == 502 and endpoint in failed.text
        silent = httpx.post(
            running.url + "/sparql", data={"query": SILENT_JOIN.replace("{endpoint}", endpoint)}, timeout=30
        )
        assert silent.status_code == 200 and endpoint in silent.headers["x-federation-skipped"]
        assert len(species(silent)) > 10
    finally:
        stop_server(running)
        process.kill()


COMUNICA = REPO_ROOT / "node_modules" / ".bin" / "comunica-sparql"
ACROSS_SOURCES = """PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX dwc: <http://rs.tdwg.org/dwc/terms/>
PREFIX cites: <http://example.org/cites-listing#>
SELECT ?species ?appendix WHERE {
  ?taxon dwc:scientificName ?species .
  ?listing cites:taxonName ?species ; cites:appendix ?appendix .
}"""


def test_comunica_federates_over_our_endpoint_and_the_partner(ours: RunningServer, partner: str):
    """A real third-party client (Comunica, from npm) joins our /sparql with the partner's."""
    assert COMUNICA.exists(), "run `make test` (npm ci) to install Comunica"
    result = subprocess.run(
        [
            str(COMUNICA),
            f"sparql@{ours.url}/sparql",
            f"sparql@{partner}",
            "-q",
            ACROSS_SOURCES,
            "-t",
            "application/sparql-results+json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(result.stdout)["results"]["bindings"]
    found = {row["species"]["value"] for row in rows}
    assert {"Rhincodon typus", "Cetorhinus maximus", "Carcharodon carcharias"} <= found
    assert "Panthera leo" not in found
