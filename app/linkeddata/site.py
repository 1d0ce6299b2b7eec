"""The Linked Data site of one dataset: the pieces computed once (index, ontology, dumps,
VoID) and the per-request descriptions, behind one object the routers share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from pyoxigraph import NamedNode, Store, Triple

from app.engine.service import QueryService
from app.graph.build import Dataset
from app.linkeddata import catalogue, dumps, ontology, void
from app.linkeddata.describe import Description, DescriptionCache
from app.linkeddata.iris import IriSpace
from app.namespaces import RDFS
from app.settings import Settings

T = TypeVar("T")
SUBCLASS = NamedNode(RDFS + "subClassOf")


def superclasses(store: Store) -> dict[str, frozenset[str]]:
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


class LinkedDataSite:
    """Built at wiring time; heavy parts are made on first use (the curated graph never changes)."""

    def __init__(self, settings: Settings, dataset: Dataset) -> None:
        self.space = IriSpace(settings.base_iri)
        self.dataset = dataset
        self.descriptions = DescriptionCache()
        self._lock = threading.RLock()  # pieces are built from other pieces
        self._made: dict[str, object] = {}

    def _once(self, key: str, make: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._made:
                self._made[key] = make()
            return self._made[key]  # type: ignore[return-value]

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
        return self._once("dumps", lambda: dumps.make_all(self.dataset.store))

    @property
    def stats(self) -> void.Stats:
        return self._once(
            "stats",
            lambda: void.compute(
                self.dataset.store, self.dataset.version, self.catalogue, list(self.dumps.values())
            ),
        )

    @property
    def void(self) -> list[Triple]:
        return self._once("void", lambda: void.triples(self.stats, self.space))

    @property
    def ancestors(self) -> dict[str, frozenset[str]]:
        """Every class's superclasses (transitively), to show only the most specific types."""
        return self._once("ancestors", lambda: superclasses(self.dataset.store))

    def describe(self, service: QueryService, iri: str) -> Description:
        return self.descriptions.get(service, iri)
