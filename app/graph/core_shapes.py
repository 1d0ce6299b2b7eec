"""The core SHACL shapes compiled to SPARQL and run on Oxigraph, instead of pySHACL's rdflib walk.

pySHACL spent nearly all of start-up at scale checking the core shapes (minutes at 10^6 triples);
the same rules asked of Oxigraph as SPARQL take seconds. This module reads the shapes graph (what
`sparql_shapes.split` leaves of it) and turns every constraint into a SELECT over the store that
returns only the violations, as SHACL 1.0 defines them:

- targets (`sh:targetClass` with the subclasses the ontology and data declare, `sh:targetNode`,
  `sh:targetSubjectsOf`, `sh:targetObjectsOf`) become a sub-select binding `?this`;
- count constraints (`sh:minCount`, `sh:maxCount`, `sh:qualifiedValueShape` with its counts,
  `sh:hasValue` on a path) are GROUP BY / NOT EXISTS queries over the values of the path;
- value constraints (class, datatype, node kind, `sh:in`, pattern, lengths, ranges, languages,
  and `sh:or` / `sh:and` / `sh:not` / `sh:node` over them) become one boolean expression per value,
  a query per property shape returning the values that fail it.

One thing SPARQL cannot say: whether a literal's lexical form is valid for its datatype (Oxigraph
keeps "2014-13-45"^^xsd:date as it was written). The distinct typed literals of the data are
checked once in Python with rdflib's own parser (`ill_typed`, what pySHACL uses), and the few that
fail are excluded by name from the datatype tests.

A shape using anything else raises `Unsupported`, and validation then falls back to pySHACL for
the core shapes (app.graph.validation). tests/test_core_shapes.py holds the parity test: the same
violations as pySHACL on the curated data, on every planted fault and on generated graphs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import Literal, NamedNode
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from app.graph.oxigraph import parallel
from app.graph.shape_data import ShapeData
from app.graph.sparql_shapes import Finding, node_text, select

Node = rdflib.term.Node
ShapeRef = rdflib.URIRef | rdflib.BNode

# Parameters whose meaning this compiler knows; any other sh: parameter on a shape is Unsupported.
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
COUNTS = {SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}
VALUES = {
    SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.flags, SH.languageIn,
    SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH["or"], SH["and"], SH["not"], SH.node, SH.hasValue,
}  # fmt: skip
ANNOTATIONS = {SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group}
KNOWN = TARGETS | COUNTS | VALUES | ANNOTATIONS | {SH.property, SH.path, SH.qualifiedValueShapesDisjoint}

NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
LENGTHS = {SH.minLength: ">=", SH.maxLength: "<="}
# Datatypes whose lexical forms rdflib checks (its `ill_typed`), as pySHACL's datatype test does.
LEXICAL = (
    XSD.date, XSD.dateTime, XSD.time, XSD.gYear, XSD.gYearMonth, XSD.gMonth, XSD.gDay, XSD.gMonthDay,
    XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
    XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedInt,
    XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte, XSD.decimal, XSD.double, XSD.float,
    XSD.boolean, XSD.duration,
)  # fmt: skip


class Unsupported(ValueError):
    """A shape uses SHACL this compiler does not translate; pySHACL checks the core shapes instead."""


@dataclass(frozen=True)
class Check:
    """One query that returns the violations of one constraint: rows bind ?this, maybe ?value."""

    shape: str
    component: str  # e.g. sh:MinCountConstraintComponent, as an IRI
    path: str | None
    message: str
    severity: str
    query: str


@dataclass
class Context:
    """What compiling needs from the data: the class hierarchy, the ill-typed literals, fresh names."""

    subclasses: dict[str, set[str]]
    ill_typed: dict[str, list[Literal]]  # datatype IRI -> its literals that are not well formed
    counter: itertools.count = field(default_factory=itertools.count)

    def fresh(self, stem: str) -> str:
        return f"?{stem}{next(self.counter)}"

    def closure(self, cls: str) -> list[str]:
        """The class and every class below it (rdfs:subClassOf*), sorted."""
        found, todo = {cls}, [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return sorted(found)


def check(data: ShapeData, shapes: rdflib.Graph) -> list[Finding]:
    """Every violation of the core shapes in `shapes` by the data (the union of the files' graphs),
    in the order of the checks, which run in parallel."""
    context = Context(subclasses=_subclasses(data), ill_typed=_ill_typed(data))
    answers = parallel(lambda item: list(_run(data, item)), compile_shapes(shapes, context))
    return [finding for answer in answers for finding in answer]


def compile_shapes(shapes: rdflib.Graph, context: Context) -> list[Check]:
    """The checks of every shape with a target; raises Unsupported before any check runs."""
    checks: list[Check] = []
    targeted = {s for p in TARGETS for s in shapes.subjects(p, None)}
    for implicit in (RDFS.Class, OWL.Class):
        if any(shapes.subjects(RDF.type, implicit)):
            raise Unsupported("a shape that is also a class (implicit class target)")
    for shape in sorted(targeted, key=str):
        if _deactivated(shapes, shape):
            continue
        _known(shapes, shape)
        focus = _targets(shapes, shape, context)
        severity = str(shapes.value(shape, SH.severity, default=SH.Violation))
        if shapes.value(shape, SH.path) is not None:
            checks += _property_checks(shapes, shape, shape, focus, severity, context)
            continue
        checks += _node_checks(shapes, shape, focus, severity, context)
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            if not _deactivated(shapes, prop):
                _known(shapes, prop)
                prop_severity = str(shapes.value(prop, SH.severity, default=SH.Violation))
                checks += _property_checks(shapes, shape, prop, focus, prop_severity, context)
    return checks


def _targets(shapes: rdflib.Graph, shape: Node, context: Context) -> str:
    """A sub-select binding ?this to every focus node of the shape."""
    parts = []
    for cls in sorted(shapes.objects(shape, SH.targetClass), key=str):
        types = " ".join(f"<{c}>" for c in context.closure(str(_iri(cls))))
        parts.append(f"{{ ?this a ?type . VALUES ?type {{ {types} }} }}")
    for node in sorted(shapes.objects(shape, SH.targetNode), key=str):
        parts.append(f"{{ VALUES ?this {{ {_term(node)} }} }}")
    for prop in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
        parts.append(f"{{ ?this <{_iri(prop)}> ?any }}")
    for prop in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str):
        parts.append(f"{{ ?any <{_iri(prop)}> ?this }}")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _node_checks(
    shapes: rdflib.Graph, shape: Node, focus: str, severity: str, context: Context
) -> list[Check]:
    """A node shape's own value constraints, applied to the focus node itself (SHACL 2.1)."""
    checks = []
    for parameter, expression in _value_tests(shapes, shape, "?this", context):
        checks.append(
            Check(
                shape=str(shape),
                component=_component(parameter),
                path=None,
                message=_message(shapes, shape, parameter, None),
                severity=severity,
                query=f"SELECT ?this (?this AS ?value) WHERE {{ {focus} {_failing(expression)} }}",
            )
        )
    return checks


def _property_checks(
    shapes: rdflib.Graph, shape: Node, prop: Node, focus: str, severity: str, context: Context
) -> list[Check]:
    path = _path(shapes, prop, "?this", "?value")
    path_iri = _path_iri(shapes, prop)

    def made(parameter: rdflib.URIRef, query: str) -> Check:
        message = _message(shapes, prop, parameter, shapes.value(prop, parameter))
        return Check(str(shape), _component(parameter), path_iri, message, severity, query)

    checks = []
    lowest = _integer(shapes.value(prop, SH.minCount))
    highest = _integer(shapes.value(prop, SH.maxCount))
    if lowest is not None and lowest > 0:
        if lowest == 1:
            query = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {path} }} }}"
        else:
            query = _counted(f"{focus} OPTIONAL {{ {path} }}", "<", lowest)
        checks.append(made(SH.minCount, query))
    if highest is not None:
        checks.append(made(SH.maxCount, _counted(f"{focus} {path}", ">", highest)))
    qualified = shapes.value(prop, SH.qualifiedValueShape)
    if qualified is not None:
        checks += _qualified_checks(shapes, prop, qualified, focus, path, made, context)
    for required in sorted(shapes.objects(prop, SH.hasValue), key=str):
        having = _path(shapes, prop, "?this", _term(required))
        checks.append(made(SH.hasValue, f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {having} }} }}"))
    for parameter, expression in _value_tests(shapes, prop, "?value", context, on_path=True):
        query = f"SELECT ?this ?value WHERE {{ {focus} {path} {_failing(expression)} }}"
        checks.append(made(parameter, query))
    return checks


def _qualified_checks(
    shapes: rdflib.Graph,
    prop: Node,
    qualified: Node,
    focus: str,
    path: str,
    made: Callable[[rdflib.URIRef, str], Check],
    context: Context,
) -> list[Check]:
    """sh:qualifiedMinCount / MaxCount: how many values conform to the qualified value shape."""
    if _boolean(shapes.value(prop, SH.qualifiedValueShapesDisjoint)):
        raise Unsupported(f"{prop}: sh:qualifiedValueShapesDisjoint")
    conforms = _conforms(shapes, qualified, "?value", context)
    counted = f"{focus} OPTIONAL {{ {path} FILTER {_holds(conforms)} }}"
    checks = []
    lowest = _integer(shapes.value(prop, SH.qualifiedMinCount))
    highest = _integer(shapes.value(prop, SH.qualifiedMaxCount))
    if lowest is not None and lowest > 0:
        checks.append(made(SH.qualifiedMinCount, _counted(counted, "<", lowest)))
    if highest is not None:
        checks.append(made(SH.qualifiedMaxCount, _counted(counted, ">", highest)))
    return checks


def _value_tests(
    shapes: rdflib.Graph, shape: Node, v: str, context: Context, on_path: bool = False
) -> Iterator[tuple[rdflib.URIRef, str]]:
    """(parameter, SPARQL boolean that holds when `v` meets it) for each value constraint of a
    shape. On a property shape sh:hasValue is a count over the path, not a test of each value."""
    for parameter in sorted(set(shapes.predicates(shape, None)) & VALUES, key=str):
        if parameter == SH.flags or (on_path and parameter == SH.hasValue):
            continue
        for argument in sorted(shapes.objects(shape, parameter), key=str):
            yield rdflib.URIRef(str(parameter)), _test(shapes, shape, parameter, argument, v, context)


def _test(
    shapes: rdflib.Graph, shape: Node, parameter: Node, argument: Node, v: str, context: Context
) -> str:
    """The boolean expression for one constraint parameter applied to the value `v`."""
    if parameter == SH["class"]:
        t = context.fresh("class")
        types = " ".join(f"<{c}>" for c in context.closure(str(_iri(argument))))
        return f"EXISTS {{ {v} a {t} . VALUES {t} {{ {types} }} }}"
    if parameter == SH.datatype:
        return _datatype(str(_iri(argument)), v, context)
    if parameter == SH.nodeKind:
        if argument not in NODE_KINDS:
            raise Unsupported(f"{shape}: sh:nodeKind {argument}")
        return NODE_KINDS[argument].format(v=v)  # type: ignore[index]
    if parameter == SH["in"]:
        members = [f"sameTerm({v}, {_term(m)})" for m in Collection(shapes, argument)]
        return "(" + (" || ".join(members) or "false") + ")"
    if parameter == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        with_flags = f", {_string(flags)}" if flags is not None else ""
        regex = f"REGEX(STR({v}), {_string(argument)}{with_flags})"
        return f"(!isBlank({v}) && {regex})"
    if parameter == SH.languageIn:
        tags = [f"langMatches(lang({v}), {_string(t)})" for t in Collection(shapes, argument)]
        return f"(isLiteral({v}) && (" + (" || ".join(tags) or "false") + "))"
    if parameter in LENGTHS:
        return f"(!isBlank({v}) && STRLEN(STR({v})) {LENGTHS[parameter]} {_integer(argument)})"  # type: ignore[index]
    if parameter in RANGES:
        return f"({v} {RANGES[parameter]} {_term(argument)})"  # type: ignore[index]
    if parameter == SH.hasValue:
        return f"sameTerm({v}, {_term(argument)})"
    if parameter == SH.node:
        return _conforms(shapes, argument, v, context)
    if parameter == SH["not"]:
        return f"!{_holds(_conforms(shapes, argument, v, context))}"
    if parameter in (SH["or"], SH["and"]):
        joiner = " || " if parameter == SH["or"] else " && "
        members = [_holds(_conforms(shapes, m, v, context)) for m in Collection(shapes, argument)]
        return "(" + (joiner.join(members) or ("false" if parameter == SH["or"] else "true")) + ")"
    raise Unsupported(f"{shape}: {parameter}")


def _datatype(datatype: str, v: str, context: Context) -> str:
    """A literal of this datatype whose lexical form is valid for it (pySHACL's sh:datatype)."""
    if datatype == str(RDFS.Literal):
        return f"isLiteral({v})"
    test = f"(isLiteral({v}) && datatype({v}) = <{datatype}>"
    if datatype == str(RDF.langString):
        test += f" && lang({v}) != \"\""
    bad = context.ill_typed.get(datatype, [])
    if bad:
        test += " && !(" + " || ".join(f"sameTerm({v}, {literal})" for literal in bad) + ")"
    return test + ")"


def _conforms(shapes: rdflib.Graph, shape: Node, v: str, context: Context) -> str:
    """The boolean expression for "the node `v` conforms to this (inline or named) shape"."""
    _known(shapes, shape)
    parts = [test for _, test in _value_tests(shapes, shape, v, context)]
    path_of = shapes.value(shape, SH.path)
    properties = sorted(shapes.objects(shape, SH.property), key=str)
    if path_of is not None:
        properties = [shape]
        parts = []
    for prop in properties:
        parts += _property_conforms(shapes, prop, v, context)
    return "(" + (" && ".join(parts) or "true") + ")"


def _property_conforms(shapes: rdflib.Graph, prop: Node, focus: str, context: Context) -> list[str]:
    """Tests that hold when `focus` meets a property shape; only what an expression can say."""
    _known(shapes, prop)
    if set(shapes.predicates(prop, None)) & (COUNTS - {SH.minCount}):
        raise Unsupported(f"{prop}: count constraints inside sh:or / sh:and / sh:not / sh:node")
    value = context.fresh("value")
    path = _path(shapes, prop, focus, value)
    parts = []
    lowest = _integer(shapes.value(prop, SH.minCount))
    if lowest is not None and lowest > 1:
        raise Unsupported(f"{prop}: sh:minCount above 1 inside a logical constraint")
    if lowest == 1:
        parts.append(f"EXISTS {{ {path} }}")
    for required in sorted(shapes.objects(prop, SH.hasValue), key=str):
        parts.append(f"EXISTS {{ {_path(shapes, prop, focus, _term(required))} }}")
    for _, test in _value_tests(shapes, prop, value, context, on_path=True):
        parts.append(f"NOT EXISTS {{ {path} {_failing(test)} }}")
    return parts


def _holds(test: str) -> str:
    """The test, false where it raises an error (SHACL: a value that cannot be compared fails)."""
    return f"COALESCE({test}, false)"


def _failing(test: str) -> str:
    return f"FILTER (!{_holds(test)})"


def _counted(pattern: str, comparison: str, bound: int) -> str:
    """The focus nodes whose number of distinct ?value in the pattern is `comparison` the bound."""
    having = f"HAVING (COUNT(DISTINCT ?value) {comparison} {bound})"
    return f"SELECT ?this WHERE {{ {pattern} }} GROUP BY ?this {having}"


def _path(shapes: rdflib.Graph, prop: Node, subject: str, value: str) -> str:
    """The triple pattern from `subject` along the property shape's path to `value`."""
    path = shapes.value(prop, SH.path)
    if isinstance(path, rdflib.URIRef):
        return f"{subject} <{path}> {value} ."
    inverse = shapes.value(path, SH.inversePath) if path is not None else None
    if isinstance(inverse, rdflib.URIRef):
        return f"{value} <{inverse}> {subject} ."
    raise Unsupported(f"{prop}: only predicate and inverse paths are compiled")


def _path_iri(shapes: rdflib.Graph, prop: Node) -> str | None:
    path = shapes.value(prop, SH.path)
    return str(path) if isinstance(path, rdflib.URIRef) else None


def _known(shapes: rdflib.Graph, shape: Node) -> None:
    unknown = {p for p in shapes.predicates(shape, None) if str(p).startswith(str(SH))} - KNOWN
    if unknown:
        raise Unsupported(f"{shape}: {', '.join(sorted(str(p) for p in unknown))}")


def _run(data: ShapeData, item: Check) -> Iterator[Finding]:
    answer = select(data, item.query)
    names = {variable.value for variable in answer.variables}
    for row in answer:
        value = row["value"] if "value" in names else None
        yield Finding(
            focus=node_text(row["this"]),
            path=item.path,
            value=None if value is None else node_text(value),
            message=item.message,
            severity=item.severity,
            component=item.component,
        )


def _subclasses(data: ShapeData) -> dict[str, set[str]]:
    """class IRI -> the IRIs declared its direct subclasses, in the data and the ontology."""
    below: dict[str, set[str]] = {}
    answer = select(data, f"SELECT ?sub ?super WHERE {{ ?sub <{RDFS.subClassOf}> ?super }}")
    for row in answer:
        if isinstance(row["sub"], NamedNode) and isinstance(row["super"], NamedNode):
            below.setdefault(row["super"].value, set()).add(row["sub"].value)
    return below


def _ill_typed(data: ShapeData) -> dict[str, list[Literal]]:
    """The distinct literals of the checked datatypes whose lexical form rdflib rejects.

    The datatype is bound once per triple: `datatype(?o) IN (...)` computes it once per member of
    the list (3.7 s at 10^6 triples, this 0.95 s); a non-literal has no datatype and fails `IN`."""
    types = ", ".join(f"<{d}>" for d in LEXICAL)
    answer = select(
        data, f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o BIND (datatype(?o) AS ?d) FILTER (?d IN ({types})) }}"
    )
    bad: dict[str, list[Literal]] = {}
    for row in answer:
        literal = row["o"]
        if rdflib.Literal(literal.value, datatype=literal.datatype.value).ill_typed:
            bad.setdefault(literal.datatype.value, []).append(literal)
    for literals in bad.values():
        literals.sort(key=str)
    return bad


def _component(parameter: Node) -> str:
    """The SHACL constraint component of a parameter: sh:minCount -> sh:MinCountConstraintComponent."""
    name = str(parameter).removeprefix(str(SH))
    return f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"


GENERATED = {
    SH.minCount: "fewer than {} values",
    SH.maxCount: "more than {} values",
    SH.qualifiedMinCount: "fewer than {} values conform to the qualified shape",
    SH.qualifiedMaxCount: "more than {} values conform to the qualified shape",
    SH.hasValue: "does not have the value {}",
    SH["class"]: "value is not an instance of {}",
    SH.datatype: "value is not a well-formed literal of datatype {}",
    SH.nodeKind: "value is not of node kind {}",
    SH["in"]: "value is not one of the allowed values",
    SH.pattern: "value does not match the pattern {}",
    SH.languageIn: "value is not in an allowed language",
    SH.minLength: "value is shorter than {} characters",
    SH.maxLength: "value is longer than {} characters",
    SH.minInclusive: "value is not at least {}",
    SH.maxInclusive: "value is not at most {}",
    SH.minExclusive: "value is not greater than {}",
    SH.maxExclusive: "value is not less than {}",
    SH["or"]: "value conforms to none of the alternatives",
    SH["and"]: "value does not conform to every shape",
    SH["not"]: "value conforms to a shape it must not",
    SH.node: "value does not conform to the shape {}",
}


def _message(shapes: rdflib.Graph, shape: Node, parameter: Node, argument: Node | None) -> str:
    """The shape's sh:message if it has any (all of them, sorted), else one said for the parameter."""
    given = sorted(str(m) for m in shapes.objects(shape, SH.message))
    if given:
        return "; ".join(given)
    return GENERATED[parameter].format(argument if argument is not None else "")  # type: ignore[index]


def _term(node: Node) -> str:
    """An RDF term from the shapes graph written as SPARQL (N-Triples syntax, escaped)."""
    if isinstance(node, rdflib.URIRef):
        return str(NamedNode(str(node)))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return str(Literal(str(node), language=node.language))
        datatype = node.datatype or XSD.string
        return str(Literal(str(node), datatype=NamedNode(str(datatype))))
    raise Unsupported(f"a blank node as a constraint argument: {node}")


def _string(node: Node) -> str:
    return _term(rdflib.Literal(str(node)))


def _iri(node: Node) -> rdflib.URIRef:
    if not isinstance(node, rdflib.URIRef):
        raise Unsupported(f"expected an IRI, got {node!r}")
    return node


def _integer(node: Node | None) -> int | None:
    if node is None:
        return None
    if not isinstance(node, rdflib.Literal) or not isinstance(node.toPython(), int):
        raise Unsupported(f"expected an integer, got {node!r}")
    return int(node.toPython())


def _boolean(node: Node | None) -> bool:
    return isinstance(node, rdflib.Literal) and node.toPython() is True


def _deactivated(shapes: rdflib.Graph, node: Node) -> bool:
    return _boolean(shapes.value(node, SH.deactivated))
