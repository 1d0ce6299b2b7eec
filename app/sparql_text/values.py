"""Bind values into query text as a VALUES block, for engines and texts that cannot take
pyoxigraph's substitutions (canned queries binding sets of values, remote SPARQL servers).

The block is written only from pyoxigraph terms (IRIs checked by pyoxigraph, literals printed by
pyoxigraph with their escapes), never from a caller's text, so a value cannot end the literal or
the block it sits in. A VALUES block at the start of a group binds the variables for every pattern
and FILTER of that group, and lets the engine start from them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from pyoxigraph import Literal, NamedNode

from app.sparql_text.tokens import SparqlTextError
from app.sparql_text.where import where_body, where_group_start

BoundValue = NamedNode | Literal
MAX_ROWS = 1000


def values_block(variables: Sequence[str], choices: Sequence[Sequence[BoundValue | None]]) -> str:
    """VALUES (?a ?b) { (x y) ... } for every combination of each variable's choices; an empty
    choice list leaves the variable unbound (UNDEF)."""
    if not variables:
        return ""
    for name in variables:
        if not name.isidentifier():
            raise SparqlTextError(f"invalid variable name {name!r}")
    options = [list(terms) if terms else [None] for terms in choices]
    rows = list(itertools.islice(itertools.product(*options), MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        raise SparqlTextError(f"the parameters combine into more than {MAX_ROWS} bindings")
    head = " ".join("?" + v for v in variables)
    body = " ".join("(" + " ".join("UNDEF" if t is None else str(t) for t in row) + ")" for row in rows)
    return f"\n  VALUES ({head}) {{ {body} }}\n"


def bind(text: str, variables: Sequence[str], choices: Sequence[Sequence[BoundValue | None]]) -> str:
    """The query with the values block at the head of the WHERE clause its variables live in."""
    at = where_body(text, variables)
    return text[:at] + values_block(variables, choices) + text[at:]


def bind_values(query: str, bindings: Mapping[str, BoundValue]) -> str:
    """The query with one row of values as the first element of its WHERE group."""
    if not bindings:
        return query
    names = sorted(bindings)
    at = where_group_start(query)
    return query[:at] + values_block(names, [[bindings[name]] for name in names]) + query[at:]
