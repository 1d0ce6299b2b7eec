"""Read the W3C SPARQL 1.1 query test manifests and compare answers with their expected results.

Used by tests/test_w3c_query_eval.py. The manifests are Turtle, read with rdflib; result files are
read with pyoxigraph (exact terms: no literal normalisation), CSV with the csv module (the format
is lossy, so it is compared as text). Answers are compared as the W3C suites define: solutions
as multisets up to blank-node renaming (rdflib.compare.isomorphic over an RDF encoding of the
rows), in order only when the query ends in ORDER BY; graphs up to blank-node isomorphism.

Every file is named by its published IRI (the suite's home under W3C_BASE), as the manifests'
relative IRIs resolve there; the same IRIs are the base of each query and the names of the
graphs its data is loaded into.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from app.settings import REPO_ROOT

SUITE = REPO_ROOT.parent / "shared" / "w3c" / "sparql11"
W3C_BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
MANIFESTS = (
    "manifest-sparql11-query.ttl",
    "csv-tsv-res/manifest.ttl",
    "json-res/manifest.ttl",
    "manifest-sparql11-fed.ttl",
)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
ROW = URIRef("urn:w3c-suite:row")
INDEX = URIRef("urn:w3c-suite:index")

# Media types: what we send data as, what we ask an answer in, and how we read it back.
DATA_TYPES = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}
RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
RESULT_TYPES = {
    ".srx": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ".srj": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ".tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ".csv": ("text/csv", None),
}


def iri_of(path: Path) -> str:
    return W3C_BASE + path.relative_to(SUITE).as_posix()


def path_of(iri: str) -> Path:
    if not iri.startswith(W3C_BASE):
        raise ValueError(f"{iri} is not a file of the suite")
    return SUITE / iri.removeprefix(W3C_BASE)


@dataclass(frozen=True)
class Case:
    """One test of a manifest. `kind`: eval, csv (CSV result format), positive or negative syntax."""

    id: str
    kind: str
    suite: str
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None
    service: bool = False
    approval: str = ""
    variant: str = "w3c"  # "union": run on the service's own dataset (see union_variants)

    @property
    def name(self) -> str:
        return self.id if self.variant == "w3c" else f"{self.id}[{self.variant}]"

    @property
    def query_iri(self) -> str:
        return iri_of(self.query)


KINDS = {
    MF.QueryEvaluationTest: "eval",
    MF.CSVResultFormatTest: "csv",
    MF.PositiveSyntaxTest11: "positive-syntax",
    MF.NegativeSyntaxTest11: "negative-syntax",
}


def _entries(manifest: Path, suite: str) -> list[Case]:
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=iri_of(manifest))
    node = next(graph.subjects(RDF.type, MF.Manifest))
    cases: list[Case] = []
    includes = graph.value(node, MF.include)
    for included in Collection(graph, includes) if includes is not None else []:
        path = path_of(str(included))
        cases += _entries(path, path.parent.name)
    entries = graph.value(node, MF.entries)
    for entry in Collection(graph, entries) if entries is not None else []:
        kind = KINDS.get(graph.value(entry, RDF.type))
        if kind is None:
            raise ValueError(f"{entry}: test type {graph.value(entry, RDF.type)} is not handled")
        action = graph.value(entry, MF.action)
        approval = str(graph.value(entry, DAWGT.approval) or "").rsplit("#", 1)[-1]
        test_id = f"{suite}/{str(entry).rsplit('#', 1)[-1]}"
        if kind.endswith("syntax"):
            cases.append(Case(test_id, kind, suite, path_of(str(action)), approval=approval))
            continue
        result = graph.value(entry, MF.result)
        cases.append(
            Case(
                test_id,
                kind,
                suite,
                path_of(str(graph.value(action, QT.query))),
                data=tuple(sorted(path_of(str(d)) for d in graph.objects(action, QT.data))),
                graph_data=tuple(sorted(path_of(str(g)) for g in graph.objects(action, QT.graphData))),
                result=path_of(str(result)) if result is not None else None,
                service=graph.value(action, QT.serviceData) is not None,
                approval=approval,
            )
        )
    return cases


def with_base(body: bytes, path: Path) -> bytes:
    """The file with its own IRI declared as its base, for a request whose IRI is not the file's
    (a Graph Store PUT to ?default): relative IRIs then resolve as the manifest means them."""
    iri = iri_of(path)
    if path.suffix == ".ttl":
        return f"@base <{iri}> .\n".encode() + body
    if path.suffix == ".rdf" and b"xml:base" not in body:
        return re.sub(rb"<rdf:RDF\b", f'<rdf:RDF xml:base="{iri}"'.encode(), body, count=1)
    return body


def has_blank_nodes(path: Path) -> bool:
    triples = ox.parse(path.read_bytes(), format=RDF_FORMATS[path.suffix], base_iri=iri_of(path))
    return any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)


def union_variants(cases: list[Case]) -> list[Case]:
    """Tests whose named graphs hold only triples their default graph holds too (each graphData
    file is also a data file, with no blank nodes): there the union default graph of our service
    is the W3C default graph, so the service's own dataset must give the W3C answer."""
    return [
        Case(**{**c.__dict__, "variant": "union"})
        for c in cases
        if c.kind == "eval"
        and c.graph_data
        and set(c.graph_data) <= set(c.data)
        and not any(has_blank_nodes(p) for p in c.graph_data)
    ]


def load_cases() -> list[Case]:
    cases = [c for manifest in MANIFESTS for c in _entries(SUITE / manifest, Path(manifest).parent.name)]
    return cases + union_variants(cases)


# -- the query text -------------------------------------------------------------------------------

_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


def code_of(query: str) -> str:
    """The query with its strings, IRIs and comments blanked: what is left are keywords."""
    return _NOT_CODE.sub(" ", query)


def ordered(query: str) -> bool:
    """Whether the outer query ends in ORDER BY (one inside a subquery orders nothing outside)."""
    code, depth = code_of(query), 0
    for match in re.finditer(r"[{}]|\bORDER\s+BY\b", code, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            return True
    return False


def declares_dataset(query: str) -> bool:
    return re.search(r"\bFROM\b", code_of(query), re.IGNORECASE) is not None


def calls_service(query: str) -> bool:
    return re.search(r"\bSERVICE\b", code_of(query), re.IGNORECASE) is not None


# -- answers --------------------------------------------------------------------------------------


@dataclass
class Solutions:
    variables: frozenset[str]
    rows: list[dict[str, rdflib.term.Node]]


@dataclass
class Table:
    """A CSV answer: header and rows of text (CSV keeps no types)."""

    header: frozenset[str]
    rows: list[dict[str, str]]


@dataclass
class Boolean:
    value: bool


@dataclass
class Graph:
    graph: rdflib.Graph = field(repr=False)


Answer = Solutions | Table | Boolean | Graph


def canonical(lexical: str, datatype: str) -> str:
    """The canonical form of a number or boolean, so that literals compare by value as the W3C
    harnesses do ("1.0"^^xsd:decimal is "1"^^xsd:decimal; the store itself keeps canonical
    forms). Other literals, and ill-formed ones, stay as written."""
    text = lexical.strip()
    try:
        if datatype in INTEGERS:
            return str(int(text))
        if datatype == XSD + "decimal":
            if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
                return lexical
            value = Decimal(text)
            return "0" if value == 0 else format(value.normalize(), "f")
        if datatype in (XSD + "double", XSD + "float"):
            special = {"INF": "inf", "+INF": "inf", "-INF": "-inf", "NaN": "nan"}
            if text in special:
                return repr(float(special[text]))
            if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
                return lexical
            return repr(float(text))
        if datatype == XSD + "boolean" and text in ("true", "false", "1", "0"):
            return "true" if text in ("true", "1") else "false"
    except (ValueError, ArithmeticError):
        return lexical
    return lexical


class Terms:
    """pyoxigraph terms to rdflib terms: blank nodes by label, numbers and booleans in canonical
    form, other literals exactly as written (rdflib's own normalisation is off)."""

    def __init__(self) -> None:
        self.blanks: dict[str, BNode] = {}

    def __call__(self, term: object) -> rdflib.term.Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return self.blanks.setdefault(term.value, BNode())
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language, normalize=False)
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return Literal(term.value, normalize=False)
            return Literal(canonical(term.value, datatype), datatype=URIRef(datatype), normalize=False)
        raise TypeError(f"unexpected term {term!r}")


def from_results(results: ox.QuerySolutions | ox.QueryBoolean) -> Solutions | Boolean:
    if isinstance(results, ox.QueryBoolean):
        return Boolean(bool(results))
    terms = Terms()
    names = [v.value for v in results.variables]
    rows = [
        {name: terms(value) for name, value in zip(names, solution, strict=True) if value is not None}
        for solution in results
    ]
    return Solutions(frozenset(names), rows)


def from_triples(triples) -> Graph:
    terms, graph = Terms(), rdflib.Graph()
    for t in triples:
        graph.add((terms(t.subject), terms(t.predicate), terms(t.object)))
    return Graph(graph)


def from_csv(text: str) -> Table:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [dict(row) for row in reader]
    return Table(frozenset(reader.fieldnames or ()), rows)


def parse_answer(body: bytes, suffix: str) -> Answer:
    """An answer written in the format of a result file with this suffix."""
    if suffix in RDF_FORMATS:
        return from_triples(ox.parse(body, format=RDF_FORMATS[suffix]))
    if suffix == ".csv":
        return from_csv(body.decode("utf-8"))
    return from_results(ox.parse_query_results(body, format=RESULT_TYPES[suffix][1]))


def _result_graph(case: Case) -> Graph | None:
    assert case.result is not None
    if case.result.suffix not in RDF_FORMATS:
        return None
    triples = ox.parse(
        case.result.read_bytes(), format=RDF_FORMATS[case.result.suffix], base_iri=iri_of(case.result)
    )
    return from_triples(triples)


def answer_suffix(case: Case) -> str:
    """The format to ask the endpoint for: the expected result's, or SPARQL JSON for a result set
    written in RDF (the rs: vocabulary)."""
    assert case.result is not None
    graph = _result_graph(case)
    if graph is not None and (None, RDF.type, RS.ResultSet) in graph.graph:
        return ".srj"
    return case.result.suffix


def from_result_set(graph: rdflib.Graph) -> Solutions | Boolean:
    """A result set written in RDF with the rs: vocabulary of the DAWG tests."""
    node = graph.value(None, RDF.type, RS.ResultSet)
    boolean = graph.value(node, RS.boolean)
    if boolean is not None:
        return Boolean(bool(boolean.toPython()))
    variables = frozenset(str(v) for v in graph.objects(node, RS.resultVariable))
    rows = [
        {str(graph.value(b, RS.variable)): graph.value(b, RS.value) for b in graph.objects(row, RS.binding)}
        for row in graph.objects(node, RS.solution)
    ]
    return Solutions(variables, rows)


def expected(case: Case) -> Answer:
    assert case.result is not None
    graph = _result_graph(case)
    if graph is None:
        return parse_answer(case.result.read_bytes(), case.result.suffix)
    if answer_suffix(case) == ".srj":
        return from_result_set(graph.graph)
    return graph


def _rows_graph(rows: list[dict], ordered_rows: bool, cell) -> rdflib.Graph:
    graph = rdflib.Graph()
    for i, row in enumerate(rows):
        node = BNode()
        graph.add((ROW, ROW, node))
        if ordered_rows:
            graph.add((node, INDEX, Literal(i)))
        for name, value in row.items():
            graph.add((node, URIRef(f"urn:w3c-suite:var:{name}"), cell(value)))
    return graph


def _csv_cell(blanks: dict[str, BNode]):
    def cell(text: str) -> rdflib.term.Node:
        return blanks.setdefault(text, BNode()) if text.startswith("_:") else Literal(text)

    return cell


def differences(want: Answer, got: Answer, ordered_rows: bool) -> str | None:
    """None when `got` is the answer the test expects, else what differs."""
    if type(want) is not type(got):
        return f"expected a {type(want).__name__} answer, got a {type(got).__name__}"
    if isinstance(want, Boolean):
        return None if want.value == got.value else f"expected {want.value}, got {got.value}"
    if isinstance(want, Graph):
        if isomorphic(want.graph, got.graph):
            return None
        return f"graphs differ:\nexpected\n{_show(want.graph)}\ngot\n{_show(got.graph)}"
    if isinstance(want, Table):
        if want.header != got.header:
            return f"columns differ: expected {sorted(want.header)}, got {sorted(got.header)}"
        want_rows = [{k: v for k, v in row.items() if v != ""} for row in want.rows]
        got_rows = [{k: v for k, v in row.items() if v != ""} for row in got.rows]
        same = isomorphic(
            _rows_graph(want_rows, ordered_rows, _csv_cell({})),
            _rows_graph(got_rows, ordered_rows, _csv_cell({})),
        )
        return None if same else f"rows differ:\nexpected {want.rows}\ngot      {got.rows}"
    assert isinstance(want, Solutions) and isinstance(got, Solutions)
    if want.variables != got.variables:
        return f"variables differ: expected {sorted(want.variables)}, got {sorted(got.variables)}"
    if len(want.rows) != len(got.rows):
        return f"expected {len(want.rows)} rows, got {len(got.rows)}:\n{_show_rows(got.rows)}"
    if isomorphic(_rows_graph(want.rows, ordered_rows, _same), _rows_graph(got.rows, ordered_rows, _same)):
        return None
    return f"rows differ:\nexpected\n{_show_rows(want.rows)}\ngot\n{_show_rows(got.rows)}"


def _same(term: rdflib.term.Node) -> rdflib.term.Node:
    return term


def _show(graph: rdflib.Graph) -> str:
    return "\n".join(sorted(f"  {s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph))[:2000]


def _show_rows(rows: list[dict]) -> str:
    return "\n".join("  " + " ".join(f"?{k}={v.n3()}" for k, v in sorted(r.items())) for r in rows)[:2000]
