"""A small, bounded HTTP/1.1 load generator on asyncio streams (keep-alive, chunked bodies).

It is lighter than a full client library, so on a 2-core machine the client takes as little CPU
from the servers as it can. Every run is bounded in time and in request count, and only ever
talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import count
from urllib.parse import urlsplit

MAX_REQUESTS = 200_000  # hard bound on one run, whatever its duration


FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Request:
    """One HTTP request: a GET of a path with its query string, or, with a `body`, a POST of that
    form-encoded body (a SPARQL query too long for a URL), and the Accept header."""

    path: str
    accept: str = "application/sparql-results+json"
    body: str | None = None

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"

    def head(self, host: str, port: int, extra: str = "") -> bytes:
        """The request line, headers and body, as sent."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}", f"Accept: {self.accept}"]
        body = (self.body or "").encode()
        if self.body is not None:
            lines += [f"Content-Type: {FORM}", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode() + body


@dataclass
class Outcome:
    status: int
    size: int
    seconds: float
    error: str | None = None


class Connection:
    """One keep-alive connection to host:port."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, request: Request) -> tuple[int, int]:
        """Send one request and read the whole answer; returns (status, body bytes)."""
        if self.writer is None:
            await self._open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request.head(self.host, self.port, "User-Agent: cmskg-bench\r\n"))
        await self.writer.drain()
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed by the server")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        size = 0
        if chunked:
            while True:
                chunk = int((await reader.readline()).split(b";")[0], 16)
                if chunk == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                await reader.readexactly(chunk + 2)
                size += chunk
        elif length is not None:
            await reader.readexactly(length)
            size = length
        else:
            size = len(await reader.read())
            close = True
        if close:
            self.close()
        return status, size


async def _one(conn: Connection, request: Request, timeout: float) -> Outcome:
    started = time.perf_counter()
    try:
        status, size = await asyncio.wait_for(conn.get(request), timeout)
    except TimeoutError:
        conn.close()
        return Outcome(0, 0, time.perf_counter() - started, "timeout")
    except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
        conn.close()
        return Outcome(0, 0, time.perf_counter() - started, type(error).__name__)
    elapsed = time.perf_counter() - started
    return Outcome(status, size, elapsed, None if status == 200 else f"HTTP {status}")


@dataclass
class RunResult:
    """What one run measured."""

    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of successful requests
    errors: Counter = field(default_factory=Counter)
    bytes: int = 0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def total(self) -> int:
        return self.ok + sum(self.errors.values())

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _split(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def _closed_loop(
    base_url: str, requests: list[Request], clients: int, duration: float, timeout: float, max_requests: int
) -> RunResult:
    host, port = _split(base_url)
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only talks to the loopback interface")
    result = RunResult(clients=clients, seconds=0.0)
    ticket = count()
    started = time.perf_counter()
    stop_at = started + duration

    async def client(index: int) -> None:
        conn = Connection(host, port)
        try:
            while time.perf_counter() < stop_at:
                n = next(ticket)
                if n >= max_requests:
                    return
                outcome = await _one(conn, requests[(n + index) % len(requests)], timeout)
                if outcome.error is None:
                    result.latencies.append(outcome.seconds)
                    result.bytes += outcome.size
                else:
                    result.errors[outcome.error] += 1
                    if outcome.error not in ("timeout",) and not outcome.error.startswith("HTTP"):
                        await asyncio.sleep(0.05)  # do not spin on a refused connection
        finally:
            conn.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


def closed_loop(
    base_url: str,
    requests: list[Request],
    clients: int,
    duration: float,
    timeout: float = 30.0,
    max_requests: int = MAX_REQUESTS,
) -> RunResult:
    """`clients` concurrent clients, each sending the next request as soon as it has its answer,
    for `duration` seconds (requests started before the end finish), at most `max_requests`."""
    return asyncio.run(_closed_loop(base_url, requests, clients, duration, timeout, max_requests))


def sample_latency(
    base_url: str, requests: list[Request], samples: int, budget: float, timeout: float, warmup: int = 2
) -> RunResult:
    """One client, one request at a time: `warmup` unmeasured, then up to `samples` measured,
    stopping early when `budget` seconds have passed (at least one measured request is made)."""

    async def go() -> RunResult:
        host, port = _split(base_url)
        conn = Connection(host, port)
        result = RunResult(clients=1, seconds=0.0)
        try:
            for i in range(warmup):
                outcome = await _one(conn, requests[i % len(requests)], timeout)
                if outcome.error is not None:
                    result.errors[outcome.error] += 1
                    return result
                if outcome.seconds > budget:
                    break
            started = time.perf_counter()
            for i in range(samples):
                outcome = await _one(conn, requests[i % len(requests)], timeout)
                if outcome.error is None:
                    result.latencies.append(outcome.seconds)
                    result.bytes += outcome.size
                else:
                    result.errors[outcome.error] += 1
                    if outcome.error == "timeout":
                        break
                if time.perf_counter() - started > budget:
                    break
            result.seconds = time.perf_counter() - started
        finally:
            conn.close()
        return result

    return asyncio.run(go())


def fetch(base_url: str, request: Request, timeout: float = 30.0) -> tuple[int, bytes]:
    """One request, its answer's body read whole (for discovery and checks, not timed)."""

    async def go() -> tuple[int, bytes]:
        host, port = _split(base_url)
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
        try:
            writer.write(request.head(host, port, "Connection: close\r\n"))
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b"\r\n", 1)[0].split()[1])
        if b"transfer-encoding: chunked" in head.lower():
            out, rest = bytearray(), body
            while rest:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0] or b"0", 16)
                if size == 0:
                    break
                out += rest[:size]
                rest = rest[size + 2 :]
            body = bytes(out)
        return status, body

    return asyncio.run(go())
