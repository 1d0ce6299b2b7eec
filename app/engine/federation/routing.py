"""Point each SERVICE of a query at our gateway instead of the partner.

pyoxigraph fetches SERVICE endpoints itself, with no timeout and no way to say which partner
failed. So the query text is rewritten: each SERVICE endpoint the guard found (`app.engine.guard`,
which reads the text with the same lexer as every other check) becomes a gateway URL for this
query's ticket. Calls nested inside another SERVICE are left as written: the outer partner makes them.
"""

from __future__ import annotations

from app.engine.guard import ServiceCall
from app.sparql_text.spans import replace_spans


def rewrite(query: str, calls: list[ServiceCall], urls: list[str]) -> str:
    """The query with each call's endpoint replaced by the matching gateway URL."""
    return replace_spans(query, [(c.start, c.end, f"<{url}>") for c, url in zip(calls, urls, strict=True)])
