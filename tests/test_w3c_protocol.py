"""The W3C SPARQL 1.1 Protocol test suite, run against a real server on 127.0.0.1.

Each test of ../shared/w3c/sparql11/protocol/manifest.ttl describes its HTTP requests (ht:) and
what the responses must be (status class, result format, boolean). Updates are enabled by a
token for this server; the fixture graphs are loaded through the Graph Store protocol.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib import RDF, Namespace
from rdflib.collection import Collection

from app.settings import REPO_ROOT
from tests.conftest import start_server, stop_server

SUITE = REPO_ROOT.parent / "shared" / "w3c" / "sparql11" / "protocol"
MANIFEST = SUITE / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-protocol-suite-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


def _manifest() -> tuple[rdflib.Graph, list[rdflib.term.Node]]:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


def _tests() -> list:
    if not MANIFEST.exists():
        return []
    _, entries = _manifest()
    return [pytest.param(entry, id=str(entry).rsplit("#", 1)[-1]) for entry in entries]


@pytest.fixture(scope="module")
def manifest_graph() -> rdflib.Graph:
    return _manifest()[0]


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    running = start_server("--update-token", TOKEN, "--query-timeout", "10")
    yield running
    stop_server(running)


def _reset(server_url: str, graph: rdflib.Graph, test) -> None:
    """Empty the writable graphs, then load the test's fixture graphs by Graph Store PUT."""
    response = httpx.post(
        server_url + "/sparql",
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 204, response.text
    for data in graph.objects(test, UT.graphData):
        path = Path(str(graph.value(data, UT.graph)).removeprefix("file://"))
        name = str(graph.value(data, rdflib.RDFS.label))
        response = httpx.put(
            server_url + "/store",
            params={"graph": name},
            content=(SUITE / path.name).read_bytes(),
            headers={"Content-Type": "application/n-triples", **AUTH},
        )
        assert response.status_code in (201, 204), response.text


def _status_ok(graph: rdflib.Graph, expected: set, status: int) -> bool:
    classes = {
        HTS.StatusCode2xx: range(200, 300),
        HTS.StatusCode3xx: range(300, 400),
        HTS.StatusCode4xx: range(400, 500),
        HTS.StatusCode5xx: range(500, 600),
    }
    return any(status in classes[e] for e in expected)


def _check_format(response: httpx.Response, expected: str, boolean: bool | None) -> None:
    media_type = response.headers.get("content-type", "").split(";")[0]
    if expected in ("boolean", "tabular"):
        if "json" in media_type:
            body = json.loads(response.text)
            value = body.get("boolean")
            assert ("boolean" in body) == (expected == "boolean"), body
            if expected == "tabular":
                assert "vars" in body["head"] and "bindings" in body["results"]
        else:
            root = ET.fromstring(response.text)
            found = root.find(f"{RESULTS_NS}boolean")
            assert (found is not None) == (expected == "boolean"), response.text
            value = None if found is None else found.text == "true"
        if boolean is not None:
            assert value is boolean, response.text
    elif expected == "RDF":
        rdflib_format = {
            "text/turtle": "turtle",
            "application/rdf+xml": "xml",
            "application/n-triples": "nt",
            "application/ld+json": "json-ld",
        }[media_type]
        rdflib.Graph().parse(data=response.text, format=rdflib_format)


@pytest.mark.parametrize("test", _tests())
def test_w3c_protocol(test, manifest_graph, w3c_server):
    graph = manifest_graph
    _reset(w3c_server.url, graph, test)
    action = graph.value(test, MF.action)
    for request in Collection(graph, graph.value(action, HT.requests)):
        method = str(graph.value(request, HT.methodName))
        path = str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
        headers = dict(AUTH)
        header_list = graph.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body_node = graph.value(request, HT.body)
        content = None
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
            content = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
        response = httpx.request(method, w3c_server.url + path, content=content, headers=headers, timeout=30)
        expected_response = graph.value(request, HT.resp)
        statuses = set(graph.objects(expected_response, MF.expectedStatus))
        assert _status_ok(graph, statuses, response.status_code), (
            f"{method} {path}: status {response.status_code}: {response.text[:500]}"
        )
        expected_format = graph.value(expected_response, MF.expectedFormat)
        if expected_format is not None:
            boolean = graph.value(expected_response, MF.expectedBoolean)
            _check_format(
                response, str(expected_format), None if boolean is None else bool(boolean.toPython())
            )


def test_the_suite_is_present_and_complete():
    assert len(_tests()) == 34, f"expected the 34 W3C protocol tests in {MANIFEST}"
