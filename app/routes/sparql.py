"""The SPARQL 1.1 Protocol: query and update by GET, POST form and POST direct; without a
query, the service description (and, for a browser, a page about the endpoint)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from pyoxigraph import serialize
from starlette.background import BackgroundTask

from app.engine.answer import ChunkBody
from app.engine.execution import QueryRequest
from app.engine.service import QueryService
from app.formats import AnswerKind, UnknownFormat, by_name, negotiate
from app.linkeddata import pages
from app.linkeddata.negotiation import prefers_html
from app.routes.errors import BadRequest
from app.routes.protocol import (
    FORM,
    QUERY,
    UPDATE,
    Params,
    as_utf8,
    check_token,
    parse_params,
    read_body,
    require_media_type,
    url_params,
)
from app.routes.versioned import snapshot, write
from app.service_description import describe_service

router = APIRouter(tags=["sparql"])

QUERY_DOC = (
    "The SPARQL query. Without it, GET answers with the service description (a browser, preferring "
    "HTML, gets a page about the endpoint)."
)
HTML_NAMES = ("html", "text/html")


def _service(request: Request) -> QueryService:
    return snapshot(request).service


def _endpoint(request: Request) -> str:
    """The endpoint's own URL: the service description's subject and the base of relative IRIs
    (built from the configured public URL, never from the client's Host header)."""
    return f"{request.app.state.settings.public_base}sparql"


def _etag(request: Request, params: Params) -> str:
    service = _service(request)
    key = "|".join([request.headers.get("accept", ""), *params.format_hints(), str(service.generation)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f'W/"{service.dataset.version}-{digest}"'


async def _run_query(request: Request, params: Params, text: str) -> Response:
    query = QueryRequest(
        query=text,
        default_graph_uris=params.all("default-graph-uri"),
        named_graph_uris=params.all("named-graph-uri"),
        accept=request.headers.get("accept"),
        format_hints=params.format_hints(),
        timeout=params.timeout(),
        base_iri=_endpoint(request),
    )
    answer = await _service(request).query_async(query)
    fmt = by_name(answer.head.format_name, answer.head.kind)
    headers = {"Vary": "Accept", **answer.headers}
    if answer.head.count is not None:
        headers["X-Result-Count"] = str(answer.head.count)
    if answer.head.capped:
        headers["X-Result-Capped"] = f"true; limit={request.app.state.settings.max_rows}"
    if isinstance(answer.body, ChunkBody):  # already whole: no streaming machinery needed
        return Response(answer.body.read(), media_type=fmt.content_type, headers=headers)
    return StreamingResponse(
        answer.body,
        media_type=fmt.content_type,
        headers=headers,
        background=BackgroundTask(answer.body.close),
    )


async def _run_update(request: Request, params: Params, text: str) -> Response:
    check_token(request)
    using, named = list(params.all("using-graph-uri")), list(params.all("using-named-graph-uri"))
    base = _endpoint(request)
    await write(request, lambda service: service.update(text, using, named, base))
    return Response(status_code=204)


def _service_description(request: Request, params: Params) -> Response:
    service = _service(request)
    fmt = negotiate(request.headers.get("accept"), AnswerKind.RDF, hints=params.format_hints())
    triples = describe_service(
        _endpoint(request),
        graphs=service.graph_sizes(),
        default_triples=service.triple_count(),
        updates=request.app.state.settings.update_token is not None,
        federation=bool(service.allowed_endpoints),
    )
    body = serialize(triples, format=fmt.rdf)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def _wants_page(request: Request, params: Params) -> bool:
    """A person with a browser (HTML preferred to every RDF format, or `format=html`), and no
    format hint naming an RDF format: they get the endpoint's page, everyone else the description."""
    hints = params.format_hints()
    if any(_names_rdf(hint) for hint in hints):
        return False
    return any(h.strip().lower() in HTML_NAMES for h in hints) or prefers_html(request.headers.get("accept"))


def _names_rdf(hint: str) -> bool:
    try:
        by_name(hint, AnswerKind.RDF)
    except UnknownFormat:
        return False
    return True


def _endpoint_page(request: Request) -> Response:
    """What the endpoint is, how to query it, its limits, and where it and its data are described."""
    settings = request.app.state.settings
    service = _service(request)
    limits = {
        "timeout": f"{settings.query_timeout:g}",
        "max_rows": settings.max_rows,
        "max_query_kib": f"{settings.max_query_bytes / 1024:g}",
        "updates": settings.update_token is not None,
        "federation": bool(service.allowed_endpoints),
    }
    turtle = by_name("turtle", AnswerKind.RDF)
    html = pages.render(
        "sparql.html",
        endpoint=_endpoint(request),
        base=settings.base_iri,
        limits=limits,
        canonical=_endpoint(request),
        alternates={"Turtle": {"type": turtle.media_type, "href": "/sparql?format=turtle"}},
    )
    return HTMLResponse(html, headers={"Vary": "Accept"})


@router.get("/sparql", summary="SPARQL 1.1 query by GET, or the service description")
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description=QUERY_DOC)] = None,
) -> Response:
    params = url_params(request)
    if params.all("update"):
        raise BadRequest("updates must be sent by POST")
    text = params.one("query")
    etag = _etag(request, params)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    if text is None and _wants_page(request, params):
        response = _endpoint_page(request)
    elif text is None:
        response = _service_description(request, params)
    else:
        response = await _run_query(request, params, text)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@router.head("/sparql", include_in_schema=False)
async def sparql_head(request: Request) -> Response:
    """HEAD wherever GET works (RFC 9110): the same status and headers, no body."""
    return await sparql_get(request, url_params(request).one("query"))


@router.post("/sparql", summary="SPARQL 1.1 query or update by POST (form or direct)")
async def sparql_post(request: Request) -> Response:
    kind = require_media_type(request, (FORM, QUERY, UPDATE))
    settings = request.app.state.settings
    # A form percent-encodes the query, which can triple its size.
    limit = settings.max_query_bytes * (3 if kind == FORM else 1) + 4096
    text = as_utf8(await read_body(request, limit))
    if kind == FORM:
        params = parse_params(text)
        queries, updates = params.all("query"), params.all("update")
        if queries and updates:
            raise BadRequest("give either 'query' or 'update', not both")
        if not queries and not updates:
            raise BadRequest("the form has neither a 'query' nor an 'update' field")
        if queries:
            return await _run_query(request, params, params.one("query") or "")
        return await _run_update(request, params, params.one("update") or "")
    params = url_params(request)
    body, other = ("query", "update") if kind == QUERY else ("update", "query")
    if params.all(other):  # a query body with ?update=... (or the reverse): which one was meant?
        raise BadRequest(f"the body is an {body} but the URL also gives '{other}': send one of them")
    if kind == QUERY:
        return await _run_query(request, params, text)
    return await _run_update(request, params, text)
