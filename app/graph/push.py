"""Load the validated curated graph into an existing SPARQL 1.1 server, one named graph per file.

Each graph is first written to a staging graph, then moved over the old one with a single
`MOVE`, so readers of the remote store see the old graph or the new one, never half of one.
Triples go in as `INSERT { ... } WHERE {}` (not INSERT DATA), which every server accepts with
blank nodes; or by Graph Store PUT when a graph store URL is given.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from pyoxigraph import NamedNode, RdfFormat, Store, serialize

log = logging.getLogger(__name__)


class PushFailed(Exception):
    """The remote server refused or failed a step; carries which graph and what it said."""


@dataclass(frozen=True)
class Pushed:
    graph: str
    triples: int


def _ntriples(store: Store, graph: NamedNode) -> tuple[bytes, int]:
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b"", len(triples)


def _update(client: httpx.Client, endpoint: str, text: str, what: str) -> None:
    response = client.post(endpoint, data={"update": text})
    if response.status_code >= 300:
        raise PushFailed(f"{what}: HTTP {response.status_code}: {response.text[:300]}")


CHUNK_TRIPLES = 1000


def _chunks(ntriples: str) -> list[str]:
    """The N-Triples in INSERTs of at most CHUNK_TRIPLES lines (Virtuoso's SPARQL compiler runs out
    of memory on one of ~7000 triples); a graph with blank nodes goes whole, since a blank node
    label means one node only within one request."""
    lines = ntriples.splitlines()
    if "_:" in ntriples or len(lines) <= CHUNK_TRIPLES:
        return [ntriples]
    return ["\n".join(lines[i : i + CHUNK_TRIPLES]) for i in range(0, len(lines), CHUNK_TRIPLES)]


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
            body, count = _ntriples(store, graph)
            staging = NamedNode(f"{graph.value}/staging-{version}")
            _update(client, update_endpoint, f"DROP SILENT GRAPH {staging}", f"clearing {staging}")
            if graph_store:
                response = client.put(
                    graph_store,
                    params={"graph": staging.value},
                    content=body,
                    headers={"Content-Type": "application/n-triples"},
                )
                if response.status_code >= 300:
                    raise PushFailed(f"uploading {graph}: HTTP {response.status_code}: {response.text[:300]}")
            elif body:
                for chunk in _chunks(body.decode()):
                    insert = f"INSERT {{ GRAPH {staging} {{\n{chunk}\n}} }} WHERE {{}}"
                    _update(client, update_endpoint, insert, f"uploading {graph}")
            _update(client, update_endpoint, f"MOVE SILENT {staging} TO {graph}", f"replacing {graph}")
            log.info("pushed %s (%d triples)", graph.value, count)
            pushed.append(Pushed(graph.value, count))
    return pushed
