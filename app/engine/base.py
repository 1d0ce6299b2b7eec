"""The engine seam: what the query service needs of a backend, and what in-process callers need
of the query service.

Two backends implement `Engine`: the worker pool over the embedded store (app.engine.pool) and a
remote SPARQL server (app.engine.remote). In-process callers (canned queries, the web page's
network, Linked Data pages, the command line) depend only on `Queries`: typed rows and triples,
never bytes meant for HTTP clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from app.engine.rows import Rows, Triples
from app.engine.terms import PlainTerm

if TYPE_CHECKING:  # the backends' types; callers of `Queries` need none of them
    from app.engine.answer import Answer
    from app.engine.execution import QueryRequest
    from app.engine.pool import PoolStatus
    from app.engine.worker import UserGraphs


class Engine(Protocol):
    """A backend that answers checked queries within a deadline."""

    generation: int  # changes whenever the writable graphs change (cache keys, ETags)

    def run(self, request: QueryRequest, timeout: float) -> Answer: ...

    async def run_async(self, request: QueryRequest, timeout: float) -> Answer: ...

    def publish(self, user_graphs: UserGraphs) -> None:
        """Make a new state of the writable graphs visible to every later query."""
        ...

    def status(self) -> PoolStatus | None:
        """The workers' state, for /health; None for a backend without workers."""
        ...

    @property
    def confined(self) -> bool:
        """Whether queries run confined to our federation gateway (no other network)."""
        ...

    def close(self) -> None: ...


class Queries(Protocol):
    """SELECT and CONSTRUCT for callers inside the server, with the endpoint's guards."""

    def select(self, query: str, bindings: Mapping[str, PlainTerm] | None = None) -> Rows: ...

    def construct(self, query: str, bindings: Mapping[str, PlainTerm] | None = None) -> Triples: ...
