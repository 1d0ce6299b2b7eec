"""Point each SERVICE of a query at our gateway instead of the partner.

pyoxigraph fetches SERVICE endpoints itself, with no timeout and no way to say which partner
failed. So the query text is rewritten: each SERVICE IRI (or prefixed name) becomes a gateway URL
for this query's ticket. The calls are found with a small tokenizer and must match, one for one,
the SERVICE IRIs rdflib finds in the same text; otherwise the query is refused.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.engine.errors import QueryForbidden
from app.engine.tokens import tokens


@dataclass(frozen=True)
class ServiceCall:
    endpoint: str
    silent: bool
    start: int
    end: int


def service_calls(query: str) -> list[ServiceCall]:
    """Each SERVICE clause of the query: its endpoint IRI, SILENT flag and where its IRI is written."""
    prefixes: dict[str, str] = {}
    calls: list[ServiceCall] = []
    significant = [t for t in tokens(query) if t.kind != "comment"]
    for i, token in enumerate(significant):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(significant):
            name, iri = significant[i + 1], significant[i + 2]
            if name.kind == "word" and name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = iri.text[1:-1]
        elif word == "BASE":
            raise QueryForbidden("BASE is not allowed in federated queries: write full SERVICE IRIs")
        elif word == "SERVICE":
            j = i + 1
            silent = j < len(significant) and significant[j].text.upper() == "SILENT"
            j += int(silent)
            if j >= len(significant):
                break
            target = significant[j]
            calls.append(
                ServiceCall(_endpoint(target.kind, target.text, prefixes), silent, target.start, target.end)
            )
    return calls


def _endpoint(kind: str, text: str, prefixes: dict[str, str]) -> str:
    if kind == "iri":
        return text[1:-1]
    if kind == "word" and ":" in text:
        prefix, local = text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local
    raise QueryForbidden(f"cannot route SERVICE {text}: write the endpoint as a full IRI")


def checked_calls(query: str, endpoints_by_parser: list[str]) -> list[ServiceCall]:
    """The SERVICE calls, after checking they are exactly the ones the SPARQL parser found."""
    if "\\u" in query or "\\U" in query:
        raise QueryForbidden("federated queries may not use \\u escapes")
    calls = service_calls(query)
    if Counter(c.endpoint for c in calls) != Counter(endpoints_by_parser):
        raise QueryForbidden("could not route the SERVICE calls of this query safely")
    return calls


def rewrite(query: str, calls: list[ServiceCall], urls: list[str]) -> str:
    """The query with each call's endpoint replaced by the matching gateway URL."""
    for call, url in sorted(zip(calls, urls, strict=True), key=lambda pair: -pair[0].start):
        query = f"{query[: call.start]}<{url}>{query[call.end :]}"
    return query
