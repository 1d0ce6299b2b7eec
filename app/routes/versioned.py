"""Each request takes the current snapshot once, on arrival, and its answer names that version.

`TakeSnapshot` is the outermost piece of the application that knows about data: it reads
`app.state.snapshot` (one attribute, swapped whole by a reload) into the request's own state and
adds `X-Data-Version` to the answer's head. Routes read the snapshot with `snapshot(request)`, never
from `app.state`, so nothing a request reads can come from a later version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.engine.service import QueryService, ServiceRetired
from app.snapshot import Snapshot

T = TypeVar("T")

HEADER = "X-Data-Version"


def snapshot(request: Request) -> Snapshot:
    """The snapshot this request took when it arrived."""
    taken: Snapshot = request.state.snapshot
    return taken


async def write(request: Request, change: Callable[[QueryService], T]) -> T:
    """Run a write (update, Graph Store) in a thread on the request's service, or on the one
    serving now if a reload replaced it meanwhile: writable graphs carry over to each new version,
    so a write is never acknowledged on a version that no longer serves."""
    try:
        return await run_in_threadpool(change, snapshot(request).service)
    except ServiceRetired:
        serving: Snapshot = request.app.state.snapshot
        return await run_in_threadpool(change, serving.service)


class TakeSnapshot:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        taken: Snapshot | None = getattr(scope["app"].state, "snapshot", None)
        if taken is None:  # outside the lifespan (no data served yet)
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["snapshot"] = taken
        version = taken.version.encode("latin-1")

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-data-version"]
                message = {**message, "headers": [*headers, (b"x-data-version", version)]}
            await send(message)

        await self.app(scope, receive, send_with_version)
