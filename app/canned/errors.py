"""What can go wrong with a canned query; the HTTP layer maps each to one status code."""

from __future__ import annotations


class CannedError(Exception):
    """Base of the errors a caller of a canned query can cause."""


class CatalogueError(Exception):
    """A canned-query file that cannot be served; names the file so start-up can say which."""

    def __init__(self, file: str, message: str) -> None:
        self.file, self.message = file, message
        super().__init__(f"{file}: {message}")


class UnknownQuery(CannedError):
    """No canned query has this name (404)."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"no canned query is named {name!r}; the catalogue has: {', '.join(known)}")


class ParameterError(CannedError):
    """A missing, unknown or ill-typed parameter (400); names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter, self.message = parameter, message  # message: without the parameter's name
        super().__init__(f"parameter {parameter!r}: {message}")


class LabelNotFound(CannedError):
    """A label or IRI that names nothing of the right kind (404), with close labels to try."""

    def __init__(self, parameter: str, message: str, suggestions: list[str]) -> None:
        self.parameter, self.message, self.suggestions = parameter, message, suggestions
        hint = f"; did you mean: {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"parameter {parameter!r}: {message}{hint}")


class DataVersionGone(CannedError):
    """A permalink naming a data version the server no longer answers from (404): a cited answer
    is never answered from other data than it names. It says how the answer's row count changed:
    today's, and the cited one's when this server served it."""

    parameter = "data_version"

    def __init__(
        self, asked: str, serving: str, rows_now: int, rows_then: int | None, title: str = ""
    ) -> None:
        self.asked, self.serving, self.title = asked, serving, title
        self.rows_now, self.rows_then = rows_now, rows_then
        now = f"today's answer has {_rows(rows_now)}"
        if rows_then is None:
            then = f"how many rows it had is not known here (its citation line says); {now}"
        elif rows_then == rows_now:
            then = f"it had {_rows(rows_then)}, as today's answer does"
        else:
            then = f"it had {_rows(rows_then)}; {now} ({rows_now - rows_then:+d})"
        self.message = (
            f"the data has changed since this answer was cited: it was cited from data version "
            f"{asked}, and the data is now version {serving}; {then}. Leave data_version out to get "
            f"today's answer"
        )
        super().__init__(f"parameter 'data_version': {self.message}")


def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"
