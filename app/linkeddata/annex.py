"""The graphs about the data that the endpoint serves beside it, computed when the data is loaded:

- `{base}.well-known/sparql-examples`: every canned query (queries/*.rq, with its example values
  bound, so it runs as written) and every example of the SPARQL editor, in the SIB format
  (sh:SPARQLExecutable with rdfs:comment, sh:select / sh:construct, sh:prefixes, schema:target,
  schema:keywords), which SIB's sparql-editor and anything reading sib-swiss/sparql-examples read;
- `{base}.well-known/void`: the VoID/DCAT description with its class, property and class-to-class
  partitions (without the dumps' sizes and checksums, known only once the dumps are written).

A SPARQL client that knows only our endpoint finds the examples, classes and properties there. The
same triples are served at /.well-known/sparql-examples and (with the dumps' checksums) /void.
"""

from __future__ import annotations

import hashlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Store, Triple

from app.canned import examples
from app.canned.catalogue import load_catalogue, queries_dir
from app.canned.errors import CannedError
from app.canned.examples import EXAMPLES
from app.canned.label_index import LabelIndex
from app.canned.runner import Runner
from app.canned.spec import CannedQuery
from app.linkeddata import catalogue as resources
from app.linkeddata import void
from app.linkeddata.catalogue import superclasses
from app.linkeddata.iris import IriSpace
from app.namespaces import DCT, PREFIXES, RDF, RDFS, SH, XSD
from app.settings import Settings

log = logging.getLogger(__name__)

SCHEMA = "https://schema.org/"
EXAMPLE_PREFIXES = {**PREFIXES, "sh": SH}
KIND_OF_QUERY = {
    "select": "SPARQLSelectExecutable",
    "construct": "SPARQLConstructExecutable",
    "ask": "SPARQLAskExecutable",
    "describe": "SPARQLDescribeExecutable",
}
SOURCES = (Path(__file__), Path(void.__file__), Path(examples.__file__))


@dataclass(frozen=True)
class Example:
    """One executable example: its fragment, form (select, construct...), text and description."""

    slug: str
    form: str
    sparql: str
    comment: str
    description: str | None
    keywords: tuple[str, ...]
    see_also: str | None = None


def query_form(sparql: str) -> str:
    """select, construct, ask or describe: run on an empty store, which also checks that it parses."""
    answer = Store().query(sparql)
    if isinstance(answer, QuerySolutions):
        return "select"
    if isinstance(answer, QueryBoolean):
        return "ask"
    body = re.sub(r"#[^\n]*|<[^>]*>|\"(?:[^\"\\]|\\.)*\"", " ", sparql)
    return "describe" if re.search(r"\bDESCRIBE\b", body, re.IGNORECASE) else "construct"


def canned_examples(settings: Settings, store: Store, runner: Runner | None = None) -> list[Example]:
    """Each canned query with its example values bound (labels resolved in this store, by the
    server's own runner when it has one: indexing the labels again costs seconds at 10^5 triples)."""
    if runner is None:
        runner = Runner(load_catalogue(queries_dir(settings)), LabelIndex.from_store(store))
    found = []
    for query in runner.catalogue:
        try:
            sparql = runner.prepare(query.name, {k: [str(v)] for k, v in query.example.items()}).sparql
        except CannedError as error:  # a graph without the example's resources (a test fixture)
            log.warning("example of %s left unbound: %s", query.name, error)
            sparql = runner.prepare(query.name, {}).sparql if not _required(query) else query.sparql
        words = {w for w in query.name.split("-") if len(w) > 3}
        kinds = {p.kind for p in query.parameters if p.kind}
        keywords = tuple(sorted(words | kinds | {"canned query"}))
        found.append(
            Example(
                slug=query.name,
                form=query_form(sparql),
                sparql=sparql,
                comment=query.title,
                description=query.description,
                keywords=keywords,
                see_also=f"{settings.public_base}api/queries/{query.name}",
            )
        )
    return found


def _required(query: CannedQuery) -> bool:
    return any(p.required for p in query.parameters)


def editor_examples() -> list[Example]:
    """The SPARQL editor's own starting points (app/canned/examples.py)."""
    found = []
    for example in EXAMPLES:
        slug = "editor-" + re.sub(r"[^a-z0-9]+", "-", example.title.lower()).strip("-")
        found.append(
            Example(slug, query_form(example.sparql), example.sparql, example.title, None, ("editor",))
        )
    return found


def example_triples(examples: list[Example], space: IriSpace, endpoint: str) -> list[Triple]:
    """The examples as SHACL executables, with one shared sh:prefixes node declaring our prefixes."""
    doc = space.examples_graph
    prefixes = NamedNode(doc + "#prefixes")
    out: list[Triple] = []

    def add(s: NamedNode, p: str, o: NamedNode | Literal) -> None:
        out.append(Triple(s, NamedNode(p), o))

    add(prefixes, RDF + "type", NamedNode("http://www.w3.org/2002/07/owl#Ontology"))
    for prefix, namespace in sorted(EXAMPLE_PREFIXES.items()):
        declaration = NamedNode(f"{doc}#prefix-{prefix}")
        add(prefixes, SH + "declare", declaration)
        add(declaration, SH + "prefix", Literal(prefix))
        add(declaration, SH + "namespace", Literal(namespace, datatype=NamedNode(XSD + "anyURI")))
    for example in examples:
        node = NamedNode(f"{doc}#{example.slug}")
        add(node, RDF + "type", NamedNode(SH + "SPARQLExecutable"))
        add(node, RDF + "type", NamedNode(SH + KIND_OF_QUERY[example.form]))
        add(node, RDFS + "comment", Literal(example.comment, language="en"))
        if example.description:
            add(node, DCT + "description", Literal(example.description, language="en"))
        add(node, SH + ("describe" if example.form == "describe" else example.form), Literal(example.sparql))
        add(node, SH + "prefixes", prefixes)
        add(node, SCHEMA + "target", NamedNode(endpoint))
        for keyword in example.keywords:
            add(node, SCHEMA + "keywords", Literal(keyword, language="en"))
        if example.see_also:
            add(node, RDFS + "seeAlso", NamedNode(example.see_also))
    return out


@dataclass(frozen=True)
class Annex:
    """Computes the annex graphs of a loaded store; `key` names every input but the data itself
    (settings, canned queries, the code that writes them), so an on-disk build is remade when
    one of them changes."""

    settings: Settings

    @property
    def key(self) -> str:
        digest = hashlib.sha256()
        digest.update(f"{self.settings.base_iri}\0{self.settings.public_base}\0".encode())
        for path in [*SOURCES, *sorted(queries_dir(self.settings).glob("*.rq"))]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()[:12]

    def __call__(self, store: Store, version: str, runner: Runner | None = None) -> list[Quad]:
        space = IriSpace(self.settings.base_iri)
        where = void.Addresses(self.settings.public_base)
        # the VoID counts (engine work, without the GIL) run beside the examples and the catalogue
        # (Python work): 11.6 -> 8.5 s at 10^6 triples on 2 cores
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="void-count") as pool:
            counting = pool.submit(void.count, store, space)
            examples = example_triples(
                canned_examples(self.settings, store, runner) + editor_examples(), space, where.endpoint
            )
            index = resources.build(store, space, superclasses(store))
            counted = counting.result()
        stats = void.compute(store, version, index, space, dumps=[], counted=counted)
        description = void.triples(stats, space, where, with_dump_files=False)
        return [Quad(t.subject, t.predicate, t.object, NamedNode(space.examples_graph)) for t in examples] + [
            Quad(t.subject, t.predicate, t.object, NamedNode(space.void_graph)) for t in description
        ]


def for_build(settings: Settings) -> Annex | None:
    """The annex to compute inside a store's build: an on-disk build must hold it (it is opened
    read-only afterwards); an in-memory store gets it later from `ensure`, with the server's runner."""
    return Annex(settings) if settings.store is not None else None


def ensure(
    settings: Settings, store: Store, version: str, writable: bool, runner: Runner | None = None
) -> list[Quad]:
    """Add the annex graphs to a store that lacks them (a dataset built without them, in memory);
    the quads added."""
    space = IriSpace(settings.base_iri)
    if store.contains_named_graph(NamedNode(space.examples_graph)):
        return []
    if not writable:
        log.warning("the read-only store has no SPARQL examples or VoID graph; rebuild it with `cmskg serve`")
        return []
    quads = Annex(settings)(store, version, runner)
    store.extend(quads)
    return quads


def graph_triples(store: Store, graph: str) -> list[Triple]:
    """One annex graph's triples as stored (in their stable order of writing is not kept: sorted)."""
    quads = store.quads_for_pattern(None, None, None, NamedNode(graph))
    return sorted((q.triple for q in quads), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
