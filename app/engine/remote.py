"""Answer queries from an existing SPARQL 1.1 server instead of the embedded store.

Our guards, deadlines, row cap and formats stay in front of it. Every answer is read whole and
parsed before anything is sent on, so a cut or garbled remote answer becomes a clear 502, never a
complete-looking result. Virtuoso marks partial answers with headers (X-SQL-State for an anytime
timeout, X-SPARQL-MaxRows for a row limit): those are refused too.
"""

from __future__ import annotations

import asyncio

from pyoxigraph import (
    BlankNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from app.engine.answer import Answer, ChunkBody
from app.engine.errors import QueryError, QueryTimeout
from app.engine.execution import QueryRequest, render
from app.engine.guard import plan_query
from app.engine.worker import UserGraphs
from app.formats import NotAcceptable, UnknownFormat
from app.sparql_text.tokens import SparqlTextError
from app.sparql_text.values import BoundValue, bind_values

ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.7"
)
RESULTS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
}
GRAPHS = {
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
PARTIAL_MARKERS = ("x-sql-state", "x-sparql-maxrows")


class RemoteFailed(Exception):
    """The remote store failed or answered something incomplete (502)."""


class RemoteEngine:
    """Sends each query to the remote endpoint with the curated graphs as its dataset."""

    def __init__(self, endpoint: str, graphs: frozenset[str], max_rows: int, max_bytes: int) -> None:
        self.endpoint, self.graphs = endpoint, sorted(graphs)
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.generation = 0

    def _form(self, request: QueryRequest, text: str) -> dict[str, str | list[str]]:
        """The protocol form: the query, and the dataset the request named, else the query's own
        (FROM / FROM NAMED), else all our graphs."""
        if request.default_graph_uris or request.named_graph_uris:
            default, named = list(request.default_graph_uris), list(request.named_graph_uris)
        elif plan_query(request.query).declares_dataset:
            return {"query": text}
        else:
            default = named = list(self.graphs)
        return {"query": text, "default-graph-uri": default, "named-graph-uri": named}

    def run(self, request: QueryRequest, timeout: float) -> Answer:
        try:
            values: dict[str, BoundValue] = {}
            for name, term in request.bindings.items():
                value = term.to_oxigraph()
                if isinstance(value, BlankNode):
                    raise ValueError("a blank node cannot be sent in VALUES")
                values[name] = value
            bound = bind_values(request.query, values)
        except (SparqlTextError, ValueError) as error:
            raise QueryError(f"invalid binding: {error}") from None
        data = self._form(request, bound)
        import httpx  # here, not at start-up (80 ms): the embedded backend never needs it

        try:
            with httpx.Client(timeout=timeout) as client:
                response = client.post(self.endpoint, data=data, headers={"Accept": ACCEPT})
        except httpx.TimeoutException:
            raise QueryTimeout(f"the remote store did not answer within {timeout:g} s") from None
        except httpx.HTTPError as error:
            raise RemoteFailed(f"remote store unreachable: {type(error).__name__}: {error}") from None
        if response.status_code == 400:
            raise QueryError(f"the remote store refused the query: {response.text[:500]}")
        if response.status_code != 200:
            raise RemoteFailed(f"remote store answered HTTP {response.status_code}: {response.text[:300]}")
        marker = next((h for h in PARTIAL_MARKERS if h in response.headers), None)
        if marker is not None:
            said = response.headers[marker]
            raise RemoteFailed(f"remote store marked its answer as partial ({marker}: {said})")
        if len(response.content) > self.max_bytes:
            raise RemoteFailed(f"remote answer larger than {self.max_bytes} bytes")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        result: QuerySolutions | QueryBoolean | list[Triple]
        try:
            if media_type in RESULTS:
                result = parse_query_results(response.content, format=RESULTS[media_type])
            elif media_type in GRAPHS:
                result = list(parse(response.content, format=GRAPHS[media_type]))
            else:
                raise RemoteFailed(f"remote store answered {media_type or 'no media type'}")
            head, chunks = render(result, request, self.max_rows)
            body = list(chunks)
        except (UnknownFormat, NotAcceptable, RemoteFailed):
            raise
        except (SyntaxError, ValueError, OSError, RuntimeError) as error:
            raise RemoteFailed(f"remote store answered a malformed or cut document: {error}") from None
        return Answer(head=head, body=ChunkBody(iter(body)))

    async def run_async(self, request: QueryRequest, timeout: float) -> Answer:
        """`run` in a thread: the remote call blocks on the network, not on our CPU."""
        return await asyncio.to_thread(self.run, request, timeout)

    def publish(self, user_graphs: UserGraphs) -> None:
        """User graphs are not supported on the remote backend (updates answer 403)."""

    def status(self) -> None:
        """No workers here: the remote server has its own."""
        return None

    @property
    def confined(self) -> bool:
        """Queries run on the remote server, whose network we do not confine."""
        return False

    def close(self) -> None:
        pass
