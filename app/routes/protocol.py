"""Reading SPARQL Protocol requests: bounded bodies, UTF-8, single-valued parameters, tokens."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request

from app.routes.errors import BadRequest, Forbidden, PayloadTooLarge, UnsupportedMediaType

FORMAT_PARAMETERS = ("format", "output", "results")
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class Params:
    """Protocol parameters, each name mapped to all the values it was given."""

    values: dict[str, list[str]]

    def one(self, name: str) -> str | None:
        """The parameter's value; the same value given twice is one value (clients repeat them)."""
        found = self.values.get(name, [])
        if len(set(found)) > 1:
            raise BadRequest(f"parameter {name!r} was given {len(found)} different values; give one")
        return found[0] if found else None

    def format_hints(self) -> tuple[str, ...]:
        """Every answer format the request names, in order: `format=` (ours, SPARQLWrapper's,
        Fuseki's), `output=` (Virtuoso's, Fuseki's), `results=` (Jena's). Names that do not fit
        the answer are skipped; then Accept decides (see app.formats.negotiate)."""
        return tuple(v for name in FORMAT_PARAMETERS for v in self.values.get(name, []) if v.strip())

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(self.values.get(name, []))

    def timeout(self) -> float | None:
        raw = self.one("timeout")
        if raw is None or raw == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and value > 0):
            raise BadRequest(f"timeout must be a positive, finite number of seconds, not {raw!r}")
        return value


def parse_params(text: str) -> Params:
    return Params(parse_qs(text, keep_blank_values=True))


def url_params(request: Request) -> Params:
    return parse_params(request.url.query)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it grows past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"request body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def as_utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"request body is not valid UTF-8 (byte {error.start})") from None


def require_media_type(request: Request, allowed: tuple[str, ...]) -> str:
    kind = media_type(request)
    if kind not in allowed:
        raise UnsupportedMediaType(f"unsupported content type {kind or '(none)'}; use {' or '.join(allowed)}")
    return kind


def check_token(request: Request) -> None:
    """Writes need the configured update token as `Authorization: Bearer <token>`."""
    token = request.app.state.settings.update_token
    if token is None:
        raise Forbidden("this service is read-only: updates are disabled")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise Forbidden("updates need 'Authorization: Bearer <token>' with the update token")
