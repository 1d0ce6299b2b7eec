"""The one way we start processes: a fork server preloaded with what workers and jobs import.

Started early (`warm_up`), it imports while the main process validates the graph, and each
process then starts in milliseconds. It forks before any store or thread exists, so nothing unsafe
is copied. It exits when the server does, and each child dies with it (PR_SET_PDEATHSIG, see
`app.engine.sandbox`), so no worker or job outlives the server.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver

CONTEXT = multiprocessing.get_context("forkserver")
# the workers' modules, and rdflib's SPARQL parser, which updates use and the server does not import
CONTEXT.set_forkserver_preload(
    ["app.engine.worker", "app.engine.jobs", "app.engine.updates", "rdflib.plugins.sparql.algebra"]
)


def warm_up() -> None:
    """Start the fork server now, so its imports overlap the graph's validation."""
    multiprocessing.forkserver.ensure_running()
