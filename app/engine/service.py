"""The one door to the data for every HTTP caller: guards, deadlines, federation, updates.

Queries go to the worker pool (embedded store) or to a remote SPARQL server (--backend remote);
SERVICE calls are routed through the federation gateway. Curated graphs are loaded once and never
written. Updates and Graph Store writes go to a
separate writable store (user graphs only) held here; after each change its snapshot is
published to the query workers, which see curated and user graphs together.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store

from app.engine.answer import Answer
from app.engine.errors import QueryError, QueryForbidden, QueryTooLarge
from app.engine.execution import QueryRequest
from app.engine.guard import check_query, check_update, might_reach_out
from app.engine.pool import WorkerPool
from app.engine.remote import RemoteEngine
from app.engine.using import with_using
from app.engine.worker import StoreSpec
from app.federation.gateway import Gateway, PartnerFailed
from app.federation.partners import partner_endpoints
from app.federation.routing import checked_calls, rewrite
from app.graph.build import Dataset
from app.settings import Settings

log = logging.getLogger(__name__)


class QueryService:
    def __init__(self, settings: Settings, dataset: Dataset) -> None:
        self.settings = settings
        self.dataset = dataset
        self.curated_graphs = frozenset(
            g.value for g in dataset.store.named_graphs() if isinstance(g, NamedNode)
        )
        self.allowed_endpoints = frozenset(settings.federation_allow) | partner_endpoints(dataset.store)
        self.gateway = Gateway(
            timeout=settings.federation_timeout,
            max_rows=settings.federation_max_rows,
            max_bytes=settings.federation_max_bytes,
        )
        self.user_store = Store()
        self._write_lock = threading.Lock()
        self._scratch: Path | None = None
        self._curated_sizes: dict[str, int] | None = None
        self.engine: WorkerPool | RemoteEngine
        if settings.backend == "remote":
            assert settings.endpoint is not None
            self.engine = RemoteEngine(
                settings.endpoint, self.curated_graphs, settings.max_rows, settings.federation_max_bytes
            )
        else:
            self.engine = WorkerPool(
                self._worker_spec(),
                size=settings.workers,
                max_rows=settings.max_rows,
                queue_wait=settings.queue_wait,
            )

    @property
    def generation(self) -> int:
        """Changes whenever the writable graphs change: part of cache keys and ETags."""
        return self.engine.generation

    @property
    def updatable(self) -> bool:
        return self.dataset.store_path is None and self.settings.backend == "embedded"

    def _worker_spec(self) -> StoreSpec:
        if self.dataset.store_path is not None:
            return StoreSpec(read_only_path=self.dataset.store_path, curated_graphs=self.curated_graphs)
        self._scratch = Path(tempfile.mkdtemp(prefix="cmskg-workers-"))
        dump = self._scratch / "curated.nq"
        self.dataset.store.dump(str(dump), format=RdfFormat.N_QUADS)
        return StoreSpec(dump_path=dump, curated_graphs=self.curated_graphs)

    # -- reading -------------------------------------------------------------------------------

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph: curated (counted once) and user graphs (counted now)."""
        if self._curated_sizes is None:
            rows = self.dataset.store.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
            self._curated_sizes = {row["g"].value: int(row["n"].value) for row in rows}
        sizes = dict(self._curated_sizes)
        for graph in self.user_store.named_graphs():
            if isinstance(graph, NamedNode):
                sizes[graph.value] = len(list(self.user_store.quads_for_pattern(None, None, None, graph)))
        return sizes

    def triple_count(self) -> int:
        return self.dataset.triples + len(self.user_store)

    def local_graphs(self) -> frozenset[str]:
        user = {g.value for g in self.user_store.named_graphs() if isinstance(g, NamedNode)}
        return self.curated_graphs | user

    def deadline(self, requested: float | None) -> float:
        """The query's deadline: what the request asks for, never more than the configured one."""
        if requested is None:
            return self.settings.query_timeout
        if requested <= 0:
            raise QueryError("timeout must be a positive number of seconds")
        return min(requested, self.settings.query_timeout)

    def query(self, request: QueryRequest) -> Answer:
        timeout = self._checked(request)
        endpoints = check_query(request.query, self.allowed_endpoints, self.local_graphs())
        if not endpoints:
            return self.engine.run(request, timeout)
        return self._federated(request, endpoints, timeout)

    async def query_async(self, request: QueryRequest) -> Answer:
        """`query` from the event loop. A local query on the worker pool is awaited on the loop;
        one the guard must parse, a federated one or one for the remote backend goes to a thread."""
        if not isinstance(self.engine, WorkerPool) or might_reach_out(request.query):
            return await asyncio.to_thread(self.query, request)
        return await self.engine.run_async(request, self._checked(request))

    def _checked(self, request: QueryRequest) -> float:
        """The request's deadline, once its size is known to be within bounds."""
        if len(request.query.encode()) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"query text is larger than {self.settings.max_query_bytes} bytes")
        return self.deadline(request.timeout)

    def _federated(self, request: QueryRequest, endpoints: list[str], timeout: float) -> Answer:
        """Route each SERVICE call through the gateway, then turn its outcomes into errors or notes."""
        calls = checked_calls(request.query, endpoints)
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

    @property
    def gateway_base(self) -> str:
        host = self.settings.host if self.settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.settings.port}/_federation"

    # -- writing -------------------------------------------------------------------------------

    def update(
        self, text: str, using: list[str], using_named: list[str], base_iri: str | None = None
    ) -> None:
        """Run a SPARQL update on the writable graphs and publish the result to the workers."""
        if not self.updatable:
            raise QueryForbidden("updates need the embedded in-memory store (no --store, no remote backend)")
        if len(text.encode()) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"update text is larger than {self.settings.max_query_bytes} bytes")
        plan = check_update(text, self.curated_graphs)
        if using or using_named:
            if plan.declares_dataset:
                raise QueryError("using-graph-uri / using-named-graph-uri conflict with USING or WITH")
            text = with_using(text, plan.modify_count, using, using_named)
        with self._write_lock:
            try:
                self.user_store.update(text, base_iri=base_iri)
            except SyntaxError as error:
                raise QueryError(f"syntax error: {error}") from None
            except (OSError, ValueError) as error:
                raise QueryError(f"update failed: {error}") from None
            self._publish()

    def replace_graph(self, graph: str | None, data: bytes, fmt: RdfFormat, *, add: bool) -> bool:
        """Graph Store write: replace (PUT) or add to (POST) a user graph. True if it was new."""
        target = self._writable_target(graph)
        with self._write_lock:
            existed = self._exists(target)
            scratch = Store()
            try:
                scratch.load(data, format=fmt, base_iri=graph or None, to_graph=DefaultGraph())
            except (SyntaxError, ValueError, OSError) as error:
                raise QueryError(f"the body is not valid {fmt}: {error}") from None
            if not add:
                self.user_store.clear_graph(target)
            self.user_store.extend(
                _with_graph(quad, target) for quad in scratch.quads_for_pattern(None, None, None)
            )
            if isinstance(target, NamedNode) and not existed:
                self.user_store.add_graph(target)
            self._publish()
        return not existed

    def delete_graph(self, graph: str | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        target = self._writable_target(graph)
        with self._write_lock:
            if not self._exists(target):
                return False
            if isinstance(target, DefaultGraph):
                self.user_store.clear_graph(target)
            else:
                self.user_store.remove_graph(target)
            self._publish()
        return True

    def _writable_target(self, graph: str | None) -> NamedNode | DefaultGraph:
        if not self.updatable:
            raise QueryForbidden("writes need the embedded in-memory store (no --store, no remote backend)")
        if graph is None:
            return DefaultGraph()
        if graph in self.curated_graphs:
            raise QueryForbidden(f"curated graphs cannot be changed: <{graph}>")
        try:
            return NamedNode(graph)
        except ValueError as error:
            raise QueryError(f"invalid graph IRI: {error}") from None

    def _exists(self, target: NamedNode | DefaultGraph) -> bool:
        if isinstance(target, DefaultGraph):
            return True
        return self.user_store.contains_named_graph(target)

    def _publish(self) -> None:
        self.engine.publish(self.user_store.dump(format=RdfFormat.N_QUADS) or b"")

    def adopt_user_graphs(self, previous: QueryService) -> None:
        """Carry the writable graphs over from the service this one replaces (on reload)."""
        quads = previous.user_store.dump(format=RdfFormat.N_QUADS) or b""
        if quads:
            self.user_store.load(quads, format=RdfFormat.N_QUADS)
            self._publish()

    def retire(self, grace: float) -> None:
        """Close this service once queries already running on it have had time to finish."""
        timer = threading.Timer(grace, self.close)
        timer.daemon = True
        timer.start()

    def close(self) -> None:
        self.engine.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def _with_graph(quad: Quad, graph: NamedNode | DefaultGraph) -> Quad:
    return Quad(quad.subject, quad.predicate, quad.object, graph)
