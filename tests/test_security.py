"""Our own attack surface: path traversal, HTML escaping of curated literals, security headers,
and request limits on the endpoints that take bodies."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import FIXTURES, make_tree, start_server, stop_server

EVIL = "https://w3id.org/cms-kg/id/organisation/evil"
EVIL_TTL = f"""
@prefix cms: <https://w3id.org/cms-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{EVIL}> a cms:NonGovernmentalOrganisation ;
    skos:prefLabel "Evil <script>alert('label')</script> Org"@en ;
    skos:altLabel "<img src=x onerror=alert(1)>"@en ;
    skos:definition "A definition with \\"quotes\\" & <b>markup</b>."@en ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report/p1> .
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = make_tree(tmp_path_factory.mktemp("security") / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    (root / "graph" / "evil.ttl").write_text(EVIL_TTL)
    server = start_server("--root", str(root))
    yield server
    stop_server(server)


def test_html_pages_escape_every_literal(hostile):
    page = httpx.get(hostile.url + "/id/organisation/evil", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert" in page.text
    assert "<b>markup</b>" not in page.text


def test_canned_html_output_escapes_literals(hostile):
    page = httpx.get(hostile.url + "/api/queries/search", params={"text": "Evil", "format": "html"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app/settings.py",
        "/static/..%2f..%2fapp%2fsettings.py",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/dumps/../pyproject.toml",
        "/dumps/..%2f..%2fpyproject.toml",
        "/dumps/%2e%2e%2fgraph%2forganisations.ttl",
        "/id/..%2f..%2fpyproject.toml",
    ],
)
def test_no_path_traversal(hostile, path):
    response = httpx.get(hostile.url + path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "pydantic" not in response.text and "[project]" not in response.text


def test_html_pages_carry_security_headers(hostile):
    for path in [
        "/id/organisation/evil",
        "/id/",
        "/ontology",
        "/api/queries/members?collaboration=x&format=html",
    ]:
        response = httpx.get(hostile.url + path, headers={"Accept": "text/html"})
        if response.headers.get("content-type", "").startswith("text/html"):
            assert response.headers["x-frame-options"] == "DENY"
            assert "script-src 'self'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "referrer-policy" in response.headers
    api = httpx.get(hostile.url + "/sparql", params={"query": "ASK {}"})
    assert api.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/sparql", "application/sparql-query"),
        ("POST", "/sparql", "application/x-www-form-urlencoded"),
        ("POST", "/sparql", "application/sparql-update"),
        ("PUT", "/store?graph=http://example.org/g", "text/turtle"),
        ("POST", "/_federation/x/y/0", "application/sparql-query"),
    ],
)
def test_bodies_are_bounded(hostile, method, path, content_type):
    body = b"#" + b"x" * (20 * 1024 * 1024)
    response = httpx.request(
        method, hostile.url + path, content=body, headers={"Content-Type": content_type}, timeout=60
    )
    assert response.status_code in (403, 404, 413), (path, response.status_code)
    assert response.status_code != 200


def test_tmp_path_is_not_served(hostile, tmp_path: Path):
    assert httpx.get(hostile.url + "/static/" + str(tmp_path)).status_code == 404
