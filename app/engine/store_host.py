"""One process that loads the serving store and forks every query worker from it.

Each worker used to load its own copy of the store from an N-Quads dump: at 10^6 triples the
three workers (two for queries, one for lookups) took 18 s together on two cores, and a worker
killed at its deadline took ten seconds to come back. The store host loads the dump once, then
runs the standard library's fork-server loop (`multiprocessing.forkserver.main`), so each worker
is a fork of a process that already holds the store: it starts in milliseconds, and its pages are
the host's until it writes them. (Oxigraph's in-memory store writes as it reads, so a worker that
has scanned the whole graph ends up with its own copy of what it scanned: the sharing saves time
at every start and memory until the heavy queries come, not for ever.)

The host is itself started by our warm fork server (`app.engine.processes`), so no interpreter
starts and nothing is imported on the way. It lives while the server holds its "alive" pipe and
dies with our fork server; its workers die with it (see `app.engine.sandbox.die_with_parent`). If
it dies anyway, the next worker start brings it back from the dump.

The fork server's own protocol carries a worker's pipes, its pid and its exit status, so a worker
started here is an ordinary `multiprocessing` process to the pool: `is_alive`, `kill`, `exitcode`.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, resource_tracker, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from pyoxigraph import Quad, RdfFormat, Store, serialize

from app.engine import sandbox, worker
from app.engine.processes import CONTEXT
from app.engine.worker import StoreSpec


class StoreHost(forkserver.ForkServer):
    """A fork server whose forks inherit the store loaded from its dumps (see the module's doc).

    `begin` dumps a store and starts loading it in the background; `add` gives the quads computed
    meanwhile (the annex graphs), written beside the dump; the first worker start waits for both to
    be loaded. A host that died is started again from the same files by the next worker start.

    It keeps the standard `ForkServer`'s fork-request protocol of Python 3.11 and 3.12 (which
    `connect_to_new_process` speaks) and replaces how the server starts (`ensure_running`)."""

    _forkserver_address: str | None
    _forkserver_alive_fd: int | None
    # the Pythons whose fork-request protocol this was written and tested for (3.14 adds a key)
    SUPPORTED: bool = sys.version_info[:2] in ((3, 11), (3, 12))

    def __init__(self, dump: Path, scratch: Path | None = None) -> None:
        """`scratch`: a directory of this host's own, removed on `close`."""
        super().__init__()
        self.dump, self.scratch = dump, scratch
        self.extra: tuple[Path, ...] | None = None  # None: not given yet (the first start waits)
        self._host: BaseProcess | None = None
        self._starting: _Starting | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    @classmethod
    def begin(cls, store: Store) -> StoreHost:
        """Dump `store` to a scratch directory and start loading it in a host now."""
        scratch = Path(tempfile.mkdtemp(prefix="cmskg-workers-"))
        dump = scratch / "store.nq"
        store.dump(str(dump), format=RdfFormat.N_QUADS)
        host = cls(dump, scratch)
        with host._start_lock:
            host._starting = host._launch()
        return host

    def add(self, quads: Iterable[Quad]) -> None:
        """Quads the host loads after the dump (once: the store is then complete)."""
        assert self.extra is None, "the host's store is complete already"
        extra = (self.scratch or self.dump.parent) / "added.nq"
        serialize(quads, str(extra), format=RdfFormat.N_QUADS)
        self.extra = (extra,)

    def Process(self, **kwargs: Any) -> BaseProcess:
        """A process forked from the host: `StoreSpec(inherited=True)` opens the host's store."""
        return _HostedProcess(self, **kwargs)

    def ensure_running(self) -> None:
        """Start the host unless it is running, and wait until its store is loaded."""
        with self._start_lock:
            if self._closed:  # a worker replaced after the service closed must not revive the host
                raise OSError("the store host is closed")
            if self._host is not None and self._host.is_alive():
                return
            self._forget()
            starting, self._starting = self._starting or self._launch(), None
            try:
                starting.control.send(self.extra or ())
                loaded = starting.control.poll(_LOAD_TIMEOUT) and starting.control.recv()
            except (EOFError, OSError):
                loaded = False
            finally:
                starting.control.close()
            if not loaded:
                os.close(starting.alive)
                starting.process.kill()
                starting.process.join(5)
                ended = sandbox.describe_signal(starting.process.exitcode)
                raise OSError(f"the store host did not load the store ({ended})")
            self._forkserver_address, self._forkserver_alive_fd = starting.address, starting.alive
            self._host = starting.process

    def _launch(self) -> _Starting:
        """Start a host process, which begins loading the dump at once."""
        resource_tracker.ensure_running()
        address = f"\0cmskg-store-host-{secrets.token_hex(8)}"  # abstract: no file to remove
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(address)
            listener.listen()
            alive_r, alive_w = os.pipe()
            control, control_child = CONTEXT.Pipe()
            alive = Connection(alive_r, writable=False)
            process = CONTEXT.Process(
                target=_host, args=(listener, alive, self.dump, control_child), daemon=True,
                name="cmskg-store-host",
            )
            try:
                process.start()
            finally:
                alive.close()
                control_child.close()
        return _Starting(process, address, alive_w, control)

    def _forget(self) -> None:
        """Let go of a host that has died (or was never started)."""
        if self._forkserver_alive_fd is not None:
            os.close(self._forkserver_alive_fd)
        if self._host is not None:
            self._host.join(1)
        self._forkserver_address = self._forkserver_alive_fd = self._host = None

    def close(self) -> None:
        """Stop the host: closing its alive pipe ends its loop; its workers die with it."""
        with self._start_lock:
            self._closed = True
            if self._starting is not None:  # never waited for: stopped as it loads
                self._starting.control.close()
                os.close(self._starting.alive)
                self._starting.process.kill()
                self._starting.process.join(5)
                self._starting = None
            host = self._host
            if self._forkserver_alive_fd is not None:
                os.close(self._forkserver_alive_fd)
                self._forkserver_alive_fd = None
            if host is not None:
                host.join(5)
                if host.is_alive():
                    host.kill()
                    host.join(5)
            self._host = self._forkserver_address = None
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        return self._host.pid if self._host is not None else None


@dataclass(frozen=True)
class _Starting:
    """A host process loading its dump: what the host needs once it has said it is ready."""

    process: BaseProcess
    address: str
    alive: int  # the write end of its alive pipe
    control: Connection


_LOAD_TIMEOUT = 600.0  # 10^6 triples load in about 10 s; a host that takes this long is stuck


def _host(listener: socket.socket, alive: Connection, dump: Path, control: Connection) -> None:
    """In the host: load the dump, then the files the server sends, say so, then fork workers
    until the server lets go."""
    sandbox.die_with_parent()  # lets go of our fork server's alive pipe, dies with it
    store = worker.open_store(StoreSpec(dump_path=dump))
    for path in control.recv():
        store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    worker.inherit(store)
    alive_fd = os.dup(alive.fileno())
    alive.close()
    listener_fd = listener.detach()
    control.send(True)
    control.close()
    forkserver.main(listener_fd, alive_fd, preload=[])


class _Popen(popen_forkserver.Popen):
    """`popen_forkserver.Popen` asking the store host, not the module's fork server, for the fork."""

    _fds: list[int]

    def __init__(self, process_obj: BaseProcess, host: StoreHost) -> None:
        self._host = host
        super().__init__(process_obj)

    def _launch(self, process_obj: BaseProcess) -> None:  # as the standard library's, but _host
        prep_data = spawn.get_preparation_data(process_obj._name)  # type: ignore[attr-defined]
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = self._host.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _HostedProcess(ForkServerProcess):
    """A process the store host forks; the host itself is not sent to the child."""

    def __init__(self, host: StoreHost, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._store_host = host

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_store_host", None)
        return state

    def _Popen(self, process_obj: BaseProcess) -> _Popen:  # type: ignore[override]
        return _Popen(process_obj, self._store_host)
