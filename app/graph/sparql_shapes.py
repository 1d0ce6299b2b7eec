"""SHACL-SPARQL shapes (SPARQL targets and constraints) evaluated by pyoxigraph instead of pySHACL.

pySHACL runs them with rdflib's SPARQL engine, which spent most of our validation time on the
dangling-link check (about 60 %, and minutes at 10^6 triples); Oxigraph runs the same queries in
milliseconds. The rules stay in the shapes file: this module only evaluates the `sh:sparql`
constraints and `sh:SPARQLTarget` targets as the SHACL spec defines them (`$this` pre-bound,
`sh:prefixes` prepended, `{?var}` in messages filled from the row), over `ShapeData` (the files'
graphs), side by side on a thread per core; the rest of the shapes graph goes to core_shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions
from rdflib.namespace import RDF, RDFS, SH

from app.graph.oxigraph import parallel
from app.graph.shape_data import ShapeData
from app.sparql_text.where import where_body

ShapeNode = NamedNode | BlankNode | Literal
CHUNK = 500  # focus nodes per VALUES block
# The core target kinds, as the SELECT that finds their focus nodes (`{}`: the node or property).
CORE_TARGETS = {
    SH.targetClass: "SELECT DISTINCT ?this WHERE {{ ?this a/<" + str(RDFS.subClassOf) + ">* {} }}",
    SH.targetNode: "SELECT ?this WHERE {{ VALUES ?this {{ {} }} }}",
    SH.targetSubjectsOf: "SELECT DISTINCT ?this WHERE {{ ?this {} ?any }}",
    SH.targetObjectsOf: "SELECT DISTINCT ?this WHERE {{ ?any {} ?this }}",
}


class UnsupportedShape(ValueError):
    """A shape combines SPARQL-based and core parts in a way this evaluator does not split."""


@dataclass(frozen=True)
class Constraint:
    select: str
    message: str | None


@dataclass(frozen=True)
class SparqlShape:
    shape: str
    severity: str
    targets: tuple[str, ...]  # SPARQL SELECTs that bind ?this
    constraints: tuple[Constraint, ...]


@dataclass(frozen=True)
class Finding:
    """One row of a constraint: the focus node, the path and value if the query binds them."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    component: str = str(SH.SPARQLConstraintComponent)


def split(shapes: rdflib.Graph) -> tuple[rdflib.Graph, list[SparqlShape]]:
    """The shapes graph without its SPARQL-based shapes, and those shapes, ready to run."""
    core = rdflib.Graph()
    core += shapes
    found = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None)), key=str):
        if set(shapes.predicates(shape, None)) & CORE_PARAMETERS:
            raise UnsupportedShape(f"{shape} mixes SPARQL constraints with core ones: split it in two")
        if not _deactivated(shapes, shape):
            found.append(_read(shapes, shape))
        for triple in shapes.cbd(shape):
            core.remove(triple)
    for shape, target in list(core.subject_objects(SH.target)):
        if (target, RDF.type, SH.SPARQLTarget) in core:
            raise UnsupportedShape(f"{shape} has a SPARQL target but no SPARQL constraint")
    return core, found


def _read(shapes: rdflib.Graph, shape: rdflib.term.Node) -> SparqlShape:
    targets = []
    for target in shapes.objects(shape, SH.target):
        if (target, RDF.type, SH.SPARQLTarget) not in shapes:
            raise UnsupportedShape(f"{shape}: a target that is not a SPARQL target is not supported")
        targets.append(_prefixes(shapes, target) + str(shapes.value(target, SH.select)))
    for predicate, template in CORE_TARGETS.items():
        targets += [template.format(node.n3()) for node in shapes.objects(shape, predicate)]
    constraints = tuple(
        Constraint(
            select=_prefixes(shapes, node) + str(shapes.value(node, SH.select)),
            message=_text(shapes.value(node, SH.message) or shapes.value(shape, SH.message)),
        )
        for node in shapes.objects(shape, SH.sparql)
        if not _deactivated(shapes, node)
    )
    severity = shapes.value(shape, SH.severity, default=SH.Violation)
    return SparqlShape(str(shape), str(severity), tuple(targets), constraints)


def _deactivated(shapes: rdflib.Graph, node: rdflib.term.Node) -> bool:
    flag = shapes.value(node, SH.deactivated)
    return isinstance(flag, rdflib.Literal) and flag.toPython() is True


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> str:
    lines = []
    for source in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def _text(node: rdflib.term.Node | None) -> str | None:
    return None if node is None else str(node)


def data_store(contents: Iterable[tuple[bytes, str]]) -> ShapeData:
    """The data to check in a fresh in-memory store: each (Turtle, base IRI) in the named graph of
    its base IRI (and named by it), so a finding, even on a blank node, can name its file."""
    return ShapeData.load((content, base, base) for content, base in contents)


def select(data: ShapeData, query: str) -> QuerySolutions:
    """The rows of a validation query over the union of the files' graphs."""
    answer = data.select(query)
    if not isinstance(answer, QuerySolutions):
        raise UnsupportedShape("a SPARQL target or constraint must be a SELECT query")
    return answer


def node_text(term: NamedNode | BlankNode | Literal) -> str:
    """An IRI or a literal's lexical form as it is; a blank node as _:id (it has no other name)."""
    return str(term) if isinstance(term, BlankNode) else term.value


def check(data: ShapeData, shapes: list[SparqlShape]) -> list[Finding]:
    """Every row of every constraint over the focus nodes of its shape, in shape, constraint and
    focus order; the targets, then the constraints' queries, run in parallel."""

    def focus_of(shape: SparqlShape) -> list[ShapeNode]:
        rows = {row["this"] for target in shape.targets for row in _select(data, shape, target)}
        return sorted(rows, key=str)

    jobs = [
        (shape, constraint, focus[start : start + CHUNK])
        for shape, focus in zip(shapes, parallel(focus_of, shapes), strict=True)
        for constraint in shape.constraints
        for start in range(0, len(focus), CHUNK)
    ]
    answers = parallel(lambda job: list(_rows(data, *job)), jobs)
    return [finding for answer in answers for finding in answer]


def _rows(
    data: ShapeData, shape: SparqlShape, constraint: Constraint, focus: list[ShapeNode]
) -> Iterator[Finding]:
    at = where_body(constraint.select, ["this"])
    values = "\n  VALUES ?this { " + " ".join(str(node) for node in focus) + " }\n"
    solutions = _select(data, shape, constraint.select[:at] + values + constraint.select[at:])
    names = [variable.value for variable in solutions.variables]
    if "this" not in names:
        raise UnsupportedShape(f"{shape.shape}: a SPARQL constraint must select $this")
    for row in solutions:
        bound = {name: node_text(row[name]) for name in names if row[name] is not None}
        yield Finding(
            focus=bound["this"],
            path=bound.get("path"),
            # SHACL 5.3.2: a node shape's result without ?value has the focus node as its value
            value=bound.get("value", bound["this"]),
            message=_message(constraint.message, bound),
            severity=shape.severity,
        )


def _select(data: ShapeData, shape: SparqlShape, query: str) -> QuerySolutions:
    """The rows of a target's or constraint's query, which SHACL requires to be a SELECT."""
    try:
        return select(data, query)
    except UnsupportedShape as why:
        raise UnsupportedShape(f"{shape.shape}: {why}") from None


def _message(template: str | None, bound: dict[str, str]) -> str:
    """The message with `{?name}` and `{$name}` replaced by the row's values."""
    if template is None:
        return "SPARQL constraint violated"
    for name, value in bound.items():
        template = template.replace("{?" + name + "}", value).replace("{$" + name + "}", value)
    return template


CORE_PARAMETERS = {
    SH.property, SH.path, SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.pattern,
    SH["in"], SH.node, SH["or"], SH["and"], SH["not"], SH.xone, SH.hasValue, SH.languageIn,
    SH.uniqueLang, SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.closed,
    SH.equals, SH.disjoint, SH.lessThan, SH.qualifiedValueShape,
}
