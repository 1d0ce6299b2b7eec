"""Choosing between an HTML page and an RDF format for a Linked Data answer.

The RDF side is app.formats' negotiation, unchanged; this only weighs HTML against it, so a
browser gets a page and an RDF client gets data. Without a preference (no Accept, or */*), HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

import mimeparse

from app.formats import FORMATS, AnswerKind, Format, NotAcceptable, by_name, negotiate

HTML_TYPES = ("text/html", "application/xhtml+xml")
LD_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")


@dataclass(frozen=True)
class Choice:
    """An HTML page (fmt None) or one RDF format."""

    fmt: Format | None

    @property
    def html(self) -> bool:
        return self.fmt is None

    @property
    def name(self) -> str:
        return "html" if self.fmt is None else self.fmt.name

    @property
    def content_type(self) -> str:
        return "text/html; charset=utf-8" if self.fmt is None else self.fmt.content_type


HTML = Choice(None)


def offered() -> list[Format]:
    return [f for f in FORMATS if f.name in LD_FORMATS]


def _quality(media_types: tuple[str, ...], accept: str) -> float:
    best = 0.0
    for media_type in media_types:
        try:
            best = max(best, mimeparse.quality(media_type, accept))
        except (ValueError, mimeparse.MimeTypeParseException):
            continue
    return best


def choose(accept: str | None, wanted: str | None = None, formats: tuple[str, ...] = LD_FORMATS) -> Choice:
    """The answer's format: a suffix or `format=` wins, then Accept; HTML unless RDF is preferred."""
    if wanted:
        if wanted.strip().lower() in ("html", "text/html"):
            return HTML
        named = by_name(wanted, AnswerKind.RDF)
        if named.name not in formats:
            raise NotAcceptable([*HTML_TYPES[:1], *(by_name(f, AnswerKind.RDF).media_type for f in formats)])
        return Choice(named)
    if not accept or not accept.strip():
        return HTML
    cleaned = ",".join(part for part in accept.split(",") if _parses(part))
    html_q = _quality(HTML_TYPES, cleaned)
    try:
        fmt: Format | None = negotiate(cleaned, AnswerKind.RDF)
    except NotAcceptable:
        fmt = None
    if fmt is not None and fmt.name not in formats:
        ranked = [by_name(f, AnswerKind.RDF) for f in formats]
        scores = [(_quality((f.media_type, *f.aliases), cleaned), f) for f in ranked]
        q, best = max(scores, key=lambda pair: pair[0])
        fmt = best if q > 0 else None
    rdf_q = _quality((fmt.media_type, *fmt.aliases), cleaned) if fmt else 0.0
    if html_q > 0 and html_q >= rdf_q:
        return HTML
    if fmt is not None and rdf_q > 0:
        return Choice(fmt)
    raise NotAcceptable([HTML_TYPES[0], *(by_name(f, AnswerKind.RDF).media_type for f in formats)])


def prefers_html(accept: str | None) -> bool:
    """Does this Accept header rank HTML above every RDF format we serve? A browser's does
    (`text/html,…,application/xml;q=0.9,*/*;q=0.8`); `*/*`, no header, or HTML at a tie with
    an RDF format do not, so a SPARQL client asking for "anything" keeps getting RDF."""
    if not accept or not accept.strip():
        return False
    cleaned = ",".join(part for part in accept.split(",") if _parses(part))
    html_q = _quality(HTML_TYPES, cleaned)
    rdf_q = max(_quality((f.media_type, *f.aliases), cleaned) for f in FORMATS if f.kind is AnswerKind.RDF)
    return html_q > rdf_q


def _parses(part: str) -> bool:
    try:
        mimeparse.parse_media_range(part)
    except (ValueError, mimeparse.MimeTypeParseException):
        return False
    return bool(part.strip())
