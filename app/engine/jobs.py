"""One-off confined processes for work on a request's text that must not run in the server.

A SPARQL update makes pyoxigraph fetch what LOAD names and run SERVICE; rdflib's update parser can
take unbounded time; a nested RDF/XML or a JSON-LD upload parses in quadratic time or asks for a
remote context. Each of these runs here instead: in a fresh process with no network
(`app.engine.sandbox`), a memory ceiling, a deep stack and a deadline. Past the deadline the
process is killed; a crash or a memory overrun is a clean error; the server loses nothing.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.engine import sandbox
from app.engine.errors import QueryAborted, QueryError, QueryForbidden, QueryTimeout
from app.engine.processes import CONTEXT

EXPECTED = (QueryError, QueryForbidden)


def run_job(
    function: Callable[..., Any], args: tuple, *, timeout: float, limits: sandbox.Limits, what: str
) -> Any:
    """`function(*args)` in a confined process; its result, or its QueryError / QueryForbidden."""
    parent, child = CONTEXT.Pipe()
    process = CONTEXT.Process(
        target=_main, args=(child, limits, function, args), daemon=True, name="cmskg-job"
    )
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"the {what} ran past its deadline of {timeout:g} s and was stopped")
        status, value = parent.recv()
    except (EOFError, OSError):
        process.join(timeout=1)
        if process.exitcode == -signal.SIGABRT:
            raise QueryAborted(
                f"the {what} needed more memory than allowed ({limits.memory_mib} MiB)"
            ) from None
        raise QueryAborted(f"the {what} failed ({sandbox.describe_signal(process.exitcode)})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        with contextlib.suppress(OSError):
            parent.close()
    if status == "error":
        raise value
    return value


def _main(conn: Connection, limits: sandbox.Limits, function: Callable[..., Any], args: tuple) -> None:
    sandbox.die_with_parent()
    sandbox.isolate_network()  # no relay: a job reaches nothing at all

    def body() -> None:
        sandbox.limit_memory(limits.memory_mib)
        try:
            result: tuple[str, Any] = ("ok", function(*args))
        except EXPECTED as error:
            result = ("error", error)
        except Exception as error:
            result = ("error", QueryError(f"{type(error).__name__}: {error}"))
        conn.send(result)

    sandbox.on_deep_stack(limits, body)
