"""Answer in the server process the queries whose work the store bounds before they run.

The workers exist so that a deadline can stop a query: pyoxigraph cannot cancel one. A query
that provably cannot run away does not need that, and answering it here saves the trip to a
worker and back, which is most of what a lookup costs (crawlers, Linked Data clients and
federation engines send them by the thousand).

Two checks, both before anything runs, and both must pass:

1. the text has a bounded shape (`app.engine.shape`): one basic graph pattern whose every
   triple pattern has a constant subject or object, safe FILTERs, nothing else;
2. the store bounds its work: each pattern is one range of one of the store's indexes (the
   constant subject's, or the constant object's, with the predicate if it is constant), and we
   count the quads in every range the engine might read for it, up to what is left of
   `MAX_WORK`. Whatever join order or algorithm the engine picks, no intermediate result is
   larger than the product of those counts (each factor at least 1), and no pattern reads more
   than its range; so if the product is at most `MAX_WORK`, so are the rows the engine makes, and
   the answer. Counting costs at most `MAX_WORK` steps per pattern.

A cartesian product of two hub objects, a FILTER that never matches over a huge fan-out, many
patterns: all fail the second check (their product is large), whatever their text says, and go
to the workers with a deadline. A failure of any kind here (an error in the query, a term the
store refuses) also sends the query to the workers, so their answers, errors included, stay the
only ones. The fast path reads the curated store only, so it is off while user graphs exist.
"""

from __future__ import annotations

import logging
from itertools import islice

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store

from app.engine.answer import Answer, ChunkBody
from app.engine.execution import QueryRequest, run
from app.engine.shape import BoundedShape, Pattern
from app.formats import NotAcceptable, UnknownFormat

log = logging.getLogger(__name__)
MAX_WORK = 4096  # rows the engine may make for a query answered here


def work_bound(store: Store, shape: BoundedShape, limit: int = MAX_WORK) -> int | None:
    """The product of the patterns' range sizes if it is at most `limit`, else None."""
    product = 1
    for pattern in shape.patterns:
        budget = limit // product
        cost = _pattern_cost(store, pattern, budget)
        if cost is None or cost > budget:
            return None
        product *= max(cost, 1)
    return product


def _pattern_cost(store: Store, pattern: Pattern, budget: int) -> int | None:
    """The largest index range the engine may read for the pattern alone (counted up to budget+1);
    None if it has no constant subject or object we can look up."""
    predicate = pattern.predicate if isinstance(pattern.predicate, NamedNode) else None
    ranges: list[tuple[NamedNode | None, NamedNode | None, NamedNode | Literal | None]] = []
    if isinstance(pattern.subject, NamedNode):
        ranges.append((pattern.subject, predicate, None))
    elif isinstance(pattern.subject, Literal):
        return 0  # a literal is never a subject: the pattern matches nothing
    if pattern.object is not None:
        ranges.append((None, predicate, pattern.object))
    if not ranges:
        return None
    return max(_count(store, *r, cap=budget + 1) for r in ranges)


def _count(
    store: Store, s: NamedNode | None, p: NamedNode | None, o: NamedNode | Literal | None, cap: int
) -> int:
    """Quads of the default graph (the union the queries read) in one range, at most `cap`."""
    return sum(1 for _ in islice(store.quads_for_pattern(s, p, o, DefaultGraph()), cap))


class InlineAnswers:
    """The fast path: answers a query here when its work is bounded, or says None (workers)."""

    def __init__(self, store: Store, max_rows: int) -> None:
        self.store, self.max_rows = store, max_rows
        self.answered = 0  # for tests and the bench: how many queries took this path

    def answer(self, request: QueryRequest, shape: BoundedShape | None) -> Answer | None:
        if shape is None or request.default_graph_uris or request.named_graph_uris:
            return None
        try:
            if work_bound(self.store, shape) is None:
                return None
            head, chunks = run(self.store, request, self.max_rows)
            body = b"".join(chunks)
        except (UnknownFormat, NotAcceptable):
            raise  # the client's Accept, not the query: the workers would say the same
        except Exception as error:  # the workers' answer (or error) is the one that counts
            log.debug("inline answer declined: %s: %s", type(error).__name__, error)
            return None
        self.answered += 1
        return Answer(head=head, body=ChunkBody(iter([body])))
