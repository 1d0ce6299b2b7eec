"""The map between minted IRIs and the server's paths, so the base IRI can live elsewhere.

With base https://w3id.org/cms-kg/, the IRI {base}id/x is served at /id/x; a request that keeps
the base's path (/cms-kg/id/x, as some redirects send it) is mapped to the same route.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from pyoxigraph import NamedNode, Store

from app.graph.store import BESIDE, beside_graphs
from app.links import linkable

# Suffixes a client may add to a resource's path to ask for one format.
SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".jsonld": "jsonld",
    ".nt": "ntriples",
    ".rdf": "rdfxml",
    ".html": "html",
}
RDF_SUFFIXES: dict[str, str] = {name: suffix for suffix, name in SUFFIXES.items() if name != "html"}
@dataclass(frozen=True)
class IriSpace:
    """One base IRI: what we mint, and where on this server each minted IRI answers."""

    base: str

    @property
    def base_path(self) -> str:
        """The path part of the base ('/cms-kg/'), which redirects may keep in front of ours."""
        path = urlsplit(self.base).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def ontology(self) -> str:
        return self.base + "ontology"

    @property
    def examples_graph(self) -> str:
        """The named graph of the SPARQL examples (SIB's convention: ends in .well-known/sparql-examples)."""
        return self.base + BESIDE + "sparql-examples"

    @property
    def void_graph(self) -> str:
        """The named graph of the VoID description, loaded into the endpoint beside the data."""
        return self.base + BESIDE + "void"

    @property
    def annex_graphs(self) -> frozenset[str]:
        """Graphs that describe the data (examples, VoID): never counted or dumped as data."""
        return beside_graphs(self.base)

    def curated_graphs(self, store: Store) -> list[NamedNode]:
        """The store's graphs of curated files (and their inferences), in a stable order."""
        annex = self.annex_graphs
        named = (g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value not in annex)
        return sorted(named, key=lambda g: g.value)

    def iri(self, path: str) -> str:
        """The IRI a server path stands for: '/id/x' -> '{base}id/x'."""
        return self.base + self.route(path).lstrip("/")

    def route(self, path: str) -> str:
        """The server route of a request path, with the base's own path taken off if present."""
        prefix = self.base_path
        if prefix != "/" and path.startswith(prefix):
            return "/" + path[len(prefix) :]
        return path

    def is_minted(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def path(self, iri: str) -> str:
        """The path on this server of an IRI we mint: '{base}id/x' -> '/id/x'."""
        return "/" + iri[len(self.base) :]

    def href(self, iri: str) -> str | None:
        """Where a page should link for `iri`: our own path when we mint it, else the IRI itself
        if it is an http(s) URL; None (no link) for any other scheme."""
        if self.is_minted(iri):
            return self.path(iri)
        return linkable(iri)

    def document(self, iri: str) -> str:
        """The IRI without its fragment: what a client dereferences for a hash IRI."""
        return iri.split("#", 1)[0]


def split_suffix(path: str) -> tuple[str, str | None]:
    """'/id/x.ttl' -> ('/id/x', 'turtle'); a path without a known suffix is returned as it is."""
    for suffix, name in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], name
    return path, None
