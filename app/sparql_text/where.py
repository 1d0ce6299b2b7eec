"""Where values go in a query: the body of the WHERE clause that holds a set of variables, or the
query's own WHERE group. Both read the text with the shared lexer, so a `where` or a `?name` in a
string, an IRI or a comment never counts."""

from __future__ import annotations

from collections.abc import Sequence

from app.sparql_text.tokens import SparqlTextError, Token, tokens

FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


class NoWhereClause(SparqlTextError):
    """The query has no explicit `WHERE {` to put the values in."""


def _code(text: str) -> list[Token]:
    return [t for t in tokens(text) if t.kind != "comment"]


def where_body(text: str, variables: Sequence[str] = ()) -> int:
    """The offset just after the `{` of the WHERE clause the values belong in: the innermost one
    that holds every mention of `variables`, else the outermost.

    A subquery is evaluated on its own, so a parameter used only inside one must be bound there,
    not in the outer WHERE clause where it would bind nothing."""
    wanted = set(variables)
    clauses: list[tuple[int, int]] = []  # (offset after its '{', brace depth of that '{')
    closes: dict[int, int] = {}  # offset after a group's '{' -> offset of its '}'
    mentions: list[int] = []
    open_braces: list[int] = []
    code = _code(text)
    for i, token in enumerate(code):
        if token.kind == "open":
            open_braces.append(token.end)
        elif token.kind == "close":
            if open_braces:
                closes[open_braces.pop()] = token.start
        elif token.kind == "var" and token.text[1:] in wanted:
            mentions.append(token.start)
        elif token.keyword == "WHERE":
            brace = code[i + 1] if i + 1 < len(code) else None
            if brace is None or brace.kind != "open":
                raise NoWhereClause("WHERE is not followed by '{'")
            clauses.append((brace.end, brace.depth))
    if not clauses:
        raise NoWhereClause("the query has no WHERE clause; write 'WHERE {' explicitly")
    end = len(text)
    holding = [
        (depth, at)
        for at, depth in clauses
        if mentions and all(at <= m < closes.get(at, end) for m in mentions)
    ]
    return max(holding)[1] if holding else clauses[0][0]


def where_group_start(query: str) -> int:
    """The offset just after the `{` that opens the query's WHERE group (with or without the
    keyword WHERE; a CONSTRUCT's template is not it)."""
    code = [t for t in _code(query) if t.kind != "string"]
    form_at = next((i for i, t in enumerate(code) if t.keyword in FORMS), None)
    if form_at is None:
        raise SparqlTextError("not a query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    skip_template = code[form_at].keyword == "CONSTRUCT" and (
        form_at + 1 < len(code) and code[form_at + 1].kind == "open"
    )
    for token in code[form_at + 1 :]:
        if token.kind == "open" and token.depth == 0:
            if skip_template:
                skip_template = False
                continue
            return token.end
    raise SparqlTextError("could not find the query's WHERE group")
