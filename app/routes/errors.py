"""One table from core exceptions to HTTP status codes, installed as exception handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse

from app.engine.errors import (
    QueryAborted,
    QueryError,
    QueryForbidden,
    QueryTimeout,
    QueryTooLarge,
    ServerBusy,
)
from app.engine.federation.gateway import PartnerFailed
from app.engine.pool import WorkerFailed
from app.engine.remote import RemoteFailed
from app.formats import NotAcceptable, UnknownFormat


class BadRequest(Exception):
    """A malformed protocol request (400)."""


class UnsupportedMediaType(Exception):
    """A body whose media type the operation does not take (415)."""


class Forbidden(Exception):
    """An operation this request may not perform (403)."""


class PayloadTooLarge(Exception):
    """A request body over the limit (413)."""


RETRY_AFTER = {"Retry-After": "5"}

STATUS: dict[type[Exception], tuple[int, dict[str, str]]] = {
    QueryError: (400, {}),
    BadRequest: (400, {}),
    UnknownFormat: (400, {}),
    QueryForbidden: (403, {}),
    Forbidden: (403, {}),
    NotAcceptable: (406, {}),
    QueryTooLarge: (413, {}),
    PayloadTooLarge: (413, {}),
    UnsupportedMediaType: (415, {}),
    QueryTimeout: (503, RETRY_AFTER),
    ServerBusy: (503, RETRY_AFTER),
    QueryAborted: (503, RETRY_AFTER),
    WorkerFailed: (503, RETRY_AFTER),
    RemoteFailed: (502, {}),
}


def _parameter(location: tuple[int | str, ...]) -> str:
    """The parameter a problem is about: a query parameter's name; in a JSON body, the path to the
    value (`iris[3]`), since an item's index alone ("3") says nothing."""
    if location and location[0] == "body" and len(location) > 1:
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location[1:])
        return path.lstrip(".") or "body"
    return str(location[-1]) if location else ""


def install(app: FastAPI) -> None:
    async def partner_failed(request: Request, error: Exception) -> PlainTextResponse:
        assert isinstance(error, PartnerFailed)  # registered for it below
        return PlainTextResponse(f"{error}\n", status_code=error.status)

    async def invalid_parameter(request: Request, error: Exception) -> JSONResponse:
        """A parameter FastAPI checked (a page number, a text's length) is a 400 naming it, like
        every other bad parameter, not FastAPI's 422."""
        assert isinstance(error, RequestValidationError)  # registered for it below
        problems = [
            {"parameter": _parameter(problem["loc"]), "detail": problem["msg"]} for problem in error.errors()
        ]
        first = problems[0] if problems else {"parameter": "", "detail": "invalid request"}
        detail = f"parameter {first['parameter']!r}: {first['detail']}"
        return JSONResponse({"detail": detail, "parameter": first["parameter"], "problems": problems}, 400)

    app.add_exception_handler(PartnerFailed, partner_failed)
    app.add_exception_handler(RequestValidationError, invalid_parameter)
    for exception, (status, headers) in STATUS.items():

        async def handler(
            request: Request, error: Exception, status: int = status, headers: dict = headers
        ) -> PlainTextResponse:
            return PlainTextResponse(f"{error}\n", status_code=status, headers=headers)

        app.add_exception_handler(exception, handler)
