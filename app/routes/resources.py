"""Linked Data: every minted IRI under {base}id/ answers as a page or as RDF, and index pages
list the resources of each kind. install() wires these routes, the other Linked Data routers,
the static files and the mapping from the base IRI's path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pyoxigraph import NamedNode, Triple
from starlette.types import ASGIApp, Receive, Scope, Send

from app.linkeddata import listing, pages
from app.linkeddata.catalogue import Entry
from app.linkeddata.context import resource_document
from app.linkeddata.iris import IriSpace, split_suffix
from app.linkeddata.negotiation import choose
from app.linkeddata.questions import questions
from app.linkeddata.statements import statements
from app.linkeddata.view import page
from app.namespaces import CMS, FOAF, RDF
from app.routes import ld_meta
from app.routes.head import get_and_head
from app.routes.ld_respond import (
    alternates,
    headers,
    not_found,
    not_modified,
    rdf_response,
    service,
    signposting,
    site,
)
from app.routes.versioned import snapshot
from app.settings import Settings

STATIC = Path(__file__).resolve().parent.parent / "static"
FORMAT_DOC = "html, turtle, jsonld, ntriples or rdfxml; overrides Accept (a suffix such as .ttl does too)"

router = APIRouter(tags=["linked data"])


PAGE_DOC = "Page of the RDF listing (1-based, 200 resources a page)"


def _listing(
    request: Request,
    path: str,
    title: str,
    entries: list[Entry],
    page: int,
    wanted: str | None,
    html: Callable[[str], str],
    parts: list[tuple[str, str, int]] | None = None,
) -> Response:
    """An index: its HTML page, or the page `page` of its members in RDF (a Hydra collection)."""
    ld = site(request)
    iri = ld.space.base + path.lstrip("/")
    choice = choose(request.headers.get("accept"), wanted)
    head = {"Vary": "Accept", "Link": f'<{iri}>; rel="cite-as"'}
    if choice.fmt is None:
        return HTMLResponse(html(iri), headers=head)
    try:
        triples = listing.collection(iri, title, entries, page, ld.document(path), ld.space, parts)
    except listing.PageOutOfRange:
        return not_found(choice, f"{iri}?page={page}")
    return rdf_response(triples, choice.fmt, head)


@get_and_head(
    router,
    "/id/",
    summary="Index of every kind of resource, with counts (HTML), or every resource (RDF, paged)",
    responses=ld_meta.RDF_ANSWERS,
)
def kinds(
    request: Request,
    page: Annotated[int, Query(ge=1, description=PAGE_DOC)] = 1,
    format: Annotated[str | None, Query(description=FORMAT_DOC)] = None,
) -> Response:
    ld = site(request)
    cat = ld.catalogue
    parts = [(ld.space.base + f"id/{k.slug}/", k.title, k.count) for k in cat.kinds.values()]
    return _listing(
        request,
        "/id/",
        "Every resource of the CMS Synergies Knowledge Graph",
        listing.everything(cat),
        page,
        format,
        lambda iri: pages.render("kinds.html", catalogue=cat, canonical=iri),
        parts,
    )


@get_and_head(
    router,
    "/id/{kind}/",
    summary="Index of the resources of one kind (HTML, or RDF paged)",
    responses=ld_meta.RDF_ANSWERS,
)
def kind_index(
    request: Request,
    kind: str,
    page: Annotated[int, Query(ge=1, description=PAGE_DOC)] = 1,
    format: Annotated[str | None, Query(description=FORMAT_DOC)] = None,
) -> Response:
    ld = site(request)
    found = ld.catalogue.kinds.get(kind)
    if found is None:
        return not_found(choose(request.headers.get("accept"), format), ld.space.base + f"id/{kind}/")
    return _listing(
        request,
        f"/id/{kind}/",
        found.title,
        found.entries,
        page,
        format,
        lambda iri: pages.render("kind.html", kind=found, canonical=iri),
    )


@get_and_head(
    router,
    "/id/{path:path}",
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
    if "/" not in path and path in ld.catalogue.kinds:  # /id/organisation: the index of that kind
        return RedirectResponse(ld.document(f"/id/{path}/"), status_code=301)
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
    types = [
        t.object.value
        for t in description.own
        if t.predicate.value == RDF + "type" and isinstance(t.object, NamedNode)
    ]
    head["Link"] = ", ".join([head["Link"], *signposting(ld, iri, most_specific(types, ld.ancestors), route)])
    if choice.fmt is not None:
        document = ld.document(head["Content-Location"])
        if choice.fmt.name == "jsonld":
            body = resource_document(iri, list(description.triples), ld.context, ld.context_url, document)
            return Response(body, media_type=choice.fmt.content_type, headers=head)
        about = Triple(NamedNode(document), NamedNode(FOAF + "primaryTopic"), NamedNode(iri))
        return rdf_response([about, *description.triples], choice.fmt, head)
    view = page(description, ld.space, ld.ancestors)
    taken = snapshot(request)
    classes = frozenset(types).union(*(ld.ancestors.get(t, frozenset()) for t in types))
    asked = questions(taken.canned.catalogue, iri, classes, view.title)
    told = statements(taken.service, iri, taken.labels, ld.space) if CMS + "DocumentPart" in classes else []
    html = pages.render(
        "resource.html", page=view, alternates=others, canonical=iri, questions=asked, statements=told
    )
    return HTMLResponse(html, headers=head)


def most_specific(types: list[str], ancestors: dict[str, frozenset[str]]) -> list[str]:
    implied = {a for t in types for a in ancestors.get(t, frozenset()) if a != t}
    return sorted({t for t in types if t not in implied})


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


def install(app: FastAPI, settings: Settings) -> None:
    """Wire Linked Data into the app: routers, static files, base-path mapping (the snapshot's
    Linked Data site answers them)."""
    app.include_router(router)
    app.include_router(ld_meta.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    base_path = IriSpace(settings.base_iri).base_path
    if base_path != "/":
        app.add_middleware(BasePathMapping, prefix=base_path)
