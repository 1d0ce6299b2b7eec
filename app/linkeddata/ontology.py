"""The ontology, served as RDF and documented as a page generated from its own statements:
classes and properties with definitions, domains and ranges, and examples taken from the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Store, Triple, Variable

from app.graph.oxigraph import Term, solutions, text
from app.graph.store import graph_iri
from app.linkeddata.iris import IriSpace
from app.linkeddata.names import Labels
from app.linkeddata.view import Link, Linker
from app.namespaces import DCT, OWL, RDF, RDFS, SKOS, VANN, local_name

EXAMPLES = 3
PROPERTY_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
)

INSTANCES = f"""
SELECT ?s ?label ?c WHERE {{
  ?s a ?c OPTIONAL {{ ?s <{SKOS}prefLabel> ?label }}
}} ORDER BY ?s LIMIT 10000"""
CLASS_COUNT = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
PROPERTY_COUNT = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
USES = "SELECT ?s ?o ?p ?ns WHERE { ?s ?p ?o FILTER(!STRSTARTS(STR(?s), ?ns)) } ORDER BY ?s ?o LIMIT 3"


@dataclass
class VocabularyTerm:
    """A class or property of the ontology, as its documentation shows it."""

    iri: str
    anchor: str
    label: str
    kind: str
    definition: str = ""
    comments: list[str] = field(default_factory=list)
    parents: list[Link] = field(default_factory=list)
    children: list[Link] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)
    inverse: list[Link] = field(default_factory=list)
    with_domain: list[Link] = field(default_factory=list)
    with_range: list[Link] = field(default_factory=list)
    count: int = 0
    examples: list[tuple[Link, Link | str]] = field(default_factory=list)
    instances: list[Link] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    title: str
    description: str
    facts: list[tuple[str, str, str]]  # (label, text, href or "")
    classes: list[VocabularyTerm]
    properties: list[VocabularyTerm]
    triples: list[Triple]


def ontology_graphs(files: tuple[str, ...], base: str) -> list[NamedNode]:
    """The named graphs holding the ontology files (ontology/*.ttl)."""
    return [NamedNode(graph_iri(base, f)) for f in files if f.startswith("ontology/")]


def ontology_triples(store: Store, graphs: list[NamedNode]) -> list[Triple]:
    seen: dict[Triple, None] = {}
    for graph in graphs:
        for quad in store.quads_for_pattern(None, None, None, graph):
            seen.setdefault(quad.triple, None)
    return list(seen)


def build(store: Store, files: tuple[str, ...], space: IriSpace) -> OntologyDoc:
    triples = ontology_triples(store, ontology_graphs(files, space.base))
    about: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        about[text(t.subject)][t.predicate.value].append(t.object)
    labels = Labels(triples)
    typed = list(solutions(store.query(INSTANCES)))
    data_labels = Labels(
        Triple(row["s"], NamedNode(SKOS + "prefLabel"), row["label"])
        for row in typed
        if row["label"] is not None
    )
    linker = Linker(space, labels)
    ontology_iri = next(
        (s for s, props in about.items() if NamedNode(OWL + "Ontology") in props[RDF + "type"]),
        space.ontology,
    )
    header = about[ontology_iri]
    namespace = _text(header.get(VANN + "preferredNamespaceUri")) or ontology_iri + "#"

    class_counts = _counts(store, CLASS_COUNT, "c")
    property_counts = _counts(store, PROPERTY_COUNT, "p")
    instances: dict[str, list[str]] = defaultdict(list)
    for row in typed:
        instances[row["c"].value].append(row["s"].value)

    def iris(values: list[Term]) -> list[str]:
        return [v.value for v in values if isinstance(v, NamedNode)]

    def links(values: list[str]) -> list[Link]:
        return sorted((linker.link(v) for v in values), key=lambda link: link.label.lower())

    def term(iri: str, kind: str) -> VocabularyTerm:
        props = about[iri]
        return VocabularyTerm(
            iri=iri,
            anchor=iri[len(namespace) :] if iri.startswith(namespace) else local_name(iri),
            label=labels(iri),
            kind=kind,
            definition=_text(props.get(SKOS + "definition")),
            comments=[v.value for v in props.get(RDFS + "comment", []) if isinstance(v, Literal)],
            parents=links(iris(props.get(RDFS + "subClassOf", []) + props.get(RDFS + "subPropertyOf", []))),
            domain=links(iris(props.get(RDFS + "domain", []))),
            range=links(iris(props.get(RDFS + "range", []))),
            inverse=links(iris(props.get(OWL + "inverseOf", []))),
        )

    classes = {
        s: term(s, "class")
        for s, props in about.items()
        if NamedNode(OWL + "Class") in props[RDF + "type"] and s.startswith(namespace)
    }
    properties = {}
    for s, props in about.items():
        kinds = [text(t) for t in props[RDF + "type"] if text(t) in PROPERTY_TYPES]
        if kinds and s.startswith(namespace):
            properties[s] = term(s, local_name(kinds[0]).replace("Property", " property").lower().strip())
    for iri, cls in classes.items():
        for parent in cls.parents:
            if parent.iri in classes:
                classes[parent.iri].children.append(linker.link(iri))
        cls.count = class_counts.get(iri, 0)
        cls.instances = [Link(s, space.href(s), data_labels(s)) for s in instances.get(iri, [])[:EXAMPLES]]
    for iri, prop in properties.items():
        for domain in prop.domain:
            if domain.iri in classes:
                classes[domain.iri].with_domain.append(linker.link(iri))
        for range_ in prop.range:
            if range_.iri in classes:
                classes[range_.iri].with_range.append(linker.link(iri))
        prop.count = property_counts.get(iri, 0)
        prop.examples = _examples(store, iri, namespace, space, data_labels, linker)

    facts = [
        ("IRI", ontology_iri, space.href(ontology_iri) or ""),
        ("Version", _text(header.get(OWL + "versionInfo")), ""),
        ("Version IRI", _text(header.get(OWL + "versionIRI")), ""),
        ("Namespace", namespace, ""),
        ("Preferred prefix", _text(header.get(VANN + "preferredNamespacePrefix")), ""),
        ("Created", _text(header.get(DCT + "created")), ""),
        ("Licence", _text(header.get(DCT + "license")), _text(header.get(DCT + "license"))),
    ]
    return OntologyDoc(
        iri=ontology_iri,
        title=_text(header.get(DCT + "title")) or labels(ontology_iri),
        description=_text(header.get(DCT + "description")),
        facts=[f for f in facts if f[1]],
        classes=sorted(classes.values(), key=lambda t: t.label.lower()),
        properties=sorted(properties.values(), key=lambda t: t.label.lower()),
        triples=triples,
    )


def _text(values: list[Term] | None) -> str:
    return text(values[0]) if values else ""


def _counts(store: Store, query: str, key: str) -> dict[str, int]:
    return {row[key].value: int(row["n"].value) for row in solutions(store.query(query))}


def _examples(
    store: Store, prop: str, namespace: str, space: IriSpace, labels: Labels, linker: Linker
) -> list[tuple[Link, Link | str]]:
    """A few statements from the data that use the property (not the ontology's own)."""
    rows = solutions(
        store.query(USES, substitutions={Variable("p"): NamedNode(prop), Variable("ns"): Literal(namespace)})
    )
    out: list[tuple[Link, Link | str]] = []
    for row in rows:
        subject, obj = row["s"], row["o"]
        left = Link(subject.value, space.href(subject.value), labels(subject.value))
        if isinstance(obj, NamedNode):
            right: Link | str = Link(
                obj.value, space.href(obj.value), labels.get(obj.value) or linker.labels(obj.value)
            )
        else:
            right = text(obj)
        out.append((left, right))
    return out
