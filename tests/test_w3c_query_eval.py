"""The W3C SPARQL 1.1 query-evaluation tests, run through our HTTP endpoint and, in the same run,
by the bare pyoxigraph Store in-process.

One real server on 127.0.0.1 with no curated data and an update token. For each test of the
query manifest (../shared/w3c/sparql11/manifest-sparql11-query.ttl), the CSV/TSV and JSON result
suites and the federated-query manifest: drop the user graphs, load the test's data through the
Graph Store protocol (qt:data by PUT/POST /store?default, qt:graphData by PUT /store?graph=IRI,
each graph named by its file's IRI), POST the query to /sparql with the base the manifest implies
(a BASE declaration: the protocol has no base parameter), ask for the expected result's format,
and compare (tests/w3c_suite.py).

Dataset: our service's default graph is the union of all graphs, the W3C's is qt:data alone. A
test with named graphs therefore names its dataset through the protocol (every file a named
graph, `default-graph-uri` / `named-graph-uri`), unless its query has its own FROM; where the
union equals the W3C default graph the test also runs on the service's own dataset ([union]).

Outcomes: passed; engine-fails-too (pyoxigraph gets it wrong in-process, so the endpoint cannot
be asked for better: xfail); refused-by-design (SERVICE to an endpoint off the allowlist: must be
a clean 403 with its reason); endpoint-only failures,
each listed with its diagnosed cause in KNOWN_FAILURES (xfail; a listed test that passes fails
the run, so the table is emptied as the engine is fixed). Anything else fails. The counts are
printed at the end of the run.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from app.settings import REPO_ROOT
from tests import sparql_answers as answers
from tests import w3c_suite as w3c
from tests.conftest import start_server, stop_server

TOKEN = "w3c-query-eval-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# Tests the bare engine passes and our endpoint does not, each with the server defect that
# causes it. The lead fixes the engine and empties this table; an entry that passes fails the run.
# Tests the engine passes and the endpoint does not, each with its cause (none left: FROM and
# FROM NAMED honoured, the union default graph holding each triple once, nested SERVICE refused
# with a 403, empty PUT graphs visible and ?default resolving relative IRIs were fixed).
KNOWN_FAILURES: dict[str, str] = {}

CASES = w3c.load_cases() if w3c.SUITE.exists() else []


@dataclass
class Outcome:
    ok: bool
    detail: str = ""


class Tally:
    """Outcomes per suite, printed in pytest's terminal summary."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.lists: dict[str, list[str]] = defaultdict(list)

    def add(self, case: w3c.Case, category: str) -> None:
        self.counts[case.suite][category] += 1
        if category != "passed":
            self.lists[category].append(case.name)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        write = terminalreporter.write_line
        terminalreporter.section("W3C SPARQL 1.1 query tests through the endpoint")
        categories = ("passed", "engine-fails-too", "refused-by-design", "endpoint-only-failure", "failed")
        write(f"{'suite':24}" + "".join(f"{c:>23}" for c in categories))
        total: Counter = Counter()
        for suite in sorted(self.counts):
            total.update(self.counts[suite])
            write(f"{suite:24}" + "".join(f"{self.counts[suite][c]:>23}" for c in categories))
        write(f"{'total':24}" + "".join(f"{total[c]:>23}" for c in categories))
        for category in categories[1:]:
            if self.lists[category]:
                write(f"{category}: {', '.join(sorted(self.lists[category]))}")


@pytest.fixture(scope="module")
def tally(request) -> Tally:
    counts = Tally()
    request.config.pluginmanager.register(counts, "w3c-query-eval-tally")
    return counts


def empty_root(target: Path) -> Path:
    """The smallest data root the server starts on: the shapes, no ontology, one empty graph file.
    Its store holds no triple, so every triple a query sees was loaded by the test."""
    shutil.copytree(REPO_ROOT / "shapes", target / "shapes")
    (target / "ontology").mkdir(parents=True)
    (target / "graph").mkdir()
    (target / "graph" / "empty.ttl").write_text("")
    return target


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    root = empty_root(tmp_path_factory.mktemp("w3c-eval") / "data")
    running = start_server("--root", str(root), "--update-token", TOKEN, "--query-timeout", "20")
    with httpx.Client(base_url=running.url, timeout=30) as client:
        assert client.get("/health").json()["triples"] == 0
        yield client
    stop_server(running)


# -- the bare engine --------------------------------------------------------------------------------


def engine_answer(case: w3c.Case) -> w3c.Answer:
    """The test evaluated by pyoxigraph in-process on the W3C dataset."""
    store = ox.Store()
    for path in case.data:
        store.load(path.read_bytes(), format=answers.RDF_FORMATS[path.suffix], base_iri=w3c.iri_of(path))
    for path in case.graph_data:
        store.load(
            path.read_bytes(),
            format=answers.RDF_FORMATS[path.suffix],
            base_iri=w3c.iri_of(path),
            to_graph=ox.NamedNode(w3c.iri_of(path)),
        )
    result = store.query(case.query.read_text(), base_iri=case.query_iri)
    if isinstance(result, ox.QueryTriples):
        return answers.from_triples(result)
    if case.kind == "csv":
        return answers.from_csv(result.serialize(format=ox.QueryResultsFormat.CSV).decode())
    return answers.from_results(result)


def engine_outcome(case: w3c.Case) -> Outcome:
    text = case.query.read_text()
    if w3c.calls_service(text):
        return Outcome(False, "not run: its SERVICE endpoints are on the internet")
    if case.kind.endswith("syntax"):
        try:
            result = ox.Store().query(text, base_iri=case.query_iri)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except SyntaxError as error:
            return Outcome(case.kind == "negative-syntax", f"rejected: {error}")
        except (OSError, ValueError, RuntimeError) as error:
            # Parsed, then failed to evaluate (an extension function it does not have): the
            # endpoint evaluates what it is sent, so it cannot be asked to answer either.
            return Outcome(False, f"parsed, then failed: {error}")
        return Outcome(case.kind == "positive-syntax", "accepted")
    try:
        answer = engine_answer(case)
    except (SyntaxError, OSError, ValueError, RuntimeError) as error:
        return Outcome(False, f"{type(error).__name__}: {error}")
    diff = answers.differences(w3c.expected(case), answer, answers.ordered(text))
    return Outcome(diff is None, diff or "")


# -- the endpoint ---------------------------------------------------------------------------------


def _put(client: httpx.Client, path: Path, *, graph: str | None, add: bool = False) -> None:
    # The file's own IRI goes into the document as its base: the request IRI is not the file's.
    body = w3c.with_base(path.read_bytes(), path)
    params = {"graph": graph} if graph is not None else {"default": ""}
    response = client.request(
        "POST" if add else "PUT",
        "/store",
        params=params,
        content=body,
        headers={"Content-Type": w3c.DATA_TYPES[path.suffix], **AUTH},
    )
    assert response.status_code in (200, 201, 204), (
        f"loading {path.name}: {response.status_code} {response.text}"
    )


def load(client: httpx.Client, case: w3c.Case) -> dict[str, list[str]]:
    """Drop the user graphs, load the test's data, and return the protocol's dataset parameters."""
    response = client.post(
        "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert response.status_code == 204, response.text
    text = case.query.read_text()
    if case.graph_data and case.variant == "w3c" and not w3c.declares_dataset(text):
        for path in sorted(set(case.data) | set(case.graph_data)):
            _put(client, path, graph=w3c.iri_of(path))
        return {
            "default-graph-uri": [w3c.iri_of(p) for p in case.data],
            "named-graph-uri": [w3c.iri_of(p) for p in case.graph_data],
        }
    for i, path in enumerate(case.data):
        _put(client, path, graph=None, add=i > 0)
    for path in case.graph_data:
        _put(client, path, graph=w3c.iri_of(path))
    return {}


def ask(client: httpx.Client, case: w3c.Case, params: dict, accept: str | None) -> httpx.Response:
    body = f"BASE <{case.query_iri}>\n{case.query.read_text()}"
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return client.post("/sparql", params=params, content=body.encode(), headers=headers)


def refused_cleanly(response: httpx.Response) -> bool:
    return response.status_code == 403 and any(
        word in response.text for word in ("allowlist", "does not hold", "not allowed")
    )


def endpoint_outcome(client: httpx.Client, case: w3c.Case) -> tuple[str | None, Outcome]:
    """(why it is refused by design, or None; whether the answer is right). A query that calls
    SERVICE (every endpoint in the suites is off our allowlist) must be refused with a 403 that
    says why. (A FROM naming a graph we do not hold reads as an empty graph: nothing is fetched.)"""
    text = case.query.read_text()
    if w3c.calls_service(text):
        response = ask(client, case, {}, None)
        reason = f"{response.status_code}: {response.text.strip()[:150]}"
        return reason, Outcome(refused_cleanly(response), reason)
    if case.kind.endswith("syntax"):
        response = ask(client, case, {}, None)
        want = 400 if case.kind == "negative-syntax" else 200
        return None, Outcome(response.status_code == want, f"{response.status_code} {response.text[:300]}")
    params = load(client, case)
    suffix = w3c.answer_suffix(case)
    media_type = w3c.DATA_TYPES[suffix] if suffix in answers.RDF_FORMATS else answers.RESULT_TYPES[suffix][0]
    response = ask(client, case, params, media_type)
    if response.status_code != 200:
        return None, Outcome(False, f"{response.status_code} {response.text[:500]}")
    served = response.headers.get("content-type", "").split(";")[0].strip()
    if served != media_type:
        return None, Outcome(False, f"asked for {media_type}, got {served}")
    try:
        answer = answers.parse_answer(response.content, suffix)
    except (SyntaxError, ValueError) as error:
        return None, Outcome(False, f"unreadable {media_type} answer: {error}\n{response.text[:500]}")
    diff = answers.differences(w3c.expected(case), answer, answers.ordered(text))
    return None, Outcome(diff is None, diff or "")


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_w3c_query_test_through_the_endpoint(case: w3c.Case, endpoint: httpx.Client, tally: Tally):
    try:
        category, message = judge(case, endpoint)
    except BaseException:
        tally.add(case, "failed")
        raise
    tally.add(case, category)
    if category in ("engine-fails-too", "endpoint-only-failure"):
        pytest.xfail(" | ".join(message.splitlines())[:240])
    assert category != "failed", message


def judge(case: w3c.Case, endpoint: httpx.Client) -> tuple[str, str]:
    """Run the test both ways: its category, and what to say about it."""
    engine = engine_outcome(case)
    refusal, got = endpoint_outcome(endpoint, case)
    known = KNOWN_FAILURES.get(case.name)
    if got.ok and known is not None:
        return "failed", f"{case.name} passes now: remove it from KNOWN_FAILURES ({known})"
    if got.ok:
        return ("passed", "") if refusal is None else ("refused-by-design", refusal)
    if refusal is None and not engine.ok:
        return "engine-fails-too", f"pyoxigraph fails it too: {engine.detail[:300]}"
    if known is not None:
        return "endpoint-only-failure", known
    if refusal is not None:
        return "failed", f"{case.name}: a refusal must be a 403 that gives its reason, got {got.detail}"
    return "failed", f"{case.name}: the engine passes it, the endpoint does not:\n{got.detail}"


def test_the_suites_are_present_and_complete():
    kinds = Counter((c.suite, c.kind) for c in CASES if c.variant == "w3c")
    query_suites = {s for s, _ in kinds} - {"csv-tsv-res", "json-res", "service", "syntax-fed"}
    assert sum(n for (s, k), n in kinds.items() if s in query_suites and k == "eval") == 225
    assert sum(n for (s, k), n in kinds.items() if s in query_suites and k == "positive-syntax") == 63
    assert sum(n for (s, k), n in kinds.items() if s in query_suites and k == "negative-syntax") == 40
    assert kinds["csv-tsv-res", "csv"] == 3 and kinds["csv-tsv-res", "eval"] == 3
    assert kinds["json-res", "eval"] == 4
    assert kinds["service", "eval"] == 7 and kinds["syntax-fed", "positive-syntax"] == 3
    assert len(CASES) == 348 + 1  # and one [union] variant


# -- the dataset, where the W3C suites do not look ------------------------------------------------
# (SPARQL 1.1 §13 and the Graph Store protocol, on the same server; constructwhere04's FROM names
# the only graph there is, so the suites cannot see FROM ignored.)

EX = "http://example.org/dataset/"


def _select(client: httpx.Client, query: str) -> list[dict[str, str]]:
    response = client.post(
        "/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, f"{response.status_code} {response.text}"
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def _fresh(client: httpx.Client, graphs: dict[str | None, str]) -> None:
    """Drop the user graphs, then PUT each graph's Turtle (None: the default graph)."""
    response = client.post(
        "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert response.status_code == 204, response.text
    for graph, turtle in graphs.items():
        params = {"default": ""} if graph is None else {"graph": graph}
        response = client.put(
            "/store", params=params, content=turtle.encode(), headers={"Content-Type": "text/turtle", **AUTH}
        )
        assert response.status_code in (201, 204), f"PUT {graph}: {response.status_code} {response.text}"


def from_replaces_the_union_default_graph(client: httpx.Client) -> str | None:
    _fresh(client, {EX + "g1": f"<{EX}a> <{EX}p> 1 .", EX + "g2": f"<{EX}b> <{EX}p> 2 ."})
    rows = _select(client, f"SELECT ?s FROM <{EX}g1> WHERE {{ ?s ?p ?o }}")
    want = [{"s": EX + "a"}]
    return None if rows == want else f"FROM <g1>: expected {want}, got {rows}"


def from_named_alone_gives_an_empty_default_graph_and_only_its_graphs(client: httpx.Client) -> str | None:
    _fresh(client, {EX + "g1": f"<{EX}a> <{EX}p> 1 .", EX + "g2": f"<{EX}b> <{EX}p> 2 ."})
    named = _select(client, f"SELECT ?g FROM NAMED <{EX}g1> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    default = _select(client, f"SELECT ?s FROM NAMED <{EX}g1> WHERE {{ ?s ?p ?o }}")
    if named != [{"g": EX + "g1"}] or default != []:
        return f"FROM NAMED <g1>: named graphs {named}, default graph {default}"
    return None


def the_union_default_graph_holds_a_triple_once(client: httpx.Client) -> str | None:
    triple = f"<{EX}a> <{EX}p> 1 ."
    _fresh(client, {EX + "g1": triple, EX + "g2": triple})
    rows = _select(client, "SELECT * WHERE { ?s ?p ?o }")
    return None if len(rows) == 1 else f"one triple in two graphs: {len(rows)} rows {rows}"


def an_empty_graph_made_by_put_is_a_named_graph(client: httpx.Client) -> str | None:
    _fresh(client, {EX + "empty": ""})
    # (the server's own graphs, the SPARQL examples and the VoID, are named graphs too: left out)
    rows = _select(client, f'SELECT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{EX}")) }}')
    want = [{"g": EX + "empty"}]
    return None if rows == want else f"after PUT of an empty graph, GRAPH ?g {{}} gives {rows}"


def a_put_to_default_resolves_relative_iris_against_the_request_iri(client: httpx.Client) -> str | None:
    response = client.post(
        "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert response.status_code == 204
    response = client.put(
        "/store?default", content=b"<a> <p> <o> .", headers={"Content-Type": "text/turtle", **AUTH}
    )
    if response.status_code not in (201, 204):
        return f"PUT ?default with relative IRIs: {response.status_code} {response.text.strip()}"
    rows = _select(client, "SELECT ?s WHERE { ?s ?p ?o }")
    want = [{"s": str(httpx.URL(str(client.base_url) + "/store?default").join("a"))}]
    return None if rows == want else f"expected {want}, got {rows}"


DATASET_CHECKS = [
    from_replaces_the_union_default_graph,
    from_named_alone_gives_an_empty_default_graph_and_only_its_graphs,
    the_union_default_graph_holds_a_triple_once,
    an_empty_graph_made_by_put_is_a_named_graph,
    a_put_to_default_resolves_relative_iris_against_the_request_iri,
]


@pytest.mark.parametrize("check", DATASET_CHECKS, ids=[c.__name__ for c in DATASET_CHECKS])
def test_the_dataset_is_the_one_sparql_and_the_graph_store_define(check, endpoint: httpx.Client):
    name = f"dataset/{check.__name__}"
    problem, known = check(endpoint), KNOWN_FAILURES.get(name)
    if problem is None:
        assert known is None, f"{name} passes now: remove it from KNOWN_FAILURES ({known})"
    elif known is not None:
        pytest.xfail(known)
    else:
        pytest.fail(problem)


# -- the comparison itself must be able to fail --------------------------------------------------


def _rows(*rows: dict) -> answers.Solutions:
    return answers.Solutions(frozenset().union(*(r.keys() for r in rows)) or frozenset({"x"}), list(rows))


A, B = URIRef("http://example.org/a"), URIRef("http://example.org/b")
ONE = Literal("1", datatype=URIRef(answers.XSD + "integer"))
B1, B2 = BNode(), BNode()


@pytest.mark.parametrize(
    ("want", "got", "ordered", "same"),
    [
        (_rows({"x": A}, {"x": B}), _rows({"x": B}, {"x": A}), False, True),
        (_rows({"x": A}, {"x": B}), _rows({"x": B}, {"x": A}), True, False),
        (_rows({"x": A}), _rows({"x": A}, {"x": A}), False, False),
        (_rows({"x": A}, {"x": A}), _rows({"x": A}, {"x": B}), False, False),
        (_rows({"x": B1, "y": B1}), _rows({"x": B2, "y": B2}), False, True),
        (_rows({"x": B1, "y": B1}), _rows({"x": B1, "y": B2}), False, False),
        (_rows({"x": ONE}), _rows({"x": Literal("1")}), False, False),
        (answers.Boolean(True), answers.Boolean(False), False, False),
        (answers.Boolean(True), _rows({"x": A}), False, False),
    ],
)
def test_the_comparison_tells_equal_answers_from_different_ones(want, got, ordered, same):
    assert (answers.differences(want, got, ordered) is None) is same


@pytest.mark.parametrize(
    ("lexical", "datatype", "canonical"),
    [
        ("1.0", "decimal", "1"),
        ("01", "integer", "1"),
        ("1.0E6", "double", "1000000.0"),
        ("1", "boolean", "true"),
        ("abc", "integer", "abc"),
        ("2002-10-10T17:00:00Z", "dateTime", "2002-10-10T17:00:00Z"),
    ],
)
def test_numbers_and_booleans_compare_by_value_and_nothing_else_does(lexical, datatype, canonical):
    assert answers.canonical(lexical, answers.XSD + datatype) == canonical


def test_order_counts_only_for_the_outer_query():
    assert answers.ordered("SELECT * { ?s ?p ?o } ORDER BY ?s")
    assert not answers.ordered("SELECT * { { SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 2 } }")
    assert not answers.ordered('SELECT * { ?s ?p "} ORDER BY ?s" }  # } ORDER BY ?s')
