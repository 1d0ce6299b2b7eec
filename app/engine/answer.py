"""An answer as the HTTP layer sees it, whichever engine produced it.

An answer is whole before the HTTP layer sees it: a small one in memory, a large one spooled (to
disk past a few MiB), so the worker that made it is free again at once and a slow reader costs a
file, not a worker, and never a cut body.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Protocol

from app.engine.execution import Head

SPOOL_IN_MEMORY = 4 * 1024 * 1024
READ_CHUNK = 64 * 1024


class Body(Protocol):
    """Body chunks; close() frees what holds them."""

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


class SpooledBody:
    """A whole answer kept in a spooled temporary file, read back in chunks at the reader's pace."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    def rewind(self) -> SpooledBody:
        self._file.seek(0)
        return self

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._file.closed:
            raise StopIteration
        chunk = self._file.read(READ_CHUNK)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._file.close()

    def read(self) -> bytes:
        try:
            return self._file.read()
        finally:
            self.close()


@dataclass
class Answer:
    """A query's answer: the head (format, cap), the body, and headers to pass on."""

    head: Head
    body: Body
    headers: dict[str, str] = field(default_factory=dict)
