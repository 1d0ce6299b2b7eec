"""The canned-query catalogue as a REST API: GET /api/queries, and one operation per query.

The catalogue is read (and checked) when the app is created, so each query becomes its own
operation in the OpenAPI document with typed parameters, examples and its SPARQL. Parameter
values are checked by the core (app.canned), not by FastAPI, so a bad value is a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field, create_model

from app.canned.catalogue import Catalogue
from app.canned.citation import DATA_VERSION, permalink
from app.canned.errors import DataVersionGone, LabelNotFound, ParameterError, UnknownQuery
from app.canned.kinds import KINDS
from app.canned.ledger import AnswerCounts
from app.canned.naming import canonical, file_name
from app.canned.render import OUTPUTS, NoAcceptableOutput, choose, render
from app.canned.spec import CannedQuery, ColumnType, OutputColumn, Parameter, ParamType, View
from app.linkeddata import pages
from app.routes.admission import Admission
from app.routes.versioned import snapshot
from app.settings import Settings

TAG = "canned queries"
FORMAT = "format"
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


class CatalogueEntry(BaseModel):
    """One canned query as GET /api/queries lists it."""

    name: str
    title: str
    description: str
    parameters: list[Parameter]
    columns: list[OutputColumn]
    detail_columns: list[OutputColumn] | None = Field(
        None,
        description="With a rollup: the columns of `detail=true` (one row per link, as the SPARQL gives).",
    )
    rollup: str | None = Field(None, description="With a rollup: what one row of the default answer is.")
    views: list[View] = Field(description="The page's views that fit the answer, the default first.")
    sparql: str
    url: str
    example_url: str


class ErrorBody(BaseModel):
    """What a canned query answers instead of rows: why, and which parameter (with close labels
    when a label names nothing)."""

    detail: str
    parameter: str | None = None
    message: str | None = Field(
        None, description="With a parameter: what is wrong with its value, without the parameter's name."
    )
    suggestions: list[str] | None = None


class Citation(BaseModel):
    """How to cite a canned answer (the same permalink is in every answer's `Link: rel="cite-as"`)."""

    title: str = Field(description="The question and its parameters, as a reader knows them.")
    data_version: str = Field(description="The data version it was answered from (X-Data-Version).")
    date: str = Field(description="The date of that data version (its release date), else of the request.")
    rows: int = Field(description="How many rows the answer has (the citation line says it too).")
    permalink: str = Field(description="The question, its parameters (sorted) and the data version.")
    text: str = Field(description="A line to cite it by.")


class FacetValue(BaseModel):
    """One value of a categorical column and the number of rows that hold it."""

    value: str = Field(description="The value: a text, an IRI, or a year (for a date column).")
    label: str | None = Field(None, description="For an IRI column: the IRI's label (as its label column).")
    count: int = Field(description="How many rows hold it (a multi-valued cell counts for each value).")


class Facet(BaseModel):
    """The counts of one categorical column (app.canned.facets)."""

    by: Literal["value", "year"] = Field(description="Counted by value, or (a date column) by year.")
    values: list[FacetValue] = Field(description="Most rows first, then by label; years in time order.")
    missing: int = Field(description="How many rows have no value in the column.")


def _answer_model(query: CannedQuery) -> type[BaseModel]:
    """The JSON answer of one canned query as a typed model (rows with one field per column), so
    the OpenAPI document, and clients generated from it, know its shape."""
    stem = "".join(part.capitalize() for part in query.name.split("-"))
    fields: dict[str, Any] = {}
    # A query with a rollup answers in either form (detail=false, the default, or true): a row has
    # the fields of both, each optional.
    for column in [*query.output_columns, *(query.detail_columns if query.rollup else [])]:
        kind: Any = int if column.type is ColumnType.INTEGER else str
        kind = list[kind] | None if column.many else kind | None
        fields.setdefault(column.name, (kind, Field(None, description=column.description)))
    row = create_model(f"{stem}Row", **fields)
    return create_model(
        f"{stem}Answer",
        name=(str, Field(description="The canned query's name.")),
        parameters=(dict[str, Any], Field(description="The parameters as they were resolved.")),
        columns=(list[str], Field(description="The columns, in order.")),
        titles=(dict[str, str], Field(description="Each column's header for people.")),
        rows=(list[row], Field(description="One row per result.")),
        count=(int, Field(description="How many rows.")),
        facets=(
            dict[str, Facet],
            Field(
                description="Counts per value of each categorical column (text, IRI, or date by year) "
                "in which some value occurs more than once, keyed by column, in the columns' order."
            ),
        ),
        citation=(Citation, Field(description="How to cite this answer.")),
    )


def install(app: FastAPI, settings: Settings, catalogue: Catalogue) -> None:
    """Add a route per canned query of the catalogue (the snapshot's runner answers them), the
    admission that shares the workers between them, and the error handlers."""
    # one request reading an answer per worker, one preparing the next: enough to keep them busy
    app.state.canned_admission = Admission(slots=settings.workers * 2, wait=settings.queue_wait)
    app.state.answer_counts = AnswerCounts()  # across reloads: what a retired permalink's answer had
    app.include_router(build_router(catalogue))
    for exception, status in ((ParameterError, 400), (UnknownQuery, 404), (LabelNotFound, 404)):
        app.add_exception_handler(exception, _json_error(status))
    app.add_exception_handler(NoAcceptableOutput, _json_error(406))
    app.add_exception_handler(DataVersionGone, _version_gone)


def _json_error(status: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(request: Request, error: Exception) -> JSONResponse:
        body: dict[str, Any] = {"detail": str(error)}
        if isinstance(error, ParameterError | LabelNotFound):
            body["parameter"] = error.parameter
            body["message"] = error.message
        if isinstance(error, LabelNotFound):
            body["suggestions"] = error.suggestions
        return JSONResponse(body, status_code=status)

    return handler


def build_router(catalogue: Catalogue) -> APIRouter:
    router = APIRouter(tags=[TAG])

    @router.get(
        "/api/queries", summary="The catalogue of canned queries", response_model=list[CatalogueEntry]
    )
    def list_queries(request: Request) -> list[CatalogueEntry]:
        return [_entry(request, query) for query in catalogue]

    for query in catalogue:
        router.add_api_route(
            f"/api/queries/{query.name}",
            _endpoint(query.name),
            methods=["GET"],
            name=_route_name(query.name),
            operation_id=f"canned_{query.name.replace('-', '_')}",
            summary=query.title,
            description=_operation_description(query),
            openapi_extra={"parameters": _openapi_parameters(query)},
            responses=_responses(query),
            response_class=Response,
        )

    @router.get("/api/queries/{name}", include_in_schema=False)
    def run_any(request: Request, name: str) -> Response:
        """Unknown names end here (404); known ones have their own routes above."""
        return _run(request, name)

    return router


def _route_name(name: str) -> str:
    return f"canned:{name}"


def _entry(request: Request, query: CannedQuery) -> CatalogueEntry:
    url = str(request.url_for(_route_name(query.name)))
    example = f"{url}?{urlencode(query.example)}" if query.example else url
    return CatalogueEntry(
        name=query.name,
        title=query.title,
        description=query.description,
        parameters=list(query.parameters),
        columns=query.output_columns,
        detail_columns=query.detail_columns if query.rollup else None,
        rollup=query.rollup.row if query.rollup else None,
        views=list(query.views),
        sparql=query.sparql,
        url=url,
        example_url=example,
    )


def _endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        async with request.app.state.canned_admission.slot():
            return await run_in_threadpool(_run, request, name)

    return run


def _run(request: Request, name: str) -> Response:
    """Check the format, the data version and the parameters, run the query in the worker pool,
    write the answer with the permalink it is cited by."""
    taken = snapshot(request)
    query = taken.canned.catalogue.get(name)
    output = choose(_once(request, FORMAT), request.headers.get("accept"))
    asked_version = _once(request, DATA_VERSION)
    raw: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in (FORMAT, DATA_VERSION):
            raw.setdefault(key, []).append(value)
    table = taken.canned.run(name, raw, taken.service)
    pairs = canonical(query, raw)
    settings: Settings = request.app.state.settings
    counts: AnswerCounts = request.app.state.answer_counts
    question = urlencode(pairs, quote_via=quote)
    if asked_version and asked_version != taken.version:
        # today's answer is run only to say how it differs from the cited one: never served for it
        then = counts.count(asked_version, f"{name}?{question}")
        raise DataVersionGone(asked_version, taken.version, len(table.rows), then, title=query.title)
    counts.record(taken.version, f"{name}?{question}", len(table.rows))
    link = permalink(settings.public_base, name, pairs, taken.version)
    headers = {"Vary": "Accept", "X-Result-Count": str(len(table.rows)), "Link": f'<{link}>; rel="cite-as"'}
    if table.capped:
        headers["X-Result-Capped"] = f"true; limit={settings.max_rows}"
    # Every format is named alike (partners-covering_subject-sharks.json beside the .csv), so a saved
    # answer says what it holds; `inline`, so a browser still shows what it can.
    headers["Content-Disposition"] = f'inline; filename="{file_name(name, pairs, output.extension)}"'
    if output.name == "json":
        today = datetime.now(UTC).date().isoformat()  # the date of the request, when the data has none
        base = settings.public_base
        cite = taken.citations.citation(
            query,
            pairs,
            table.parameters,
            version=taken.version,
            public_base=base,
            today=today,
            rows=len(table.rows),
        )
        table = replace(table, citation=cite)
    body = render(table, output, query.title, query.description, bom=True)
    return Response(body, media_type=f"{output.media_type}; charset=utf-8", headers=headers)


def _once(request: Request, key: str) -> str | None:
    """A parameter the API reads itself (format, data_version): at most once."""
    values = request.query_params.getlist(key)
    if len(values) > 1:
        raise ParameterError(key, "is given more than once: give it once")
    return values[0].strip() if values and values[0].strip() else None


async def _version_gone(request: Request, error: Exception) -> Response:
    """404 for a permalink whose data version is no longer served, with a link to the same
    question asked of today's data (`rel="latest-version"`, RFC 5829): a page for a browser (the
    link opens the question on the web page), JSON for everyone else."""
    assert isinstance(error, DataVersionGone)
    settings: Settings = request.app.state.settings
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != DATA_VERSION]
    latest = f"{settings.public_base}{request.url.path.lstrip('/')}"
    if kept:
        latest += "?" + urlencode(kept, quote_via=quote)
    body = {
        "detail": str(error),
        "parameter": DATA_VERSION,
        "message": error.message,
        "latest": latest,
        "data_version": error.serving,
        "rows_now": error.rows_now,
        "rows_then": error.rows_then,
    }
    headers = {"Link": f'<{latest}>; rel="latest-version"', "Vary": "Accept"}
    if _wants_page(request):
        name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        asked = urlencode([(k, v) for k, v in kept if k != FORMAT], quote_via=quote)
        html = pages.render(
            "version_gone.html",
            title=error.title or name,
            asked=error.asked,
            serving=error.serving,
            rows_now=error.rows_now,
            rows_then=error.rows_then,
            latest=latest,
            page=f"/#ask/{quote(name)}?{asked}",
        )
        return HTMLResponse(html, status_code=404, headers=headers)
    return JSONResponse(body, status_code=404, headers=headers)


def _wants_page(request: Request) -> bool:
    """Would this request's answer have been the HTML table (format=html, or a browser's Accept)?"""
    try:
        return choose(request.query_params.get(FORMAT), request.headers.get("accept")).name == "html"
    except (ParameterError, NoAcceptableOutput):
        return False


def _column_list(columns: list[OutputColumn]) -> str:
    return "\n".join(
        f"- `{c.name}` ({c.type}{', a list' if c.many else ''}): {c.description}" for c in columns
    )


def _operation_description(query: CannedQuery) -> str:
    columns = _column_list(query.output_columns)
    if query.rollup is not None:
        row = query.rollup.row[0].upper() + query.rollup.row[1:]
        columns = (
            f"{row} (`detail=false`, the default):\n\n{columns}\n\n"
            "One row per link, as the SPARQL gives them (`detail=true`):\n\n"
            + _column_list(query.detail_columns)
        )
    return (
        f"{query.description}\n\n**Columns**\n\n{columns}\n\n"
        f"Answers as JSON (default), CSV, TSV, HTML or SPARQL JSON, by `format=` or `Accept`. "
        f"The JSON answer also counts the rows per value of each categorical column (`facets`).\n\n"
        f"**SPARQL** (each parameter `p` is bound to `?_p`):\n\n```sparql\n{query.sparql}```"
    )


def _schema(parameter: Parameter) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if parameter.type is ParamType.INTEGER:
        schema = {"type": "integer"}
        if parameter.minimum is not None:
            schema["minimum"] = parameter.minimum
        if parameter.maximum is not None:
            schema["maximum"] = parameter.maximum
    elif parameter.type is ParamType.DATE:
        schema["pattern"] = DATE_PATTERN
    elif parameter.type is ParamType.YEAR:
        schema["pattern"] = r"^[0-9]{4}$"
    elif parameter.type is ParamType.ENUM:
        schema["enum"] = list(parameter.values)
    else:
        schema["maxLength"] = parameter.max_length
    if parameter.default is not None:
        schema["default"] = parameter.default
    return schema


def _openapi_parameters(query: CannedQuery) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for parameter in query.parameters:
        description = parameter.description
        if parameter.resolved:
            description += f" ({parameter.type}: a label or the IRI of {_kind_text(parameter)})"
        spec: dict[str, Any] = {
            "name": parameter.name,
            "in": "query",
            "required": parameter.required,
            "description": description,
            "schema": _schema(parameter),
        }
        example = query.example.get(parameter.name, parameter.example)
        if example is not None:
            spec["example"] = example
        params.append(spec)
    params.append(
        {
            "name": DATA_VERSION,
            "in": "query",
            "required": False,
            "description": "The data version the answer must come from (a permalink names it): "
            "404 when the server answers from another.",
            "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        }
    )
    params.append(
        {
            "name": FORMAT,
            "in": "query",
            "required": False,
            "description": "The answer's format; overrides the Accept header.",
            "schema": {"type": "string", "enum": [o.name for o in OUTPUTS], "default": "json"},
        }
    )
    return params


def _kind_text(parameter: Parameter) -> str:
    return KINDS[parameter.kind or "resource"].description


def _responses(query: CannedQuery) -> dict[int | str, dict[str, Any]]:
    example_row = {c.name: None for c in query.output_columns}
    json_example = {
        "name": query.name,
        "parameters": {},
        "columns": [c.name for c in query.output_columns],
        "titles": {c.name: c.title for c in query.output_columns},
        "rows": [example_row],
        "count": 1,
        "facets": {},
        "citation": {
            "title": query.title,
            "data_version": "4ebb3a0c586e50cf",
            "date": "2026-12-02",
            "rows": 1,
            "permalink": f"http://127.0.0.1:8000/api/queries/{query.name}?data_version=4ebb3a0c586e50cf",
            "text": f'CMS Synergies Knowledge Graph, "{query.title}", 1 row, data version '
            f"4ebb3a0c586e50cf of 2026-12-02, "
            f"http://127.0.0.1:8000/api/queries/{query.name}?data_version=4ebb3a0c586e50cf",
        },
    }
    content: dict[str, Any] = {o.media_type: {} for o in OUTPUTS}
    content["application/json"] = {"example": json_example}
    return {
        200: {
            "description": "The answer: one row per result, each IRI column with its label.",
            "model": _answer_model(query),
            "content": content,
            "headers": {
                "Link": {
                    "description": 'The permalink to cite the answer by: `<…>; rel="cite-as"`.',
                    "schema": {"type": "string"},
                },
                "Content-Disposition": {
                    "description": "The file name a saved answer gets: the question and its parameters "
                    '(`inline; filename="partners-covering_subject-sharks.csv"`), in every format.',
                    "schema": {"type": "string"},
                },
            },
        },
        400: {"description": "A missing, unknown or ill-typed parameter (named in it).", "model": ErrorBody},
        404: {
            "description": "A label or IRI that names nothing of the right kind, with close labels; "
            "or a data_version the server no longer answers from.",
            "model": ErrorBody,
        },
        406: {"description": "No acceptable format.", "model": ErrorBody},
        503: {"description": "The query ran past its deadline, or the server is busy (plain text)."},
    }
