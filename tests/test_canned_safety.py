"""Injection in every parameter of every canned query: each answer is a 400, a 404 or an honest
empty answer, never a 500, never data outside the query's intent. Plus the contract's errors:
unknown query 404, missing or ill-typed parameter 400 naming it, unknown label 404 with suggestions."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.canned.catalogue import load_catalogue
from app.settings import REPO_ROOT
from tests.conftest import RunningServer, start_server, stop_server

CATALOGUE = load_catalogue(REPO_ROOT / "queries")
PAYLOADS = [
    'sharks"',
    "sharks'",
    "sharks>",
    "sharks}",
    "sharks\n} ?s ?p ?o {",
    "\\u0022 } UNION { ?s ?p ?o } #",
    '\\" . ?s ?p ?o . FILTER("',
    "\u0022) } } SELECT * WHERE { ?s ?p ?o } #",
    "<https://w3id.org/cms-kg/id/organisation/ifaw>",
    "https://w3id.org/cms-kg/id/organisation/ifaw> } ?s ?p ?o { <x",
    "SELECT * WHERE { ?s ?p ?o }",
    "DELETE WHERE { ?s ?p ?o }",
    "SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }",
    "'; DROP ALL; --",
    "UNDEF",
    "%22%7D",
    "x\x00y",
    '2013-01-01"^^<http://www.w3.org/2001/XMLSchema#date> } ?s ?p ?o {',
    "1) || true || (1",
    "é" * 3000,
]
CASES = [
    (query.name, parameter.name, payload)
    for query in CATALOGUE
    for parameter in query.parameters
    for payload in PAYLOADS
]


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """A real server of our own for this module."""
    running = start_server()
    yield running
    stop_server(running)


def get(server, name: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/queries/{name}", params=params, timeout=30)


@pytest.mark.parametrize(("name", "parameter", "payload"), CASES)
def test_injection_is_refused_or_answered_honestly(server, name: str, parameter: str, payload: str):
    query = CATALOGUE.get(name)
    params = {k: str(v) for k, v in query.example.items()}
    params[parameter] = payload
    response = get(server, name, **params)
    assert response.status_code in (200, 400, 404), response.text
    if response.status_code == 200:
        # Nothing has such a label: an injection that ran must find nothing.
        assert response.json()["count"] == 0, response.text
    else:
        body = response.json()
        assert body["parameter"] == parameter and parameter in body["detail"]


def test_every_query_has_injection_cases():
    assert {name for name, _, _ in CASES} == {q.name for q in CATALOGUE if q.parameters}


def test_unknown_query_is_404(server):
    response = get(server, "no-such-query")
    assert response.status_code == 404
    assert "partners-covering" in response.json()["detail"]


def test_missing_parameter_is_400_naming_it(server):
    response = get(server, "members")
    assert response.status_code == 400
    assert response.json()["parameter"] == "collaboration" and "required" in response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "params", "parameter"),
    [
        ("timeline", {"from": "2013-02-30"}, "from"),
        ("timeline", {"to": "last year"}, "to"),
        ("meetings", {"from": "13"}, "from"),
        ("search", {"text": "   "}, "text"),
        ("search", {"text": "x" * 101}, "text"),
        ("members", {"collaboration": "BLG", "colaboration": "BLG"}, "colaboration"),
        ("partners-covering", {"subject": "https://w3id.org/cms-kg/id/x y"}, "subject"),
        ("partners-covering", {"subject": "sharks", "format": "pdf"}, "format"),
    ],
)
def test_ill_typed_or_unknown_parameter_is_400_naming_it(server, name, params, parameter):
    response = get(server, name, **params)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


def test_repeated_parameter_is_400(server):
    response = httpx.get(f"{server.url}/api/queries/members?collaboration=BLG&collaboration=CPW")
    assert response.status_code == 400 and response.json()["parameter"] == "collaboration"


def test_unknown_label_is_404_with_close_labels(server):
    response = get(server, "partners-covering", subject="sharkz")
    assert response.status_code == 404
    body = response.json()
    assert body["parameter"] == "subject" and "sharkz" in body["detail"]
    assert "sharks" in body["suggestions"] and "sharks" in body["detail"]


def test_label_of_the_wrong_kind_is_404(server):
    """'AEWA' is an instrument (and a secretariat's short name elsewhere), not a place."""
    response = get(server, "activities-in-place", place="AEWA")
    assert response.status_code == 404


def test_iri_of_the_wrong_kind_or_unknown_is_404(server):
    wrong = get(server, "members", collaboration="https://w3id.org/cms-kg/id/organisation/ifaw")
    assert wrong.status_code == 404 and "IRI" in wrong.json()["detail"]
    unknown = get(server, "provenance", resource="https://w3id.org/cms-kg/id/organisation/nobody")
    assert unknown.status_code == 404


def test_labels_match_case_insensitively(server):
    upper = get(server, "members", collaboration="bIoDiVeRsItY   liaison group").json()
    assert (
        upper["parameters"]["collaboration"]["iri"]
        == "https://w3id.org/cms-kg/id/collaboration/biodiversity-liaison-group"
    )
