"""Run SPARQL queries on the embedded pyoxigraph store and serialise the answers."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store

from app.engine.errors import QueryError
from app.engine.guard import check_query
from app.formats import Format, Kind, negotiate


@dataclass(frozen=True)
class QueryRequest:
    """One query as the protocol delivered it, with the client's format preferences."""

    query: str
    default_graph_uris: Sequence[str] = ()
    named_graph_uris: Sequence[str] = ()
    accept: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class Answer:
    format: Format
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class EmbeddedEngine:
    """Queries the store in this process. The default graph is the union of all named graphs."""

    def __init__(self, store: Store, allowed_endpoints: Set[str] = frozenset()) -> None:
        self.store = store
        self.allowed_endpoints = allowed_endpoints

    def execute(self, request: QueryRequest) -> Answer:
        check_query(request.query, self.allowed_endpoints)
        try:
            result = self.store.query(request.query, **dataset_options(request))
        except SyntaxError as error:
            raise QueryError(f"syntax error: {error}") from None
        except (OSError, ValueError, RuntimeError) as error:
            raise QueryError(f"query failed: {error}") from None
        try:
            kind = Kind.RESULTS if isinstance(result, QuerySolutions | QueryBoolean) else Kind.RDF
            fmt = negotiate(request.accept, kind, request.format)
            return Answer(format=fmt, body=result.serialize(format=fmt.oxigraph))
        finally:
            del result  # pyoxigraph results must be dropped on the thread that made them


def dataset_options(request: QueryRequest) -> dict:
    """pyoxigraph options for the protocol's dataset: the union of all graphs unless one is named."""
    if not request.default_graph_uris and not request.named_graph_uris:
        return {"use_default_graph_as_union": True}
    try:
        options: dict = {"default_graph": [NamedNode(u) for u in request.default_graph_uris]}
        if request.named_graph_uris:
            options["named_graphs"] = [NamedNode(u) for u in request.named_graph_uris]
    except ValueError as error:
        raise QueryError(f"invalid graph IRI: {error}") from None
    return options
