"""How many rows each cited answer had, per data version, while this server has been running.

A permalink names its data version; once the data changes the permalink says so, and the reader
wants to know what changed in the answer. The old data is gone, so the old row count is kept
here, for every answer served (bounded: the least recently served are forgotten first). After a
restart the old counts are unknown and the answer says so; the citation line itself carries the
count too ("9 rows"), so a reader always has it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

DEFAULT_LIMIT = 20_000


class AnswerCounts:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._counts: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def record(self, version: str, question: str, count: int) -> None:
        """`question`: the permalink without its data version (the query and its sorted parameters)."""
        with self._lock:
            self._counts[(version, question)] = count
            self._counts.move_to_end((version, question))
            while len(self._counts) > self._limit:
                self._counts.popitem(last=False)

    def count(self, version: str, question: str) -> int | None:
        with self._lock:
            return self._counts.get((version, question))
