"""Read the W3C SPARQL 1.1 query test manifests: the tests, their files and expected results.

Used by tests/test_w3c_query_eval.py; answers are compared by tests/sparql_answers.py. The
manifests are Turtle, read with rdflib. Every file is named by its published IRI (the suite's home
under W3C_BASE), as the manifests' relative IRIs resolve there; the same IRIs are the base of each
query and the names of the graphs its data is loaded into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, Namespace
from rdflib.collection import Collection

from app.settings import REPO_ROOT
from tests.sparql_answers import (
    RDF_FORMATS,
    Answer,
    Boolean,
    Graph,
    Solutions,
    code_of,
    from_triples,
    parse_answer,
)

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
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
DATA_TYPES = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}


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


def declares_dataset(query: str) -> bool:
    return re.search(r"\bFROM\b", code_of(query), re.IGNORECASE) is not None


def calls_service(query: str) -> bool:
    return re.search(r"\bSERVICE\b", code_of(query), re.IGNORECASE) is not None


# -- expected results -----------------------------------------------------------------------------


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
