"""Shared by the Linked Data routers: format choice, alternates, Link headers, ETags, 404s."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import Triple

from app.engine.service import QueryService
from app.formats import AnswerKind, Format, by_name
from app.linkeddata import pages, serialize
from app.linkeddata.iris import RDF_SUFFIXES
from app.linkeddata.negotiation import LD_FORMATS, Choice
from app.linkeddata.site import LinkedDataSite
from app.linkeddata.void import DEFAULT_LICENCE
from app.routes.versioned import snapshot

NAMES = {
    "html": "HTML",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "ntriples": "N-Triples",
    "rdfxml": "RDF/XML",
}


@dataclass(frozen=True)
class Alternate:
    href: str
    type: str


def site(request: Request) -> LinkedDataSite:
    return snapshot(request).linked_data


def service(request: Request) -> QueryService:
    return snapshot(request).service


def alternates(path: str) -> dict[str, Alternate]:
    """The same resource in each format, by suffix: {'Turtle': Alternate('/id/x.ttl', ...)}."""
    found = {NAMES["html"]: Alternate(path + ".html", "text/html")}
    for name in LD_FORMATS:
        fmt = by_name(name, AnswerKind.RDF)
        found[NAMES[name]] = Alternate(path + RDF_SUFFIXES[name], fmt.media_type)
    return found


def headers(request: Request, choice: Choice, others: dict[str, Alternate], path: str) -> dict[str, str]:
    """Vary, Link rel=alternate for every format, Content-Location of this one, and an ETag."""
    links = [f'<{a.href}>; rel="alternate"; type="{a.type}"' for a in others.values()]
    taken = snapshot(request)
    generation = taken.service.generation
    return {
        "Vary": "Accept",
        "Link": ", ".join(links),
        "Content-Location": path + (".html" if choice.html else RDF_SUFFIXES[choice.name]),
        "ETag": f'W/"{taken.version}-{generation}-{choice.name}"',
        "Cache-Control": "public, max-age=300",
    }


def signposting(ld: LinkedDataSite, cite_as: str, types: list[str], rdf_path: str) -> list[str]:
    """FAIR Signposting links: the persistent IRI to cite, the RDF documents describing it, the
    licence of the data, and its types (https://signposting.org/FAIR/)."""
    links = [f'<{cite_as}>; rel="cite-as"']
    for name in ("turtle", "jsonld"):
        fmt = by_name(name, AnswerKind.RDF)
        links.append(
            f'<{ld.document(rdf_path + RDF_SUFFIXES[name])}>; rel="describedby"; type="{fmt.media_type}"'
        )
    links.append(f'<{DEFAULT_LICENCE}>; rel="license"')
    links += [f'<{t}>; rel="type"' for t in types if t.startswith(("http://", "https://"))]
    return links


def not_modified(request: Request, etag: str) -> Response | None:
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
    return None


def rdf_response(triples: list[Triple], fmt: Format, head: dict[str, str], status: int = 200) -> Response:
    return Response(
        serialize.write(triples, fmt), status_code=status, media_type=fmt.content_type, headers=head
    )


def not_found(choice: Choice, iri: str) -> Response:
    """404 in the format the client asked for: a page, or an empty graph saying so where it can."""
    head = {"Vary": "Accept"}
    if choice.fmt is None:
        return HTMLResponse(pages.render("not_found.html", iri=iri), status_code=404, headers=head)
    fmt = choice.fmt
    note = f"Not found: the graph says nothing about <{iri}>"
    if fmt.name in ("turtle", "ntriples"):
        body = f"# {note}\n".encode()
    elif fmt.name == "rdfxml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<!-- {note.replace('--', '- -')} -->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        ).encode()
    else:
        body = serialize.write([], fmt)
    return Response(body, status_code=404, media_type=fmt.content_type, headers=head)
