"""A query worker process: holds its own handle on the store and answers one query at a time.

The pool kills a worker whose query passes its deadline; that is the only way to stop a
pyoxigraph query, since it cannot be cancelled from inside. Before it reads a request, a worker
confines itself (`app.engine.sandbox`): a network namespace of its own (with the egress relay to
our federation gateway as the only way out), a memory ceiling, a deep stack, death with the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, parse

from app.engine import sandbox
from app.engine.egress import Relay, Route
from app.engine.errors import QueryError
from app.engine.execution import Head, QueryRequest, run
from app.formats import NotAcceptable, UnknownFormat

# After a head, the body travels as tagged byte messages: data chunks, then an end or a failure.
DATA, END, FAILED = b"D", b"E", b"X"


@dataclass(frozen=True)
class StoreSpec:
    """How a worker gets its store: open an on-disk build read-only, load an N-Quads dump, or take
    the one the process it was forked from loaded (`app.engine.store_host`)."""

    read_only_path: Path | None = None
    dump_path: Path | None = None
    curated_graphs: frozenset[str] = frozenset()
    inherited: bool = False


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs besides its pipes."""

    store: StoreSpec
    max_rows: int
    limits: sandbox.Limits
    route: Route | None = None  # where gateway URLs point, for SERVICE calls


@dataclass(frozen=True)
class UserGraphs:
    """A snapshot of the writable graphs: their quads (N-Quads) and every graph's name, since an
    empty graph made by a Graph Store PUT exists too."""

    nquads: bytes = b""
    graphs: tuple[str, ...] = ()


_inherited: Store | None = None  # set in a store host before it forks workers


def inherit(store: Store) -> None:
    """Make `store` the one every process forked from this one opens (`StoreSpec.inherited`)."""
    global _inherited
    _inherited = store


def open_store(spec: StoreSpec) -> Store:
    if spec.inherited:
        if _inherited is None:
            raise RuntimeError("this worker was not forked from a store host")
        return _inherited
    if spec.read_only_path is not None:
        return Store.read_only(str(spec.read_only_path))
    store = Store()
    if spec.dump_path is not None:
        store.bulk_load(path=str(spec.dump_path), format=RdfFormat.N_QUADS)
    return store


@dataclass
class UserLayer:
    """The user graphs a worker holds on top of the curated ones, and the triples they added to the
    union default graph (so the next snapshot can take exactly those out again)."""

    curated: frozenset[str]
    added_to_union: list[Triple] = field(default_factory=list)

    def replace(self, store: Store, snapshot: UserGraphs) -> None:
        """Make the store's writable graphs equal to the snapshot, and the default graph the union
        of curated and user graphs. A quad naming a curated graph is never loaded."""
        for graph in list(store.named_graphs()):
            if not (isinstance(graph, NamedNode) and graph.value in self.curated):
                store.remove_graph(graph)
        for triple in self.added_to_union:
            store.remove(Quad(triple.subject, triple.predicate, triple.object, DefaultGraph()))
        quads = [
            quad
            for quad in parse(snapshot.nquads, format=RdfFormat.N_QUADS)
            if not (isinstance(quad.graph_name, NamedNode) and quad.graph_name.value in self.curated)
        ]
        store.extend(quad for quad in quads if not isinstance(quad.graph_name, DefaultGraph))
        for name in snapshot.graphs:
            if name not in self.curated:
                store.add_graph(NamedNode(name))
        union = (Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads)
        self.added_to_union = [quad.triple for quad in dict.fromkeys(union) if quad not in store]
        store.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in self.added_to_union)


def _send_answer(conn: Connection, head: Head, chunks: Iterator[bytes]) -> None:
    """A small answer (one chunk) goes as one message; a larger one as a head and tagged chunks."""
    try:
        first = next(chunks, b"")
        second = next(chunks, None)
    except Exception as error:
        conn.send(("error", "internal", f"{type(error).__name__}: {error}"))
        return
    if second is None:
        conn.send(("answer", head, first))
        return
    conn.send(("head", head))
    try:
        conn.send_bytes(DATA + first)
        conn.send_bytes(DATA + second)
        for chunk in chunks:
            conn.send_bytes(DATA + chunk)
    except Exception as error:
        conn.send_bytes(FAILED + f"{type(error).__name__}: {error}".encode())
    else:
        conn.send_bytes(END)


def serve(conn: Connection, config: WorkerConfig, egress: Connection | None) -> None:
    """Confine this process, then answer ('query', request), ('sync', gen, UserGraphs), ('stop',)."""
    sandbox.die_with_parent()
    confinement = sandbox.isolate_network() if config.limits.isolate_network else "not asked for"
    if confinement is None and config.route is not None and egress is not None:
        Relay(config.route, egress)
    sandbox.on_deep_stack(config.limits, lambda: _loop(conn, config, confinement))


def _loop(conn: Connection, config: WorkerConfig, confinement: str | None) -> None:
    store = open_store(config.store)
    layer = UserLayer(config.store.curated_graphs)
    sandbox.limit_memory(config.limits.memory_mib)
    conn.send(("ready", confinement))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "stop":
            return
        if message[0] == "sync":
            _, generation, snapshot = message
            layer.replace(store, snapshot)
            conn.send(("synced", generation))
            continue
        request: QueryRequest = message[1]
        try:
            head, chunks = run(store, request, config.max_rows)
        except QueryError as error:
            conn.send(("error", "query", str(error)))
        except UnknownFormat as error:
            conn.send(("error", "format", str(error)))
        except NotAcceptable as error:
            conn.send(("error", "acceptable", error.offered))
        except Exception as error:  # a bug in a worker must reach the log, not kill the loop
            conn.send(("error", "internal", f"{type(error).__name__}: {error}"))
        else:
            _send_answer(conn, head, chunks)
