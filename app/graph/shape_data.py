"""The data the shapes check: a store that holds the data files, each in a named graph of its own,
and nothing else yet; the checks read the union of those graphs.

Validation used to load the files into a store of its own beside the store that then served them:
the data loaded twice and held twice (4 s and a copy of the graph at 10^6 triples). The serving
store keeps each file in a named graph of its own, so the checks read it after the files are
loaded and before its union default graph and inferred graph are computed (app.graph.store.fill).
`cmskg validate`, which serves nothing, loads a store of its own (`load`).

The checks, a hundred or so independent queries, run side by side (app.graph.oxigraph.parallel):
the core shapes at 10^6 triples took 9.9 s one after another, 3.2 s on two threads of 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, NamedNode, QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, Store


@dataclass(frozen=True)
class ShapeData:
    """A store holding only the data files' named graphs, and which file each holds (graph -> file
    name, in file order)."""

    store: Store
    files: dict[NamedNode, str]

    @classmethod
    def load(cls, contents: Iterable[tuple[bytes, str, str]]) -> ShapeData:
        """The files (Turtle, base IRI, name) in a fresh store, each in the named graph of its base
        IRI, so a finding, even on a blank node, can name its file."""
        store = Store()
        files: dict[NamedNode, str] = {}
        for content, base, name in contents:
            graph = NamedNode(base)
            store.bulk_load(content, format=RdfFormat.TURTLE, base_iri=base, to_graph=graph)
            files.setdefault(graph, name)
        return cls(store, files)

    def select(self, query: str) -> QuerySolutions | QueryBoolean | QueryTriples:
        """The answer of a query over the union of the files' graphs (a triple two files state is
        two rows). pyoxigraph's union of all graphs, not `default_graph=[the files' graphs]`,
        which gives the same rows three times slower (core shapes at 10^6: 11.1 s against 3.9 s):
        hence a store holding nothing else."""
        return self.store.query(query, use_default_graph_as_union=True)

    def file_of(self, node: str) -> str | None:
        """The first file, in file order, whose graph has `node` (an IRI, or a blank node as _:id)
        as a subject."""
        try:
            term = BlankNode(node[2:]) if node.startswith("_:") else NamedNode(node)
        except ValueError:  # not a node of this store (pySHACL's name for a blank node)
            return None
        order = {graph: i for i, graph in enumerate(self.files)}
        found = {
            order[q.graph_name]
            for q in self.store.quads_for_pattern(term, None, None)
            if isinstance(q.graph_name, NamedNode) and q.graph_name in order
        }
        return list(self.files.values())[min(found)] if found else None
