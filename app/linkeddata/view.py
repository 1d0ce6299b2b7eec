"""The page model of a resource: its description arranged for reading (no HTML here)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from app.linkeddata.describe import Description
from app.linkeddata.iris import IriSpace
from app.linkeddata.labels import Labels
from app.namespaces import CMS, DCT, LABEL_PROPERTIES, PROV, RDF, SKOS, XSD, local_name, prefixed

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
    """One object of a statement: a link, or a literal with its language or datatype."""

    text: str
    link: Link | None = None
    language: str | None = None
    datatype: str | None = None


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


class Linker:
    """Turns terms into links and values, knowing the labels and where each IRI is served."""

    def __init__(self, space: IriSpace, labels: Labels) -> None:
        self.space, self.labels = space, labels

    def link(self, iri: str, note: str = "") -> Link:
        return Link(iri, self.space.href(iri), self.labels(iri), note)

    def prop(self, iri: str) -> Link:
        return Link(iri, self.space.href(iri), self.labels.property(iri))

    def value(self, term: object) -> Value:
        if isinstance(term, NamedNode):
            link = self.link(term.value)
            return Value(link.label, link)
        if isinstance(term, BlankNode):
            return Value(f"_:{term.value}")
        assert isinstance(term, Literal)
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
        t.subject.value: t.object.value
        for t in triples
        if t.predicate.value == CMS + "number" and isinstance(t.object, Literal)
    }
    stated_in: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        if t.predicate.value == DERIVED and isinstance(t.object, NamedNode):
            stated_in[t.subject.value].append(t.object.value)
    part_of = {
        t.subject.value: t.object.value
        for t in triples
        if t.predicate.value == DCT + "isPartOf" and t.subject.value != this
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
    rows: dict[str, Row] = {}
    for t in own:
        rows.setdefault(t.predicate.value, Row(linker.prop(t.predicate.value))).values.append(
            linker.value(t.object)
        )
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
        t.subject.value: t.object.value
        for t in triples
        if t.predicate.value == DERIVED
        and isinstance(t.subject, NamedNode)
        and t.subject.value != this
        and (t.object.value == this or t.object.value in parts)
    }
    derived = sorted(
        (
            linker.link(fact, fact_note(fact) if fact_note(fact) and this not in stated_in[fact] else "")
            for fact in derived_from_here
        ),
        key=lambda link: (_natural(link.note), link.label.lower()),
    )
    types = [t.object.value for t in own if t.predicate.value == TYPE]
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
    )


def _parts(whole: str, triples: tuple[Triple, ...]) -> set[str]:
    """The parts of `whole` at any depth (a lettered item is part of a paragraph of the document)."""
    children: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == DCT + "isPartOf" and isinstance(t.subject, NamedNode):
            children[t.object.value].add(t.subject.value)
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
