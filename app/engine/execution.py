"""Run one query on a store and turn its answer into a response head and byte chunks.

The same code runs in the worker processes and in-process (the CLI); `render` also writes the
answers parsed from a remote store, so every backend answers alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    Store,
    Triple,
    Variable,
)

from app.engine.errors import QueryError
from app.engine.results import capped, solutions_chunks, triples_chunks
from app.engine.rows import ROWS, encode
from app.engine.terms import PlainTerm
from app.formats import AnswerKind, NotAcceptable, UnknownFormat, negotiate


@dataclass(frozen=True)
class QueryRequest:
    """One query as the protocol delivered it, with the client's format preferences."""

    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None  # a format name that must fit the answer (internal callers)
    format_hints: tuple[str, ...] = ()  # the protocol's format= / output= values, tried in order
    timeout: float | None = None
    bindings: dict[str, PlainTerm] = field(default_factory=dict)
    base_iri: str | None = None
    row_cap: int | None = None  # None: the server's cap; 0: no cap (whole-graph reads)


@dataclass(frozen=True)
class Head:
    """What the HTTP layer needs before the body: the format and whether rows were cut."""

    format_name: str
    kind: AnswerKind
    capped: bool
    count: int | None


def dataset_options(request: QueryRequest) -> dict:
    """pyoxigraph options for the protocol's dataset. Without default-graph-uri / named-graph-uri,
    none: the store's default graph is the union of its graphs (app.graph.store), and a query's own
    FROM / FROM NAMED replaces it, as SPARQL 1.1 §13 says."""
    if not request.default_graph_uris and not request.named_graph_uris:
        return {}
    try:
        options: dict = {"default_graph": [NamedNode(u) for u in request.default_graph_uris]}
        if request.named_graph_uris:
            options["named_graphs"] = [NamedNode(u) for u in request.named_graph_uris]
    except ValueError as error:
        raise QueryError(f"invalid graph IRI: {error}") from None
    return options


def run(store: Store, request: QueryRequest, max_rows: int) -> tuple[Head, Iterator[bytes]]:
    """Evaluate the query and return its head and body chunks (at most `max_rows` rows, unless the
    request sets its own cap)."""
    options = dataset_options(request)
    if request.base_iri:
        options["base_iri"] = request.base_iri
    if request.bindings:
        try:
            options["substitutions"] = {
                Variable(name): term.to_oxigraph() for name, term in request.bindings.items()
            }
        except ValueError as error:
            raise QueryError(f"invalid binding: {error}") from None
    try:
        return render(store.query(request.query, **options), request, max_rows)
    except (UnknownFormat, NotAcceptable):
        raise
    except SyntaxError as error:
        raise QueryError(f"syntax error: {error}") from None
    except OSError as error:  # a fetch (SERVICE) failed: say so, never what a socket answered
        raise QueryError(f"query failed: a SERVICE call failed ({_http_status(error)})") from None
    except (ValueError, RuntimeError) as error:
        raise QueryError(f"query failed: {error}") from None


def _written(data: bytes | None) -> bytes:
    """pyoxigraph's serialisers return the bytes when given no output to write to."""
    assert data is not None
    return data


def _http_status(error: OSError) -> str:
    """What pyoxigraph's client says of a failed call, kept to an HTTP status if it gives one."""
    words = str(error).split()
    if len(words) > 1 and words[0] == "Error" and words[1].isdigit():
        return f"HTTP {words[1]}"
    return "no answer"


def render(
    result: QueryBoolean | QuerySolutions | Iterable[Triple], request: QueryRequest, max_rows: int
) -> tuple[Head, Iterator[bytes]]:
    """An answer (from our store or a remote one) in the negotiated format, cut at the row cap."""
    cap = max_rows if request.row_cap is None else request.row_cap
    if request.format == ROWS:  # an in-process caller (QueryService.select): no client format
        if not isinstance(result, QuerySolutions):
            raise QueryError("a SELECT query was expected")
        variables = [v.value for v in result.variables]
        solutions, cut = (list(result), False) if cap == 0 else capped(result, cap)
        return Head(ROWS, AnswerKind.RESULTS, cut, len(solutions)), iter([encode(variables, solutions)])
    if isinstance(result, QueryBoolean):
        fmt = negotiate(request.accept, AnswerKind.RESULTS, request.format, request.format_hints)
        answer = _written(result.serialize(format=fmt.results))
        return Head(fmt.name, AnswerKind.RESULTS, False, 1), iter([answer])
    if isinstance(result, QuerySolutions):
        fmt = negotiate(request.accept, AnswerKind.RESULTS, request.format, request.format_hints)
        if cap == 0:
            whole = _written(result.serialize(format=fmt.results))
            return Head(fmt.name, AnswerKind.RESULTS, False, None), iter([whole])
        variables = [v.value for v in result.variables]
        rows, cut = capped(result, cap)
        return Head(fmt.name, AnswerKind.RESULTS, cut, len(rows)), solutions_chunks(variables, rows, fmt)
    fmt = negotiate(request.accept, AnswerKind.RDF, request.format, request.format_hints)
    if cap == 0:
        return Head(fmt.name, AnswerKind.RDF, False, None), triples_chunks(list(result), fmt)
    triples, cut = capped(result, cap)
    return Head(fmt.name, AnswerKind.RDF, cut, len(triples)), triples_chunks(triples, fmt)
