"""Forward one SERVICE call to its partner with a timeout and a row cap, and remember how it went.

Each federated query gets a ticket listing its calls; the query worker reaches the partners only
through gateway URLs carrying that ticket. After the query, the service reads the outcomes: a
failed call fails the query (502, or 504 on a timeout) naming the partner, unless it was SILENT,
in which case the answer says which partner was skipped.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from dataclasses import dataclass, field

from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from app.engine.guard import ServiceCall
from app.engine.results import capped, solutions_chunks
from app.formats import AnswerKind, by_name

RESULT_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}


@dataclass
class Outcome:
    endpoint: str
    silent: bool
    status: int  # 200 ok, 502 partner error, 504 partner timeout
    message: str = ""
    capped: bool = False


@dataclass
class Ticket:
    calls: list[ServiceCall]
    outcomes: dict[int, Outcome] = field(default_factory=dict)


class PartnerFailed(Exception):
    """A partner endpoint failed a non-SILENT SERVICE call (502, or 504 on timeout)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class Gateway:
    """Tickets for federated queries in flight, and the forwarding of their calls."""

    def __init__(self, timeout: float, max_rows: int, max_bytes: int) -> None:
        self.timeout, self.max_rows, self.max_bytes = timeout, max_rows, max_bytes
        self._tickets: dict[str, Ticket] = {}
        self._lock = threading.Lock()
        self.secret = secrets.token_urlsafe(16)

    def open(self, calls: list[ServiceCall]) -> str:
        ticket = secrets.token_urlsafe(12)
        with self._lock:
            self._tickets[ticket] = Ticket(calls)
        return ticket

    def close(self, ticket: str) -> Ticket | None:
        with self._lock:
            return self._tickets.pop(ticket, None)

    def get(self, ticket: str) -> Ticket | None:
        with self._lock:
            return self._tickets.get(ticket)

    async def forward(
        self, ticket_id: str, index: int, body: bytes, content_type: str
    ) -> tuple[int, bytes, str]:
        """Run one call; returns (status, body, media type) for the query worker."""
        ticket = self.get(ticket_id)
        if ticket is None or not 0 <= index < len(ticket.calls):
            return 404, b"unknown federation ticket", "text/plain"
        call = ticket.calls[index]
        outcome = await self._fetch(call, body, content_type)
        ticket.outcomes[index] = outcome[0]
        return outcome[0].status, outcome[1], outcome[2]

    async def _fetch(self, call: ServiceCall, body: bytes, content_type: str) -> tuple[Outcome, bytes, str]:
        import httpx  # here, not at start-up (80 ms): only a federated query calls out

        def failed(status: int, message: str) -> tuple[Outcome, bytes, str]:
            return Outcome(call.endpoint, call.silent, status, message), message.encode(), "text/plain"

        headers = {
            "Content-Type": content_type or "application/sparql-query",
            "Accept": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
        }
        try:
            async with (
                asyncio.timeout(self.timeout),
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("POST", call.endpoint, content=body, headers=headers) as response,
            ):
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > self.max_bytes:
                        return failed(502, f"answer larger than {self.max_bytes} bytes")
        except (httpx.TimeoutException, TimeoutError):
            return failed(504, f"no complete answer within {self.timeout:g} s")
        except httpx.HTTPError as error:
            return failed(502, f"connection failed: {type(error).__name__}")
        if response.status_code != 200:
            return failed(502, f"answered HTTP {response.status_code}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        fmt = RESULT_FORMATS.get(media_type)
        if fmt is None:
            return failed(502, f"answered {media_type or 'no media type'}, not SPARQL results")
        try:
            results = parse_query_results(bytes(data), format=fmt)
            if not isinstance(results, QuerySolutions):
                return failed(502, "answered a boolean, not solutions")
            variables = [v.value for v in results.variables]
            rows, cut = capped(results, self.max_rows)
        except (SyntaxError, ValueError, OSError, RuntimeError) as error:
            return failed(502, f"answered malformed results: {str(error)[:200]}")
        json_format = by_name("json", AnswerKind.RESULTS)
        payload = b"".join(solutions_chunks(variables, rows, json_format))
        return Outcome(call.endpoint, call.silent, 200, capped=cut), payload, json_format.media_type
