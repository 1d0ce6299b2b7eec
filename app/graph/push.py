"""Load the validated curated graph into an existing SPARQL 1.1 server, one named graph per file.

Each graph is first written to a staging graph, then moved over the old one with a single
`MOVE`, so readers of the remote store see the old graph or the new one, never half of one.
Triples go in as `INSERT { ... } WHERE {}` (not INSERT DATA), which every server accepts with
blank nodes, in batches (Virtuoso's SPARQL compiler fails on one update of a few thousand
triples); or by Graph Store PUT when a graph store URL is given. A blank node label names one node
only within one request, so every blank node travels in the batch of the named resource that holds
it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, Triple, serialize

from app.graph.oxigraph import Subject, subject_of

log = logging.getLogger(__name__)


class PushFailed(Exception):
    """The remote server refused or failed a step; carries which graph and what it said."""


@dataclass(frozen=True)
class Pushed:
    graph: str
    triples: int


def _triples(store: Store, graph: NamedNode) -> list[Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, graph)]


def _ntriples(triples: list[Triple]) -> bytes:
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def _update(client: httpx.Client, endpoint: str, text: str, what: str) -> None:
    response = client.post(endpoint, data={"update": text})
    if response.status_code >= 300:
        raise PushFailed(f"{what}: HTTP {response.status_code}: {response.text[:300]}")


CHUNK_TRIPLES = 500


def _batches(triples: list[Triple]) -> list[list[Triple]]:
    """The triples in batches of about CHUNK_TRIPLES, each blank node's triples in the batch of the
    named subject that (through any chain of blank nodes) holds it; a blank node no named subject
    holds goes with the other free ones in one batch."""
    holder: dict[BlankNode, Subject] = {}
    for t in triples:
        if isinstance(t.object, BlankNode):
            holder.setdefault(t.object, subject_of(t))

    def root(node: Subject) -> Subject | None:
        seen: set[Subject] = set()
        while isinstance(node, BlankNode):
            if node in seen or node not in holder:
                return None
            seen.add(node)
            node = holder[node]
        return node

    groups: dict[Subject | None, list[Triple]] = {}
    for t in triples:
        groups.setdefault(root(subject_of(t)), []).append(t)
    batches: list[list[Triple]] = [[]]
    for group in groups.values():
        if batches[-1] and len(batches[-1]) + len(group) > CHUNK_TRIPLES:
            batches.append([])
        batches[-1].extend(group)
    return [b for b in batches if b]


def push(
    store: Store,
    version: str,
    update_endpoint: str,
    graph_store: str | None = None,
    timeout: float = 120.0,
) -> list[Pushed]:
    """Replace each named graph of `store` on the remote server; returns what was pushed."""
    pushed = []
    graphs = sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)), key=lambda g: g.value)
    with httpx.Client(timeout=timeout) as client:
        for graph in graphs:
            triples = _triples(store, graph)
            count = len(triples)
            staging = NamedNode(f"{graph.value}/staging-{version}")
            _update(client, update_endpoint, f"DROP SILENT GRAPH {staging}", f"clearing {staging}")
            if graph_store:
                response = client.put(
                    graph_store,
                    params={"graph": staging.value},
                    content=_ntriples(triples),
                    headers={"Content-Type": "application/n-triples"},
                )
                if response.status_code >= 300:
                    raise PushFailed(f"uploading {graph}: HTTP {response.status_code}: {response.text[:300]}")
            else:
                for batch in _batches(triples):
                    insert = f"INSERT {{ GRAPH {staging} {{\n{_ntriples(batch).decode()}\n}} }} WHERE {{}}"
                    _update(client, update_endpoint, insert, f"uploading {graph}")
            _update(client, update_endpoint, f"MOVE SILENT {staging} TO {graph}", f"replacing {graph}")
            log.info("pushed %s (%d triples)", graph.value, count)
            pushed.append(Pushed(graph.value, count))
    return pushed
