"""What pyoxigraph hands back, typed as narrowly as the code may rely on.

pyoxigraph 0.5 implements RDF 1.2: a triple term (`<<( s p o )>>`) may be the object of a
statement, never its subject (`Triple` and `Quad` refuse one there), yet its type stubs still
allow a triple as subject, as RDF-star did. Our curated files cannot hold triple terms (rdflib
parses them first), but a Graph Store upload can, so an object may be any of the four kinds.
`Store.query` returns rows, a boolean or triples whatever the query; a SELECT of our own is read
through `solutions`, a CONSTRUCT through `constructed`.

pyoxigraph evaluates a query without holding the GIL, so independent queries of start-up work
(the shapes' checks, the VoID counts) run on a thread per core through `parallel`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeAlias, TypeVar, cast

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, QueryTriples, Triple

Subject: TypeAlias = NamedNode | BlankNode
Term: TypeAlias = NamedNode | BlankNode | Literal | Triple  # what an object may be
Answer: TypeAlias = QuerySolutions | QueryBoolean | QueryTriples
In = TypeVar("In")
Out = TypeVar("Out")


def subject_of(statement: Triple | Quad) -> Subject:
    """The statement's subject, which pyoxigraph 0.5 never lets be a triple term."""
    # cast, not a check: the Triple and Quad constructors refuse a triple as subject, so none exists
    return cast(Subject, statement.subject)


def text(term: Term) -> str:
    """The term's value: an IRI, a blank node's label or a literal's lexical form; a triple term,
    which has no value of its own, in its Turtle form `<<( s p o )>>`."""
    return f"<<( {term} )>>" if isinstance(term, Triple) else term.value


def solutions(answer: Answer) -> QuerySolutions:
    """The rows of a SELECT; any other answer means the query was not the SELECT it should be."""
    if not isinstance(answer, QuerySolutions):
        raise TypeError(f"a SELECT query was expected, it answered {type(answer).__name__}")
    return answer


def constructed(answer: Answer) -> QueryTriples:
    """The triples of a CONSTRUCT; any other answer means the query was not a CONSTRUCT."""
    if not isinstance(answer, QueryTriples):
        raise TypeError(f"a CONSTRUCT query was expected, it answered {type(answer).__name__}")
    return answer


def parallel(work: Callable[[In], Out], items: Sequence[In]) -> list[Out]:
    """`work` on every item, on a thread per core, the results in the order of `items` (the first
    exception raised is raised here). `work` should read its answer whole: pyoxigraph computes the
    rows as they are read, and that is what runs beside the other threads."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="oxigraph") as pool:
        return list(pool.map(work, items))
