"""The SPARQL Protocol as the usual clients speak it: repeated parameters, the format names
SPARQLWrapper, Fuseki and Virtuoso send, HEAD, conflicting query/update, very long URLs and the
headers every answer carries."""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest

ASK = "ASK { ?s ?p ?o }"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2"


def test_a_parameter_repeated_with_the_same_value_is_one_value(client):
    response = client.get("/sparql", params=[("query", ASK), ("query", ASK)])
    assert response.status_code == 200


def test_a_parameter_given_two_different_values_is_a_400_naming_it(client):
    response = client.get("/sparql", params=[("query", ASK), ("query", SELECT)])
    assert response.status_code == 400 and "'query'" in response.text


def test_sparqlwrapper_style_format_parameters_are_understood(client):
    """SPARQLWrapper sends format= twice with different spellings, plus output= and results=."""
    tsv = "text/tab-separated-values"
    params = [("query", SELECT), ("format", "tsv"), ("format", tsv), ("output", "tsv")]
    response = client.get("/sparql", params=params, headers={"Accept": "text/tab-separated-values"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/tab-separated-values")


@pytest.mark.parametrize(
    ("query", "name", "media_type"),
    [
        (CONSTRUCT, "xml", "application/rdf+xml"),
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "json-ld", "application/ld+json"),
        (CONSTRUCT, "n3", "text/turtle"),
        (CONSTRUCT, "rdf", "application/rdf+xml"),
        (SELECT, "xml", "application/sparql-results+xml"),
        (SELECT, "json", "application/sparql-results+json"),
        (SELECT, "n3", "application/sparql-results+json"),  # a graph format for a table: the default
        (ASK, "turtle", "application/sparql-results+json"),
    ],
)
def test_common_format_names_are_answered_never_refused(client, query, name, media_type):
    response = client.get("/sparql", params={"query": query, "format": name}, headers={"Accept": "*/*"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


def test_a_format_name_that_fits_nothing_falls_back_to_accept(client):
    params = {"query": SELECT, "format": "bogus"}
    response = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


def test_virtuoso_output_parameter(client):
    response = client.get("/sparql", params={"query": SELECT, "output": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize("params", [{"query": ASK}, {}])
def test_head_answers_wherever_get_does(client, params):
    got = client.get("/sparql", params=params)
    head = client.head("/sparql", params=params)
    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""


@pytest.mark.parametrize(
    ("content_type", "body", "url"),
    [
        ("application/sparql-query", ASK, "/sparql?update=CLEAR%20ALL"),
        ("application/sparql-update", "CLEAR ALL", "/sparql?query=" + quote(ASK)),
    ],
)
def test_a_body_and_a_url_parameter_of_the_other_kind_is_a_400(client, content_type, body, url):
    response = client.post(url, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400 and "send one of them" in response.text


def test_ask_answers_carry_a_result_count(client):
    response = client.get("/sparql", params={"query": ASK})
    assert response.headers["x-result-count"] == "1"


def test_a_query_too_long_for_a_url_gets_our_414_not_a_bare_400(server):
    """httptools cannot parse a URL over 65,535 bytes; uvicorn answered 'Invalid HTTP request'."""
    host, port = server.url.removeprefix("http://").split(":")
    query = quote("ASK {} # " + "x" * 70_000)
    with socket.create_connection((host, int(port))) as sock:
        head = f"GET /sparql?query={query} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        sock.sendall(head.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 414")
    assert b"send the query by POST" in answer


@pytest.mark.parametrize("path", ["/id/?page=nan", "/id/?page=-1", "/id/organisation/?page=1e309"])
def test_a_bad_parameter_of_any_route_is_a_400_naming_it(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 400 and response.json()["parameter"] == "page", response.text
