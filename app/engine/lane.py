"""The fast lane: workers of their own for lookups, so runaway queries never make them wait.

Which queries are lookups is decided on the text (`app.engine.cost`). A lookup runs here with a
short deadline; past it (or when the lane stays busy) it joins the other queries with the rest of
its own deadline, and a text that ran too long here does not come back.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from app.engine.answer import Answer
from app.engine.errors import QueryTimeout, ServerBusy
from app.engine.execution import QueryRequest
from app.engine.guard import QueryPlan
from app.engine.pool import WorkerPool

Run = Callable[[QueryRequest, float], Answer]
RunAsync = Callable[[QueryRequest, float], Awaitable[Answer]]
WAIT = 1.0  # a lookup waits this long for the lane before it queues with the others
SLOW_KEPT = 1024  # texts remembered as too slow for the lane


class FastLane:
    def __init__(self, pool: WorkerPool, deadline: float) -> None:
        self.pool, self.deadline = pool, deadline
        self._slow: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def takes(self, request: QueryRequest, plan: QueryPlan) -> bool:
        """Lookups take the lane, unless this text has already run too long here."""
        with self._lock:
            return plan.lookup and not plan.calls and request.query not in self._slow

    def run(self, request: QueryRequest, timeout: float, others: Run) -> Answer:
        """Run a lookup here; if it cannot be answered here in time, `others(request, left)`."""
        started = time.monotonic()
        try:
            return self.pool.run(request, min(timeout, self.deadline))
        except (QueryTimeout, ServerBusy) as error:
            return others(request, self._left(request, error, timeout - (time.monotonic() - started)))

    async def run_async(self, request: QueryRequest, timeout: float, others: RunAsync) -> Answer:
        """`run` for the event loop."""
        started = time.monotonic()
        try:
            return await self.pool.run_async(request, min(timeout, self.deadline))
        except (QueryTimeout, ServerBusy) as error:
            return await others(request, self._left(request, error, timeout - (time.monotonic() - started)))

    def _left(self, request: QueryRequest, error: Exception, left: float) -> float:
        """The rest of the query's deadline, once a text that ran too long here is remembered."""
        if isinstance(error, QueryTimeout):
            with self._lock:
                self._slow[request.query] = None
                while len(self._slow) > SLOW_KEPT:
                    self._slow.popitem(last=False)
        if left <= 0:
            raise QueryTimeout("the query ran past its deadline and was stopped")
        return left
