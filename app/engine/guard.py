"""Refuse, before anything runs, requests that would reach the network or touch curated graphs.

pyoxigraph evaluates SERVICE and LOAD by fetching the IRI they name. Every SERVICE endpoint must
be on the allowlist; a variable endpoint, LOAD, and FROM naming a graph we do not hold are
refused. Updates may not write to a curated graph. The checks parse the text with rdflib.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Set
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from app.engine.errors import QueryError, QueryForbidden

# rdflib's pyparsing grammar keeps state while parsing: one parse at a time.
_RDFLIB_PARSER = threading.Lock()

# SERVICE and FROM can only appear if the letters (or a \u escape that could spell them) are in the
# text. pyoxigraph's parser needs no space before a keyword ("trueSERVICE" parses), so the test is
# on letters, not words. Two things are taken out first, because they can never hold a keyword:
# variables (?_from, as canned queries name their parameters; an ASCII name never reads further
# than the parser's own) and prov:wasDerivedFrom. Taking text out can join text into a match but
# never hide one; it spares most canned queries an rdflib parse.
_MIGHT_REACH_OUT = re.compile(r"service|from|\\u|\\U", re.IGNORECASE)
_NEVER_KEYWORDS = re.compile(r"[?$][A-Za-z0-9_]+|wasDerivedFrom")


def might_reach_out(query: str) -> bool:
    """Whether the text could hold SERVICE, FROM or an escape that hides them (then it is parsed)."""
    return bool(_MIGHT_REACH_OUT.search(_NEVER_KEYWORDS.sub("", query)))


def _field(node: CompValue, key: str) -> object:
    """A field of an rdflib parse node, or None (CompValue.get returns the key when absent)."""
    return node[key] if key in node else None  # noqa: SIM401 (CompValue.get differs)


def _walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def _parse_error(error: Exception) -> QueryError:
    if isinstance(error, ParseException):
        return QueryError(f"syntax error at line {error.lineno}, column {error.col}: {error.msg}")
    return QueryError(f"could not be parsed: {error}")


def check_query(query: str, allowed_endpoints: Set[str], local_graphs: Set[str]) -> list[str]:
    """Raise QueryForbidden if the query names a SERVICE endpoint not on the allowlist, a
    variable SERVICE endpoint, or a FROM / FROM NAMED graph this store does not hold; return the
    SERVICE endpoints it calls, one per SERVICE clause."""
    if not might_reach_out(query):
        return []
    try:
        with _RDFLIB_PARSER:
            algebra = translateQuery(parseQuery(query)).algebra
    except Exception as error:  # rdflib raises plain exceptions for unknown prefixes and the like
        raise _parse_error(error) from None
    for clause in _field(algebra, "datasetClause") or []:
        iri = _field(clause, "default") or _field(clause, "named")
        if str(iri) not in local_graphs:
            raise QueryForbidden(f"FROM <{iri}> names a graph this service does not hold")
    return _check_services(algebra, allowed_endpoints)


def _check_services(algebra: object, allowed_endpoints: Set[str]) -> list[str]:
    endpoints = []
    for node in _walk(algebra):
        if node.name == "ServiceGraphPattern":
            term = _field(node, "term")
            if not isinstance(term, URIRef):
                raise QueryForbidden("SERVICE with a variable endpoint is not allowed")
            if str(term) not in allowed_endpoints:
                raise QueryForbidden(f"SERVICE <{term}> is not on this server's federation allowlist")
            endpoints.append(str(term))
    return endpoints


DEFAULT = "DEFAULT"


@dataclass(frozen=True)
class UpdatePlan:
    """What an update will do, as far as the guards care."""

    written: frozenset[str]
    modify_count: int
    declares_dataset: bool


def plan_update(update: str) -> UpdatePlan:
    """Parse an update: the graphs it may write to (IRIs, or DEFAULT), its DELETE/INSERT ... WHERE
    operations, and whether any has its own USING or WITH."""
    try:
        with _RDFLIB_PARSER:
            operations = translateUpdate(parseUpdate(update)).algebra
    except Exception as error:
        raise _parse_error(error) from None
    _check_services(operations, frozenset())  # updates run in-process: no SERVICE at all
    written: set[str] = set()
    modify_count, declares_dataset = 0, False
    for op in operations:
        name = op.name
        if name == "Modify":
            modify_count += 1
            declares_dataset |= bool(_field(op, "using")) or _field(op, "withClause") is not None
        if name == "Load":
            raise QueryForbidden("LOAD is not allowed: this service does not fetch URLs")
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            written |= _template_graphs(op, None)
        elif name == "Modify":
            for clause in (_field(op, "delete"), _field(op, "insert")):
                if clause is not None:
                    written |= _template_graphs(clause, _field(op, "withClause"))
        elif name in ("Clear", "Drop", "Create"):
            written.add(_graph_ref(_field(op, "graphiri")))
        elif name in ("Add", "Copy"):
            written.add(_graph_ref(op["graph"][1]))
        elif name == "Move":
            written |= {_graph_ref(g) for g in op["graph"]}
        else:
            raise QueryForbidden(f"unsupported update operation {name}")
    return UpdatePlan(frozenset(written), modify_count, declares_dataset)


def _template_graphs(node: CompValue, with_clause: URIRef | None) -> set[str]:
    graphs = set()
    for graph in _field(node, "quads") or {}:
        if isinstance(graph, Variable):
            raise QueryForbidden("updates may not write to GRAPH ?variable: name the graph")
        graphs.add(str(graph))
    if _field(node, "triples"):
        graphs.add(str(with_clause) if with_clause is not None else DEFAULT)
    return graphs


def _graph_ref(ref: object) -> str:
    """A graph reference of CLEAR/DROP/ADD/...: ALL and NAMED reach only the writable graphs,
    since updates run on a store that holds no curated graph."""
    return DEFAULT if ref in (None, "DEFAULT") else str(ref)


def check_update(update: str, curated_graphs: Set[str]) -> UpdatePlan:
    """Raise QueryForbidden if the update could touch a curated graph, or fetch a URL."""
    plan = plan_update(update)
    touched = sorted(plan.written & set(curated_graphs))
    if touched:
        raise QueryForbidden(f"curated graphs cannot be changed by updates: <{touched[0]}>")
    return plan
