"""The one door to the data for every HTTP caller: guards, deadlines, federation, updates.

Queries go to the worker pool (embedded store) or to a remote SPARQL server (--backend remote);
SERVICE calls are routed through the federation gateway. Curated graphs are loaded once and never
written. Updates and Graph Store writes run in confined one-off jobs on a snapshot of the user
graphs (curated graphs are never in it); the result is kept only if it names no curated graph,
then published to the query workers, which see curated and user graphs together.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store

from app.engine import lane
from app.engine.answer import Answer
from app.engine.base import Engine
from app.engine.egress import Route
from app.engine.errors import QueryError, QueryForbidden, QueryTooLarge
from app.engine.execution import QueryRequest
from app.engine.federation.gateway import Gateway, PartnerFailed
from app.engine.federation.partners import partner_endpoints
from app.engine.federation.routing import rewrite
from app.engine.guard import QueryPlan, check_query
from app.engine.inline import InlineAnswers
from app.engine.jobs import run_job
from app.engine.lane import FastLane
from app.engine.pool import WorkerPool
from app.engine.processes import CONTEXT
from app.engine.remote import RemoteEngine
from app.engine.rows import ROWS, Rows, Triples, decode, triples_from
from app.engine.sandbox import Limits
from app.engine.store_host import StoreHost
from app.engine.terms import PlainTerm
from app.engine.updates import apply_update, remove_graph, write_graph
from app.engine.worker import StoreSpec, UserGraphs, WorkerConfig
from app.graph.build import Dataset
from app.graph.oxigraph import solutions
from app.graph.store import beside_graphs
from app.settings import Settings

log = logging.getLogger(__name__)


class ServiceRetired(Exception):
    """A reload replaced this service while a write waited for it: write to the one serving now."""


class QueryService:
    def __init__(
        self,
        settings: Settings,
        dataset: Dataset,
        gateway: Gateway | None = None,
        store_host: StoreHost | None = None,
    ) -> None:
        """`gateway`: the federation gateway of the service this one replaces, so that a worker of
        the old one still reaches its calls' tickets while a reload swaps services. `store_host`:
        the host the workers fork from (`begin_store_host`), which the service then owns."""
        self.settings = settings
        self.dataset = dataset
        self.curated_graphs = frozenset(
            g.value for g in dataset.store.named_graphs() if isinstance(g, NamedNode)
        )
        self.allowed_endpoints = frozenset(settings.federation_allow) | partner_endpoints(dataset.store)
        self.gateway = gateway or Gateway(
            timeout=settings.federation_timeout,
            max_rows=settings.federation_max_rows,
            max_bytes=settings.federation_max_bytes,
        )
        self.limits = Limits(settings.query_memory, settings.max_query_bytes, settings.confine, os.getpid())
        self.user_graphs = UserGraphs()
        self.user_store = Store()  # the snapshot, readable here (sizes, graph names)
        self._write_lock = threading.Lock()
        self._retired = False  # set once a successor holds the writable graphs (handing_over)
        self._scratch: Path | None = None
        self.store_host = store_host  # where the workers fork from (in-memory store)
        self._curated_sizes: dict[str, int] | None = None
        self.engine: Engine
        self.lane: FastLane | None = None  # workers of their own for lookups (app.engine.lane)
        self.inline: InlineAnswers | None = None  # bounded queries answered here (app.engine.inline)
        if settings.backend == "remote":
            assert settings.endpoint is not None
            data = self.curated_graphs - beside_graphs(settings.base_iri)  # the union: data graphs only
            limit = settings.federation_max_bytes
            self.engine = RemoteEngine(settings.endpoint, data, settings.max_rows, limit)
        else:
            config = WorkerConfig(self._worker_spec(), settings.max_rows, self.limits, self._route())
            processes = self.store_host or CONTEXT
            memory = settings.query_memory
            self.engine = WorkerPool(config, settings.workers, settings.queue_wait, memory, processes)
            if settings.inline_answers:
                self.inline = InlineAnswers(dataset.store, settings.max_rows)
            if settings.fast_workers:
                wait = min(settings.queue_wait, lane.WAIT)
                pool = WorkerPool(config, settings.fast_workers, wait, memory, processes)
                self.lane = FastLane(pool, settings.fast_lane_deadline)

    @property
    def generation(self) -> int:
        """Changes whenever the writable graphs change: part of cache keys and ETags."""
        return self.engine.generation

    @property
    def updatable(self) -> bool:
        return self.dataset.store_path is None and self.settings.backend == "embedded"

    @staticmethod
    def begin_store_host(settings: Settings, dataset: Dataset) -> StoreHost | None:
        """For workers on an in-memory store: a store host, loading a dump of it from now on
        (while the caller computes what it will `add`); None where workers open the store."""
        if settings.backend != "embedded" or dataset.store_path is not None or not StoreHost.SUPPORTED:
            return None
        return StoreHost.begin(dataset.store)

    def _worker_spec(self) -> StoreSpec:
        """An on-disk store: each worker opens it read-only. In memory: the workers fork from a
        store host that loaded it once (or, on a Python the host does not support, each worker
        loads a dump)."""
        if self.dataset.store_path is not None:
            return StoreSpec(read_only_path=self.dataset.store_path, curated_graphs=self.curated_graphs)
        if self.store_host is None:
            self.store_host = self.begin_store_host(self.settings, self.dataset)
        if self.store_host is not None:
            return StoreSpec(inherited=True, curated_graphs=self.curated_graphs)
        self._scratch = Path(tempfile.mkdtemp(prefix="cmskg-workers-"))
        dump = self._scratch / "curated.nq"
        self.dataset.store.dump(str(dump), format=RdfFormat.N_QUADS)
        return StoreSpec(dump_path=dump, curated_graphs=self.curated_graphs)

    def _server_host(self) -> str:
        """Where this server listens, as an address to connect to (a wildcard means loopback)."""
        host = self.settings.host
        return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host

    def _route(self) -> Route:
        """How a confined worker's SERVICE calls reach our gateway (see app.engine.egress)."""
        return Route(
            listen_port=self.settings.port,
            target=(self._server_host(), self.settings.port),
            path_prefix=f"/_federation/{self.gateway.secret}/",
        )

    @property
    def gateway_base(self) -> str:
        """The gateway as the engine reaches it: a confined worker through its relay on loopback;
        an unconfined worker or a remote store at the address the server listens on."""
        confined = self.engine.confined
        host = "127.0.0.1" if confined else self._server_host()
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.settings.port}/_federation"

    # -- reading -------------------------------------------------------------------------------

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph: curated (counted once) and user graphs (counted now)."""
        if self._curated_sizes is None:
            query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            rows = solutions(self.dataset.store.query(query))
            self._curated_sizes = {row["g"].value: int(row["n"].value) for row in rows}
        sizes = dict(self._curated_sizes)
        for graph in self.user_store.named_graphs():
            if isinstance(graph, NamedNode):
                sizes[graph.value] = len(list(self.user_store.quads_for_pattern(None, None, None, graph)))
        return sizes

    def triple_count(self) -> int:
        return self.dataset.triples + len(self.user_store)

    def local_graphs(self) -> frozenset[str]:
        return self.curated_graphs | frozenset(self.user_graphs.graphs)

    def deadline(self, requested: float | None) -> float:
        """The query's deadline: what the request asks for, never more than the configured one."""
        if requested is None:
            return self.settings.query_timeout
        if not 0 < requested < float("inf"):
            raise QueryError("timeout must be a positive number of seconds")
        return min(requested, self.settings.query_timeout)

    def _checked(self, request: QueryRequest) -> tuple[float, QueryPlan]:
        """The request's deadline and plan, once its size and text are within bounds."""
        if len(request.query.encode()) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"query text is larger than {self.settings.max_query_bytes} bytes")
        timeout = self.deadline(request.timeout)
        return timeout, check_query(request.query, self.allowed_endpoints)

    def query(self, request: QueryRequest) -> Answer:
        timeout, plan = self._checked(request)
        return self._run(request, plan, timeout)

    async def query_async(self, request: QueryRequest) -> Answer:
        """`query` from the event loop: the engine awaits a local query (the worker pool on the
        loop, the remote backend in a thread); a federated one goes to a thread."""
        timeout, plan = self._checked(request)
        if plan.calls:  # the gateway and partner calls block: a thread of their own
            return await asyncio.to_thread(self._run, request, plan, timeout)
        inline = self._inline(request, plan)
        if inline is not None:
            return inline
        if self.lane is not None and self.lane.takes(request, plan):
            return await self.lane.run_async(request, timeout, self.engine.run_async)
        return await self.engine.run_async(request, timeout)

    def _inline(self, request: QueryRequest, plan: QueryPlan) -> Answer | None:
        """The answer made here, if the query's work is bounded on the curated store (and no user
        graph is there for it to miss); None: the workers answer."""
        if self.inline is None or plan.bounded is None or self.user_graphs.graphs or self.user_graphs.nquads:
            return None
        return self.inline.answer(request, plan.bounded)

    def _run(self, request: QueryRequest, plan: QueryPlan, timeout: float) -> Answer:
        if plan.calls:
            return self._federated(request, plan, timeout)
        inline = self._inline(request, plan)
        if inline is not None:
            return inline
        if self.lane is not None and self.lane.takes(request, plan):
            return self.lane.run(request, timeout, self.engine.run)
        return self.engine.run(request, timeout)

    def _federated(self, request: QueryRequest, plan: QueryPlan, timeout: float) -> Answer:
        """Route each SERVICE call through the gateway, then turn its outcomes into errors or notes.
        Calls nested in another SERVICE travel inside it to that partner, as written."""
        calls = list(plan.outer_calls)
        ticket = self.gateway.open(calls)
        urls = [f"{self.gateway_base}/{self.gateway.secret}/{ticket}/{i}" for i in range(len(calls))]
        routed = replace(request, query=rewrite(request.query, calls, urls))
        try:
            answer = self.engine.run(routed, timeout)
        except QueryError:
            outcomes = self.gateway.close(ticket)
            failures = [o for o in outcomes.outcomes.values() if o.status != 200] if outcomes else []
            if failures:
                worst = max(failures, key=lambda o: o.status)
                raise PartnerFailed(worst.status, f"partner <{worst.endpoint}> {worst.message}") from None
            if outcomes is not None and len(outcomes.outcomes) < len(calls):
                raise PartnerFailed(502, "the federation gateway could not be reached") from None
            raise
        outcomes = self.gateway.close(ticket)
        skipped = [o for o in outcomes.outcomes.values() if o.status != 200] if outcomes else []
        if skipped:
            answer.headers["X-Federation-Skipped"] = ", ".join(
                f"<{o.endpoint}> ({o.message})" for o in skipped
            )
        if outcomes and any(o.capped for o in outcomes.outcomes.values()):
            answer.headers["X-Federation-Capped"] = f"true; limit={self.settings.federation_max_rows}"
        return answer

    def select(self, query: str, bindings: Mapping[str, PlainTerm] | None = None) -> Rows:
        """A SELECT for callers inside the server: the same guards and deadline as /sparql, the
        answer as rows (the `Queries` door of app.engine.base)."""
        request = QueryRequest(query=query, bindings=dict(bindings or {}), format=ROWS)
        answer = self.query(request)
        try:
            return decode(answer.body.read(), answer.head.capped)
        finally:
            answer.body.close()

    def construct(self, query: str, bindings: Mapping[str, PlainTerm] | None = None) -> Triples:
        """A CONSTRUCT or DESCRIBE for callers inside the server, whole (no row cap)."""
        request = QueryRequest(query=query, bindings=dict(bindings or {}), format="ntriples", row_cap=0)
        answer = self.query(request)
        try:
            return triples_from(answer.body.read(), answer.head.capped)
        finally:
            answer.body.close()

    # -- writing -------------------------------------------------------------------------------

    def update(
        self, text: str, using: list[str], using_named: list[str], base_iri: str | None = None
    ) -> None:
        """Run a SPARQL update on the writable graphs (in a confined job) and publish the result."""
        self._require_updatable("updates")
        if len(text.encode()) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"update text is larger than {self.settings.max_query_bytes} bytes")
        with self._write_lock:
            self._require_current()
            args = (self.user_graphs, text, tuple(using), tuple(using_named), base_iri, self.curated_graphs)
            self._adopt(self._job(apply_update, args, "update"))

    def replace_graph(
        self, graph: str | None, data: bytes, fmt: RdfFormat, *, add: bool, base_iri: str | None = None
    ) -> bool:
        """Graph Store write: replace (PUT) or add to (POST) a user graph. True if it was new."""
        target = self._writable_target(graph)
        with self._write_lock:
            self._require_current()
            existed = target is None or target in self.user_graphs.graphs
            base = base_iri if target is None else target
            args = (self.user_graphs, target, data, fmt.media_type, base, add, self.curated_graphs)
            self._adopt(self._job(write_graph, args, "upload"))
        return not existed

    def delete_graph(self, graph: str | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        target = self._writable_target(graph)
        with self._write_lock:
            self._require_current()
            if target is not None and target not in self.user_graphs.graphs:
                return False
            self._adopt(remove_graph(self.user_graphs, target))
        return True

    def _require_current(self) -> None:
        if self._retired:
            raise ServiceRetired("this data version was replaced; the write goes to the current one")

    def _require_updatable(self, what: str) -> None:
        if not self.updatable:
            raise QueryForbidden(f"{what} need the embedded in-memory store (no --store, no remote backend)")

    def _writable_target(self, graph: str | None) -> str | None:
        self._require_updatable("writes")
        if graph is None:
            return None
        if graph in self.curated_graphs:
            raise QueryForbidden(f"curated graphs cannot be changed: <{graph}>")
        try:
            return NamedNode(graph).value
        except ValueError as error:
            raise QueryError(f"invalid graph IRI: {error}") from None

    def _job(self, function: Callable[..., UserGraphs], args: tuple[Any, ...], what: str) -> UserGraphs:
        return run_job(function, args, timeout=self.settings.query_timeout, limits=self.limits, what=what)

    def _adopt(self, snapshot: UserGraphs) -> None:
        """Make a new snapshot of the user graphs current, here and in every worker."""
        touched = sorted(set(snapshot.graphs) & self.curated_graphs)
        if touched:  # the jobs refuse this already; nothing may make it current either way
            raise QueryForbidden(f"curated graphs cannot be changed: <{touched[0]}>")
        store = Store()
        if snapshot.nquads:
            store.load(snapshot.nquads, format=RdfFormat.N_QUADS)
        self.user_graphs, self.user_store = snapshot, store
        self.engine.publish(snapshot)
        if self.lane is not None:
            self.lane.pool.publish(snapshot)

    @contextmanager
    def handing_over(self) -> Iterator[None]:
        """Hold writes while a reload builds and publishes this service's successor (which adopts
        the writable graphs); writes that waited meanwhile then raise ServiceRetired, so none lands
        on a service that no longer serves. A failed reload leaves this service current."""
        with self._write_lock:
            yield
            self._retired = True

    def adopt_user_graphs(self, previous: QueryService) -> None:
        """Carry the writable graphs over from the service this one replaces (on reload)."""
        if previous.user_graphs.graphs or previous.user_graphs.nquads:
            self._adopt(previous.user_graphs)

    def retire(self, grace: float) -> None:
        """Close this service once queries already running on it have had time to finish."""
        timer = threading.Timer(grace, self.close)
        timer.daemon = True
        timer.start()

    def close(self) -> None:
        self.engine.close()
        if self.lane is not None:
            self.lane.pool.close()
        if self.store_host is not None:
            self.store_host.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
