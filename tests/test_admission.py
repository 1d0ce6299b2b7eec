"""Admission to the routes that do Python work around a query: a few at a time, the others wait
their turn on the event loop, and one that waits past the queue wait gets ServerBusy (503)."""

from __future__ import annotations

import asyncio
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.engine.errors import ServerBusy
from app.routes.admission import Admission
from tests.conftest import REPO_ROOT, start_server, stop_server

SLOW = """#+ name = "slow"
#+ title = "A query that runs past any deadline"
#+ description = "Counts every combination of three triples."
#+
#+ [[columns]]
#+ name = "n"
#+ type = "integer"
#+ description = "The count."

SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }
"""


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


def test_the_canned_api_admits_two_requests_per_worker_and_turns_the_rest_away(tmp_path: Path):
    """One worker: two slow canned requests get in (one runs, one waits for the worker); the
    others wait at the door for the queue wait, then get 503 saying the server is busy."""
    root = tmp_path / "data"
    for folder in ("ontology", "shapes", "graph", "queries"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "queries" / "slow.rq").write_text(SLOW)
    running = start_server(
        "--root", str(root), "--workers", "1", "--query-timeout", "3", env={"CMSKG_QUEUE_WAIT": "1"}
    )
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda _: httpx.get(running.url + "/api/queries/slow", timeout=30), range(8))
            )
        assert {a.status_code for a in answers} == {503}
        turned_away = [a for a in answers if "busy with other requests" in a.text]
        assert len(turned_away) >= 4, [a.text for a in answers]
        assert any("deadline" in a.text for a in answers)
        members = httpx.get(running.url + "/api/queries/members", params={"collaboration": "CPW"})
        assert members.status_code == 200 and members.json()["rows"]
    finally:
        stop_server(running)
