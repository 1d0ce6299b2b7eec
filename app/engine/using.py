"""Apply the protocol's using-graph-uri / using-named-graph-uri to an update's operations.

pyoxigraph's Python API has no parameter for an update's dataset, so each DELETE/INSERT ... WHERE
operation gets USING clauses inserted before its WHERE. The clauses are built from IRIs checked
by pyoxigraph (never from raw user text), and the insertion points are found by a small
tokenizer that skips strings, IRIs, comments and braces.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from app.engine.errors import QueryError
from app.sparql_text.tokens import SparqlTextError, tokens


def top_level_where_positions(update: str) -> list[int]:
    """Offsets of each top-level WHERE keyword that belongs to a DELETE/INSERT ... WHERE."""
    previous, positions = "", []
    for token in tokens(update):
        if token.kind in ("open", "close"):
            previous = token.text
        elif token.kind == "word" and token.depth == 0:
            word = token.text.upper()
            if word == "WHERE" and previous != "DELETE":
                positions.append(token.start)
            previous = word
    return positions


def with_using(update: str, modify_count: int, default: list[str], named: list[str]) -> str:
    """The update with USING / USING NAMED clauses before each of its `modify_count` WHEREs."""
    try:
        clause = " ".join(
            [f"USING <{NamedNode(iri).value}>" for iri in default]
            + [f"USING NAMED <{NamedNode(iri).value}>" for iri in named]
        )
    except ValueError as error:
        raise QueryError(f"invalid using-graph-uri: {error}") from None
    try:
        positions = top_level_where_positions(update)
    except SparqlTextError as error:
        raise QueryError(str(error)) from None
    if len(positions) != modify_count:
        raise QueryError("could not apply using-graph-uri to this update; use USING clauses")
    for position in reversed(positions):
        update = f"{update[:position]}{clause} {update[position:]}"
    return update
