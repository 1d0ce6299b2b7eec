"""The analyst's web page at `/`, and the small JSON answers its widgets ask for.

Thin: the page model, label completion and the network are in app/web. Errors from the canned
queries' label resolution (unknown label: 404 with suggestions) reuse the app's JSON handlers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app.canned.runner import Runner
from app.linkeddata import pages
from app.routes.versioned import snapshot
from app.web.network import ADMINISTRATION, ARRANGEMENT, MEMBERSHIP
from app.web.site import UnknownKind, WebSite

router = APIRouter(tags=["web page"])
ALL_RELATIONS = f"{ARRANGEMENT},{MEMBERSHIP},{ADMINISTRATION}"


def _site(request: Request) -> WebSite:
    """The page's pieces (a reload swaps in new ones with the new data)."""
    return snapshot(request).web


def _runner(request: Request) -> Runner:
    return snapshot(request).canned


@router.get(
    "/", response_class=HTMLResponse, summary="The web page for analysts (the dataset's landing page)"
)
def home(request: Request) -> HTMLResponse:
    site = _site(request)
    ld = snapshot(request).linked_data
    html = pages.render(
        "web.html",
        forms=site.forms,
        arrangement_types=site.labels.options("arrangement-type"),
        config=site.page_config_json(),
        canonical=ld.space.base,
        dataset_markup=ld.schema_org,
    )
    return HTMLResponse(html, headers={"Link": ld.landing_links})


@router.get("/web/labels", summary="Labels of one kind of resource that contain the text (completion)")
def labels(
    request: Request,
    kind: Annotated[str, Query(description="A kind, as canned-query parameters name them")],
    q: Annotated[str, Query(max_length=200, description="What the user has typed")] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> JSONResponse:
    try:
        return JSONResponse(_site(request).suggest(kind, q, limit))
    except UnknownKind as error:
        return JSONResponse({"detail": str(error), "parameter": "kind"}, status_code=400)


@router.get("/web/network", summary="The partnership network as Cytoscape.js elements")
def network(
    request: Request,
    subject: Annotated[str | None, Query(max_length=200, description="A species, group or topic")] = None,
    type: Annotated[str | None, Query(max_length=200, description="A kind of arrangement")] = None,
    relations: Annotated[str, Query(description="Comma-separated edge kinds to show")] = ALL_RELATIONS,
) -> JSONResponse:
    wanted = [r.strip() for r in relations.split(",") if r.strip()]
    body = _site(request).network(snapshot(request).service, subject, type, wanted)
    return JSONResponse(body)


@router.get("/web/sparql/{name}", summary="A canned query's SPARQL with the given values bound")
def bound_sparql(request: Request, name: str) -> JSONResponse:
    raw: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key != "format":
            raw.setdefault(key, []).append(value)
    bound = _runner(request).prepare(name, raw)
    sparql = bound.sparql
    if bound.query.rollup is not None and not bound.detail:
        # said in the text itself, so it goes with the query into the editor
        sparql = (
            f"# The answer on the page has {bound.query.rollup.row}; this SPARQL gives the rows it\n"
            "# rolls up, one per link (the page's detail=true).\n" + sparql
        )
    return JSONResponse({"name": name, "sparql": sparql, "parameters": bound.parameters})


def install(app: FastAPI) -> None:
    """Add the page's routes (the snapshot's web site answers them)."""
    app.include_router(router)
