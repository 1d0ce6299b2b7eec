"""The dataset's self-description in VoID and DCAT (DCAT-AP 3.0 on what we publish): catalogue,
dataset, SPARQL service and distributions; version, licence, publisher, creator, dates, sources;
statistics with class, property and class-to-class partitions (the shape SIB's void-generator
writes, which SPARQL editors complete names from); vocabularies, examples and linksets.

Statistics are computed once from the curated graphs only (never from the graphs that describe
them). The VoID's own IRIs live under the base IRI (`{base}void#...`); every address of the
deployment (endpoint, downloads, landing page) comes from the public URL.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Triple

from app.formats import AnswerKind, Format, by_name
from app.graph.oxigraph import Subject, Term, parallel, solutions, subject_of, text
from app.linkeddata.catalogue import Catalogue
from app.linkeddata.dumps import DUMP_FORMATS, STEM, Dump
from app.linkeddata.iris import IriSpace
from app.linkeddata.names import fallback
from app.linkeddata.view import Link
from app.namespaces import (
    CMS,
    DCAT,
    DCT,
    FOAF,
    OWL,
    PREFIXES,
    PROV,
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
KEYWORDS = (
    "migratory species",
    "Convention on Migratory Species",
    "CMS Family",
    "biodiversity conventions",
    "synergies",
    "partnerships",
    "Aichi Biodiversity Targets",
)
# Who publishes and curates the graph: the project itself, not the CMS Secretariat (whose report is
# the source, and who has not endorsed this graph).
PUBLISHER_NAME = "CMS Synergies Knowledge Graph project"
DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAMES = {DEFAULT_LICENCE: "Creative Commons Attribution 4.0 International (CC BY 4.0)"}
VOID_EXT = "http://ldf.fi/void-ext#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
IANA = "http://www.iana.org/assignments/media-types/"
GZIP = IANA + "application/gzip"
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
SHA256 = NamedNode(SPDX + "checksumAlgorithm_sha256")
PROVENANCE = (
    "Curated by hand in Turtle from the report UNEP/CMS/COP11/Doc.21.1 and reference data; every "
    "fact points to the paragraph or document that states it (prov:wasDerivedFrom). Checked against "
    "SHACL shapes before loading."
)
EXAMPLES_PER_KIND = 1
MAX_EXAMPLES = 12

CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
HEADER = f"""SELECT ?p ?v WHERE {{ ?o a <{OWL}Ontology> ; ?p ?v
  FILTER(?p IN (<{DCT}license>, <{DCT}created>, <{DCT}issued>, <{DCT}modified>)) }}"""
LABELS = f"SELECT ?x ?l WHERE {{ ?x <{RDFS}label>|<{SKOS}prefLabel> ?l }}"
DATE_TYPES = frozenset(XSD + t for t in ("date", "gYear", "gYearMonth", "dateTime"))


@dataclass
class Linkset:
    predicate: str
    target: str  # the other dataset's IRI space, e.g. http://www.wikidata.org/
    triples: int


@dataclass
class ClassProperty:
    """Statements with one property about the instances of one class (a nested partition)."""

    prop: str
    triples: int
    subjects: int
    objects: int
    classes: list[tuple[str, int]] = field(default_factory=list)  # (object class, triples)
    datatypes: list[tuple[str, int]] = field(default_factory=list)  # (datatype, triples)


@dataclass
class Stats:
    """Everything the VoID/DCAT description says, computed once from the curated graphs."""

    version: str
    licence: str
    issued: str | None
    modified: str | None
    triples: int
    subjects: int
    objects: int
    property_count: int
    entities: int
    classes: list[tuple[str, str, int]]
    properties: list[tuple[str, str, int, int, int]]  # (IRI, label, triples, subjects, objects)
    class_properties: dict[str, list[ClassProperty]]
    graphs: list[tuple[str, int]]
    vocabularies: list[str]
    examples: list[Link]
    linksets: list[Linkset]
    sources: list[str]
    temporal: tuple[str, str] | None
    dumps: list[Dump] = field(default_factory=list)


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def compute(
    store: Store,
    version: str,
    catalogue: Catalogue,
    space: IriSpace,
    dumps: list[Dump],
    counted: Tally | None = None,
) -> Stats:
    """The statistics of the store's data; `counted`, its `tally` if already taken (the annex
    takes it beside the catalogue's build, which needs the GIL while the counts do not)."""
    graphs = space.curated_graphs(store)

    def rows(query: str) -> QuerySolutions:
        return solutions(store.query(query, default_graph=[*graphs], named_graphs=[*graphs]))

    names: dict[str, str] = {}
    for row in rows(LABELS):
        if row["l"].language in ("en", None):
            names.setdefault(row["x"].value, row["l"].value)

    def name(iri: str) -> str:
        return names.get(iri) or fallback(iri)

    classes = sorted(
        ((r["c"].value, name(r["c"].value), int(r["n"].value)) for r in rows(CLASSES)),
        key=lambda c: (-c[2], c[1], c[0]),
    )
    tally = counted or count(store, space)
    properties = sorted(
        ((p, name(p), n, subjects, objects) for p, (n, subjects, objects) in tally.per_property.items()),
        key=lambda p: (-p[2], p[1], p[0]),
    )
    sizes = sorted((r["g"].value, int(r["n"].value)) for r in rows(GRAPHS) if isinstance(r["g"], NamedNode))
    vocabularies = sorted({_namespace(c) for c, _, _ in classes} | {_namespace(p[0]) for p in properties})
    header = {r["p"].value: r["v"].value for r in rows(HEADER)}
    examples = [
        Link(e.iri, e.href or e.iri, e.label)
        for kind in catalogue.kinds.values()
        for e in kind.entries[:EXAMPLES_PER_KIND]
    ][:MAX_EXAMPLES]
    return Stats(
        version=version,
        licence=header.get(DCT + "license", DEFAULT_LICENCE),
        issued=header.get(DCT + "issued") or header.get(DCT + "created"),
        modified=header.get(DCT + "modified") or header.get(DCT + "issued") or header.get(DCT + "created"),
        triples=tally.triples,
        subjects=tally.subjects,
        objects=tally.objects,
        property_count=len(tally.per_property),
        entities=catalogue.total,
        classes=classes,
        properties=properties,
        class_properties=tally.class_properties,
        graphs=sizes,
        vocabularies=vocabularies,
        examples=examples,
        linksets=_linksets(store, catalogue, graphs),
        sources=_sources(store, graphs),
        temporal=(tally.dates[0][:10], tally.dates[1][:10]) if tally.dates else None,
        dumps=dumps,
    )


@dataclass(frozen=True)
class Tally:
    """The statistics' counts, each a SPARQL aggregate over the union default graph."""

    triples: int
    subjects: int
    objects: int
    per_property: dict[str, tuple[int, int, int]]  # property -> (triples, subjects, objects)
    class_properties: dict[str, list[ClassProperty]]
    dates: tuple[str, str] | None  # the first and last date a literal states


def count(store: Store, space: IriSpace) -> Tally:
    """The counts of the statistics: SPARQL aggregates, which pyoxigraph runs without the GIL."""
    inferred = NamedNode(f"{space.base}graph/inferred")
    return _tally(store, [g for g in space.curated_graphs(store) if g != inferred])


def _tally(store: Store, stated: list[NamedNode]) -> Tally:
    """Totals, per property, and per class the curated files state (not the inferred
    superclasses): per property, per class of the objects, per datatype of the literals.

    They read the store's default graph, which holds each triple of the curated graphs (and their
    inferences) once and nothing else: the counts need no DISTINCT over the merged graphs (which
    took as long as counting in Python, 15 s at 10^6 triples; these take 9 s)."""

    def rows(query: str) -> list[dict[str, str]]:
        answer = solutions(store.query(query))
        names = [v.value for v in answer.variables]
        return [{name: row[name].value for name in names if row[name] is not None} for row in answer]

    graphs = " ".join(f"<{g.value}>" for g in stated)
    typed, object_typed = _STATED_TYPES.format(graphs=graphs, s="s", c="c"), _STATED_TYPES.format(
        graphs=graphs, s="o", c="oc"
    )
    dated = _DATES.format(types=", ".join(f"<{t}>" for t in sorted(DATE_TYPES)))
    # independent aggregates, side by side (8 -> 4.5 s at 10^6 triples on 2 cores)
    answers = parallel(
        rows,
        [
            _TOTALS,
            _PER_PROPERTY,
            _PER_CLASS_PROPERTY.format(typed=typed),
            _CLASS_LINKS.format(typed=typed, object_typed=object_typed),
            _CLASS_DATATYPES.format(typed=typed),
            dated,
        ],
    )
    (totals,), per_property_rows, class_property_rows, link_rows, datatype_rows, (dates,) = answers
    per_property = {r["p"]: (int(r["n"]), int(r["ns"]), int(r["no"])) for r in per_property_rows}
    found = {
        (r["c"], r["p"]): ClassProperty(r["p"], int(r["n"]), int(r["ns"]), int(r["no"]))
        for r in class_property_rows
    }
    for r in link_rows:
        found[(r["c"], r["p"])].classes.append((r["oc"], int(r["n"])))
    for r in datatype_rows:
        found[(r["c"], r["p"])].datatypes.append((r["dt"], int(r["n"])))
    by_class: dict[str, list[ClassProperty]] = {}
    for (cls, _), partition in sorted(found.items()):
        partition.classes.sort()
        partition.datatypes.sort()
        by_class.setdefault(cls, []).append(partition)
    return Tally(
        triples=int(totals["n"]),
        subjects=int(totals["ns"]),
        objects=int(totals["no"]),
        per_property=per_property,
        class_properties=by_class,
        dates=(dates["first"], dates["last"]) if "first" in dates else None,
    )


_TOTALS = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?o) AS ?no) WHERE { ?s ?p ?o }"
_PER_PROPERTY = """SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?o) AS ?no)
WHERE { ?s ?p ?o } GROUP BY ?p"""
# each node ?{s} with each class ?{c} a curated file states for it (`{graphs}`: the stated graphs)
_STATED_TYPES = """{{ SELECT DISTINCT ?{s} ?{c}
  {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?{s} a ?{c} }} FILTER(isIRI(?{c})) }} }}"""
_PER_CLASS_PROPERTY = """SELECT ?c ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?o) AS ?no)
WHERE {{ {typed} ?s ?p ?o }} GROUP BY ?c ?p"""
_CLASS_LINKS = """SELECT ?c ?p ?oc (COUNT(*) AS ?n)
WHERE {{ {typed} ?s ?p ?o . {object_typed} }} GROUP BY ?c ?p ?oc"""
_CLASS_DATATYPES = """SELECT ?c ?p ?dt (COUNT(*) AS ?n)
WHERE {{ {typed} ?s ?p ?o FILTER(isLiteral(?o)) BIND(datatype(?o) AS ?dt) }} GROUP BY ?c ?p ?dt"""
# the datatype bound once per triple (`datatype(?o) IN (...)` computes it once per member)
_DATES = """SELECT (MIN(STR(?o)) AS ?first) (MAX(STR(?o)) AS ?last)
WHERE {{ ?s ?p ?o BIND(datatype(?o) AS ?d) FILTER(?d IN ({types})) }}"""


def _sources(store: Store, graphs: list[NamedNode]) -> list[str]:
    """The documents the facts are drawn from: those a statement is derived from, or one of whose
    parts is (followed up dct:isPartOf to the whole)."""
    curated = set(graphs)
    derived = {
        q.object
        for q in store.quads_for_pattern(None, NamedNode(PROV + "wasDerivedFrom"), None)
        if q.graph_name in curated and isinstance(q.object, NamedNode)
    }
    document = NamedNode(CMS + "Document")
    found: set[str] = set()
    for part in derived:
        node, seen = part, set()
        while node not in seen:
            seen.add(node)
            parents = [
                q.object
                for q in store.quads_for_pattern(node, NamedNode(DCT + "isPartOf"), None)
                if isinstance(q.object, NamedNode)
            ]
            if not parents:
                break
            node = min(parents, key=str)
        if any(True for _ in store.quads_for_pattern(node, RDF_TYPE, document)):
            found.add(node.value)
    return sorted(found)


def _linksets(store: Store, catalogue: Catalogue, graphs: list[NamedNode]) -> list[Linkset]:
    """Links from our resources to IRIs of other datasets, counted per property and target."""
    ours = {e.iri for kind in catalogue.kinds.values() for e in kind.entries}
    counts: Counter[tuple[str, str]] = Counter()
    curated = set(graphs)
    for predicate in LINK_PREDICATES:
        seen = set()
        for quad in store.quads_for_pattern(None, NamedNode(predicate), None):
            triple = quad.triple
            if quad.graph_name not in curated or triple in seen:
                continue
            if text(triple.subject) not in ours or not isinstance(triple.object, NamedNode):
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
    """A readable fragment for a partition of `iri`; a short hash keeps unknown IRIs apart."""
    name = prefixed(iri)
    if name is None:
        return "x" + hashlib.sha256(iri.encode()).hexdigest()[:10]
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")


def media_type_iri(media_type: str) -> NamedNode:
    return NamedNode(IANA + media_type)


def _date(value: str) -> Literal:
    return Literal(value[:10], datatype=NamedNode(XSD + ("date" if len(value) >= 10 else "gYear")))


@dataclass(frozen=True)
class Addresses:
    """Where the deployment answers (from --public-url): endpoint, downloads, landing page."""

    public: str

    @property
    def endpoint(self) -> str:
        return self.public + "sparql"

    @property
    def dumps(self) -> str:
        return self.public + "dumps/"

    def dump(self, name: str) -> str:
        return self.public + "dumps/" + name

    @property
    def void(self) -> str:
        return self.public + ".well-known/void"

    @property
    def examples(self) -> str:
        return self.public + ".well-known/sparql-examples"


# Adds one statement (subject, predicate IRI, object) to the description being written.
Add = Callable[[Subject, str, Term], None]


def triples(stats: Stats, space: IriSpace, where: Addresses, with_dump_files: bool = True) -> list[Triple]:
    """The VoID and DCAT description as triples, with readable hash IRIs for its parts.

    `with_dump_files=False` leaves out the dumps' sizes and checksums, which are known only once the
    dumps are written (the copy loaded into the endpoint at start-up does not wait for them)."""
    doc = space.base + "void"
    dataset = NamedNode(doc + "#dataset")
    catalog = NamedNode(doc + "#catalog")
    publisher = NamedNode(doc + "#publisher")
    licence = NamedNode(stats.licence)
    out: list[Triple] = []

    def add(s: Subject, p: str, o: Term) -> None:
        out.append(Triple(s, NamedNode(p), o))

    def text(value: str) -> Literal:
        return Literal(value, language="en")

    add(NamedNode(doc), RDF + "type", NamedNode(VOID + "DatasetDescription"))
    add(NamedNode(doc), DCT + "title", text(f"VoID and DCAT description of the {TITLE}"))
    add(NamedNode(doc), FOAF + "primaryTopic", dataset)

    add(catalog, RDF + "type", NamedNode(DCAT + "Catalog"))
    add(catalog, DCT + "title", text(f"Catalogue of the {TITLE}"))
    add(catalog, DCT + "description", text("The knowledge graph and the SPARQL service that serves it."))
    add(catalog, DCT + "publisher", publisher)
    add(catalog, DCT + "license", licence)
    add(catalog, FOAF + "homepage", NamedNode(where.public))
    add(catalog, DCAT + "dataset", dataset)
    add(catalog, DCAT + "service", NamedNode(doc + "#sparql"))
    add(NamedNode(where.public), RDF + "type", NamedNode(FOAF + "Document"))

    add(publisher, RDF + "type", NamedNode(FOAF + "Agent"))
    add(publisher, RDF + "type", NamedNode(FOAF + "Organization"))
    add(publisher, FOAF + "name", text(PUBLISHER_NAME))
    add(licence, RDF + "type", NamedNode(DCT + "LicenseDocument"))
    if stats.licence in LICENCE_NAMES:
        add(licence, RDFS + "label", text(LICENCE_NAMES[stats.licence]))

    for kind in ("void:Dataset", "dcat:Dataset"):
        prefix, local = kind.split(":")
        out.append(Triple(dataset, RDF_TYPE, NamedNode(PREFIXES[prefix] + local)))
    add(dataset, DCT + "title", text(TITLE))
    add(dataset, DCT + "description", text(DESCRIPTION))
    add(dataset, DCT + "identifier", Literal(space.base))
    add(dataset, DCAT + "landingPage", NamedNode(where.public))
    add(dataset, DCAT + "version", Literal(stats.version))
    add(dataset, OWL + "versionInfo", Literal(stats.version))
    add(dataset, DCT + "license", licence)
    add(dataset, DCT + "publisher", publisher)
    add(dataset, DCT + "creator", publisher)
    if stats.issued:
        add(dataset, DCT + "issued", _date(stats.issued))
    if stats.modified:
        add(dataset, DCT + "modified", _date(stats.modified))
    # The documents the facts come from. (DCAT-AP keeps dct:source for datasets; these are documents.)
    for source in stats.sources:
        add(dataset, PROV + "wasDerivedFrom", NamedNode(source))
    provenance = NamedNode(doc + "#provenance")
    add(dataset, DCT + "provenance", provenance)
    add(provenance, RDF + "type", NamedNode(DCT + "ProvenanceStatement"))
    add(provenance, RDFS + "comment", text(PROVENANCE))
    for keyword in KEYWORDS:
        add(dataset, DCAT + "keyword", text(keyword))
    if stats.temporal:
        period = NamedNode(doc + "#temporal")
        add(dataset, DCT + "temporal", period)
        add(period, RDF + "type", NamedNode(DCT + "PeriodOfTime"))
        add(period, DCAT + "startDate", _date(stats.temporal[0]))
        add(period, DCAT + "endDate", _date(stats.temporal[1]))
    add(dataset, VOID + "triples", _int(stats.triples))
    add(dataset, VOID + "entities", _int(stats.entities))
    add(dataset, VOID + "distinctSubjects", _int(stats.subjects))
    add(dataset, VOID + "distinctObjects", _int(stats.objects))
    add(dataset, VOID + "properties", _int(stats.property_count))
    add(dataset, VOID + "classes", _int(len(stats.classes)))
    add(dataset, VOID + "uriSpace", Literal(space.base + "id/"))
    add(dataset, VOID + "rootResource", NamedNode(space.ontology))
    add(dataset, VOID + "sparqlEndpoint", NamedNode(where.endpoint))
    add(dataset, VOID + "feature", NamedNode("http://www.w3.org/ns/formats/Turtle"))
    add(dataset, VOID + "feature", NamedNode("http://www.w3.org/ns/formats/JSON-LD"))
    for vocabulary in stats.vocabularies:
        add(dataset, VOID + "vocabulary", NamedNode(vocabulary))
    for example in stats.examples:
        add(dataset, VOID + "exampleResource", NamedNode(example.iri))
    _partitions(stats, doc, dataset, add)
    for graph, count in stats.graphs:
        node = NamedNode(f"{doc}#graph-{graph.rsplit('/', 1)[-1]}")
        add(dataset, VOID + "subset", node)
        add(node, RDF + "type", NamedNode(VOID + "Dataset"))
        add(node, SD + "name", NamedNode(graph))
        add(node, VOID + "triples", _int(count))
    service = NamedNode(doc + "#sparql")
    add(dataset, DCAT + "accessService", service)
    add(service, RDF + "type", NamedNode(DCAT + "DataService"))
    add(service, DCT + "title", text(f"SPARQL 1.1 endpoint of the {TITLE}"))
    add(service, DCT + "license", licence)
    add(service, DCAT + "endpointURL", NamedNode(where.endpoint))
    add(service, DCAT + "endpointDescription", NamedNode(where.endpoint))
    add(service, DCAT + "servesDataset", dataset)
    protocol = NamedNode("https://www.w3.org/TR/sparql11-protocol/")
    add(service, DCT + "conformsTo", protocol)
    add(protocol, RDF + "type", NamedNode(DCT + "Standard"))
    _distributions(stats, doc, dataset, licence, where, add, with_dump_files)
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
    return grouped(out)


def _partitions(stats: Stats, doc: str, dataset: NamedNode, add: Add) -> None:
    """Class partitions (with their property, object-class and datatype partitions, as SIB's
    void-generator nests them) and property partitions of the whole dataset. The nested
    partitions carry only what a schema reader needs (property or class, and triples): their
    types and distinct counts would add half again to a graph that every query worker loads."""
    for cls, _label, count in stats.classes:
        node = NamedNode(f"{doc}#class-{_slug(cls)}")
        add(dataset, VOID + "classPartition", node)
        add(node, RDF + "type", NamedNode(VOID + "Dataset"))
        add(node, VOID + "class", NamedNode(cls))
        add(node, VOID + "entities", _int(count))
        for part in stats.class_properties.get(cls, []):
            sub = NamedNode(f"{node.value}-property-{_slug(part.prop)}")
            add(node, VOID + "propertyPartition", sub)
            add(sub, VOID + "property", NamedNode(part.prop))
            add(sub, VOID + "triples", _int(part.triples))
            for other, n in part.classes:
                leaf = NamedNode(f"{sub.value}-class-{_slug(other)}")
                add(sub, VOID + "classPartition", leaf)
                add(leaf, VOID + "class", NamedNode(other))
                add(leaf, VOID + "triples", _int(n))
            for datatype, n in part.datatypes:
                leaf = NamedNode(f"{sub.value}-datatype-{_slug(datatype)}")
                add(sub, VOID_EXT + "datatypePartition", leaf)
                add(leaf, VOID_EXT + "datatype", NamedNode(datatype))
                add(leaf, VOID + "triples", _int(n))
    for prop, _label, count, subjects, objects in stats.properties:
        node = NamedNode(f"{doc}#property-{_slug(prop)}")
        add(dataset, VOID + "propertyPartition", node)
        add(node, RDF + "type", NamedNode(VOID + "Dataset"))
        add(node, VOID + "property", NamedNode(prop))
        add(node, VOID + "triples", _int(count))
        add(node, VOID + "distinctSubjects", _int(subjects))
        add(node, VOID + "distinctObjects", _int(objects))


def _distribution(doc: str, name: str) -> NamedNode:
    return NamedNode(f"{doc}#dump-{name.removeprefix(STEM + '.').replace('.', '-')}")


def _distributions(
    stats: Stats,
    doc: str,
    dataset: NamedNode,
    licence: NamedNode,
    where: Addresses,
    add: Add,
    with_files: bool,
) -> None:
    """A distribution per dump file (plain and gzipped), each with its download URL (and, once the
    dumps are written, size and checksum)."""
    for fmt, gzipped in dump_files():
        name = f"{STEM}.{fmt.extension}" + (".gz" if gzipped else "")
        url = NamedNode(where.dump(name))
        dist = _distribution(doc, name)
        if not gzipped:
            add(dataset, VOID + "dataDump", url)
        add(dataset, DCAT + "distribution", dist)
        add(dist, RDF + "type", NamedNode(DCAT + "Distribution"))
        what = f"{name}: the whole graph in {fmt.name}" + (", gzipped" if gzipped else "")
        add(dist, DCT + "title", Literal(what, language="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", NamedNode(where.dumps))
        add(dist, DCT + "license", licence)
        media = media_type_iri(fmt.media_type)
        add(dist, DCAT + "mediaType", media)
        add(media, RDF + "type", NamedNode(DCT + "MediaType"))
        if gzipped:
            add(dist, DCAT + "compressFormat", NamedNode(GZIP))
            add(NamedNode(GZIP), RDF + "type", NamedNode(DCT + "MediaType"))
        if fmt.name == "nquads":
            add(dist, DCT + "description", Literal("One named graph per curated file.", language="en"))
    if with_files:
        for t in dump_file_triples(stats.dumps, None, where, doc):
            add(subject_of(t), t.predicate.value, t.object)


def dump_file_triples(
    dumps: list[Dump], space: IriSpace | None, where: Addresses, doc: str | None = None
) -> list[Triple]:
    """Each dump's size and SHA-256, on its distribution."""
    doc = doc or (space.base + "void" if space else "")
    out = []
    for dump in dumps:
        dist = _distribution(doc, dump.name)
        checksum = NamedNode(f"{dist.value}-sha256")
        out += [
            Triple(
                dist,
                NamedNode(DCAT + "byteSize"),
                Literal(str(dump.size), datatype=NamedNode(XSD + "nonNegativeInteger")),
            ),
            Triple(dist, NamedNode(SPDX + "checksum"), checksum),
            Triple(checksum, RDF_TYPE, NamedNode(SPDX + "Checksum")),
            Triple(checksum, NamedNode(SPDX + "algorithm"), SHA256),
            Triple(SHA256, RDF_TYPE, NamedNode(SPDX + "ChecksumAlgorithm")),
            Triple(
                checksum,
                NamedNode(SPDX + "checksumValue"),
                Literal(dump.sha256, datatype=NamedNode(XSD + "hexBinary")),
            ),
        ]
    return out


def dump_files() -> list[tuple[Format, bool]]:
    """(format, gzipped) of every dump file, in the order they are listed."""
    return [(by_name(name, AnswerKind.RDF), gz) for name in DUMP_FORMATS for gz in (False, True)]


def grouped(items: list[Triple]) -> list[Triple]:
    """Unique triples grouped by subject (in order of first mention), so Turtle reads as blocks."""
    groups: dict[object, list[Triple]] = {}
    for t in dict.fromkeys(items):
        groups.setdefault(t.subject, []).append(t)
    return [t for group in groups.values() for t in group]
