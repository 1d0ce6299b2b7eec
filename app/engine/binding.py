"""Bind variables for engines without substitutions (remote SPARQL servers): a VALUES block made
of properly built RDF terms, placed at the start of the query's WHERE group."""

from __future__ import annotations

from app.engine.errors import QueryError
from app.engine.execution import Term
from app.engine.tokens import tokens

FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def where_group_start(query: str) -> int:
    """The offset just after the `{` that opens the query's WHERE group."""
    significant = [t for t in tokens(query) if t.kind not in ("comment", "string")]
    form_at = next(
        (i for i, t in enumerate(significant) if t.kind == "word" and t.text.upper() in FORMS), None
    )
    if form_at is None:
        raise QueryError("not a query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    skip_template = significant[form_at].text.upper() == "CONSTRUCT" and (
        form_at + 1 < len(significant) and significant[form_at + 1].kind == "open"
    )
    for token in significant[form_at + 1 :]:
        if token.kind == "open" and token.depth == 0:
            if skip_template:
                skip_template = False
                continue
            return token.end
    raise QueryError("could not find the query's WHERE group")


def bind_values(query: str, bindings: dict[str, Term]) -> str:
    """The query with `VALUES (?a ?b) { (t1 t2) }` as the first element of its WHERE group."""
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not name.isidentifier():
            raise QueryError(f"invalid variable name {name!r}")
    try:
        terms = " ".join(str(bindings[name].to_oxigraph()) for name in names)
    except ValueError as error:
        raise QueryError(f"invalid binding: {error}") from None
    variables = " ".join(f"?{name}" for name in names)
    at = where_group_start(query)
    return f"{query[:at]} VALUES ({variables}) {{ ({terms}) }} {query[at:]}"
