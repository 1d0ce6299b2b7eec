"""Serialise query answers in chunks, stopping at the row cap while staying a valid document.

pyoxigraph serialises a whole result natively but cannot stop after N rows, so solutions are
written here (SPARQL 1.1 Query Results JSON, XML, CSV and TSV); graphs and booleans use
pyoxigraph's own writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, Triple, serialize

from app.formats import Format
from app.namespaces import PREFIXES

Term = NamedNode | BlankNode | Literal | Triple  # what a solution binds a variable to
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PREFIXED = {"turtle", "trig", "rdfxml"}
CHUNK = 64 * 1024


def capped(items: Iterable, cap: int) -> tuple[list, bool]:
    """The first `cap` items, and whether there were more."""
    taken = list(islice(items, cap + 1))
    return taken[:cap], len(taken) > cap


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    text = term.value if isinstance(term, NamedNode | Literal) else str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _json_rows(variables: list[str], rows: list[QuerySolution]) -> Iterator[str]:
    yield json.dumps({"head": {"vars": variables}})[:-1] + ',"results":{"bindings":['
    for i, row in enumerate(rows):
        binding = {v: _json_term(row[v]) for v in variables if row[v] is not None}
        yield ("," if i else "") + json.dumps(binding, ensure_ascii=False)
    yield "]}}"


def _xml_rows(variables: list[str], rows: list[QuerySolution]) -> Iterator[str]:
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    yield f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head><results>'
    for row in rows:
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
            for v in variables
            if row[v] is not None
        )
        yield f"<result>{cells}</result>"
    yield "</results></sparql>"


def _csv_rows(variables: list[str], rows: list[QuerySolution]) -> Iterator[str]:
    yield ",".join(_csv_field(Literal(v)) for v in variables) + "\r\n"
    for row in rows:
        yield ",".join(_csv_field(row[v]) for v in variables) + "\r\n"


def _tsv_rows(variables: list[str], rows: list[QuerySolution]) -> Iterator[str]:
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for row in rows:
        yield "\t".join("" if row[v] is None else str(row[v]) for v in variables) + "\n"


WRITERS = {"json": _json_rows, "xml": _xml_rows, "csv": _csv_rows, "tsv": _tsv_rows}


def solutions_chunks(variables: list[str], rows: list[QuerySolution], fmt: Format) -> Iterator[bytes]:
    """The rows in `fmt`, as byte chunks of about CHUNK bytes."""
    buffer: list[str] = []
    size = 0
    for piece in WRITERS[fmt.name](variables, rows):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def triples_chunks(triples: list[Triple], fmt: Format) -> Iterator[bytes]:
    """The triples in an RDF format, written by pyoxigraph."""
    data = serialize(triples, format=fmt.rdf, prefixes=PREFIXES if fmt.name in PREFIXED else None)
    assert data is not None  # no output given: pyoxigraph returns the bytes
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]
