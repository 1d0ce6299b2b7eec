"""Confine a query worker (or a one-off job) before it reads a request: no network of its own, a
memory ceiling, a deep stack, and death with the server.

- **Network.** The process moves into a fresh network namespace that holds only a loopback
  interface, so whatever a query's text makes the engine fetch (SERVICE, LOAD), nothing on the host
  or beyond can be reached. Federation still works: `app.engine.egress` listens inside the
  namespace where gateway URLs point and carries those connections, and only those, to our gateway.
  As root the namespace is made directly; otherwise through a user namespace. When the kernel
  allows neither, the worker runs unconfined and says so (`/health` reports it).
- **Memory.** RLIMIT_DATA caps the process at what it uses once its store is loaded plus the
  query budget (`--query-memory`); an engine allocation past it aborts the process, which the pool
  reports as a 503 and replaces.
- **Stack.** pyoxigraph's parser and evaluator recurse; a few thousand nested brackets overflow
  an 8 MiB stack and kill the process. Queries run on a thread whose stack grows with the largest
  accepted query text, so no accepted text can overflow it.
- **Lifetime.** PR_SET_PDEATHSIG kills the process when its parent (the server's fork server, which
  exits with the server) dies, and the process checks every second that the server still runs, so
  no worker outlives the server, even after a SIGKILL and even in the middle of a query.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import multiprocessing.forkserver
import os
import resource
import signal
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
STACK_PER_QUERY_BYTE = 8 * 1024  # measured need: under 2 KiB of stack per byte of the deepest text
MIN_STACK = 64 * 1024 * 1024
MIB = 1024 * 1024
WATCH_INTERVAL = 1.0


@dataclass(frozen=True)
class Limits:
    """What a confined process gets: its memory budget beyond its store, and the longest text."""

    memory_mib: int
    max_text_bytes: int
    isolate_network: bool = True
    server_pid: int = 0  # the server to die with (0: only with the parent)

    @property
    def stack_bytes(self) -> int:
        return max(MIN_STACK, self.max_text_bytes * STACK_PER_QUERY_BYTE)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Be killed when the parent process (the fork server) dies, and exit now if it already has.

    The fork server lives as long as any process holds the 'alive' pipe it hands each child, so a
    child that kept it (and was busy) would keep the fork server, and itself, alive after the
    server died: the child lets go of it (it never starts processes of its own)."""
    parent = os.getppid()
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent or parent == 1:
        os._exit(1)
    alive = getattr(getattr(multiprocessing.forkserver, "_forkserver", None), "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b""))


def _map_ids(uid: int, gid: int) -> None:
    """Keep our own uid and gid inside a new user namespace (files stay ours)."""
    with open("/proc/self/setgroups", "w") as file:
        file.write("deny")
    with open("/proc/self/uid_map", "w") as file:
        file.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as file:
        file.write(f"{gid} {gid} 1")


def isolate_network() -> str | None:
    """Move this (single-threaded) process into a network namespace of its own with loopback up.
    None when done; otherwise why it could not be done."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNET) != 0:
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return f"no network namespace: {os.strerror(ctypes.get_errno())}"
        _map_ids(uid, gid)
    _loopback_up()
    return None


def data_size() -> int:
    """The process's data segment (VmData: heap and private writable mappings), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(budget_mib: int) -> None:
    """Cap the data segment at what is used now plus the budget."""
    ceiling = data_size() + budget_mib * MIB
    resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))


def on_deep_stack(limits: Limits, target: Callable[[], None]) -> None:
    """Run `target` on a thread with a stack deep enough for any accepted text; meanwhile, watch
    that the server still runs (exit at once when it does not), until `target` returns."""
    threading.stack_size(limits.stack_bytes)
    try:
        thread = threading.Thread(target=target, name="cmskg-deep-stack", daemon=True)
        thread.start()
    finally:
        threading.stack_size(0)  # threads started later (the egress relay's) get the default
    while thread.is_alive():
        thread.join(WATCH_INTERVAL)
        if limits.server_pid and not _running(limits.server_pid):
            os._exit(1)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_signal(exitcode: int | None) -> str:
    """What a worker's exit code says about how it ended."""
    if exitcode is None or exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"
