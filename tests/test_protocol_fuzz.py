"""Fuzzing the SPARQL Protocol itself, not only query text: methods, parameters (names, repeats,
numbers such as nan and 1e309, format names), headers (Accept, Content-Type, Authorization) and
bodies. After every example the invariant is checked: no 5xx but a 503 that says to retry, and a
plain `ASK {}` still answers 200 within a second, so no request took capacity away.

A longer run: `CMSKG_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_protocol_fuzz.py`.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, make_tree, start_server, stop_server

EXAMPLES = int(os.environ.get("CMSKG_FUZZ_EXAMPLES", "12")) * 6
TOKEN = "protocol-fuzz-token"

NUMBERS = st.sampled_from(["nan", "NaN", "inf", "-inf", "1e309", "-1", "0", "0.0001", "5", "3.5", "", "x"])
FORMATS = st.sampled_from(
    ["json", "xml", "csv", "tsv", "turtle", "ttl", "n3", "json-ld", "jsonld", "rdf", "rdf+xml",
     "application/sparql-results+json", "text/tab-separated-values", "bogus", "", "*/*"]
)  # fmt: skip
QUERIES = st.sampled_from(
    ["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
     "DESCRIBE <https://w3id.org/cms-kg/id/organisation/cms-secretariat>", "SELECT", "{", "",
     "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
     "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"]
)  # fmt: skip
UPDATES = st.sampled_from(
    ["CLEAR ALL", "INSERT DATA { <http://a> <http://b> 'c' }", "LOAD <http://127.0.0.1:9/x>", "DROP"],
)
GRAPHS = st.sampled_from(["https://w3id.org/cms-kg/graph/mini", "http://example.org/g", "not an iri", "<>"])
NAMES = st.sampled_from(["query", "update", "timeout", "format", "output", "results", "default-graph-uri",
                         "named-graph-uri", "using-graph-uri", "callback", "", "x"])  # fmt: skip
ACCEPTS = st.sampled_from(
    [None, "*/*", "text/csv", "application/sparql-results+json;q=0.1, text/turtle", "image/png",
     "application/ld+json", "text/html", ";;;", "text/csv;q=abc", "application/n-quads"]
)  # fmt: skip
CONTENT_TYPES = st.sampled_from(
    ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
     "text/plain", "multipart/form-data", "", "application/sparql-query; charset=latin-1"]
)  # fmt: skip
AUTHS = st.sampled_from([None, f"Bearer {TOKEN}", "Bearer wrong", TOKEN, "Basic xyz"])


@st.composite
def requests(draw: st.DrawFn) -> dict:
    params: list[tuple[str, str]] = []
    if draw(st.booleans()):
        params.append(("query", draw(QUERIES)))
    for _ in range(draw(st.integers(0, 4))):
        name = draw(NAMES)
        values = {"timeout": NUMBERS, "format": FORMATS, "output": FORMATS, "query": QUERIES}
        params.append((name, draw({**values, "update": UPDATES}.get(name, GRAPHS))))
    headers = {}
    if (accept := draw(ACCEPTS)) is not None:
        headers["Accept"] = accept
    if (auth := draw(AUTHS)) is not None:
        headers["Authorization"] = auth
    method = draw(st.sampled_from(["GET", "HEAD", "POST", "POST", "PUT", "DELETE"]))
    body = b""
    if method == "POST":
        headers["Content-Type"] = draw(CONTENT_TYPES)
        kind = headers["Content-Type"]
        if kind.startswith("application/x-www-form-urlencoded"):
            body, params = urlencode(params).encode(), []
        else:
            text = draw(st.one_of(QUERIES, UPDATES, st.text(max_size=80)))
            body = text.encode() + draw(st.binary(max_size=16))
    return {"method": method, "params": params, "headers": headers, "content": body}


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    mini = sorted((FIXTURES / "mini").glob("*.ttl"))
    root = make_tree(tmp_path_factory.mktemp("protocol-fuzz") / "data", mini)
    running = start_server("--root", str(root), "--update-token", TOKEN, "--query-timeout", "3")
    yield running
    stop_server(running)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=requests())
def test_no_request_answers_5xx_or_takes_capacity_away(target, request):
    response = httpx.request(url=target.url + "/sparql", timeout=30, **request)
    if response.status_code >= 500:
        assert response.status_code == 503 and "retry-after" in response.headers, (
            request,
            response.status_code,
            response.text[:300],
        )
    if response.status_code >= 400 and request["method"] != "HEAD":
        assert response.text.strip(), request
    started = time.monotonic()
    ask = httpx.get(target.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
    assert ask.status_code == 200, (request, ask.status_code, ask.text)
    assert time.monotonic() - started < 1, f"ASK took {time.monotonic() - started:.2f} s after {request}"
