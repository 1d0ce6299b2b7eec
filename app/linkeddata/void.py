"""The dataset's self-description in VoID and DCAT: version, licence, size, entity counts per
class, vocabularies, examples, the SPARQL endpoint, the dumps with checksums, and linksets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode, Store, Triple

from app.formats import Format
from app.linkeddata.catalogue import Catalogue
from app.linkeddata.dumps import Dump
from app.linkeddata.iris import IriSpace
from app.linkeddata.labels import fallback
from app.linkeddata.view import Link
from app.namespaces import (
    DCAT,
    DCT,
    FOAF,
    OWL,
    PREFIXES,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    SPDX,
    VOID,
    XSD,
    XSD_INTEGER,
    prefixed,
)

TITLE = "CMS Synergies Knowledge Graph"
DESCRIPTION = (
    "The Convention on Migratory Species Family and its synergies and partnerships with other "
    "conventions, UN bodies, NGOs, governments and companies, curated from UNEP/CMS/COP11/Doc.21.1 "
    "'Report on Synergies and Partnerships' and reference data, each fact traced to the paragraph "
    "that states it."
)
# Properties that link our resources to the same or related things in other datasets.
SD = PREFIXES["sd"]
LINK_PREDICATES = (
    OWL + "sameAs",
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
    SKOS + "relatedMatch",
    RDFS + "seeAlso",
)
EXAMPLES_PER_KIND = 1
MAX_EXAMPLES = 12

COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
  WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"""
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
LICENCE = f"SELECT ?l WHERE {{ ?o a <{OWL}Ontology> ; <{DCT}license> ?l }} LIMIT 1"
LABELS = f"SELECT ?x ?l WHERE {{ ?x <{RDFS}label>|<{SKOS}prefLabel> ?l }}"


@dataclass
class Linkset:
    predicate: str
    target: str  # the other dataset's IRI space, e.g. http://www.wikidata.org/
    triples: int


@dataclass
class Stats:
    """Everything the VoID/DCAT description says, computed once from the curated store."""

    version: str
    licence: str | None
    triples: int
    subjects: int
    objects: int
    property_count: int
    entities: int
    classes: list[tuple[str, str, int]]
    properties: list[tuple[str, str, int]]
    graphs: list[tuple[str, int]]
    vocabularies: list[str]
    examples: list[Link]
    linksets: list[Linkset]
    dumps: list[Dump] = field(default_factory=list)


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def compute(store: Store, version: str, catalogue: Catalogue, dumps: list[Dump]) -> Stats:
    def rows(query: str) -> list:
        return list(store.query(query))

    totals = rows(COUNTS)[0]
    names: dict[str, str] = {}
    for row in rows(LABELS):
        if row["l"].language in ("en", None):
            names.setdefault(row["x"].value, row["l"].value)
    classes = sorted(
        (
            (r["c"].value, names.get(r["c"].value) or fallback(r["c"].value), int(r["n"].value))
            for r in rows(CLASSES)
        ),
        key=lambda c: (-c[2], c[1]),
    )
    properties = sorted(
        (
            (r["p"].value, names.get(r["p"].value) or fallback(r["p"].value), int(r["n"].value))
            for r in rows(PROPERTIES)
        ),
        key=lambda p: (-p[2], p[1]),
    )
    graphs = sorted(
        (r["g"].value, int(r["n"].value)) for r in store.query(GRAPHS) if isinstance(r["g"], NamedNode)
    )
    vocabularies = sorted({_namespace(c) for c, _, _ in classes} | {_namespace(p) for p, _, _ in properties})
    licence = next((r["l"].value for r in rows(LICENCE)), None)
    examples = [
        Link(e.iri, e.href, e.label)
        for kind in catalogue.kinds.values()
        for e in kind.entries[:EXAMPLES_PER_KIND]
    ][:MAX_EXAMPLES]
    return Stats(
        version=version,
        licence=licence,
        triples=int(totals["triples"].value),
        subjects=int(totals["subjects"].value),
        objects=int(totals["objects"].value),
        property_count=int(totals["properties"].value),
        entities=catalogue.total,
        classes=classes,
        properties=properties,
        graphs=graphs,
        vocabularies=vocabularies,
        examples=examples,
        linksets=_linksets(store, catalogue),
        dumps=dumps,
    )


def _linksets(store: Store, catalogue: Catalogue) -> list[Linkset]:
    """Links from our resources to IRIs of other datasets, counted per property and target."""
    ours = {e.iri for kind in catalogue.kinds.values() for e in kind.entries}
    counts: Counter[tuple[str, str]] = Counter()
    for predicate in LINK_PREDICATES:
        seen = set()
        for quad in store.quads_for_pattern(None, NamedNode(predicate), None):
            triple = quad.triple
            if triple in seen or triple.subject.value not in ours or not isinstance(triple.object, NamedNode):
                continue
            seen.add(triple)
            parts = urlsplit(triple.object.value)
            if triple.object.value in ours or not parts.netloc:
                continue
            counts[(predicate, f"{parts.scheme}://{parts.netloc}/")] += 1
    return [Linkset(p, t, n) for (p, t), n in sorted(counts.items())]


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def _slug(iri: str) -> str:
    name = prefixed(iri) or iri
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")


def media_type_iri(fmt: Format) -> NamedNode:
    return NamedNode("http://www.iana.org/assignments/media-types/" + fmt.media_type)


def triples(stats: Stats, space: IriSpace) -> list[Triple]:
    """The VoID and DCAT description as triples, with readable hash IRIs for its parts."""
    doc = space.base + "void"
    dataset = NamedNode(doc + "#dataset")
    out: list[Triple] = []

    def add(s: NamedNode, p: str, o: NamedNode | Literal) -> None:
        out.append(Triple(s, NamedNode(p), o))

    add(NamedNode(doc), RDF + "type", NamedNode(VOID + "DatasetDescription"))
    add(NamedNode(doc), DCT + "title", Literal(f"VoID and DCAT description of the {TITLE}", language="en"))
    add(NamedNode(doc), FOAF + "primaryTopic", dataset)
    for kind in ("void:Dataset", "dcat:Dataset"):
        prefix, local = kind.split(":")
        out.append(Triple(dataset, RDF_TYPE, NamedNode(PREFIXES[prefix] + local)))
    add(dataset, DCT + "title", Literal(TITLE, language="en"))
    add(dataset, DCT + "description", Literal(DESCRIPTION, language="en"))
    add(dataset, DCAT + "version", Literal(stats.version))
    add(dataset, OWL + "versionInfo", Literal(stats.version))
    if stats.licence:
        add(dataset, DCT + "license", NamedNode(stats.licence))
    add(dataset, VOID + "triples", _int(stats.triples))
    add(dataset, VOID + "entities", _int(stats.entities))
    add(dataset, VOID + "distinctSubjects", _int(stats.subjects))
    add(dataset, VOID + "distinctObjects", _int(stats.objects))
    add(dataset, VOID + "properties", _int(stats.property_count))
    add(dataset, VOID + "classes", _int(len(stats.classes)))
    add(dataset, VOID + "uriSpace", Literal(space.base + "id/"))
    add(dataset, VOID + "rootResource", NamedNode(space.ontology))
    add(dataset, VOID + "sparqlEndpoint", NamedNode(space.base + "sparql"))
    for vocabulary in stats.vocabularies:
        add(dataset, VOID + "vocabulary", NamedNode(vocabulary))
    for example in stats.examples:
        add(dataset, VOID + "exampleResource", NamedNode(example.iri))
    for cls, label, count in stats.classes:
        node = NamedNode(f"{doc}#class-{_slug(cls)}")
        add(dataset, VOID + "classPartition", node)
        add(node, VOID + "class", NamedNode(cls))
        add(node, VOID + "entities", _int(count))
        add(node, RDFS + "label", Literal(f"instances of {label}", language="en"))
    for prop, label, count in stats.properties:
        node = NamedNode(f"{doc}#property-{_slug(prop)}")
        add(dataset, VOID + "propertyPartition", node)
        add(node, VOID + "property", NamedNode(prop))
        add(node, VOID + "triples", _int(count))
        add(node, RDFS + "label", Literal(f"statements with {label}", language="en"))
    for graph, count in stats.graphs:
        node = NamedNode(f"{doc}#graph-{graph.rsplit('/', 1)[-1]}")
        add(dataset, VOID + "subset", node)
        add(node, RDF + "type", NamedNode(VOID + "Dataset"))
        add(node, RDFS + "label", Literal(f"named graph {graph}", language="en"))
        add(node, SD + "name", NamedNode(graph))
        add(node, VOID + "triples", _int(count))
    service = NamedNode(doc + "#sparql")
    add(dataset, DCAT + "accessService", service)
    add(service, RDF + "type", NamedNode(DCAT + "DataService"))
    add(service, DCT + "title", Literal(f"SPARQL 1.1 endpoint of the {TITLE}", language="en"))
    add(service, DCAT + "endpointURL", NamedNode(space.base + "sparql"))
    add(service, DCAT + "endpointDescription", NamedNode(space.base + "sparql"))
    add(service, DCAT + "servesDataset", dataset)
    for dump in stats.dumps:
        url = NamedNode(space.base + "dumps/" + dump.name)
        dist = NamedNode(f"{doc}#dump-{dump.fmt.extension}")
        checksum = NamedNode(f"{doc}#dump-{dump.fmt.extension}-sha256")
        add(dataset, VOID + "dataDump", url)
        add(dataset, DCAT + "distribution", dist)
        add(dist, RDF + "type", NamedNode(DCAT + "Distribution"))
        add(dist, DCT + "title", Literal(f"{dump.name}: the whole graph in {dump.fmt.name}", language="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", NamedNode(space.base + "dumps/"))
        add(dist, DCAT + "mediaType", media_type_iri(dump.fmt))
        add(dist, DCAT + "byteSize", Literal(str(dump.size), datatype=NamedNode(XSD + "nonNegativeInteger")))
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", Literal(dump.sha256, datatype=NamedNode(XSD + "hexBinary")))
        if dump.fmt.name == "nquads":
            add(dist, DCT + "description", Literal("One named graph per curated file.", language="en"))
    for i, linkset in enumerate(stats.linksets, start=1):
        node = NamedNode(f"{doc}#linkset-{i}")
        target = NamedNode(f"{doc}#target-{_slug(linkset.target)}")
        add(dataset, VOID + "subset", node)
        add(node, RDF + "type", NamedNode(VOID + "Linkset"))
        add(node, VOID + "linkPredicate", NamedNode(linkset.predicate))
        add(node, VOID + "subjectsTarget", dataset)
        add(node, VOID + "objectsTarget", target)
        add(node, VOID + "triples", _int(linkset.triples))
        add(target, RDF + "type", NamedNode(VOID + "Dataset"))
        add(target, VOID + "uriSpace", Literal(linkset.target))
        add(target, FOAF + "homepage", NamedNode(linkset.target))
    return _grouped(out)


def _grouped(items: list[Triple]) -> list[Triple]:
    """The triples grouped by subject (in order of first mention), so Turtle reads as blocks."""
    groups: dict[object, list[Triple]] = {}
    for t in items:
        groups.setdefault(t.subject, []).append(t)
    return [t for group in groups.values() for t in group]
