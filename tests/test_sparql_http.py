"""/sparql and /health through the ASGI app: each protocol form, each result format, each error."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib

SELECT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cms: <https://w3id.org/cms-kg/ontology#>
SELECT ?party ?label WHERE {
  ?a a cms:Arrangement ; cms:party ?party . ?party skos:prefLabel ?label
} ORDER BY ?label"""
ASK = "ASK { ?s a <https://w3id.org/cms-kg/ontology#Arrangement> }"
CONSTRUCT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s a <https://w3id.org/cms-kg/ontology#Secretariat> ;
  skos:prefLabel ?l }"""
LABELS = ["National Oceanic and Atmospheric Administration", "UNEP/CMS Secretariat"]


def test_health_reports_data_version_and_triple_count(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["triples"] > 0 and len(body["data_version"]) == 16


def test_select_by_get_defaults_to_sparql_json(client):
    response = client.get("/sparql", params={"query": SELECT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = response.json()["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == LABELS


def test_select_by_post_form_and_post_direct_agree(client):
    form = client.post("/sparql", data={"query": SELECT})
    direct = client.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_in_each_result_format(client, accept, media_type):
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    text = response.text
    if media_type.endswith("xml"):
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        literals = ET.fromstring(text).findall(".//r:binding[@name='label']/r:literal", ns)
        assert [x.text for x in literals] == LABELS
    elif media_type == "text/csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["label"] for r in rows] == LABELS
    elif media_type == "text/tab-separated-values":
        lines = text.strip().splitlines()
        assert lines[0] == "?party\t?label"
        assert [line.split("\t")[1] for line in lines[1:]] == [f'"{x}"@en' for x in LABELS]
    else:
        assert len(response.json()["results"]["bindings"]) == 2


def test_ask_answers_a_boolean(client):
    assert client.get("/sparql", params={"query": ASK}).json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_each_rdf_format(client, accept, rdflib_format):
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.text, format=rdflib_format)
    assert {str(o) for o in graph.objects()} == {"UNEP/CMS Secretariat"}


def test_format_parameter_overrides_accept(client):
    response = client.get(
        "/sparql", params={"query": SELECT, "format": "csv"}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_syntax_error_is_400_with_position(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "1:" in response.text and "syntax" in response.text.lower()


def test_unacceptable_format_is_406_listing_offers(client):
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


def test_get_without_query_is_the_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert "https://w3id.org/cms-kg/graph/mini" in names
    formats = {str(f) for f in graph.objects(service, sd.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats


RDFLIB_FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_a_browser_gets_a_page_about_the_endpoint(client):
    """The header's "SPARQL endpoint" link made browsers download sparql.rdf: their Accept header
    takes application/xml (RDF/XML) too. A client preferring HTML, sending no query, gets a page
    saying what the endpoint is, how to query it, its limits, and where its descriptions are."""
    response = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in response.headers and "Accept" in response.headers["vary"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<h1>The SPARQL endpoint</h1>" in page
    endpoint = client.app.state.settings.public_base + "sparql"
    assert f"curl -s {endpoint} \\" in page and "SPARQLWrapper" in page
    for href in ("/#query", "/sparql?format=turtle", "/void", "/.well-known/sparql-examples"):
        assert f'href="{href}"' in page, href
    assert "30 s" in page and "100000 rows" in page
    # The page's own links answer as they say.
    turtle = client.get("/sparql", params={"format": "turtle"}, headers={"Accept": BROWSER_ACCEPT})
    assert turtle.headers["content-type"].startswith("text/turtle")
    head = client.head("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert head.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("text/html, text/turtle", "text/turtle"),  # equal: the description, as before
    ],
)
def test_every_other_client_still_gets_the_service_description(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    rdflib.Graph().parse(data=response.text, format=RDFLIB_FORMATS[media_type])


def test_empty_form_is_400(client):
    response = client.post("/sparql", data={"other": "x"})
    assert response.status_code == 400


def test_wrong_body_type_is_415(client):
    response = client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_non_utf8_body_is_400(client):
    response = client.post(
        "/sparql",
        content=SELECT.encode("utf-16"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_two_queries_is_400(client):
    response = client.get("/sparql?query=ASK%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert response.status_code == 400


def test_service_to_unlisted_endpoint_is_403(client):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "allowlist" in response.text


def test_update_sent_as_query_is_refused(client):
    response = client.post(
        "/sparql",
        data={"query": "INSERT DATA { <http://a> <http://b> <http://c> }"},
    )
    assert response.status_code == 400


def test_default_graph_uri_restricts_the_dataset(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    everything = client.get("/sparql", params={"query": query}).json()
    only_mini = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": "https://w3id.org/cms-kg/graph/mini"},
    ).json()
    count = lambda body: int(body["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert 0 < count(only_mini) < count(everything)
    assert json.dumps(only_mini)


def test_cors_origins_can_be_restricted(mini_root):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    app = create_app(Settings(root=mini_root, cors_origins="https://partner.example", workers=1))
    with TestClient(app) as restricted:
        allowed = restricted.get(
            "/sparql", params={"query": ASK}, headers={"Origin": "https://partner.example"}
        )
        other = restricted.get(
            "/sparql", params={"query": ASK}, headers={"Origin": "https://elsewhere.example"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://partner.example"
    assert "access-control-allow-origin" not in other.headers
