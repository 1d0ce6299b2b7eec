"""The SPARQL 1.1 Protocol query operation: GET, POST form and POST direct."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from app.engine.embedded import QueryRequest
from app.engine.errors import QueryError, QueryForbidden, QueryTimeout
from app.formats import NotAcceptable, UnknownFormat

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


async def _answer(request: Request, query_request: QueryRequest) -> Response:
    limit = request.app.state.settings.max_query_bytes
    if len(query_request.query.encode()) > limit:
        return _error(413, f"query text is larger than {limit} bytes")
    try:
        answer = await run_in_threadpool(request.app.state.engine.execute, query_request)
    except QueryError as error:
        return _error(400, str(error))
    except QueryForbidden as error:
        return _error(403, str(error))
    except QueryTimeout as error:
        return _error(503, str(error), {"Retry-After": "5"})
    except UnknownFormat as error:
        return _error(400, str(error))
    except NotAcceptable as error:
        return _error(406, str(error))
    return Response(answer.body, media_type=answer.format.content_type, headers={"Vary": "Accept"})


def _one(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise QueryError(f"parameter {name!r} given {len(found)} times; give it once")
    return found[0] if found else None


def _from_params(request: Request, params: dict[str, list[str]], query: str) -> QueryRequest:
    return QueryRequest(
        query=query,
        default_graph_uris=params.get("default-graph-uri", []),
        named_graph_uris=params.get("named-graph-uri", []),
        accept=request.headers.get("accept"),
        format=_one(params, "format"),
    )


@router.get("/sparql", summary="SPARQL 1.1 query by GET")
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="The SPARQL query")] = None,
) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    try:
        text = _one(params, "query")
        if text is None:
            return _error(400, "missing 'query' parameter")
        return await _answer(request, _from_params(request, params, text))
    except QueryError as error:
        return _error(400, str(error))


@router.post("/sparql", summary="SPARQL 1.1 query by POST (form or direct)")
async def sparql_post(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = request.app.state.settings.max_query_bytes
    body = await request.body()
    if len(body) > limit * 4:
        return _error(413, f"request body is larger than {limit * 4} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "request body is not UTF-8")
    try:
        if content_type == FORM:
            params = parse_qs(text, keep_blank_values=True)
            query = _one(params, "query")
            if query is None:
                return _error(400, "missing 'query' field in the form")
            return await _answer(request, _from_params(request, params, query))
        if content_type == DIRECT:
            params = parse_qs(request.url.query, keep_blank_values=True)
            return await _answer(request, _from_params(request, params, text))
    except QueryError as error:
        return _error(400, str(error))
    return _error(415, f"unsupported content type {content_type or '(none)'}; use {FORM} or {DIRECT}")
