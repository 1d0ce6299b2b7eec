"""A query worker process: holds its own handle on the store and answers one query at a time.

The pool kills a worker whose query passes its deadline; that is the only way to stop a
pyoxigraph query, since it cannot be cancelled from inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from app.engine.errors import QueryError
from app.engine.execution import QueryRequest, run
from app.formats import NotAcceptable, UnknownFormat

# After a head, the body travels as tagged byte messages: data chunks, then an end or a failure.
DATA, END, FAILED = b"D", b"E", b"X"


@dataclass(frozen=True)
class StoreSpec:
    """How a worker gets its store: open an on-disk build read-only, or load an N-Quads dump."""

    read_only_path: Path | None = None
    dump_path: Path | None = None
    curated_graphs: frozenset[str] = frozenset()


def open_store(spec: StoreSpec) -> Store:
    if spec.read_only_path is not None:
        return Store.read_only(str(spec.read_only_path))
    store = Store()
    if spec.dump_path is not None:
        store.bulk_load(path=str(spec.dump_path), format=RdfFormat.N_QUADS)
    return store


def replace_user_graphs(store: Store, curated: frozenset[str], nquads: bytes) -> None:
    """Make the store's non-curated graphs equal to the given N-Quads snapshot."""
    for graph in list(store.named_graphs()):
        if isinstance(graph, NamedNode) and graph.value in curated:
            continue
        store.remove_graph(graph)
    store.clear_graph(DefaultGraph())
    if nquads:
        store.load(nquads, format=RdfFormat.N_QUADS)


def _send_answer(conn: Connection, head, chunks) -> None:
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


def serve(conn: Connection, spec: StoreSpec, max_rows: int) -> None:
    """The worker's loop: ('query', request) -> head, tagged chunks; ('sync', gen, nquads) -> ack."""
    store = open_store(spec)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "stop":
            return
        if message[0] == "sync":
            _, generation, nquads = message
            replace_user_graphs(store, spec.curated_graphs, nquads)
            conn.send(("synced", generation))
            continue
        request: QueryRequest = message[1]
        try:
            head, chunks = run(store, request, max_rows)
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
