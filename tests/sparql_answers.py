"""SPARQL answers from any source, in one form, and their comparison.

Result sets (JSON, XML, TSV) and graphs are read with pyoxigraph, so terms are exact (rdflib's
literal normalisation is off); numbers and booleans are then written in canonical form, so they
compare by value as the W3C harnesses do. CSV is lossy, so it is compared as text. Solutions compare
as multisets up to blank-node renaming (rdflib.compare.isomorphic over an RDF encoding of the rows),
in order only when asked (a query ending in ORDER BY); graphs up to blank-node isomorphism.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
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
ROW = URIRef("urn:sparql-answers:row")
INDEX = URIRef("urn:sparql-answers:index")

RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
RESULT_TYPES = {
    ".srx": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ".srj": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ".tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ".csv": ("text/csv", None),
}
MEDIA_TYPES = {
    "application/sparql-results+json": ".srj",
    "application/json": ".srj",
    "application/sparql-results+xml": ".srx",
    "application/xml": ".srx",
    "text/tab-separated-values": ".tsv",
    "text/csv": ".csv",
}
RDF_MEDIA_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.N3,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


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


def from_media_type(body: bytes, content_type: str) -> Answer:
    """An answer as a server sent it, read by its Content-Type."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in RDF_MEDIA_TYPES:
        return from_triples(ox.parse(body, format=RDF_MEDIA_TYPES[media_type]))
    if media_type not in MEDIA_TYPES:
        raise ValueError(f"not a SPARQL answer: {content_type}")
    return parse_answer(body, MEDIA_TYPES[media_type])


def parse_answer(body: bytes, suffix: str) -> Answer:
    """An answer written in the format of a result file with this suffix."""
    if suffix in RDF_FORMATS:
        return from_triples(ox.parse(body, format=RDF_FORMATS[suffix]))
    if suffix == ".csv":
        return from_csv(body.decode("utf-8"))
    return from_results(ox.parse_query_results(body, format=RESULT_TYPES[suffix][1]))


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
