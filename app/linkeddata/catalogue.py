"""Index pages: every minted resource, grouped by the kind in its IRI ({base}id/{kind}/{slug}).

The curated graph does not change while the server runs, so the index is read once from the
main-process store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store

from app.graph.oxigraph import solutions, text
from app.linkeddata.iris import IriSpace
from app.linkeddata.names import Labels, fallback, humanise
from app.namespaces import LABEL_PROPERTIES, OWL, RDF, RDFS, local_name

SUBCLASS = NamedNode(RDFS + "subClassOf")

CLASS_LABELS = f"SELECT ?c ?label WHERE {{ ?c a <{OWL}Class> ; <{RDFS}label> ?label }}"


@dataclass
class Entry:
    iri: str
    href: str
    label: str
    types: list[str] = field(default_factory=list)


@dataclass
class CatalogueSection:
    """All resources whose IRIs share one kind segment, with counts per class."""

    slug: str
    title: str
    entries: list[Entry]
    classes: list[tuple[str, str, int]]  # (class IRI, label, count)

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def href(self) -> str:
        return f"/id/{self.slug}/"


@dataclass
class Catalogue:
    kinds: dict[str, CatalogueSection]

    @property
    def total(self) -> int:
        return sum(k.count for k in self.kinds.values())


def build(store: Store, space: IriSpace, ancestors: dict[str, frozenset[str]] | None = None) -> Catalogue:
    """The index of every minted resource; with `ancestors`, each listed under its most specific
    classes only (not the superclasses the inferred graph adds)."""
    prefix = space.base + "id/"
    labels = Labels()
    class_labels: dict[str, str] = {}
    for row in solutions(store.query(CLASS_LABELS)):
        if row["label"].language in ("en", None):
            class_labels[row["c"].value] = row["label"].value
    # The union default graph holds each curated triple once (and nothing computed beside the
    # data): the minted subjects come from one SPARQL scan of it, their types and labels from
    # quad patterns on it (a single SPARQL join of every statement with every type and label was
    # 50 times slower; scanning every quad of every graph in Python took 5 s at 10^6 triples).
    start = Literal(prefix)  # our configured base IRI, written as a SPARQL literal
    minted = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {start})) }}"
    seen = {row["s"].value for row in solutions(store.query(minted))}
    union = DefaultGraph()
    types: dict[str, set[str]] = defaultdict(set)
    for q in store.quads_for_pattern(None, NamedNode(RDF + "type"), None, union):
        if isinstance(q.object, NamedNode) and text(q.subject) in seen:
            types[text(q.subject)].add(q.object.value)
    for prop in LABEL_PROPERTIES:
        for q in store.quads_for_pattern(None, NamedNode(prop), None, union):
            if isinstance(q.object, Literal) and text(q.subject) in seen:
                labels.add([q.triple])
    ancestors = ancestors or {}
    for subject, found in types.items():
        implied = {a for t in found for a in ancestors.get(t, frozenset()) if a != t}
        types[subject] = found - implied
    groups: dict[str, list[Entry]] = defaultdict(list)
    for subject in seen:
        slug = subject[len(prefix) :].split("/", 1)[0]
        names = sorted(class_labels.get(t) or fallback(t) for t in types[subject])
        groups[slug].append(Entry(subject, space.path(subject), labels(subject), names))
    kinds = {}
    for slug, entries in sorted(groups.items()):
        entries.sort(key=lambda e: (e.label.lower(), e.iri))
        counts = Counter(t for e in entries for t in types[e.iri])
        classes = sorted(
            ((c, class_labels.get(c) or fallback(c), n) for c, n in counts.items()),
            key=lambda item: (-item[2], item[1]),
        )
        kinds[slug] = CatalogueSection(slug, _title(slug, class_labels), entries, classes)
    return Catalogue(kinds)


def superclasses(store: Store) -> dict[str, frozenset[str]]:
    """Every class's superclasses (transitively), from the rdfs:subClassOf statements."""
    parents: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, SUBCLASS, None):
        if isinstance(quad.subject, NamedNode) and isinstance(quad.object, NamedNode):
            parents.setdefault(quad.subject.value, set()).add(quad.object.value)
    found: dict[str, frozenset[str]] = {}
    for cls in parents:
        seen: set[str] = set()
        todo = list(parents[cls])
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(parents.get(parent, ()))
        found[cls] = frozenset(seen)
    return found


def _title(slug: str, class_labels: dict[str, str]) -> str:
    """The kind's name: the label of the class named like it (AichiTarget for aichi-target)."""
    key = slug.replace("-", "").lower()
    for iri, label in class_labels.items():
        if local_name(iri).lower() == key:
            return label[:1].upper() + label[1:]
    name = humanise(slug)
    return name[:1].upper() + name[1:]
