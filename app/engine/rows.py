"""Answers for callers inside the server: SELECT rows and CONSTRUCT triples as Python values.

The canned queries, the web page's network and the Linked Data pages ask the query service for
`Rows` or `Triples` (`QueryService.select` / `.construct`), never for bytes in a format meant for
HTTP clients. A worker sends rows as pickled tuples of plain strings (the `ROWS` wire format,
written by `encode` and read by `decode`), so no JSON is written only to be parsed again.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, RdfFormat, Triple, parse

from app.engine.terms import PlainTerm

ROWS = "rows"  # the internal wire format's name: never offered to HTTP clients
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# One cell on the wire: None (unbound) or (kind, value, datatype, language).
WireCell = tuple[str, str, str | None, str | None] | None


@dataclass(frozen=True)
class Rows:
    """A SELECT answer: its variables, one mapping per solution (unbound variables absent) and
    whether the row cap cut it."""

    variables: tuple[str, ...]
    solutions: tuple[dict[str, PlainTerm], ...]
    capped: bool

    def __iter__(self) -> Iterator[dict[str, PlainTerm]]:
        return iter(self.solutions)

    def __len__(self) -> int:
        return len(self.solutions)


@dataclass(frozen=True)
class Triples:
    """A CONSTRUCT or DESCRIBE answer, and whether the row cap cut it."""

    triples: tuple[Triple, ...]
    capped: bool


def _cell(term: object) -> WireCell:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return ("iri", term.value, None, None)
    if isinstance(term, BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, Literal):
        if term.language:
            return ("literal", term.value, None, term.language)
        datatype = term.datatype.value
        return ("literal", term.value, None if datatype == XSD_STRING else datatype, None)
    return ("triple", str(term), None, None)  # a quoted triple (RDF-star), in N-Triples form


def encode(variables: Sequence[str], solutions: Sequence[QuerySolution]) -> bytes:
    """Rows on the wire: the variables and one tuple of cells per solution."""
    rows = [tuple(_cell(solution[v]) for v in variables) for solution in solutions]
    return pickle.dumps((tuple(variables), rows), protocol=pickle.HIGHEST_PROTOCOL)


def decode(body: bytes, capped: bool) -> Rows:
    """Rows from the wire. Only our own workers and `execution.render` write this format."""
    variables, rows = pickle.loads(body)
    solutions = tuple(
        {v: PlainTerm(*cell) for v, cell in zip(variables, row, strict=True) if cell is not None}
        for row in rows
    )
    return Rows(variables, solutions, capped)


def triples_from(ntriples: bytes, capped: bool) -> Triples:
    """Triples from an N-Triples body (pyoxigraph's own writer and parser, both native)."""
    return Triples(tuple(q.triple for q in parse(ntriples, format=RdfFormat.N_TRIPLES)), capped)
