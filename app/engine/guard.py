"""Refuse, before anything runs, queries that would make the server reach the network.

pyoxigraph evaluates SERVICE by fetching the IRI it names. Every SERVICE endpoint must be on the
allowlist; a variable endpoint is refused. The check parses the query with rdflib and walks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from app.engine.errors import QueryError, QueryForbidden

# SERVICE can only appear if the word (or a \u escape that could spell it) is in the text.
_MIGHT_REACH_OUT = re.compile(r"service|\\u|\\U", re.IGNORECASE)


def _walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def service_endpoints(query: str) -> list[str]:
    """The SERVICE IRIs a query names; raise QueryForbidden for a variable endpoint."""
    if not _MIGHT_REACH_OUT.search(query):
        return []
    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except ParseException as error:
        raise QueryError(f"syntax error at line {error.lineno}, column {error.col}: {error.msg}") from None
    except Exception as error:  # rdflib raises plain exceptions for unresolved prefixes and the like
        raise QueryError(f"query could not be parsed: {error}") from None
    endpoints = []
    for node in _walk(algebra):
        if node.name == "ServiceGraphPattern":
            term = node.get("term")
            if not isinstance(term, URIRef):
                raise QueryForbidden("SERVICE with a variable endpoint is not allowed")
            endpoints.append(str(term))
    return endpoints


def check_query(query: str, allowed_endpoints: Set[str]) -> None:
    """Raise QueryForbidden if the query names a SERVICE endpoint not on the allowlist."""
    for endpoint in service_endpoints(query):
        if endpoint not in allowed_endpoints:
            raise QueryForbidden(
                f"SERVICE <{endpoint}> is not on this server's federation allowlist"
            )
