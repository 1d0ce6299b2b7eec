"""Writes to the user graphs, as functions a confined job runs (`app.engine.jobs`).

Each write takes the current snapshot of the user graphs and returns the next one; the server
swaps it in only if it names no curated graph. That last check reads the result, not the text, so
no way of writing an update (escapes, comments, a parser's blind spot) can put a quad into a
curated graph. Updates see only the user graphs: curated data is never in the store they run on.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Store
from rdflib.term import URIRef, Variable

from app.engine.errors import QueryError, QueryForbidden
from app.engine.using import with_using
from app.engine.worker import UserGraphs

if TYPE_CHECKING:
    from rdflib.plugins.sparql.parserutils import CompValue

T = TypeVar("T")
DEFAULT = "DEFAULT"


@dataclass(frozen=True)
class UpdatePlan:
    """What an update will do, as far as the checks care."""

    written: frozenset[str]
    modify_count: int
    declares_dataset: bool


def _field(node: CompValue, key: str) -> Any:  # rdflib's parse nodes hold whatever the grammar built
    """A field of an rdflib parse node, or None (CompValue.get returns the key when absent)."""
    return node[key] if key in node else None  # noqa: SIM401 (CompValue.get differs)


def _walk(node: object) -> Iterator[CompValue]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def plan_update(update: str) -> UpdatePlan:
    """Parse an update (with rdflib, inside the job): the graphs it may write to (IRIs, or
    DEFAULT), its DELETE/INSERT ... WHERE operations, and whether any has its own USING or WITH.
    LOAD and SERVICE are refused with a clear reason; the job has no network anyway.

    rdflib's SPARQL parser is imported here, in the workers (their fork server preloads it:
    app.engine.processes), not by the server at start-up, where it took 40 ms."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        operations = translateUpdate(parseUpdate(update)).algebra
    except ParseException as error:
        raise QueryError(f"syntax error at line {error.lineno}, column {error.col}: {error.msg}") from None
    except RecursionError:
        raise QueryError("update nested too deeply") from None
    except Exception as error:  # rdflib raises plain exceptions for unknown prefixes and the like
        raise QueryError(f"could not be parsed: {error}") from None
    if any(node.name == "ServiceGraphPattern" for node in _walk(operations)):
        raise QueryForbidden("SERVICE is not allowed in updates")
    written: set[str] = set()
    modify_count, declares_dataset = 0, False
    for op in operations:
        name = op.name
        if name == "Load":
            raise QueryForbidden("LOAD is not allowed: this service does not fetch URLs")
        if name == "Modify":
            modify_count += 1
            declares_dataset |= bool(_field(op, "using")) or _field(op, "withClause") is not None
            for clause in (_field(op, "delete"), _field(op, "insert")):
                if clause is not None:
                    written |= _template_graphs(clause, _field(op, "withClause"))
        elif name in ("InsertData", "DeleteData", "DeleteWhere"):
            written |= _template_graphs(op, None)
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


def _store(snapshot: UserGraphs) -> Store:
    store = Store()
    if snapshot.nquads:
        store.load(snapshot.nquads, format=RdfFormat.N_QUADS)
    for name in snapshot.graphs:
        store.add_graph(NamedNode(name))
    return store


def snapshot_of(store: Store) -> UserGraphs:
    """The store's graphs as a snapshot (every named graph listed, empty ones too)."""
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    return UserGraphs(store.dump(format=RdfFormat.N_QUADS) or b"", tuple(names))


def _refuse_curated(snapshot: UserGraphs, curated: Set[str]) -> UserGraphs:
    touched = sorted(set(snapshot.graphs) & set(curated))
    if touched:
        raise QueryForbidden(f"curated graphs cannot be changed: <{touched[0]}>")
    return snapshot


def apply_update(
    snapshot: UserGraphs,
    text: str,
    using: tuple[str, ...],
    using_named: tuple[str, ...],
    base_iri: str | None,
    curated: frozenset[str],
) -> UserGraphs:
    """Run a SPARQL update on the user graphs; the next snapshot."""
    plan = plan_update(text)
    touched = sorted(plan.written & curated)
    if touched:
        raise QueryForbidden(f"curated graphs cannot be changed by updates: <{touched[0]}>")
    if using or using_named:
        if plan.declares_dataset:
            raise QueryError("using-graph-uri / using-named-graph-uri conflict with USING or WITH")
        text = with_using(text, plan.modify_count, list(using), list(using_named))
    store = _store(snapshot)
    try:
        store.update(text, base_iri=base_iri)
    except SyntaxError as error:
        raise QueryError(f"syntax error: {error}") from None
    except OSError:
        raise QueryForbidden(
            "this update tried to reach the network: LOAD and SERVICE are not allowed"
        ) from None
    except (ValueError, RuntimeError) as error:
        raise QueryError(f"update failed: {error}") from None
    return _refuse_curated(snapshot_of(store), curated)


def write_graph(
    snapshot: UserGraphs,
    graph: str | None,
    data: bytes,
    media_type: str,
    base_iri: str | None,
    add: bool,
    curated: frozenset[str],
) -> UserGraphs:
    """Graph Store PUT (replace) or POST (add): parse the body into one graph; the next snapshot.
    Blank nodes of the body are its own: they never merge with blank nodes already there."""
    target: NamedNode | DefaultGraph = NamedNode(graph) if graph is not None else DefaultGraph()
    fmt = RdfFormat.from_media_type(media_type)
    scratch = Store()
    try:
        scratch.load(data, format=fmt, base_iri=base_iri, to_graph=DefaultGraph())
    except (SyntaxError, ValueError, OSError) as error:
        raise QueryError(f"the body is not valid {media_type}: {error}") from None
    store = _store(snapshot)
    if not add:
        store.clear_graph(target)
    fresh: dict[str, BlankNode] = {}

    def own(term: T) -> T | BlankNode:  # a blank node of this body, renamed so it is new in the store
        return fresh.setdefault(term.value, BlankNode()) if isinstance(term, BlankNode) else term

    store.extend(
        Quad(own(q.subject), q.predicate, own(q.object), target)
        for q in scratch.quads_for_pattern(None, None, None, DefaultGraph())
    )
    if isinstance(target, NamedNode):
        store.add_graph(target)
    return _refuse_curated(snapshot_of(store), curated)


def remove_graph(snapshot: UserGraphs, graph: str | None) -> UserGraphs:
    """Graph Store DELETE of a user graph (or the user part of the default graph)."""
    store = _store(snapshot)
    if graph is None:
        store.clear_graph(DefaultGraph())
    else:
        store.remove_graph(NamedNode(graph))
    return snapshot_of(store)
