"""The Linked Data site of one dataset: the pieces computed once (index, ontology, dumps, VoID,
examples, JSON-LD context) and the per-request descriptions, behind one object the routers share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

from pyoxigraph import Triple

from app.engine.service import QueryService
from app.graph.build import Dataset
from app.linkeddata import annex, catalogue, context, dumps, ontology, schema_org, void
from app.linkeddata.catalogue import superclasses
from app.linkeddata.descriptions import Description, DescriptionCache
from app.linkeddata.iris import IriSpace
from app.settings import Settings

T = TypeVar("T")


class LinkedDataSite:
    """Built at wiring time; heavy parts are made on first use (the curated graph never changes)."""

    def __init__(self, settings: Settings, dataset: Dataset) -> None:
        self.settings = settings
        self.space = IriSpace(settings.base_iri)
        self.where = void.Addresses(settings.public_base)
        self.dataset = dataset
        self.descriptions = DescriptionCache()
        self._lock = threading.RLock()  # pieces are built from other pieces
        self._made: dict[str, object] = {}

    def _once(self, key: str, make: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._made:
                self._made[key] = make()
            # cast: a key is only ever filled by its own `make`, so it holds that make's type
            return cast(T, self._made[key])

    @property
    def public(self) -> str:
        """The deployment's own address (--public-url), ending in '/'."""
        return self.where.public

    @property
    def catalogue(self) -> catalogue.Catalogue:
        return self._once(
            "catalogue", lambda: catalogue.build(self.dataset.store, self.space, self.ancestors)
        )

    @property
    def ontology(self) -> ontology.OntologyDoc:
        return self._once(
            "ontology", lambda: ontology.build(self.dataset.store, self.dataset.files, self.space)
        )

    @property
    def dumps(self) -> dict[str, dumps.Dump]:
        return self._once(
            "dumps", lambda: dumps.make_all(self.dataset.store, self.space.curated_graphs(self.dataset.store))
        )

    @property
    def checksums(self) -> bytes:
        return self._once("checksums", lambda: dumps.checksums(list(self.dumps.values())))

    @property
    def stats(self) -> void.Stats:
        return self._once(
            "stats",
            lambda: void.compute(
                self.dataset.store,
                self.dataset.version,
                self.catalogue,
                self.space,
                list(self.dumps.values()),
            ),
        )

    @property
    def void(self) -> list[Triple]:
        """The VoID/DCAT description: the graph loaded at start-up plus the dumps' sizes and
        checksums (or computed here, for a dataset whose store has no VoID graph)."""

        def make() -> list[Triple]:
            stored = annex.graph_triples(self.dataset.store, self.space.void_graph)
            if not stored:
                return void.triples(self.stats, self.space, self.where)
            files = void.dump_file_triples(list(self.dumps.values()), self.space, self.where)
            return void.grouped(stored + files)

        return self._once("void", make)

    @property
    def void_core(self) -> list[Triple]:
        """The VoID/DCAT description without the dumps' sizes and checksums (no dumps are written)."""

        def make() -> list[Triple]:
            stored = annex.graph_triples(self.dataset.store, self.space.void_graph)
            return stored or void.triples(self.stats, self.space, self.where, with_dump_files=False)

        return self._once("void_core", make)

    @property
    def schema_org(self) -> str:
        """The schema.org Dataset markup of the landing pages, as script-safe JSON."""
        return self._once(
            "schema_org",
            lambda: schema_org.script_json(schema_org.dataset(self.void_core, self.space, self.where)),
        )

    @property
    def landing_links(self) -> str:
        """The Link header (FAIR Signposting) of the dataset's landing pages."""
        return schema_org.landing_links(self.space, self.where)

    @property
    def examples(self) -> list[Triple]:
        """The SPARQL examples, as loaded into the endpoint."""
        return self._once(
            "examples", lambda: annex.graph_triples(self.dataset.store, self.space.examples_graph)
        )

    @property
    def context(self) -> dict:
        """The JSON-LD context published at /context.jsonld."""
        return self._once("context", lambda: context.build(self.dataset.store, self.space))

    @property
    def context_url(self) -> str:
        return self.public + "context.jsonld"

    def document(self, path: str) -> str:
        """The deployment's URL of a document served at `path` (e.g. /id/x.ttl)."""
        return self.public + path.lstrip("/")

    @property
    def ancestors(self) -> dict[str, frozenset[str]]:
        """Every class's superclasses (transitively), to show only the most specific types."""
        return self._once("ancestors", lambda: superclasses(self.dataset.store))

    def describe(self, service: QueryService, iri: str) -> Description:
        return self.descriptions.get(service, iri)
