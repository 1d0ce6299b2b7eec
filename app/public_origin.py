"""Every request is seen as addressed to our configured public URL, whatever its Host header says.

Starlette builds absolute URLs (trailing-slash redirects, `url_for`, `request.url`) from the Host
header, which any client can set: `Host: evil.example` would put evil.example into a redirect or a
service description that caches then keep. This middleware rewrites the scope's host, scheme and
root path from `Settings.public_base` before any route sees it, so every URL we write names us.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send


class PublicOrigin:
    """A pure ASGI middleware: the Host header, scheme and root path come from the public URL."""

    def __init__(self, app: ASGIApp, public_base: str) -> None:
        self.app = app
        parts = urlsplit(public_base)
        self.scheme = parts.scheme
        self.host = parts.netloc.encode("latin-1")
        self.root_path = parts.path.rstrip("/")
        default_port = 443 if parts.scheme == "https" else 80
        self.server = (parts.hostname or "", parts.port or default_port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = [(name, value) for name, value in scope["headers"] if name != b"host"]
            scope = {
                **scope,
                "headers": [(b"host", self.host), *headers],
                "scheme": self.scheme if scope["type"] == "http" else scope["scheme"],
                "server": self.server,
                "root_path": self.root_path,
            }
        await self.app(scope, receive, send)
