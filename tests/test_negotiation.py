"""Content negotiation: the format table, q-values, wildcards, parameters, and 406 with the offer."""

from __future__ import annotations

import pytest

from app.formats import AnswerKind, NotAcceptable, UnknownFormat, by_name, negotiate

RESULTS = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
]
GRAPHS = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
]


@pytest.mark.parametrize(("accept", "name"), RESULTS)
def test_each_results_type_is_chosen(accept, name):
    assert negotiate(accept, AnswerKind.RESULTS).name == name


@pytest.mark.parametrize(("accept", "name"), GRAPHS)
def test_each_graph_type_is_chosen(accept, name):
    assert negotiate(accept, AnswerKind.RDF).name == name


@pytest.mark.parametrize(
    ("accept", "kind", "name"),
    [
        (None, AnswerKind.RESULTS, "json"),
        ("", AnswerKind.RDF, "turtle"),
        ("*/*", AnswerKind.RESULTS, "json"),
        ("*/*", AnswerKind.RDF, "turtle"),
        ("text/*", AnswerKind.RESULTS, "csv"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", AnswerKind.RESULTS, "xml"),
        ("text/csv;q=1.0, application/sparql-results+xml;q=0.9", AnswerKind.RESULTS, "csv"),
        ("text/csv; charset=utf-8", AnswerKind.RESULTS, "csv"),
        ("application/rdf+xml;q=0.3, text/turtle;q=0.2, */*;q=0.1", AnswerKind.RDF, "rdfxml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", AnswerKind.RESULTS, "xml"),
        ("application/json", AnswerKind.RDF, "jsonld"),
        ("application/json", AnswerKind.RESULTS, "json"),
        ("not a type, text/csv", AnswerKind.RESULTS, "csv"),
    ],
)
def test_q_values_wildcards_and_parameters(accept, kind, name):
    assert negotiate(accept, kind).name == name


@pytest.mark.parametrize("accept", ["image/png", "text/csv;q=0", "text/html"])
def test_nothing_acceptable_lists_the_offer(accept):
    with pytest.raises(NotAcceptable) as refused:
        negotiate(accept, AnswerKind.RESULTS)
    assert "application/sparql-results+json" in refused.value.offered


def test_format_parameter_beats_the_header():
    assert negotiate("text/csv", AnswerKind.RESULTS, "tsv").name == "tsv"
    assert by_name("ttl", AnswerKind.RDF).name == "turtle"
    assert by_name("text/turtle", AnswerKind.RDF).name == "turtle"
    with pytest.raises(UnknownFormat):
        by_name("turtle", AnswerKind.RESULTS)


@pytest.mark.parametrize(("accept", "media_type"), RESULTS)
def test_http_select_matrix(client, accept, media_type):
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("accept", "media_type"), GRAPHS)
def test_http_construct_matrix(client, accept, media_type):
    response = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept


def test_http_406_lists_offered_types(client):
    response = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406
    assert "text/turtle" in response.text
