"""Admission to the routes that do Python work around a query: a few at a time, the others wait
their turn on the event loop, and one that waits past the queue wait gets ServerBusy (503)."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.engine.errors import ServerBusy
from app.routes.admission import Admission


def test_requests_beyond_the_slots_wait_their_turn():
    admission = Admission(slots=2, wait=5)
    running = 0
    most = 0

    async def request() -> None:
        nonlocal running, most
        async with admission.slot():
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.05)
            running -= 1

    async def main() -> None:
        await asyncio.gather(*(request() for _ in range(10)))

    started = time.monotonic()
    asyncio.run(main())
    assert most == 2
    assert time.monotonic() - started >= 0.25  # five rounds of two


def test_a_request_that_waits_past_the_queue_wait_is_told_the_server_is_busy():
    admission = Admission(slots=1, wait=0.2)

    async def main() -> None:
        async with admission.slot():
            started = time.monotonic()
            with pytest.raises(ServerBusy, match="busy"):
                async with admission.slot():
                    pass
            assert 0.15 < time.monotonic() - started < 2
        async with admission.slot():  # the slot is free again, and the timed-out wait took none
            pass

    asyncio.run(main())
