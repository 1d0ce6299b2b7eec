"""Put checked values into a canned query as a VALUES block at the head of a WHERE clause.

The block is written only from pyoxigraph terms (IRIs that exist in the graph, literals printed
by pyoxigraph with their escapes), never from the caller's text, so a value cannot end the
literal or the block it sits in. A VALUES block at the start of the group binds the parameters
for every pattern and FILTER of that group, and lets the engine start from them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from pyoxigraph import Literal, NamedNode

Term = NamedNode | Literal
MAX_ROWS = 1000

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOCAL = re.compile(r"[A-Za-z0-9_.%-]*")


class NoWhereClause(ValueError):
    """The query has no explicit `WHERE {` to put the values in."""


def where_body(text: str, variables: Sequence[str] = ()) -> int:
    """The offset just after the `{` of the WHERE clause the values belong in: the innermost one
    that holds every mention of `variables`, else the outermost.

    A subquery is evaluated on its own, so a parameter used only inside one must be bound there,
    not in the outer WHERE clause where it would bind nothing. Skips comments, strings and IRIs,
    so a `where` or a `?name` inside them does not count."""
    wanted = set(variables)
    clauses: list[tuple[int, int]] = []  # (offset after its '{', nesting depth of that '{')
    closes: dict[int, int] = {}  # offset after a clause's '{' -> offset of its '}'
    mentions: list[int] = []
    open_braces: list[int] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif char in "\"'":
            i = _skip_string(text, i)
        elif char == "<" and (match := _IRI.match(text, i)):
            i = match.end()
        elif char in "?$":
            match = _WORD.match(text, i + 1)
            if match and match.group() in wanted:
                mentions.append(i)
            i = match.end() if match else i + 1
        elif char == ":":
            i = _LOCAL.match(text, i + 1).end()  # type: ignore[union-attr]  (always matches)
        elif char == "{":
            open_braces.append(i + 1)
            i += 1
        elif char == "}":
            if open_braces:
                closes[open_braces.pop()] = i
            i += 1
        elif match := _WORD.match(text, i):
            if match.group().upper() == "WHERE":
                j = match.end()
                while j < n and text[j].isspace():
                    j += 1
                if j >= n or text[j] != "{":
                    raise NoWhereClause("WHERE is not followed by '{'")
                clauses.append((j + 1, len(open_braces)))
                open_braces.append(j + 1)
                i = j + 1
            else:
                i = match.end()
        else:
            i += 1
    if not clauses:
        raise NoWhereClause("the query has no WHERE clause; write 'WHERE {' explicitly")
    holding = [
        (depth, at)
        for at, depth in clauses
        if mentions and all(at <= m < closes.get(at, n) for m in mentions)
    ]
    return max(holding)[1] if holding else clauses[0][0]


def _skip_string(text: str, i: int) -> int:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return j


def values_block(variables: Sequence[str], choices: Sequence[Sequence[Term | None]]) -> str:
    """VALUES (?a ?b) { (x y) ... } for every combination of each variable's choices; an empty
    choice list leaves the variable unbound (UNDEF)."""
    if not variables:
        return ""
    options = [list(terms) if terms else [None] for terms in choices]
    rows = list(itertools.islice(itertools.product(*options), MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        raise ValueError(f"the parameters combine into more than {MAX_ROWS} bindings")
    head = " ".join("?" + v for v in variables)
    body = " ".join("(" + " ".join("UNDEF" if t is None else str(t) for t in row) + ")" for row in rows)
    return f"\n  VALUES ({head}) {{ {body} }}\n"


def bind(text: str, variables: Sequence[str], choices: Sequence[Sequence[Term | None]]) -> str:
    """The query with the values block at the head of the WHERE clause its variables live in."""
    at = where_body(text, variables)
    return text[:at] + values_block(variables, choices) + text[at:]
