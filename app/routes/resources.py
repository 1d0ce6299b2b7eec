"""Linked Data: every minted IRI under {base}id/ answers as a page or as RDF, and index pages
list the resources of each kind. install() wires these routes, the other Linked Data routers,
the static files and the mapping from the base IRI's path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from app.linkeddata import pages
from app.linkeddata.iris import split_suffix
from app.linkeddata.negotiation import choose
from app.linkeddata.site import LinkedDataSite
from app.linkeddata.view import page
from app.routes import ld_meta
from app.routes.ld_respond import alternates, headers, not_found, not_modified, rdf_response, service, site

STATIC = Path(__file__).resolve().parent.parent / "static"
FORMAT_DOC = "html, turtle, jsonld, ntriples or rdfxml; overrides Accept (a suffix such as .ttl does too)"

GET_HEAD = ["GET", "HEAD"]
router = APIRouter(tags=["linked data"])


@router.api_route(
    "/id/",
    methods=GET_HEAD,
    response_class=HTMLResponse,
    summary="Index of every kind of resource, with counts",
)
def kinds(request: Request) -> HTMLResponse:
    ld = site(request)
    return HTMLResponse(pages.render("kinds.html", catalogue=ld.catalogue, canonical=ld.space.base + "id/"))


@router.api_route(
    "/id/{kind}/", methods=GET_HEAD, response_class=HTMLResponse, summary="Index of the resources of one kind"
)
def kind_index(request: Request, kind: str) -> HTMLResponse:
    found = site(request).catalogue.kinds.get(kind)
    if found is None:
        return HTMLResponse(
            pages.render("not_found.html", iri=site(request).space.base + f"id/{kind}/"), status_code=404
        )
    canonical = site(request).space.base + f"id/{kind}/"
    return HTMLResponse(pages.render("kind.html", kind=found, canonical=canonical))


@router.api_route(
    "/id/{path:path}",
    methods=GET_HEAD,
    summary="Dereference a resource: HTML, Turtle, JSON-LD, N-Triples or RDF/XML",
    responses={
        **ld_meta.RDF_ANSWERS,
        404: {"description": "The graph says nothing about this IRI"},
    },
)
def resource(
    request: Request, path: str, format: Annotated[str | None, Query(description=FORMAT_DOC)] = None
) -> Response:
    ld = site(request)
    route, suffix = split_suffix("/id/" + path)
    iri = ld.space.iri(route)
    choice = choose(request.headers.get("accept"), suffix or format)
    others = alternates(route)
    head = headers(request, choice, others, route)
    cached = not_modified(request, head["ETag"])
    if cached is not None:
        return cached
    description = ld.describe(service(request), iri)
    if not description.known:
        return not_found(choice, iri)
    if choice.fmt is not None:
        return rdf_response(list(description.triples), choice.fmt, head)
    view = page(description, ld.space, ld.ancestors)
    html = pages.render("resource.html", page=view, alternates=others, canonical=iri)
    return HTMLResponse(html, headers=head)


class BasePathMapping:
    """Serves requests that keep the base IRI's path (/cms-kg/id/x) as if they had not (/id/x)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            scope = dict(scope)
            scope["path"] = "/" + scope["path"][len(self.prefix) :]
            scope["raw_path"] = scope["path"].encode()
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Wire Linked Data into the app: routers, static files, base-path mapping."""
    ld = LinkedDataSite(app.state.settings, app.state.dataset)
    app.state.linked_data = ld
    app.include_router(router)
    app.include_router(ld_meta.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if ld.space.base_path != "/":
        app.add_middleware(BasePathMapping, prefix=ld.space.base_path)
