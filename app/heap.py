"""Keep the server's long-lived heap out of Python's garbage collector.

Parsing and validating leave rdflib graphs full of reference cycles, freed only by a full
collection; and the label index and the app are millions of objects that every later full
collection would walk, with the GIL held. At 10^6 triples such collections, started by the
allocations of busy requests, stalled every request for seconds. So: collect once, now that
start-up (or a reload) is over, then freeze what is left so later collections skip it. A reload
unfreezes first, so what the old graph left behind is collected too."""

from __future__ import annotations

import gc


def settle() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()
