"""A warm pool of query worker processes with deadlines that really stop work, and that keeps its
size whatever a request does.

A query goes to an idle worker with a deadline that starts when the worker takes it (time spent
queueing must not kill a worker that has only just started). The worker's whole answer is read
within the deadline (spooled past a few MiB), then the worker is free again: a slow reader holds
a file, never a worker. Past the deadline the worker is killed (its CPU freed at once) and the
caller gets QueryTimeout. Anything else that goes wrong on the way to or from a worker (it died,
ran out of memory, sent garbage, the caller went away) also retires it: one place, `_guarded`,
turns every failure into the caller's error and a replacement started in the background, retried
until it starts. `status()` says how many workers are ready, busy and starting, so /health can say
when capacity is short. When every worker is busy for longer than the queue wait: ServerBusy.

Threads call `run`; the event loop calls `run_async`, which waits on the worker's pipe with the
loop's own reader instead of a thread (a thread hop per query halved lookup throughput).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn, Protocol

from app.engine.answer import Answer, ChunkBody, SpooledBody
from app.engine.egress import Broker
from app.engine.errors import QueryAborted, QueryError, QueryTimeout, ServerBusy
from app.engine.execution import QueryRequest
from app.engine.processes import CONTEXT
from app.engine.sandbox import describe_signal
from app.engine.worker import DATA, END, UserGraphs, WorkerConfig, serve
from app.formats import NotAcceptable, UnknownFormat

log = logging.getLogger(__name__)
START_TIMEOUT = 120.0
RESPAWN_BACKOFF = (0.2, 1.0, 5.0, 30.0)


class WorkerFailed(Exception):
    """A worker misbehaved on the way to or from a query (503); the pool replaces it."""


class Processes(Protocol):
    """Where worker processes come from: our fork server (`CONTEXT`) or a store host."""

    def Process(self, **kwargs: Any) -> BaseProcess: ...


class Worker:
    def __init__(self, config: WorkerConfig, wait: bool = True, processes: Processes = CONTEXT) -> None:
        self.conn, child = CONTEXT.Pipe()
        egress, egress_child = CONTEXT.Pipe() if config.route else (None, None)
        self.process: BaseProcess = processes.Process(
            target=serve, args=(child, config, egress_child), daemon=True, name="cmskg-query-worker"
        )
        self.process.start()
        child.close()
        if egress is not None and egress_child is not None and config.route is not None:
            egress_child.close()
            assert self.process.pid is not None
            Broker(egress, config.route.target, self.process.pid)
        self.generation = 0
        self.confinement: str | None = None  # None: confined; otherwise why not
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the worker has its store open (start several, then wait: they load in parallel)."""
        try:
            ready = self.conn.poll(START_TIMEOUT)
            message = self.conn.recv() if ready else None
        except (EOFError, OSError):
            message = None
        if not message or message[0] != "ready":
            self.kill()
            raise WorkerFailed(f"query worker did not start ({self.ended()})")
        self.confinement = message[1]

    def ended(self) -> str:
        """How the process ended (or that it still runs)."""
        self.process.join(timeout=1)
        return "still running" if self.process.exitcode is None else describe_signal(self.process.exitcode)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


@dataclass(frozen=True)
class PoolStatus:
    size: int
    idle: int
    busy: int
    starting: int
    confinement: str | None  # None: every worker confined; otherwise why not
    last_failure: str | None

    @property
    def short(self) -> bool:
        return self.starting > 0


class WorkerPool:
    """N pre-started workers, each with its own handle on the store, started by `processes`."""

    def __init__(
        self,
        config: WorkerConfig,
        size: int,
        queue_wait: float,
        memory_mib: int,
        processes: Processes = CONTEXT,
    ) -> None:
        self.config, self.size, self.queue_wait, self.memory_mib = config, size, queue_wait, memory_mib
        self.processes = processes
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._starting = 0
        self._last_failure: str | None = None
        self._lock = threading.Condition()
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Worker]]] = []
        self._closed = False
        self.generation = 0
        self._snapshot = UserGraphs()
        workers = [Worker(config, wait=False, processes=processes) for _ in range(size)]
        for worker in workers:
            worker.wait_ready()
        self.confinement = workers[0].confinement
        if self.confinement is not None:
            log.warning("query workers are not confined to the gateway: %s", self.confinement)
        self._all.update(workers)
        self._idle.extend(workers)

    # -- updates -------------------------------------------------------------------------------

    def publish(self, snapshot: UserGraphs) -> None:
        """Make every worker see this snapshot of the writable graphs before its next query."""
        with self._lock:
            self.generation += 1
            self._snapshot = snapshot

    def _sync(self, worker: Worker, deadline: float) -> None:
        generation, snapshot = self.generation, self._snapshot
        if worker.generation == generation:
            return
        worker.conn.send(("sync", generation, snapshot))
        if not worker.conn.poll(max(deadline - time.monotonic(), 0.01)):
            raise QueryTimeout("the query did not start before its deadline")
        worker.conn.recv()
        worker.generation = generation

    # -- checkout ------------------------------------------------------------------------------

    def _acquire(self) -> Worker:
        """An idle worker that is still alive (one found dead is replaced, and the next one taken)."""
        give_up = time.monotonic() + self.queue_wait
        while True:
            with self._lock:
                wait = max(give_up - time.monotonic(), 0)
                if not self._lock.wait_for(lambda: self._idle or self._closed, timeout=wait):
                    raise ServerBusy("all query workers are busy; try again shortly")
                if self._closed:
                    raise ServerBusy("the server is shutting down")
                worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            self._discard(worker)

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if not self._closed:
                while self._waiting:  # a coroutine waits: hand the worker over on its loop
                    loop, future = self._waiting.pop(0)
                    with contextlib.suppress(RuntimeError):  # unless that loop has closed
                        loop.call_soon_threadsafe(self._hand_over, future, worker)
                        return
                self._idle.append(worker)
                self._lock.notify()
                return
        worker.kill()  # a closed pool keeps no workers: one back from a query is stopped here

    def _hand_over(self, future: asyncio.Future[Worker], worker: Worker) -> None:
        if future.done():  # its wait timed out meanwhile: the worker goes to the next in line
            self._release(worker)
        else:
            future.set_result(worker)

    async def _acquire_async(self) -> Worker:
        """`_acquire` for the event loop: waits as a future the pool hands a worker to."""
        give_up = time.monotonic() + self.queue_wait
        while True:
            worker = await self._next_async(max(give_up - time.monotonic(), 0))
            if worker.process.is_alive():
                return worker
            self._discard(worker)

    async def _next_async(self, wait: float) -> Worker:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise ServerBusy("the server is shutting down")
            if self._idle:
                return self._idle.pop()
            future: asyncio.Future[Worker] = loop.create_future()
            self._waiting.append((loop, future))
        try:
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            raise ServerBusy("all query workers are busy; try again shortly") from None

    # -- replacing -----------------------------------------------------------------------------

    def _discard(self, worker: Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
            self._starting += 1
        threading.Thread(target=self._replace, daemon=True, name="cmskg-respawn").start()

    def _replace(self) -> None:
        """Start a replacement, retrying with a backoff until one starts or the pool closes."""
        for attempt in range(1_000_000):
            try:
                fresh = Worker(self.config, processes=self.processes)
            except Exception as error:
                with self._lock:
                    self._last_failure = f"could not start a query worker: {error}"
                    if self._closed:
                        self._starting -= 1
                        return
                log.exception("could not start a replacement query worker")
                time.sleep(RESPAWN_BACKOFF[min(attempt, len(RESPAWN_BACKOFF) - 1)])
                continue
            with self._lock:
                self._starting -= 1
                self._all.add(fresh)
            self._release(fresh)  # a pool closed meanwhile stops it there
            return

    # -- running -------------------------------------------------------------------------------

    def run(self, request: QueryRequest, timeout: float) -> Answer:
        """Wait for an idle worker (at most the queue wait), send it the query, and read its whole
        answer before the deadline, counted from then."""
        worker = self._acquire()
        deadline = time.monotonic() + timeout
        with self._guarded(worker, timeout):
            self._sync(worker, deadline)
            worker.conn.send(("query", request))
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                raise TimeoutError
            message = worker.conn.recv()
            body = self._collect(worker, deadline) if message[0] == "head" else None
        return self._finish(worker, message, body)

    async def run_async(self, request: QueryRequest, timeout: float) -> Answer:
        """`run` for the event loop: the same queue wait, deadline and answers, without a thread.
        A caller that goes away (its task cancelled) takes its worker down with it."""
        worker = await self._acquire_async()
        deadline = time.monotonic() + timeout
        with self._guarded(worker, timeout):
            if worker.generation != self.generation:
                await asyncio.to_thread(self._sync, worker, deadline)
            worker.conn.send(("query", request))
            await _readable(worker.conn, deadline - time.monotonic())
            message = worker.conn.recv()
            body = await self._collect_async(worker, deadline) if message[0] == "head" else None
        return self._finish(worker, message, body)

    def _collect(self, worker: Worker, deadline: float) -> SpooledBody:
        spool = SpooledBody()
        try:
            while True:
                if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                    raise TimeoutError
                if _take(spool, worker.conn.recv_bytes()):
                    return spool.rewind()
        except BaseException:
            spool.close()
            raise

    async def _collect_async(self, worker: Worker, deadline: float) -> SpooledBody:
        spool = SpooledBody()
        try:
            while True:
                if not worker.conn.poll(0):
                    await _readable(worker.conn, deadline - time.monotonic())
                if _take(spool, worker.conn.recv_bytes()):
                    return spool.rewind()
        except BaseException:
            spool.close()
            raise

    @contextlib.contextmanager
    def _guarded(self, worker: Worker, timeout: float) -> Iterator[None]:
        """Whatever goes wrong between handing a worker its query and reading its whole answer
        retires that worker (it may still be working) and becomes the error the caller sees."""
        try:
            yield
        except QueryTimeout:
            self._discard(worker)
            raise
        except TimeoutError:  # before OSError: it is one
            self._discard(worker)
            raise QueryTimeout(f"the query ran past its deadline of {timeout:g} s and was stopped") from None
        except (OSError, EOFError):
            ended = worker.ended()
            self._discard(worker)
            if ended == signal.SIGABRT.name:
                raise QueryAborted(
                    f"the query needed more memory than one query may use here ({self.memory_mib} MiB) "
                    "and was stopped"
                ) from None
            raise QueryAborted(f"the query stopped its worker ({ended}); the worker was replaced") from None
        except BaseException as error:  # cancelled callers, bugs, anything: never a lost worker
            self._discard(worker)
            if isinstance(error, Exception) and not isinstance(error, WorkerFailed):
                log.exception("query worker failed")
                raise WorkerFailed(f"query worker failed: {type(error).__name__}") from None
            raise

    def _finish(self, worker: Worker, message: tuple, body: SpooledBody | None) -> Answer:
        self._release(worker)
        if message[0] == "error":
            _raise(message[1], message[2])
        if message[0] == "answer":  # small enough to come whole in one message
            return Answer(head=message[1], body=ChunkBody(iter([message[2]])))
        if message[0] == "head" and body is not None:
            return Answer(head=message[1], body=body)
        raise WorkerFailed(f"query worker sent {message[0]!r}")

    # -- state ---------------------------------------------------------------------------------

    @property
    def confined(self) -> bool:
        return self.confinement is None

    def status(self) -> PoolStatus:
        with self._lock:
            idle, starting, alive = len(self._idle), self._starting, len(self._all)
            return PoolStatus(
                size=self.size,
                idle=idle,
                busy=max(alive - idle, 0),
                starting=starting,
                confinement=self.confinement,
                last_failure=self._last_failure,
            )

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            everyone, self._all = self._all, set()
            waiting, self._waiting = self._waiting, []
            self._lock.notify_all()
        for loop, future in waiting:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_fail, future, ServerBusy("the server is shutting down"))
        for worker in idle:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop",))
        for worker in everyone:  # busy ones too: nothing outlives the pool
            worker.kill()


def _take(spool: SpooledBody, data: bytes) -> bool:
    """Add one tagged message of a worker's body to the spool; True at the end."""
    tag, payload = data[:1], data[1:]
    if tag == DATA:
        spool.write(payload)
        return False
    if tag == END:
        return True
    raise WorkerFailed(payload.decode("utf-8", "replace"))


async def _readable(conn: Connection, timeout: float) -> None:
    """Wait until the worker has written to its pipe, or raise TimeoutError. The loop makes the
    pipe non-blocking to watch it; it is made blocking again for `recv` and for threads."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()
    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, max(timeout, 0))
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)


def _fail(future: asyncio.Future, error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


def _raise(kind: str, detail: Any) -> NoReturn:  # detail: a message, or the offered types
    if kind == "query":
        raise QueryError(detail)
    if kind == "format":
        raise UnknownFormat(detail)
    if kind == "acceptable":
        raise NotAcceptable(detail)
    raise WorkerFailed(detail)
