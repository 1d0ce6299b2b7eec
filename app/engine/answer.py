"""An answer as the HTTP layer sees it, whichever engine produced it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from app.engine.execution import Head


class Body(Protocol):
    """Body chunks, read as they come; close() gives up on the rest and frees what produced them."""

    def __iter__(self) -> Iterator[bytes]: ...

    def __next__(self) -> bytes: ...

    def close(self) -> None: ...

    def read(self) -> bytes: ...


class ChunkBody:
    """A body whose chunks are already made (a small answer, or one parsed from a remote store)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        self._chunks = iter(())

    def read(self) -> bytes:
        return b"".join(self)


@dataclass
class Answer:
    """A query's answer: the head (format, cap), the body, and headers to pass on."""

    head: Head
    body: Body
    headers: dict[str, str] = field(default_factory=dict)
