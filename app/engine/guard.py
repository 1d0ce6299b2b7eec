"""Read a query's text once, before anything runs: what it would reach, and whether it is sane.

One linear pass of the shared lexer (`app.sparql_text.tokens`) finds every SERVICE call (its endpoint,
SILENT, whether it sits inside another SERVICE), whether the query names its own dataset
(FROM / FROM NAMED), and bounds what would exhaust an engine's stack (nesting, operator chains).
No recursive parser runs on a request's text in the server process.

This is not the only wall. Query workers run in a network namespace where the only reachable
address is our federation gateway (`app.engine.sandbox`, `app.engine.egress`), so a SERVICE this
pass did not see cannot fetch anything; the pass gives the clear 403 and the routing. With
`--backend remote` the remote server evaluates SERVICE itself, and this pass is the wall: it
therefore refuses text that two parsers could split differently (see `tokens.check_escapes`, and
words that glue a keyword to other letters).
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from app.engine.cost import is_lookup
from app.engine.errors import QueryError, QueryForbidden
from app.engine.shape import BoundedShape, bounded_shape
from app.sparql_text.tokens import SparqlTextError, Token, check_escapes, position, tokens

MAX_NESTING = 200  # brackets and braces inside each other
MAX_OPERATORS = 10_000  # operators in the whole text: each is a level of an expression tree
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class ServiceCall:
    """One SERVICE clause: the endpoint, SILENT, where its endpoint is written, and whether it is
    inside another SERVICE (then the outer partner evaluates it, not us)."""

    endpoint: str
    silent: bool
    start: int
    end: int
    nested: bool = False


@dataclass(frozen=True)
class QueryPlan:
    calls: tuple[ServiceCall, ...]
    declares_dataset: bool  # FROM or FROM NAMED: the query's own dataset replaces the default one
    lookup: bool = False  # small by construction (app.engine.cost): may take the fast lane
    bounded: BoundedShape | None = None  # its work can be bounded on the store (app.engine.inline)

    @property
    def outer_calls(self) -> tuple[ServiceCall, ...]:
        """The calls we make ourselves (the others travel inside them to the partner)."""
        return tuple(call for call in self.calls if not call.nested)


def _unescape_iri(text: str) -> str:
    """An IRIREF's value (escapes left are of ordinary characters; check_escapes saw to that)."""
    return re.sub(
        r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        text[1:-1],
    )


def _ambiguous(token: Token) -> bool:
    """A word that glues SERVICE to other letters ("trueSERVICE", "service:x"): a parser that
    matches keywords without a word boundary could read a SERVICE in it."""
    if token.kind == "word":
        return "SERVICE" in token.keyword and token.keyword != "SERVICE"
    if token.kind == "pname":
        return "service" in token.text.split(":", 1)[0].lower()
    return False


@lru_cache(maxsize=512)
def plan_query(text: str) -> QueryPlan:
    """Every SERVICE call and the dataset clause of a query; QueryError (400) for text that is
    nested too deeply, has too many operators, or could be read two ways."""
    try:
        return _plan(text)
    except SparqlTextError as error:
        raise QueryError(str(error)) from None


def _plan(text: str) -> QueryPlan:
    check_escapes(text)
    prefixes: dict[str, str] = {}
    calls: list[ServiceCall] = []
    services_open: list[int] = []  # brace depth inside each SERVICE group we are in
    pending = False  # a SERVICE was seen: the next '{' opens its group
    nesting = operators = 0
    declares_dataset = False
    base: str | None = None
    significant = [t for t in tokens(text) if t.kind != "comment"]
    for i, token in enumerate(significant):
        kind = token.kind
        if kind in ("open", "bracket"):
            nesting += 1
            if nesting > MAX_NESTING:
                raise QueryError(
                    f"query nested too deeply at {position(text, token.start)}: "
                    f"more than {MAX_NESTING} levels of brackets and braces"
                )
            if kind == "open" and pending:
                services_open.append(token.depth + 1)
                pending = False
        elif kind in ("close", "unbracket"):
            nesting = max(nesting - 1, 0)
            if kind == "close" and services_open and token.depth < services_open[-1]:
                services_open.pop()
        elif kind == "op":
            operators += 1
            if operators > MAX_OPERATORS:
                raise QueryError(f"too many terms: more than {MAX_OPERATORS} operators in one query")
        elif _ambiguous(token):
            raise QueryError(
                f"{token.text!r} at {position(text, token.start)} could be read as the keyword SERVICE "
                "glued to other letters: separate the words"
            )
        elif token.keyword == "PREFIX" and i + 2 < len(significant):
            name, iri = significant[i + 1], significant[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = _resolve(base, _unescape_iri(iri.text))
        elif token.keyword == "BASE" and i + 1 < len(significant) and significant[i + 1].kind == "iri":
            base = _resolve(base, _unescape_iri(significant[i + 1].text))
        elif token.keyword == "FROM" and token.depth == 0:
            declares_dataset = True
        elif token.keyword == "SERVICE":
            calls.append(_service_call(text, significant, i, prefixes, base, nested=bool(services_open)))
            pending = True
    bounded = None if calls or declares_dataset else bounded_shape(text, significant)
    return QueryPlan(tuple(calls), declares_dataset, is_lookup(significant), bounded)


def _resolve(base: str | None, iri: str) -> str:
    """An IRI resolved against the query's BASE (RFC 3986), when it is relative and there is one."""
    return iri if base is None or _SCHEME.match(iri) else urljoin(base, iri)


def _service_call(
    text: str, significant: list[Token], at: int, prefixes: dict[str, str], base: str | None, nested: bool
) -> ServiceCall:
    j = at + 1
    silent = j < len(significant) and significant[j].keyword == "SILENT"
    j += int(silent)
    if j >= len(significant):
        raise QueryError(f"SERVICE at {position(text, significant[at].start)} names no endpoint")
    target = significant[j]
    if target.kind == "var":
        raise QueryForbidden("SERVICE with a variable endpoint is not allowed")
    if target.kind == "iri":
        endpoint = _resolve(base, _unescape_iri(target.text))
    elif target.kind == "pname":
        prefix, local = target.text.split(":", 1)
        if prefix not in prefixes:
            raise QueryError(f"unknown prefix {prefix}: at {position(text, target.start)}")
        endpoint = prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    else:
        raise QueryError(f"SERVICE at {position(text, target.start)} needs an endpoint IRI")
    if not _SCHEME.match(endpoint):
        raise QueryForbidden(
            f"SERVICE <{endpoint}> is relative, which is not allowed here: write the endpoint as an "
            "absolute IRI on the allowlist"
        )
    return ServiceCall(endpoint, silent, target.start, target.end, nested)


def check_query(text: str, allowed_endpoints: Set[str]) -> QueryPlan:
    """The query's plan, once every SERVICE it names (nested ones too) is on the allowlist."""
    plan = plan_query(text)
    for call in plan.calls:
        if call.endpoint not in allowed_endpoints:
            raise QueryForbidden(f"SERVICE <{call.endpoint}> is not on this server's federation allowlist")
    return plan
