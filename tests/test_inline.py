"""The fast path (app.engine.inline): queries whose work the store bounds are answered in the server
process, exactly as the workers would answer them; everything else still goes to the workers and
their deadline. The classifier is fuzzed: whatever it lets through must be bounded on the store.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from app.engine.execution import QueryRequest
from app.engine.guard import plan_query
from app.engine.inline import MAX_WORK, InlineAnswers, work_bound
from app.engine.service import QueryService
from app.main import create_app
from app.settings import REPO_ROOT, Settings
from tests.conftest import RunningServer

JSON = "application/sparql-results+json"
CMS = "https://w3id.org/cms-kg/ontology#"
PREFIXES = f"PREFIX cms: <{CMS}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


# -- a store with hubs, for the fuzz: small nodes, and objects many subjects point to ------------

X = "http://x/"
HUB_SIZES = {"h1": 40, "h2": 300, "h3": 5000}


def _hub_store() -> Store:
    store = Store()
    quads = []
    for i in range(60):
        s = NamedNode(f"{X}s{i}")
        for j in range(i % 7 + 1):
            quads.append(Quad(s, NamedNode(f"{X}p{j % 3}"), Literal(f"v{j}", language="en"), DefaultGraph()))
        quads.append(Quad(s, NamedNode(f"{X}p0"), NamedNode(f"{X}s{(i + 1) % 60}"), DefaultGraph()))
    for hub, size in HUB_SIZES.items():
        for k in range(size):
            quads.append(
                Quad(
                    NamedNode(f"{X}{hub}-m{k}"),
                    NamedNode(f"{X}p{k % 3}"),
                    NamedNode(f"{X}{hub}"),
                    DefaultGraph(),
                )
            )
    for k in range(700):
        quads.append(Quad(NamedNode(f"{X}lit-m{k}"), NamedNode(f"{X}p1"), Literal("L"), DefaultGraph()))
    store.extend(quads)
    return store


HUBS = _hub_store()

subjects = st.sampled_from(
    ["<http://x/s1>", "<http://x/s6>", "x:s3", "x:h1", "?a", "?b", "?c", "_:n", "<http://x/none>"]
)
predicates = st.sampled_from(["?p", "?q", "x:p0", "<http://x/p1>", "a", "x:p2"])
objects = st.sampled_from(
    [
        "<http://x/h1>",
        "x:h2",
        "<http://x/h3>",
        '"L"',
        "'L'",
        '"v1"@en',
        "?o",
        "?a",
        "?b",
        "1",
        "x:s2",
        '"""L"""',
    ]
)
filters = st.sampled_from(
    [
        "",
        "FILTER(?a = <http://x/never> || ?b = <http://x/never>)",
        'FILTER(lang(?o) = "en")',
        'FILTER(CONTAINS(STR(?o), "zz"))',
        "FILTER(false)",
        "FILTER(isIRI(?a) && !isLiteral(?b))",
    ]
)


@st.composite
def generated_queries(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A query text and its triple patterns, each as text."""
    patterns = [
        f"{draw(subjects)} {draw(predicates)} {draw(objects)}" for _ in range(draw(st.integers(1, 5)))
    ]
    form = draw(st.sampled_from(["SELECT *", "SELECT DISTINCT *", "ASK", "CONSTRUCT WHERE"]))
    tail = draw(st.sampled_from(["", " LIMIT 5", " OFFSET 1 LIMIT 3"]))
    if form == "CONSTRUCT WHERE":
        return f"PREFIX x: <{X}>\nCONSTRUCT WHERE {{ {' . '.join(patterns)} }}{tail}", patterns
    where = " . ".join(patterns) + " " + draw(filters)
    return f"PREFIX x: <{X}>\n{form} WHERE {{ {where} }}{tail}", patterns


def _solutions(patterns: list[str]) -> int:
    """How many solutions a set of patterns has on the hub store (capped far above MAX_WORK)."""
    text = (
        f"PREFIX x: <{X}>\nSELECT (COUNT(*) AS ?n) {{ SELECT * {{ {' . '.join(patterns)} }} LIMIT 100000 }}"
    )
    (row,) = list(HUBS.query(text))
    return int(row["n"].value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_queries())
def test_whatever_the_classifier_lets_through_is_bounded_on_the_store(generated):
    """Cartesian products of hub objects, FILTERs that never match, huge fan-out, many patterns:
    if the fast path takes the query, every partial join the engine could make is within the
    bound the store gave, and the bound within MAX_WORK."""
    text, patterns = generated
    shape = plan_query(text).bounded
    if shape is None:
        return
    assert len(shape.patterns) == len(patterns)  # the reader saw the patterns we wrote
    bound = work_bound(HUBS, shape)
    if bound is None:
        return
    assert bound <= MAX_WORK
    for size in range(1, len(patterns) + 1):
        for subset in itertools.combinations(patterns, size):
            assert _solutions(list(subset)) <= bound, (text, subset, bound)
    answer = InlineAnswers(HUBS, 100_000).answer(QueryRequest(query=text), shape)
    assert answer is not None


def test_cartesian_products_of_hubs_are_refused_however_they_are_filtered():
    for filtered in ("", "FILTER(?a = <http://x/never> || ?b = <http://x/never>)"):
        text = f"PREFIX x: <{X}> SELECT * {{ ?a ?p x:h2 . ?b ?q x:h2 {filtered} }}"
        shape = plan_query(text).bounded
        assert shape is not None and work_bound(HUBS, shape) is None
    small = plan_query(f"PREFIX x: <{X}> SELECT * {{ ?a ?p x:h1 . <http://x/s3> ?q ?b }}").bounded
    assert small is not None and work_bound(HUBS, small) == HUB_SIZES["h1"] * 5  # s3: 4 labels and 1 link


def test_a_pattern_with_both_ends_constant_counts_the_larger_range():
    """The engine may read the subject's range or the object's: the bound takes the larger."""
    shape = plan_query(f"PREFIX x: <{X}> ASK {{ x:h3-m1 ?p x:h3 }}").bounded
    assert shape is not None and work_bound(HUBS, shape) is None


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { <http://x/a> <http://x/p>/<http://x/q> ?o }",
        "SELECT * { <http://x/a> ?p ?o OPTIONAL { ?o ?q ?r } }",
        "SELECT * { <http://x/a> ?p ?o BIND(CONCAT(?o, ?o) AS ?x) }",
        'SELECT * { <http://x/a> ?p ?o FILTER(REPLACE(?o, "", "aa") = "x") }',
        'SELECT * { <http://x/a> ?p ?o FILTER(REGEX(?o, "a")) }',
        "SELECT (STR(?o) AS ?x) { <http://x/a> ?p ?o }",
        "SELECT * { <http://x/a> ?p ?o } ORDER BY ?o",
        "SELECT * FROM <http://x/g> { <http://x/a> ?p ?o }",
        "BASE <http://x/> SELECT * { <a> ?p ?o }",
        "SELECT * { <a> ?p ?o }",
        "SELECT * { <http://x/\\u0061> ?p ?o }",
        "PREFIX x: <http://x/> PREFIX x: <http://y/> SELECT * { x:a ?p ?o }",
        "SELECT * { <http://x/a> ?p ?o . ?o ?q ?r }",
        "SELECT * { <http://x/a> ?p [ ?q ?r ] }",
        "SELECT * { <http://x/a> ?p ?o VALUES ?o { 1 } }",
        "DESCRIBE <http://x/a>",
        "SELECT * { <http://x/a> ?p ?o SERVICE <http://x/s> { ?o ?q ?r } }",
        "SELECT * { <http://x/a> ?p ?o FILTER EXISTS { ?o ?q ?r } }",
        "SELECT * { " + " . ".join(f"<http://x/a> ?p{i} ?o{i}" for i in range(17)) + " }",
    ],
)
def test_text_that_is_not_a_bounded_shape_is_not_taken(text):
    assert plan_query(text).bounded is None


# -- the fast path against the workers, on the curated graph --------------------------------------


@pytest.fixture(scope="module")
def service() -> Iterator[QueryService]:
    from fastapi.testclient import TestClient

    app = create_app(Settings(root=REPO_ROOT))
    with TestClient(app):
        yield app.state.snapshot.service


def _store_terms(service: QueryService) -> tuple[list[str], list[str]]:
    store = service.dataset.store
    rows = list(store.query("SELECT DISTINCT ?s ?p WHERE { ?s ?p ?o FILTER(isIRI(?s)) } LIMIT 400"))
    return sorted({f"<{r['s'].value}>" for r in rows})[::7], sorted({f"<{r['p'].value}>" for r in rows})


def _normalised(body: bytes) -> list[bytes] | bytes:
    """An answer with its rows (or lines) sorted and blank nodes unlabelled: without ORDER BY,
    SPARQL leaves row order to the store, and blank node labels are local to one answer; the
    workers' store was loaded from a dump of the server's, in another order, with other labels."""
    body = re.sub(rb'(_:|"type": "bnode", "value": "|<bnode>)[A-Za-z0-9]+', rb"\1b", body)
    if body.startswith(b"{"):
        parsed = json.loads(body)
        if "results" in parsed:
            parsed["results"]["bindings"].sort(key=lambda row: json.dumps(row, sort_keys=True))
        return json.dumps(parsed, sort_keys=True).encode()
    if body.startswith(b"<?xml"):
        head, _, rest = body.partition(b"<results>")
        rows, _, tail = rest.partition(b"</results>")
        return head + b"".join(sorted(r + b"</result>" for r in rows.split(b"</result>") if r.strip())) + tail
    return sorted(body.splitlines())


def _triples(body: bytes, accept: str | None) -> bytes:
    from pyoxigraph import RdfFormat, parse

    fmt = RdfFormat.from_media_type(accept or "text/turtle")
    assert fmt is not None
    return b"\n".join(sorted(str(t).encode() for t in parse(body, format=fmt)))


def _worker_answer(service: QueryService, request: QueryRequest) -> tuple[int, bytes]:
    try:
        answer = service.engine.run(request, 10)
    except Exception as error:
        return -1, type(error).__name__.encode()
    return 0, answer.body.read()


def test_the_fast_path_answers_exactly_what_the_workers_answer(service: QueryService):
    subjects_, predicates_ = _store_terms(service)
    assert service.inline is not None
    before = service.inline.answered
    texts = []
    for i, s in enumerate(subjects_[:40]):
        p = predicates_[i % len(predicates_)]
        texts += [
            f"SELECT ?p ?o WHERE {{ {s} ?p ?o }}",
            f"SELECT ?s ?p WHERE {{ ?s ?p {s} }}",
            f"ASK {{ {s} {p} ?o }}",
            f"CONSTRUCT {{ {s} ?p ?o }} WHERE {{ {s} ?p ?o }}",
            PREFIXES
            + f'SELECT DISTINCT ?l WHERE {{ {s} skos:prefLabel ?l ; a ?t FILTER(LANG(?l) = "en") }} LIMIT 3',
        ]
    accepts = [JSON, "application/sparql-results+xml", "text/csv", "text/turtle", "application/n-triples"]
    for i, text in enumerate(texts):
        plan = plan_query(text)
        assert plan.bounded is not None, text
        request = QueryRequest(query=text, accept=accepts[i % len(accepts)])
        try:
            inline = service.inline.answer(request, plan.bounded)
        except Exception as error:
            assert _worker_answer(service, request) == (-1, type(error).__name__.encode())
            continue
        assert inline is not None, text
        status, expected = _worker_answer(service, request)
        assert status == 0, text
        got = inline.body.read()
        if inline.head.kind.value == "rdf":  # Turtle groups a subject's triples in store order
            got, expected = _triples(got, request.accept), _triples(expected, request.accept)
        assert _normalised(got) == _normalised(expected), text
    assert service.inline.answered - before >= len(texts) * 0.6


def test_sparql_answers_a_lookup_inline_and_a_hub_join_in_the_workers(service: QueryService):
    lookup = QueryRequest(
        query="SELECT ?p ?o { <https://w3id.org/cms-kg/id/organisation/ifaw> ?p ?o }", accept=JSON
    )
    before = service.inline.answered if service.inline else 0
    rows = json.loads(service.query(lookup).body.read())["results"]["bindings"]
    assert rows and service.inline is not None and service.inline.answered == before + 1
    hub = QueryRequest(
        query=PREFIXES + "SELECT * { ?a a cms:Organisation . ?b a cms:Organisation }", accept=JSON
    )
    service.query(hub).body.read()
    assert service.inline.answered == before + 1


def test_user_graphs_turn_the_fast_path_off(tmp_path):
    """The fast path reads the curated store: once user graphs exist, the workers (which hold them)
    answer everything, so a user triple is never missed."""
    from fastapi.testclient import TestClient

    app = create_app(Settings(root=REPO_ROOT, update_token="t"))
    with TestClient(app) as client:
        ifaw = "<https://w3id.org/cms-kg/id/organisation/ifaw>"
        add = f"INSERT DATA {{ GRAPH <http://x/mine> {{ {ifaw} <http://x/p> 1 }} }}"
        done = client.post("/sparql", data={"update": add}, headers={"Authorization": "Bearer t"})
        assert done.status_code == 204, done.text
        service = app.state.snapshot.service
        before = service.inline.answered
        text = "SELECT ?o { <https://w3id.org/cms-kg/id/organisation/ifaw> <http://x/p> ?o }"
        answer = client.get("/sparql", params={"query": text}, headers={"Accept": JSON})
        assert json.loads(answer.content)["results"]["bindings"] == [
            {"o": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}}
        ]
        assert service.inline.answered == before


def test_a_runaway_of_the_bounded_shape_is_still_cut_by_the_deadline(server: RunningServer):
    """Four hub patterns under a FILTER no single pattern decides: the text looks like a lookup,
    the store says its work is huge, so a worker runs it and the deadline stops it."""
    patterns = " . ".join(f"?a{i} a cms:Organisation" for i in range(4))
    never = " || ".join(f"?a{i} = <http://x/never{i}>" for i in range(4))
    text = PREFIXES + f"SELECT * {{ {patterns} FILTER({never}) }}"
    assert plan_query(text).bounded is not None
    started = time.monotonic()
    answer = httpx.get(
        f"{server.url}/sparql", params={"query": text, "timeout": "1"}, headers={"Accept": JSON}, timeout=30
    )
    assert answer.status_code == 503 and "deadline" in answer.text
    assert time.monotonic() - started < 10
    fast = httpx.get(
        f"{server.url}/sparql",
        params={"query": "SELECT ?p ?o { <https://w3id.org/cms-kg/id/organisation/ifaw> ?p ?o }"},
        headers={"Accept": JSON},
    )
    assert fast.status_code == 200 and json.loads(fast.content)["results"]["bindings"]
