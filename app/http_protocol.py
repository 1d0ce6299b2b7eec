"""Requests whose URL is too long get our clear error, not uvicorn's bare 400.

httptools cannot parse a URL over 65,535 bytes (its offsets are 16-bit), and uvicorn answers such a
request with "Invalid HTTP request received." before any route sees it: a long SPARQL query sent by
GET would look malformed. `LongUrlProtocol` (uvicorn's httptools protocol, one method added to)
cuts such a URL to its path and marks the request; `LongUrlAnswer` answers a marked request with
414 and says to send the query by POST.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_URL = 65_535
MARK = b"x-cmskg-url-too-long"


class LongUrlProtocol(HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        if len(self.url) > MAX_URL:
            self.url = self.url.split(b"?", 1)[0][:MAX_URL]
            self.headers.append((MARK, b"1"))
        super().on_headers_complete()


class LongUrlAnswer:
    """A pure ASGI middleware: 414 for a request whose URL `LongUrlProtocol` had to cut."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(name == MARK for name, _ in scope["headers"]):
            answer = PlainTextResponse(
                f"the request URL is longer than {MAX_URL} bytes: send the query by POST "
                "(a form or application/sparql-query)\n",
                status_code=414,
            )
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)
