"""After start-up the heap is settled: cyclic garbage (the parse's rdflib graphs) is freed and
what remains is frozen, so later collections do not walk it while requests wait."""

from __future__ import annotations

import gc
import weakref

import rdflib

from app import heap


def test_settle_frees_cycles_and_freezes_the_rest():
    gc.disable()  # only settle() may collect here
    graph = rdflib.Graph()
    graph.parse(data="<http://x/a> <http://x/p> <http://x/b> .", format="turtle")
    gone = weakref.ref(graph.store)
    kept = [object() for _ in range(10)]
    del graph
    try:
        heap.settle()
        assert gone() is None, "the rdflib graph's cycles survived"
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
    assert kept
