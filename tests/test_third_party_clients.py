"""Third-party SPARQL clients, each against our endpoint and against an Oxigraph server that holds
the same data, answers compared: SPARQLWrapper (PyPI) with every query form x return format x
method, rdflib's SPARQLStore (query forms, result formats, methods and its Graph API), and Comunica
(npm, the comunica-sparql command).

Oxigraph is the reference: what a client gets from it, it must get from us. Our server is the
shared one over the curated graph (tests/conftest.py `server`); the Oxigraph server is loaded by
reading every graph from our Graph Store (the union default graph into its default graph, each
named graph into the graph of the same name). Calls that fail because of a defect of ours are in
KNOWN_FAILURES with the cause (xfail; an entry that passes fails the run, so the table empties as
the server is fixed).
"""

from __future__ import annotations

import json
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from xml.dom.minidom import Document

import httpx
import pytest
import rdflib
from rdflib import URIRef, Variable
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from app.settings import REPO_ROOT
from tests import sparql_answers as answers
from tests.conftest import RunningServer
from tests.servers.peers import Peer, start_oxigraph

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cms: <https://w3id.org/cms-kg/ontology#>
"""
SECRETARIAT = "https://w3id.org/cms-kg/id/organisation/cms-secretariat"
# IRIs, language-tagged and typed literals (gYear, integer), unbound cells, ORDER BY.
QUERIES = {
    "SELECT": PREFIXES
    + """SELECT ?arrangement ?label ?start (COUNT(?party) AS ?parties) WHERE {
  ?arrangement a cms:Arrangement ; skos:prefLabel ?label ; cms:party ?party .
  OPTIONAL { ?arrangement cms:startDate ?start }
} GROUP BY ?arrangement ?label ?start ORDER BY ?arrangement""",
    "ASK": PREFIXES + f"ASK {{ ?arrangement a cms:Arrangement ; cms:party <{SECRETARIAT}> }}",
    "CONSTRUCT": PREFIXES
    + """CONSTRUCT { ?arrangement skos:prefLabel ?label ; cms:startDate ?start } WHERE {
  ?arrangement a cms:Arrangement ; skos:prefLabel ?label OPTIONAL { ?arrangement cms:startDate ?start }
}""",
    "DESCRIBE": f"DESCRIBE <{SECRETARIAT}>",
}

# Calls that fail with our server and work with Oxigraph, each with its cause (none left: the 84
# SPARQLWrapper calls, HEAD and ASK's X-Result-Count listed here before were fixed in the engine).
KNOWN_FAILURES: dict[str, str] = {}


@dataclass
class Got:
    """What a client made of an answer: the answer, or the error it raised."""

    answer: answers.Answer | None = None
    error: str = ""


def empty(answer: answers.Answer) -> bool:
    if isinstance(answer, answers.Boolean):
        return not answer.value
    if isinstance(answer, answers.Graph):
        return len(answer.graph) == 0
    if isinstance(answer, answers.Table):  # an ASK in CSV is one line, "true": read as a header
        return not answer.rows and not answer.header
    return not answer.rows


def expect_like_oxigraph(name: str, reference: Got, ours: Got, query: str) -> None:
    assert reference.answer is not None, f"{name}: Oxigraph, the reference, failed: {reference.error}"
    assert not empty(reference.answer), f"{name}: the reference answer is empty: nothing would be compared"
    problem = (
        f"our server: {ours.error}"
        if ours.answer is None
        else answers.differences(reference.answer, ours.answer, answers.ordered(query))
    )
    known = KNOWN_FAILURES.get(name)
    if problem is None:
        assert known is None, f"{name} works now: remove it from KNOWN_FAILURES ({known})"
    elif known is not None:
        pytest.xfail(known)
    else:
        pytest.fail(f"{name}: {problem}")


# -- the two servers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoints:
    ours: str
    oxigraph: str


def copy_graphs(source: str, target_store: str) -> int:
    """Every graph of our server into another server's Graph Store; returns the triples copied."""
    nt = {"Accept": "application/n-triples"}
    with httpx.Client(timeout=60) as client:
        default = client.get(source + "/store?default", headers=nt)
        assert default.status_code == 200, default.text
        response = client.put(
            target_store + "?default",
            content=default.content,
            headers={"Content-Type": "application/n-triples"},
        )
        assert response.status_code in (201, 204), response.text
        listing = client.post(
            source + "/sparql",
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        for row in listing.json()["results"]["bindings"]:
            graph = row["g"]["value"]
            body = client.get(source + "/store", params={"graph": graph}, headers=nt)
            assert body.status_code == 200, body.text
            response = client.put(
                target_store,
                params={"graph": graph},
                content=body.content,
                headers={"Content-Type": "application/n-triples"},
            )
            assert response.status_code in (201, 204), response.text
    return default.content.count(b"\n")


@pytest.fixture(scope="module")
def endpoints(server: RunningServer, tmp_path_factory) -> Iterator[Endpoints]:
    peer: Peer = start_oxigraph(tmp_path_factory.mktemp("oxigraph-clients"))
    try:
        copied = copy_graphs(server.url, peer.endpoint.removesuffix("/query") + "/store")
        assert copied == httpx.get(server.url + "/health").json()["triples"]
        yield Endpoints(ours=server.url + "/sparql", oxigraph=peer.endpoint)
    finally:
        peer.stop()


# -- SPARQLWrapper ----------------------------------------------------------------------------------

SW_FORMATS = [None, JSON, XML, CSV, TSV, JSONLD, N3, TURTLE, RDFXML, RDF]  # None: its default
SW_METHODS = ["GET", "POST", "POST-direct"]


def converted_answer(converted: object, content_type: str) -> answers.Answer:
    """SPARQLWrapper's convert() result as an answer: a dict (JSON), a DOM (XML results), an rdflib
    graph (RDF/XML, JSON-LD), or the bytes of anything else."""
    if isinstance(converted, dict):
        return answers.from_media_type(json.dumps(converted).encode(), "application/sparql-results+json")
    if isinstance(converted, Document):
        return answers.from_media_type(converted.toxml("utf-8"), "application/sparql-results+xml")
    if isinstance(converted, rdflib.Graph):
        return answers.from_media_type(
            converted.serialize(format="nt", encoding="utf-8"), "application/n-triples"
        )
    if isinstance(converted, str):
        converted = converted.encode()
    assert isinstance(converted, bytes), f"unexpected conversion {type(converted)}"
    return answers.from_media_type(converted, content_type)


def sparqlwrapper(endpoint: str, form: str, fmt: str | None, method: str) -> Got:
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setTimeout(30)
    wrapper.setQuery(QUERIES[form])
    if fmt is not None:
        wrapper.setReturnFormat(fmt)
    if method != "GET":
        wrapper.setMethod(POST)
    if method == "POST-direct":
        wrapper.setRequestMethod(POSTDIRECTLY)
    try:
        with warnings.catch_warnings():
            # It warns when it sends Accept: */* for a format that does not fit the query form,
            # and rdflib warns that the ConjunctiveGraph it builds is deprecated.
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            result = wrapper.query()
            content_type = result.info()["content-type"]
            return Got(converted_answer(result.convert(), content_type))
    except Exception as error:  # whatever the client raises is the outcome
        return Got(error=f"{type(error).__name__}: {str(error)[:300]}")


@pytest.mark.parametrize("method", SW_METHODS)
@pytest.mark.parametrize("fmt", SW_FORMATS, ids=lambda f: f or "default")
@pytest.mark.parametrize("form", list(QUERIES))
def test_sparqlwrapper_gets_what_oxigraph_gives(form, fmt, method, endpoints: Endpoints):
    name = f"SPARQLWrapper {form} {fmt or 'default'} {method}"
    reference = sparqlwrapper(endpoints.oxigraph, form, fmt, method)
    ours = sparqlwrapper(endpoints.ours, form, fmt, method)
    expect_like_oxigraph(name, reference, ours, QUERIES[form])


# -- rdflib's SPARQLStore ---------------------------------------------------------------------------

STORE_METHODS = ["GET", "POST", "POST_FORM"]
# The result formats rdflib's client reads for each query form (with csv or tsv it cannot read a
# boolean, and it asks for a graph only in RDF/XML): the same calls fail on every server.
STORE_CALLS = [
    ("SELECT", "xml"),
    ("SELECT", "json"),
    ("SELECT", "csv"),
    ("SELECT", "tsv"),
    ("ASK", "xml"),
    ("ASK", "json"),
    ("CONSTRUCT", "xml"),
    ("DESCRIBE", "xml"),
]


def rdflib_answer(result: rdflib.query.Result) -> answers.Answer:
    if result.type in ("SELECT", "ASK"):
        return answers.from_media_type(result.serialize(format="json"), "application/sparql-results+json")
    assert result.graph is not None
    return answers.from_media_type(
        result.graph.serialize(format="nt", encoding="utf-8"), "application/n-triples"
    )


def sparqlstore(endpoint: str, form: str, result_format: str, method: str) -> Got:
    graph = rdflib.Graph(SPARQLStore(endpoint, method=method, returnFormat=result_format, timeout=30))
    try:
        return Got(rdflib_answer(graph.query(QUERIES[form])))
    except Exception as error:  # whatever the client raises is the outcome
        return Got(error=f"{type(error).__name__}: {str(error)[:300]}")


@pytest.mark.parametrize("method", STORE_METHODS)
@pytest.mark.parametrize(("form", "result_format"), STORE_CALLS, ids=[f"{f}-{r}" for f, r in STORE_CALLS])
def test_rdflib_sparqlstore_gets_what_oxigraph_gives(form, result_format, method, endpoints: Endpoints):
    name = f"SPARQLStore {form} {result_format} {method}"
    reference = sparqlstore(endpoints.oxigraph, form, result_format, method)
    ours = sparqlstore(endpoints.ours, form, result_format, method)
    expect_like_oxigraph(name, reference, ours, QUERIES[form])


def graph_api(endpoint: str, method: str) -> dict[str, object]:
    """What an rdflib user does with a remote graph: size, triple patterns, membership, values,
    and a query with initBindings (sent as a VALUES block)."""
    graph = rdflib.Graph(SPARQLStore(endpoint, method=method, timeout=30))
    secretariat = URIRef(SECRETARIAT)
    label = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    bound = graph.query(
        PREFIXES + "SELECT ?arrangement WHERE { ?arrangement cms:party ?party } ORDER BY ?arrangement",
        initBindings={Variable("party"): secretariat},
    )
    return {
        "len": len(graph),
        # A blank node's label is local to one answer (SPARQL 1.1 Query, 19.6), so it is compared
        # as a blank node, not by its label.
        "triples": sorted(
            str(tuple("_:b" if isinstance(term, rdflib.BNode) else term for term in triple))
            for triple in graph.triples((secretariat, None, None))
        ),
        "contains": (secretariat, rdflib.RDF.type, URIRef("https://w3id.org/cms-kg/ontology#Secretariat"))
        in graph,
        "value": str(graph.value(secretariat, label)),
        "bound": [str(row[0]) for row in bound],
    }


@pytest.mark.parametrize("method", STORE_METHODS)
def test_rdflib_graph_api_over_sparqlstore_agrees_with_oxigraph(method, endpoints: Endpoints):
    reference, ours = graph_api(endpoints.oxigraph, method), graph_api(endpoints.ours, method)
    assert reference["bound"] and reference["triples"], reference
    assert ours == reference


# -- Comunica ---------------------------------------------------------------------------------------

COMUNICA = REPO_ROOT / "node_modules" / ".bin" / "comunica-sparql"
# Without language tags: Comunica 4.5.0 turns a language-tagged literal from a SPARQL endpoint into
# a literal with no language and an undefined datatype (its XML writer then crashes), whichever
# server sends it.
COMUNICA_QUERIES = {
    "SELECT": PREFIXES
    + """SELECT ?arrangement (STR(?label) AS ?name) ?start WHERE {
  ?arrangement a cms:Arrangement ; skos:prefLabel ?label OPTIONAL { ?arrangement cms:startDate ?start }
} ORDER BY ?arrangement""",
    "ASK": QUERIES["ASK"],
    "CONSTRUCT": PREFIXES
    + """CONSTRUCT { ?arrangement cms:party ?party ; cms:startDate ?start } WHERE {
  ?arrangement a cms:Arrangement ; cms:party ?party OPTIONAL { ?arrangement cms:startDate ?start }
}""",
    "DESCRIBE": f"DESCRIBE <{SECRETARIAT}>",
}
COMUNICA_CALLS = [
    ("SELECT", "application/sparql-results+json"),
    ("SELECT", "application/sparql-results+xml"),
    ("ASK", "application/sparql-results+json"),
    ("CONSTRUCT", "text/turtle"),
    ("DESCRIBE", "application/n-triples"),
]


def comunica_both(endpoints: Endpoints, form: str, output: str) -> tuple[Got, Got]:
    """Run comunica-sparql on both servers at once (each run starts Node: about 2 s)."""
    runs = [
        subprocess.Popen(
            [str(COMUNICA), f"sparql@{endpoint}", "-q", COMUNICA_QUERIES[form], "-t", output],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for endpoint in (endpoints.oxigraph, endpoints.ours)
    ]
    got = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        if run.returncode != 0:
            got.append(Got(error=f"exit {run.returncode}: {err.decode(errors='replace')[-500:]}"))
            continue
        if output == "application/sparql-results+json":
            # Comunica appends a "metadata" member after the results, which a streaming reader
            # of SPARQL JSON refuses: keep the members the format defines.
            document = json.loads(out)
            out = json.dumps(
                {k: v for k, v in document.items() if k in ("head", "results", "boolean")}
            ).encode()
        try:
            got.append(Got(answers.from_media_type(out, output)))
        except (SyntaxError, ValueError) as error:
            got.append(Got(error=f"unreadable output: {error}: {out[:300]!r}"))
    return got[0], got[1]


@pytest.mark.parametrize(("form", "output"), COMUNICA_CALLS, ids=[f"{f}-{o}" for f, o in COMUNICA_CALLS])
def test_comunica_gets_what_oxigraph_gives(form, output, endpoints: Endpoints):
    reference, ours = comunica_both(endpoints, form, output)
    expect_like_oxigraph(f"Comunica {form} {output}", reference, ours, COMUNICA_QUERIES[form])


# -- what HTTP clients rely on besides the body ----------------------------------------------------


@pytest.mark.parametrize("form", list(QUERIES))
def test_every_answer_says_how_many_results_it_holds(form, endpoints: Endpoints):
    response = httpx.post(endpoints.ours, data={"query": QUERIES[form]}, timeout=30)
    assert response.status_code == 200, response.text
    count = response.headers.get("x-result-count")
    known = KNOWN_FAILURES.get(f"HTTP {form} X-Result-Count")
    if count is None and known is not None:
        pytest.xfail(known)
    assert known is None, f"{form} answers carry X-Result-Count now: remove the entry ({known})"
    assert count is not None and count.isdigit(), f"{form}: X-Result-Count {count!r}"
    if form == "SELECT":
        assert int(count) == len(response.json()["results"]["bindings"])


def test_head_answers_wherever_get_does(endpoints: Endpoints):
    params = {"query": QUERIES["ASK"]}
    get = httpx.get(endpoints.ours, params=params, timeout=30)
    head = httpx.head(endpoints.ours, params=params, timeout=30)
    known = KNOWN_FAILURES.get("HTTP HEAD /sparql")
    if head.status_code != 200 and known is not None:
        pytest.xfail(known)
    assert known is None, f"HEAD /sparql works now: remove the entry ({known})"
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
