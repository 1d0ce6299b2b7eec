"""One table of the formats we serve, and content negotiation over it (q-values, wildcards)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import StrEnum

import mimeparse
from pyoxigraph import QueryResultsFormat, RdfFormat


class AnswerKind(StrEnum):
    """What a format can carry: tabular/boolean query results, or an RDF graph."""

    RESULTS = "results"
    RDF = "rdf"


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    kind: AnswerKind
    oxigraph: QueryResultsFormat | RdfFormat
    extension: str
    aliases: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @property
    def rdf(self) -> RdfFormat:
        """pyoxigraph's writer for a graph format (a results format here is a bug in the caller)."""
        if not isinstance(self.oxigraph, RdfFormat):
            raise TypeError(f"{self.name} is not an RDF format")
        return self.oxigraph

    @property
    def results(self) -> QueryResultsFormat:
        """pyoxigraph's writer for a query results format."""
        if not isinstance(self.oxigraph, QueryResultsFormat):
            raise TypeError(f"{self.name} is not a query results format")
        return self.oxigraph


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        AnswerKind.RESULTS,
        QueryResultsFormat.JSON,
        "srj",
        ("application/json",),
        ("sparql-json",),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        AnswerKind.RESULTS,
        QueryResultsFormat.XML,
        "srx",
        ("application/xml",),
        ("text/xml",),
    ),
    Format("csv", "text/csv", AnswerKind.RESULTS, QueryResultsFormat.CSV, "csv"),
    Format("tsv", "text/tab-separated-values", AnswerKind.RESULTS, QueryResultsFormat.TSV, "tsv"),
    # Nicknames are the names clients send as format= / output= (SPARQLWrapper, Fuseki, Virtuoso):
    # N3 is answered as Turtle (a subset of N3); "json" and "xml" of a graph mean JSON-LD, RDF/XML.
    Format(
        "turtle",
        "text/turtle",
        AnswerKind.RDF,
        RdfFormat.TURTLE,
        "ttl",
        ("application/x-turtle",),
        ("ttl", "n3", "text/n3", "text/rdf+n3"),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        AnswerKind.RDF,
        RdfFormat.JSON_LD,
        "jsonld",
        ("application/json",),
        ("json-ld", "json"),
    ),
    Format("ntriples", "application/n-triples", AnswerKind.RDF, RdfFormat.N_TRIPLES, "nt", ("text/plain",)),
    Format(
        "rdfxml",
        "application/rdf+xml",
        AnswerKind.RDF,
        RdfFormat.RDF_XML,
        "rdf",
        ("application/xml",),
        ("xml", "rdf+xml", "text/xml"),
    ),
    Format("nquads", "application/n-quads", AnswerKind.RDF, RdfFormat.N_QUADS, "nq"),
    Format("trig", "application/trig", AnswerKind.RDF, RdfFormat.TRIG, "trig"),
)


class NotAcceptable(Exception):
    """Nothing we offer matches the request; carries the offered media types for the 406 body."""

    def __init__(self, offered: list[str]) -> None:
        self.offered = offered
        super().__init__("No acceptable format. Offered: " + ", ".join(offered))


class UnknownFormat(ValueError):
    """A `format=` parameter that names no format of the right kind."""


def formats_of(kind: AnswerKind) -> list[Format]:
    return [f for f in FORMATS if f.kind is kind]


def by_name(name: str, kind: AnswerKind) -> Format:
    """The format a `format=` parameter names (a short name, an extension or a media type)."""
    wanted = name.strip().lower()
    for fmt in formats_of(kind):
        if wanted in (fmt.name, fmt.extension, fmt.media_type, *fmt.aliases, *fmt.nicknames):
            return fmt
    names = ", ".join(f.name for f in formats_of(kind))
    raise UnknownFormat(f"unknown format {name!r} for this answer; use one of: {names}")


def _clean_ranges(accept: str) -> str:
    """Drop media ranges that cannot be parsed, so one bad entry does not spoil the header."""
    kept = []
    for part in accept.split(","):
        try:
            mimeparse.parse_media_range(part)
        except (ValueError, mimeparse.MimeTypeParseException):
            continue
        kept.append(part.strip())
    return ",".join(kept)


def negotiate(
    accept: str | None, kind: AnswerKind, format_param: str | None = None, hints: tuple[str, ...] = ()
) -> Format:
    """Pick the format for an answer: `format_param` wins (it must name a format of this kind);
    else the first of `hints` (the protocol's format= / output= / results= values, as clients send
    them) that names one; else the Accept header; else our default. With hints that name nothing
    for this kind of answer (a graph format for a SELECT) and an Accept that matches nothing, the
    default is answered rather than a 406, as other servers do."""
    if format_param:
        return by_name(format_param, kind)
    for hint in hints:
        with contextlib.suppress(UnknownFormat):
            return by_name(hint, kind)
    try:
        return _by_accept(accept, kind)
    except NotAcceptable:
        if hints:
            return formats_of(kind)[0]
        raise


def _by_accept(accept: str | None, kind: AnswerKind) -> Format:
    offered = formats_of(kind)
    if not accept or not accept.strip():
        return offered[0]
    ranges = _clean_ranges(accept)
    by_type: dict[str, Format] = {}
    for fmt in offered:
        for media_type in (fmt.media_type, *fmt.aliases):
            by_type.setdefault(media_type, fmt)
    # mimeparse breaks ties in favour of the later entry: list our preferred types last.
    best = mimeparse.best_match(list(reversed(by_type)), ranges) if ranges else ""
    if not best:
        raise NotAcceptable([f.media_type for f in offered])
    return by_type[best]
