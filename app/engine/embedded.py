"""Run a query in this process, with the same guards and serialisers as the server (for the CLI)."""

from __future__ import annotations

from collections.abc import Mapping

from app.engine.execution import Head, QueryRequest, run
from app.engine.guard import check_query
from app.engine.rows import ROWS, Rows, Triples, decode, triples_from
from app.engine.terms import PlainTerm
from app.graph.build import Dataset


def run_local(dataset: Dataset, request: QueryRequest, max_rows: int) -> tuple[Head, bytes]:
    """Answer one query on the dataset's store; no SERVICE is allowed from the shell either."""
    check_query(request.query, frozenset())
    head, chunks = run(dataset.store, request, max_rows)
    return head, b"".join(chunks)


class LocalQueries:
    """The `Queries` door (app.engine.base) on a dataset in this process: no workers, no deadline
    (the command line's user can press Ctrl-C)."""

    def __init__(self, dataset: Dataset, max_rows: int) -> None:
        self.dataset, self.max_rows = dataset, max_rows

    def select(self, query: str, bindings: Mapping[str, PlainTerm] | None = None) -> Rows:
        request = QueryRequest(query=query, bindings=dict(bindings or {}), format=ROWS)
        head, body = run_local(self.dataset, request, self.max_rows)
        return decode(body, head.capped)

    def construct(self, query: str, bindings: Mapping[str, PlainTerm] | None = None) -> Triples:
        request = QueryRequest(query=query, bindings=dict(bindings or {}), format="ntriples", row_cap=0)
        head, body = run_local(self.dataset, request, self.max_rows)
        return triples_from(body, head.capped)
