"""The page model of a resource: its description arranged for reading (no HTML here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from app.graph.oxigraph import Term, text
from app.linkeddata.descriptions import Description
from app.linkeddata.iris import IriSpace
from app.linkeddata.names import Labels
from app.namespaces import CMS, DCT, LABEL_PROPERTIES, PROV, RDF, RDFS, SKOS, XSD, local_name, prefixed

TYPE = RDF + "type"
DERIVED = PROV + "wasDerivedFrom"
PROVENANCE = (DERIVED, CMS + "mentionedIn")
# Shown first, in this order; the rest by label.
FIRST = (SKOS + "prefLabel", SKOS + "altLabel", CMS + "shortName", DCT + "title", DCT + "description")


@dataclass(frozen=True)
class Link:
    iri: str
    href: str | None  # None: not an http(s) IRI, shown as text (see iris.linkable)
    label: str
    note: str = ""


@dataclass(frozen=True)
class Value:
    """One object of a statement: a link, or a literal with its language or datatype, and, for a
    claim, its grade (stated, inferred, reference) with the reason or source behind it."""

    text: str
    link: Link | None = None
    language: str | None = None
    datatype: str | None = None
    grade: str = ""
    grade_note: str = ""


@dataclass
class Row:
    prop: Link
    values: list[Value] = field(default_factory=list)


@dataclass
class Page:
    """Everything a resource page shows."""

    iri: str
    title: str
    kinds: list[Link]
    labels: list[Value]
    properties: list[Row]
    incoming: list[Row]
    provenance: list[Link]
    derived: list[Link]
    alternates: dict[str, str] = field(default_factory=dict)
    grade: str = ""
    grade_note: str = ""


class Linker:
    """Turns terms into links and values, knowing the labels and where each IRI is served."""

    def __init__(self, space: IriSpace, labels: Labels) -> None:
        self.space, self.labels = space, labels

    def link(self, iri: str, note: str = "") -> Link:
        return Link(iri, self.space.href(iri), self.labels(iri), note)

    def prop(self, iri: str) -> Link:
        return Link(iri, self.space.href(iri), self.labels.property(iri))

    def value(self, term: Term) -> Value:
        if isinstance(term, NamedNode):
            link = self.link(term.value)
            return Value(link.label, link)
        if isinstance(term, BlankNode):
            return Value(f"_:{term.value}")
        if isinstance(term, Triple):  # a triple term (RDF 1.2), shown as Turtle writes it
            return Value(text(term))
        datatype = term.datatype.value
        shown = None if term.language or datatype == XSD + "string" else prefixed(datatype) or datatype
        return Value(term.value, language=term.language, datatype=shown)


def paragraph_note(numbers: list[str]) -> str:
    """'para. 20(c)' for the paragraphs that state something."""
    return ", ".join(_as_paragraph(n) for n in sorted(set(numbers), key=_natural))


def _as_paragraph(number: str) -> str:
    return f"para. {number}" if number[:1].isdigit() else number


def _natural(text: str) -> tuple:
    digits = "".join(c for c in text if c.isdigit())
    return (0, int(digits), text) if text[:1].isdigit() and digits else (1, 0, text)


# Not claims: names, descriptions, types and the provenance and grading statements themselves.
NOT_GRADED = {
    TYPE,
    *LABEL_PROPERTIES,
    *(SKOS + p for p in ("altLabel", "hiddenLabel", "definition", "inScheme", "topConceptOf", "notation")),
    DCT + "description",
    RDFS + "comment",
    RDFS + "seeAlso",
    *PROVENANCE,
    CMS + "grade",
    CMS + "reason",
    PROV + "qualifiedDerivation",
}


class Grades:
    """The grade of each claim of a resource, as README "Modelling in brief" defines it: a claim
    derivation for the one claim, else one for its property, else the resource's own grade."""

    def __init__(self, this: str, triples: tuple[Triple, ...], name: Callable[[str], str]) -> None:
        by_subject: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            by_subject[t.subject][t.predicate.value].append(t.object)
        own = by_subject[NamedNode(this)]
        self.default = _local(own.get(CMS + "grade", []))
        self.default_note = _text(own.get(CMS + "reason", []))
        self.single: dict[tuple[str, object], tuple[str, str]] = {}
        self.per_property: dict[str, tuple[str, str]] = {}
        for node in own.get(PROV + "qualifiedDerivation", []):
            d = by_subject.get(node, {})
            grade = _local(d.get(CMS + "grade", []))
            sources = sorted(name(e.value) for e in d.get(PROV + "entity", []) if isinstance(e, NamedNode))
            note = _text(d.get(CMS + "reason", [])) or "; ".join(sources)
            for prop in d.get(RDF + "predicate", []):
                for value in d.get(RDF + "object", []):
                    self.single[(text(prop), value)] = (grade, note)
            for prop in d.get(CMS + "claimProperty", []):
                self.per_property[text(prop)] = (grade, note)

    def of(self, prop: str, value: object) -> tuple[str, str]:
        if prop in NOT_GRADED or not self.default:
            return "", ""
        found = self.single.get((prop, value)) or self.per_property.get(prop)
        return found or (self.default, self.default_note)


def _local(terms: list[Term]) -> str:
    return local_name(terms[0].value) if terms and isinstance(terms[0], NamedNode) else ""


def _text(terms: list[Term]) -> str:
    return str(terms[0].value) if terms and isinstance(terms[0], Literal) else ""


def page(
    description: Description, space: IriSpace, ancestors: dict[str, frozenset[str]] | None = None
) -> Page:
    """Arrange a description for reading: grouped properties, incoming links, provenance.

    `ancestors` (each class's superclasses) lets the title show only the most specific kinds,
    not every superclass the inferred graph adds."""
    triples = description.triples
    labels = Labels(triples)
    linker = Linker(space, labels)
    this = description.iri
    numbers: dict[str, str] = {
        text(t.subject): t.object.value
        for t in triples
        if t.predicate.value == CMS + "number" and isinstance(t.object, Literal)
    }
    stated_in: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        if t.predicate.value == DERIVED and isinstance(t.object, NamedNode):
            stated_in[text(t.subject)].append(t.object.value)
    part_of = {
        text(t.subject): text(t.object)
        for t in triples
        if t.predicate.value == DCT + "isPartOf" and text(t.subject) != this
    }

    def source_link(iri: str) -> Link:
        """A paragraph by its own label ('… paragraph 20(c)'), else by number and document."""
        number, document = numbers.get(iri), part_of.get(iri)
        if labels.get(iri) is None and number and document:
            return Link(iri, space.href(iri), f"{_as_paragraph(number)} of {labels(document)}")
        return linker.link(iri)

    def fact_note(iri: str) -> str:
        return paragraph_note([numbers[p] for p in stated_in.get(iri, []) if p in numbers])

    own = description.own
    grades = Grades(this, triples, lambda iri: source_link(iri).label)
    rows: dict[str, Row] = {}
    for t in own:
        if t.predicate.value == PROV + "qualifiedDerivation":
            continue  # shown as the grades of the claims it qualifies
        if t.predicate.value == CMS + "actsFor" and text(t.object) == this:
            continue  # every organisation acts for itself (an entailment queries use; no news)
        grade, note = grades.of(t.predicate.value, t.object)
        value = linker.value(t.object)
        if grade:
            value = Value(value.text, value.link, value.language, value.datatype, grade, note)
        rows.setdefault(t.predicate.value, Row(linker.prop(t.predicate.value))).values.append(value)
    properties = sorted(rows.values(), key=lambda r: _property_order(r.prop))
    for row in properties:
        row.values.sort(key=lambda v: (v.language not in ("en", None), v.text.lower()))

    incoming_rows: dict[str, Row] = {}
    for t in description.incoming:
        if t.predicate.value == DERIVED or not isinstance(t.subject, NamedNode):
            continue
        subject = t.subject.value
        link = linker.link(subject, fact_note(subject))
        incoming_rows.setdefault(t.predicate.value, Row(linker.prop(t.predicate.value))).values.append(
            Value(link.label, link)
        )
    incoming = sorted(incoming_rows.values(), key=lambda r: r.prop.label.lower())
    for row in incoming:
        row.values.sort(key=lambda v: v.text.lower())

    provenance = [
        source_link(t.object.value)
        for t in own
        if t.predicate.value in PROVENANCE and isinstance(t.object, NamedNode)
    ]
    parts = _parts(this, triples)
    derived_from_here = {
        t.subject.value: text(t.object)
        for t in triples
        if t.predicate.value == DERIVED
        and isinstance(t.subject, NamedNode)
        and t.subject.value != this
        and (text(t.object) == this or text(t.object) in parts)
    }
    derived = sorted(
        (
            linker.link(fact, fact_note(fact) if fact_note(fact) and this not in stated_in[fact] else "")
            for fact in derived_from_here
        ),
        key=lambda link: (_natural(link.note), link.label.lower()),
    )
    types = [text(t.object) for t in own if t.predicate.value == TYPE]
    ancestors = ancestors or {}
    implied = {a for t in types for a in ancestors.get(t, frozenset()) if a != t}
    kinds = [linker.link(t) for t in dict.fromkeys(types) if t not in implied]
    label_values = [
        linker.value(t.object)
        for t in own
        if t.predicate.value in (*LABEL_PROPERTIES, SKOS + "altLabel") and isinstance(t.object, Literal)
    ]
    return Page(
        iri=this,
        title=labels.get(this) or local_name(this),
        kinds=kinds,
        labels=list(dict.fromkeys(label_values)),
        properties=properties,
        incoming=incoming,
        provenance=sorted(dict.fromkeys(provenance), key=lambda link: _natural(link.label)),
        derived=derived,
        grade=grades.default,
        grade_note=grades.default_note,
    )


def _parts(whole: str, triples: tuple[Triple, ...]) -> set[str]:
    """The parts of `whole` at any depth (a lettered item is part of a paragraph of the document)."""
    children: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == DCT + "isPartOf" and isinstance(t.subject, NamedNode):
            children[text(t.object)].add(t.subject.value)
    found: set[str] = set()
    todo = [whole]
    while todo:
        for child in children.pop(todo.pop(), set()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _property_order(prop: Link) -> tuple:
    if prop.iri == TYPE:
        return (0, 0, "")
    if prop.iri in FIRST:
        return (1, FIRST.index(prop.iri), "")
    if prop.iri in PROVENANCE:
        return (3, 0, prop.label.lower())
    return (2, 0, prop.label.lower())
