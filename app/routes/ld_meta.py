"""The ontology (RDF and its documentation page), the VoID/DCAT self-description, the SPARQL
examples and the dumps (with their SHA256SUMS)."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode

from app.linkeddata import pages
from app.linkeddata.dumps import CHECKSUMS
from app.linkeddata.examples_page import examples_view
from app.linkeddata.iris import SUFFIXES, split_suffix
from app.linkeddata.names import Labels
from app.linkeddata.negotiation import choose
from app.linkeddata.void import DESCRIPTION, TITLE
from app.namespaces import OWL
from app.routes.head import get_and_head
from app.routes.ld_respond import alternates, headers, not_found, not_modified, rdf_response, site

FORMAT_DOC = "html, turtle, jsonld, ntriples or rdfxml; overrides Accept"
RDF_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/html": {},
            "text/turtle": {},
            "application/ld+json": {},
            "application/n-triples": {},
            "application/rdf+xml": {},
        }
    }
}

router = APIRouter(tags=["linked data"])


class UnknownSuffix(LookupError):
    """A suffix that names no format we serve (answered with 404)."""


def _suffix(ext: str) -> str:
    name = SUFFIXES.get("." + ext)
    if name is None:
        raise UnknownSuffix(ext)
    return name


def _ontology(request: Request, wanted: str | None) -> Response:
    ld = site(request)
    choice = choose(request.headers.get("accept"), wanted)
    others = alternates("/ontology")
    head = headers(request, choice, others, "/ontology")
    cached = not_modified(request, head["ETag"])
    if cached is not None:
        return cached
    doc = ld.ontology
    if choice.fmt is not None:
        return rdf_response(doc.triples, choice.fmt, head)
    html = pages.render("ontology.html", doc=doc, alternates=others, canonical=ld.space.ontology)
    return HTMLResponse(html, headers=head)


@get_and_head(router, "/ontology", summary="The ontology: documentation page or RDF", responses=RDF_ANSWERS)
def ontology(
    request: Request, format: Annotated[str | None, Query(description=FORMAT_DOC)] = None
) -> Response:
    return _ontology(request, format)


@get_and_head(
    router,
    "/ontology.{ext}",
    summary="The ontology in the format its suffix names",
    include_in_schema=False,
)
def ontology_suffix(request: Request, ext: str) -> Response:
    try:
        return _ontology(request, _suffix(ext))
    except UnknownSuffix:
        return not_found(choose(request.headers.get("accept")), site(request).space.iri(f"/ontology.{ext}"))


@get_and_head(router, "/ontology/{version}", summary="A version IRI of the ontology", include_in_schema=False)
def ontology_version(request: Request, version: str) -> Response:
    ld = site(request)
    route, suffix = split_suffix(f"/ontology/{version}")
    iri = ld.space.iri(route)
    versions = {
        t.object.value
        for t in ld.ontology.triples
        if t.predicate.value == OWL + "versionIRI" and isinstance(t.object, NamedNode)
    }
    if iri not in versions:
        return not_found(choose(request.headers.get("accept")), iri)
    return _ontology(request, suffix or request.query_params.get("format"))


def _void(request: Request, wanted: str | None) -> Response:
    ld = site(request)
    choice = choose(request.headers.get("accept"), wanted)
    others = alternates("/void")
    head = headers(request, choice, others, "/void")
    cached = not_modified(request, head["ETag"])
    if cached is not None:
        return cached
    if choice.fmt is not None:
        return rdf_response(ld.void, choice.fmt, head)
    stats = ld.stats
    labels = Labels(ld.void)
    html = pages.render(
        "void.html",
        title=TITLE,
        description=DESCRIPTION,
        stats=stats,
        dumps=stats.dumps,
        dataset_iri=ld.space.base + "void#dataset",
        uri_space=ld.space.base + "id/",
        endpoint=ld.where.endpoint,
        href=ld.space.href,
        label=labels.property,
        alternates=others,
        canonical=ld.space.base + "void",
        checksums=CHECKSUMS,
        dataset_markup=ld.schema_org,
    )
    head["Link"] = ", ".join([head["Link"], ld.landing_links])
    return HTMLResponse(html, headers=head)


@get_and_head(router, "/void", summary="VoID and DCAT description of the dataset", responses=RDF_ANSWERS)
def void(request: Request, format: Annotated[str | None, Query(description=FORMAT_DOC)] = None) -> Response:
    return _void(request, format)


@get_and_head(
    router,
    "/.well-known/void",
    summary="VoID and DCAT description (well-known location)",
    responses=RDF_ANSWERS,
)
def well_known_void(
    request: Request, format: Annotated[str | None, Query(description=FORMAT_DOC)] = None
) -> Response:
    return _void(request, format)


@get_and_head(router, "/void.{ext}", summary="VoID in the format its suffix names", include_in_schema=False)
def void_suffix(request: Request, ext: str) -> Response:
    try:
        return _void(request, _suffix(ext))
    except UnknownSuffix:
        return not_found(choose(request.headers.get("accept")), site(request).space.iri(f"/void.{ext}"))


@get_and_head(
    router,
    "/.well-known/void.{ext}",
    summary="VoID (well-known location) in the format its suffix names",
    include_in_schema=False,
)
def well_known_void_suffix(request: Request, ext: str) -> Response:
    return void_suffix(request, ext)


@get_and_head(router, "/dumps/", response_class=HTMLResponse, summary="The dumps, with sizes and checksums")
def dumps(request: Request) -> HTMLResponse:
    ld = site(request)
    return HTMLResponse(
        pages.render(
            "dumps.html",
            dumps=list(ld.dumps.values()),
            version=ld.dataset.version,
            checksums=CHECKSUMS,
            canonical=ld.space.base + "dumps/",
        )
    )


def _file(data: bytes, media_type: str, name: str, etag: str, request: Request) -> Response:
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(
        data,
        media_type=media_type,
        headers={
            "ETag": etag,
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "public, max-age=300",
        },
    )


@get_and_head(
    router,
    "/dumps/{name}",
    summary="One dump of the whole graph (cms-kg.ttl, .nt, .nq, .jsonld, each also .gz) or SHA256SUMS",
    responses={
        200: {
            "content": {
                "text/turtle": {},
                "application/n-quads": {},
                "application/gzip": {},
                "text/plain": {},
            }
        },
        404: {},
    },
)
def dump(request: Request, name: str) -> Response:
    ld = site(request)
    if name == CHECKSUMS:
        sums = ld.checksums
        etag = '"' + hashlib.sha256(sums).hexdigest() + '"'
        return _file(sums, "text/plain; charset=utf-8", CHECKSUMS, etag, request)
    found = ld.dumps.get(name)
    if found is None:
        return Response(f"no dump named {name!r}\n", status_code=404, media_type="text/plain; charset=utf-8")
    # A gzipped dump is served as the gzip file it is (no Content-Encoding), so its checksum holds.
    return _file(found.data, found.media_type, found.name, f'"{found.sha256}"', request)


def _examples(request: Request, wanted: str | None) -> Response:
    ld = site(request)
    choice = choose(request.headers.get("accept"), wanted)
    path = "/.well-known/sparql-examples"
    others = alternates(path)
    head = headers(request, choice, others, path)
    cached = not_modified(request, head["ETag"])
    if cached is not None:
        return cached
    if choice.fmt is not None:
        return rdf_response(ld.examples, choice.fmt, head)
    html = pages.render(
        "examples.html",
        examples=examples_view(ld.examples),
        endpoint=ld.where.endpoint,
        graph=ld.space.examples_graph,
        canonical=ld.space.examples_graph,
        alternates=others,
    )
    return HTMLResponse(html, headers=head)


@get_and_head(
    router,
    "/.well-known/sparql-examples",
    summary="The example queries of the endpoint (SHACL executables, as SIB's sparql-examples)",
    responses=RDF_ANSWERS,
)
def sparql_examples(
    request: Request, format: Annotated[str | None, Query(description=FORMAT_DOC)] = None
) -> Response:
    return _examples(request, format)


@get_and_head(
    router,
    "/.well-known/sparql-examples.{ext}",
    summary="The example queries in the format the suffix names",
    include_in_schema=False,
)
def sparql_examples_suffix(request: Request, ext: str) -> Response:
    try:
        return _examples(request, _suffix(ext))
    except UnknownSuffix:
        iri = site(request).space.iri(f"/.well-known/sparql-examples.{ext}")
        return not_found(choose(request.headers.get("accept")), iri)


@get_and_head(
    router,
    "/context.jsonld",
    summary="The JSON-LD context: plain keys for our terms and the standard vocabularies",
    responses={200: {"content": {"application/ld+json": {}}}},
)
def jsonld_context(request: Request) -> Response:
    ld = site(request)
    body = json.dumps(ld.context, ensure_ascii=False, indent=2).encode() + b"\n"
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(
        body,
        media_type="application/ld+json; charset=utf-8",
        headers={"ETag": etag, "Cache-Control": "public, max-age=3600"},
    )
