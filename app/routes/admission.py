"""Admission for routes that do Python work around a query: a few at a time, the rest wait on the
event loop (up to the queue wait, then 503).

Each such request runs in a thread that holds a query worker until it has read the worker's
answer. With 32 threads sharing the GIL, each read slowly and kept its worker busy that much
longer: at 10^6 triples the canned API fell from 12 to 2 requests/s under 32 clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.engine.errors import ServerBusy


class Admission:
    def __init__(self, slots: int, wait: float) -> None:
        self.slots, self.wait = slots, wait
        self._free: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._free is None:  # made on first use, inside the server's event loop
            self._free = asyncio.Semaphore(self.slots)
        try:
            await asyncio.wait_for(self._free.acquire(), self.wait)
        except TimeoutError:
            raise ServerBusy("the server is busy with other requests; try again shortly") from None
        try:
            yield
        finally:
            self._free.release()
