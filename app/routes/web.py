"""The analyst's web page at `/`, and the small JSON answers its widgets ask for.

Thin: the page model, label completion and the network are in app/web. Errors from the canned
queries' label resolution (unknown label: 404 with suggestions) reuse the app's JSON handlers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, StringConstraints

from app.canned.naming import file_name
from app.canned.render import UTF8_BOM
from app.canned.runner import Runner
from app.linkeddata import pages
from app.routes.head import get_and_head
from app.routes.versioned import snapshot
from app.web.network import BUNDLE, RELATIONS, Network, edges_csv
from app.web.network_svg import network_svg
from app.web.site import BadNetworkRequest, UnknownKind, WebSite

router = APIRouter(tags=["web page"])
ALL_RELATIONS = ",".join(RELATIONS)


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
        network_focus=site.default_focus(snapshot(request).service),
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


Subject = Annotated[str | None, Query(max_length=200, description="A species, group or topic")]
ArrangementType = Annotated[str | None, Query(max_length=200, description="A kind of arrangement")]
Relations = Annotated[str, Query(max_length=200, description="Comma-separated edge kinds to show")]
Focus = Annotated[
    str | None,
    Query(max_length=200, description="The organisation or instrument to centre on (its neighbours only)"),
]
Hub = Annotated[
    str, Query(max_length=20, description="The centre's own edges: bundle (one per box), show (each) or hide")
]


def _network(
    request: Request, subject: str | None, type: str | None, relations: str, focus: str | None, hub: str
) -> Network | JSONResponse:
    """The network, or the 400 answer naming the parameter at fault."""
    wanted = [r.strip() for r in relations.split(",") if r.strip()]
    try:
        body = _site(request).network(snapshot(request).service, subject, type, wanted, focus, hub)
    except BadNetworkRequest as error:
        return JSONResponse({"detail": str(error), "parameter": error.parameter}, status_code=400)
    # What a download of this picture is called (its CSV, PNG and SVG): the parameters given, sorted,
    # those at their default left out, by the canned answers' rules (app/canned/naming.py).
    given = {"focus": focus, "subject": subject, "type": type}
    if set(wanted) != set(RELATIONS):
        given["relations"] = ",".join(sorted(wanted)) or "none"
    pairs = [(key, value) for key, value in sorted(given.items()) if value and value.strip()]
    body["file_stem"] = file_name("network", pairs, "csv").removesuffix(".csv")
    return body


@router.get("/web/network", summary="The partnership network as Cytoscape.js elements, laid out")
def network(
    request: Request,
    subject: Subject = None,
    type: ArrangementType = None,
    relations: Relations = ALL_RELATIONS,
    focus: Focus = None,
    hub: Hub = BUNDLE,
) -> JSONResponse:
    body = _network(request, subject, type, relations, focus, hub)
    return body if isinstance(body, JSONResponse) else JSONResponse(body)


@get_and_head(router, "/web/network.csv", summary="The partnership network's edges as CSV")
def network_csv(
    request: Request,
    subject: Subject = None,
    type: ArrangementType = None,
    relations: Relations = ALL_RELATIONS,
    focus: Focus = None,
    hub: Hub = BUNDLE,
) -> Response:
    body = _network(request, subject, type, relations, focus, hub)
    if isinstance(body, JSONResponse):
        return body
    name = f"{body['file_stem']}.csv"
    return Response(
        (UTF8_BOM + edges_csv(body)).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get_and_head(router, "/web/network.svg", summary="The partnership network's picture as SVG")
def network_picture(
    request: Request,
    subject: Subject = None,
    type: ArrangementType = None,
    relations: Relations = ALL_RELATIONS,
    focus: Focus = None,
    hub: Hub = BUNDLE,
) -> Response:
    """The picture the page draws, as SVG drawn from the same layout (app.web.network_svg)."""
    body = _network(request, subject, type, relations, focus, hub)
    if isinstance(body, JSONResponse):
        return body
    return Response(
        network_svg(body).encode(),
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="{body["file_stem"]}.svg"'},
    )


MAX_IRIS = 1000  # per request: a page of YASR's table holds at most a few hundred


class IriLabelsRequest(BaseModel):
    """The IRIs whose labels the editor's result table wants (each once is enough)."""

    iris: list[Annotated[str, StringConstraints(max_length=2000)]] = Field(
        max_length=MAX_IRIS, description=f"At most {MAX_IRIS} IRIs"
    )


class IriLabels(BaseModel):
    """The label of each IRI the graph labels; IRIs it does not label are left out."""

    labels: dict[str, str]


@router.post(
    "/web/iri-labels",
    response_model=IriLabels,
    summary="The labels of IRIs, for the SPARQL editor's result table (no SPARQL is run)",
)
def iri_labels(request: Request, body: IriLabelsRequest) -> IriLabels:
    return IriLabels(labels=_site(request).labels_of(body.iris))


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
