"""The SPARQL 1.1 Graph Store HTTP Protocol on /store: read any graph; write user graphs with
the update token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from app.engine.execution import QueryRequest
from app.formats import FORMATS, AnswerKind
from app.routes.errors import BadRequest, UnsupportedMediaType
from app.routes.protocol import check_token, media_type, read_body, url_params
from app.routes.versioned import snapshot, write

router = APIRouter(tags=["graph store"])

GRAPH_QUERY = "CONSTRUCT WHERE { ?s ?p ?o }"
READABLE = {f.media_type: f for f in FORMATS if f.kind is AnswerKind.RDF and f.name not in ("nquads", "trig")}


def _target(request: Request) -> str | None:
    """None for ?default, the IRI for ?graph=IRI; exactly one of them."""
    params = url_params(request)
    graph, default = params.one("graph"), "default" in params.values
    if (graph is None) == (not default):
        raise BadRequest("name the graph: ?default or ?graph=IRI (one of them)")
    return graph


@router.get("/store", summary="Graph Store: read the default graph (?default) or a named graph")
async def store_get(request: Request) -> Response:
    graph = _target(request)
    service = snapshot(request).service
    if graph is not None and graph not in service.local_graphs():
        return Response(f"no graph <{graph}>\n", status_code=404, media_type="text/plain")
    query = QueryRequest(
        query=GRAPH_QUERY,
        default_graph_uris=(graph,) if graph else (),
        accept=request.headers.get("accept"),
        format_hints=url_params(request).format_hints(),
        row_cap=0,
    )
    answer = await run_in_threadpool(service.query, query)
    fmt = next(f for f in FORMATS if f.name == answer.head.format_name and f.kind is AnswerKind.RDF)
    return StreamingResponse(
        answer.body,
        media_type=fmt.content_type,
        headers={"Vary": "Accept"},
        background=BackgroundTask(answer.body.close),
    )


async def _write(request: Request, *, add: bool) -> Response:
    check_token(request)
    graph = _target(request)
    kind = media_type(request)
    fmt = READABLE.get(kind)
    if fmt is None:
        raise UnsupportedMediaType(f"send RDF as one of: {', '.join(READABLE)}")
    settings = request.app.state.settings
    body = await read_body(request, settings.max_upload_bytes)
    # Relative IRIs in the body resolve against the request IRI (the Graph Store Protocol's rule).
    request_iri = f"{settings.public_base}store?{request.url.query}"
    created = await write(
        request,
        lambda service: service.replace_graph(graph, body, fmt.rdf, add=add, base_iri=request_iri),
    )
    return Response(status_code=201 if created else 204)


@router.put("/store", summary="Graph Store: replace a user graph (update token required)")
async def store_put(request: Request) -> Response:
    return await _write(request, add=False)


@router.post("/store", summary="Graph Store: add to a user graph (update token required)")
async def store_post(request: Request) -> Response:
    return await _write(request, add=True)


@router.delete("/store", summary="Graph Store: delete a user graph (update token required)")
async def store_delete(request: Request) -> Response:
    check_token(request)
    graph = _target(request)
    deleted = await write(request, lambda service: service.delete_graph(graph))
    if not deleted:
        return Response("no such graph\n", status_code=404, media_type="text/plain")
    return Response(status_code=204)
