"""A warm pool of query worker processes with deadlines that really stop work.

A query goes to an idle worker with a deadline that starts when the worker takes it (time spent
queueing must not kill a worker that has only just started). Past the deadline the worker is
killed (its CPU freed at once) and a fresh one is started in the background; the caller gets
QueryTimeout.
When every worker is busy for longer than the queue wait, the caller gets ServerBusy.

Threads call `run`; the event loop calls `run_async`, which waits on the worker's pipe with the
loop's own reader instead of a thread (a thread hop per query halved lookup throughput).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from app.engine.answer import Answer, ChunkBody
from app.engine.errors import QueryError, QueryTimeout, ServerBusy
from app.engine.execution import QueryRequest
from app.engine.worker import DATA, END, StoreSpec, serve
from app.formats import NotAcceptable, UnknownFormat

log = logging.getLogger(__name__)
# Workers are forked from a server process that has already imported what they need: started
# early (warm_up), it imports while the main process validates the graph, and each worker then
# starts in milliseconds. It forks before any store or thread exists, so nothing unsafe is copied.
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["app.engine.worker"])
START_TIMEOUT = 120.0


def warm_up() -> None:
    """Start the worker-forking server now, so its imports overlap the graph's validation."""
    multiprocessing.forkserver.ensure_running()


class WorkerFailed(Exception):
    """A worker died or misbehaved; the pool replaces it."""


class Worker:
    def __init__(self, spec: StoreSpec, max_rows: int, wait: bool = True) -> None:
        self.conn, child = CONTEXT.Pipe()
        self.process: BaseProcess = CONTEXT.Process(
            target=serve, args=(child, spec, max_rows), daemon=True, name="cmskg-query-worker"
        )
        self.process.start()
        child.close()
        self.generation = 0
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the worker has its store open (start several, then wait: they load in parallel)."""
        if not self.conn.poll(START_TIMEOUT) or self.conn.recv() != ("ready",):
            self.kill()
            raise WorkerFailed("query worker did not start")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Body(Iterator[bytes]):
    """Body chunks read from the worker as they arrive. The worker goes back to the pool when
    the body is read to its end; closing it early, a failure or a deadline hit kills it."""

    def __init__(self, pool: WorkerPool, worker: Worker, deadline: float, timeout: float) -> None:
        self._pool, self._worker, self._deadline, self._timeout = pool, worker, deadline, timeout
        self._done = False

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        conn = self._worker.conn
        try:
            if not conn.poll(max(self._deadline - time.monotonic(), 0)):
                raise QueryTimeout(f"the answer ran past its deadline of {self._timeout:g} s")
            data = conn.recv_bytes()
        except (OSError, EOFError) as error:
            self.close()
            raise WorkerFailed(f"query worker failed: {error}") from None
        except QueryTimeout:
            self.close()
            raise
        tag, payload = data[:1], data[1:]
        if tag == DATA:
            return payload
        if tag == END:
            self._done = True
            self._pool._release(self._worker)
            raise StopIteration
        self.close()
        raise WorkerFailed(payload.decode("utf-8", "replace"))

    def close(self) -> None:
        """Give up on the rest of the body: the worker may still be writing, so it is replaced."""
        if not self._done:
            self._done = True
            self._pool._discard(self._worker)

    def read(self) -> bytes:
        """The whole body (for internal callers that want a small answer in one piece)."""
        return b"".join(self)


class WorkerPool:
    """N pre-started workers, each with its own handle on the store."""

    def __init__(self, spec: StoreSpec, size: int, max_rows: int, queue_wait: float) -> None:
        self.spec, self.size, self.max_rows, self.queue_wait = spec, size, max_rows, queue_wait
        self._idle: list[Worker] = []
        self._lock = threading.Condition()
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Worker]]] = []
        self._closed = False
        self.generation = 0
        self._user_quads = b""
        workers = [Worker(spec, max_rows, wait=False) for _ in range(size)]
        for worker in workers:
            worker.wait_ready()
        self._idle.extend(workers)

    # -- updates -------------------------------------------------------------------------------

    def publish(self, user_quads: bytes) -> None:
        """Make every worker see this snapshot of the writable graphs before its next query."""
        with self._lock:
            self.generation += 1
            self._user_quads = user_quads

    def _sync(self, worker: Worker, deadline: float) -> None:
        generation, quads = self.generation, self._user_quads
        if worker.generation == generation:
            return
        worker.conn.send(("sync", generation, quads))
        if not worker.conn.poll(max(deadline - time.monotonic(), 0.01)):
            raise QueryTimeout("the query did not start before its deadline")
        worker.conn.recv()
        worker.generation = generation

    # -- checkout ------------------------------------------------------------------------------

    def _acquire(self) -> Worker:
        with self._lock:
            if not self._lock.wait_for(lambda: self._idle or self._closed, timeout=self.queue_wait):
                raise ServerBusy("all query workers are busy; try again shortly")
            if self._closed:
                raise ServerBusy("the server is shutting down")
            return self._idle.pop()

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
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise ServerBusy("the server is shutting down")
            if self._idle:
                return self._idle.pop()
            future: asyncio.Future[Worker] = loop.create_future()
            self._waiting.append((loop, future))
        try:
            return await asyncio.wait_for(future, self.queue_wait)
        except TimeoutError:
            raise ServerBusy("all query workers are busy; try again shortly") from None

    def _discard(self, worker: Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        worker.kill()
        threading.Thread(target=self._replace, daemon=True, name="cmskg-respawn").start()

    def _replace(self) -> None:
        try:
            fresh = Worker(self.spec, self.max_rows)
        except Exception:
            log.exception("could not start a replacement query worker")
            return
        self._release(fresh)  # a pool closed meanwhile stops it there

    # -- running -------------------------------------------------------------------------------

    def run(self, request: QueryRequest, timeout: float) -> Answer:
        """Wait for an idle worker (at most the queue wait), send it the query, and wait for the
        answer's head until the deadline, counted from then; then stream."""
        worker = self._acquire()
        deadline = time.monotonic() + timeout  # from the start of the work: waiting kills nothing
        with self._until_head(worker, timeout):
            self._sync(worker, deadline)
            worker.conn.send(("query", request))
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                raise TimeoutError
            message = worker.conn.recv()
        return self._answer(worker, message, deadline, timeout)

    async def run_async(self, request: QueryRequest, timeout: float) -> Answer:
        """`run` for the event loop: the same queue wait, deadline and answers, without a thread.
        A caller that goes away (its task cancelled) takes its worker down with it."""
        worker = await self._acquire_async()
        deadline = time.monotonic() + timeout
        with self._until_head(worker, timeout):
            if worker.generation != self.generation:
                await asyncio.to_thread(self._sync, worker, deadline)
            worker.conn.send(("query", request))
            await _readable(worker.conn, deadline - time.monotonic())
            message = worker.conn.recv()
        return self._answer(worker, message, deadline, timeout)

    @contextlib.contextmanager
    def _until_head(self, worker: Worker, timeout: float) -> Iterator[None]:
        """Whatever stops the wait for the answer's head also stops the worker (it may still be
        working on the query), and becomes the error the caller should see."""
        try:
            yield
        except QueryTimeout:
            self._discard(worker)
            raise
        except TimeoutError:  # before OSError: it is one
            self._discard(worker)
            raise QueryTimeout(f"the query ran past its deadline of {timeout:g} s and was stopped") from None
        except (OSError, EOFError) as error:
            self._discard(worker)
            raise WorkerFailed(f"query worker failed: {error}") from None
        except asyncio.CancelledError:
            self._discard(worker)
            raise

    def _answer(self, worker: Worker, message: tuple, deadline: float, timeout: float) -> Answer:
        if message[0] == "error":
            self._release(worker)
            _raise(message[1], message[2])
        if message[0] == "answer":  # small enough to come whole: the worker is free at once
            self._release(worker)
            return Answer(head=message[1], body=ChunkBody(iter([message[2]])))
        return Answer(head=message[1], body=Body(self, worker, deadline, timeout))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            waiting, self._waiting = self._waiting, []
            self._lock.notify_all()
        for loop, future in waiting:
            loop.call_soon_threadsafe(_fail, future, ServerBusy("the server is shutting down"))
        for worker in idle:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop",))
            worker.kill()

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)


async def _readable(conn: Connection, timeout: float) -> None:
    """Wait until the worker has written to its pipe, or raise TimeoutError. The loop makes the
    pipe non-blocking to watch it; it is made blocking again for `recv` and for threads."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await asyncio.wait_for(ready, max(timeout, 0))
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)


def _fail(future: asyncio.Future, error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


def _raise(kind: str, detail) -> None:
    if kind == "query":
        raise QueryError(detail)
    if kind == "format":
        raise UnknownFormat(detail)
    if kind == "acceptable":
        raise NotAcceptable(detail)
    raise WorkerFailed(detail)
