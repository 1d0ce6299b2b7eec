"""The one way out of a confined worker: its SERVICE calls to our federation gateway.

A worker in its own network namespace reaches nothing. The query service rewrites each allowed
SERVICE endpoint to a gateway URL, `http://127.0.0.1:PORT/_federation/SECRET/...`. Inside the
namespace, a `Relay` listens on exactly that address; for each connection it asks the server's
`Broker` (over a Unix socket made before the worker was confined) for a fresh socket connected to
the real gateway, checks that the request line is a POST to the gateway's secret path, and copies
bytes both ways. The gateway answers with `Connection: close`, so one connection carries one call.

Whatever a query's text names, the only socket a worker can obtain leads to our gateway, and the
gateway forwards only the calls the guard allowed for that query's ticket.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle

log = logging.getLogger(__name__)
HEAD_LIMIT = 8192
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Route:
    """Where the gateway is: the address the worker's URLs name (and the relay listens on inside the
    namespace), the address the broker connects to, and the path every call must start with."""

    listen_port: int
    target: tuple[str, int]
    path_prefix: str


class Relay:
    """Inside the worker's namespace: carries gateway-bound connections out through the broker."""

    def __init__(self, route: Route, broker: Connection) -> None:
        self.route, self.broker = route, broker
        self._lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", route.listen_port))
        threading.Thread(target=self._accept, daemon=True, name="cmskg-egress").start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._carry, args=(conn,), daemon=True).start()

    def _upstream(self) -> socket.socket | None:
        with self._lock:
            self.broker.send("connect")
            if not self.broker.recv():
                return None
            return socket.socket(fileno=recv_handle(self.broker))

    def _carry(self, conn: socket.socket) -> None:
        with conn:
            head = _request_head(conn)
            expected = f"POST {self.route.path_prefix}".encode()
            if not head.startswith(expected):
                return  # not a gateway call: nothing else is reachable from here
            upstream = self._upstream()
            if upstream is None:
                return
            with upstream:
                upstream.sendall(head)
                back = threading.Thread(target=_copy, args=(upstream, conn), daemon=True)
                back.start()
                _copy(conn, upstream)
                back.join()


def _request_head(conn: socket.socket) -> bytes:
    """The bytes up to and including the request line (bounded)."""
    data = b""
    while b"\n" not in data and len(data) < HEAD_LIMIT:
        chunk = conn.recv(HEAD_LIMIT - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _copy(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


class Broker:
    """In the server: answers one worker's relay with sockets connected to our gateway."""

    def __init__(self, conn: Connection, target: tuple[str, int], worker_pid: int) -> None:
        self.conn, self.target, self.pid = conn, target, worker_pid
        threading.Thread(target=self._serve, daemon=True, name="cmskg-egress-broker").start()

    def _serve(self) -> None:
        while True:
            try:
                self.conn.recv()
            except (EOFError, OSError):
                return  # the worker is gone
            try:
                upstream = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT)
            except OSError as error:
                log.warning("federation gateway unreachable at %s:%s: %s", *self.target, error)
                with contextlib.suppress(OSError):
                    self.conn.send(False)
                continue
            with upstream:
                upstream.settimeout(None)
                try:
                    self.conn.send(True)
                    send_handle(self.conn, upstream.fileno(), self.pid)
                except OSError:
                    return
