"""Run a query in this process, with the same guards and serialisers as the server (for the CLI)."""

from __future__ import annotations

from app.engine.execution import Head, QueryRequest, run
from app.engine.guard import check_query
from app.graph.build import Dataset


def run_local(dataset: Dataset, request: QueryRequest, max_rows: int) -> tuple[Head, bytes]:
    """Answer one query on the dataset's store; no SERVICE is allowed from the shell either."""
    check_query(request.query, frozenset())
    head, chunks = run(dataset.store, request, max_rows)
    return head, b"".join(chunks)
