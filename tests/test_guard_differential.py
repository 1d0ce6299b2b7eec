"""Differential fuzzing of the guard against the engine: whatever pyoxigraph would fetch, the guard
saw. Texts are made of the pieces that split parsers apart (comments ended by CR or LF, `\\u`
escapes, every kind of string, IRIs, prefixed names with escapes, keywords glued to letters);
each one the guard lets through is run on a real pyoxigraph store, unconfined, in this process,
against an HTTP listener that records every path asked for. Every path fetched must be one of the
guard's SERVICE calls. Updates get the same treatment for writes: whatever an update's text, its
result never holds a curated graph."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Quad, Store

from app.engine.errors import QueryError, QueryForbidden
from app.engine.guard import plan_query
from app.engine.updates import apply_update
from app.engine.worker import UserGraphs

EXAMPLES = int(os.environ.get("CMSKG_FUZZ_EXAMPLES", "300"))
CURATED = "https://w3id.org/cms-kg/graph/mini"
ONE_EMPTY_ROW = json.dumps({"head": {"vars": []}, "results": {"bindings": [{}]}}).encode()


class Recorder(BaseHTTPRequestHandler):
    """Answers every SPARQL call with one empty solution (so joins go on) and records its path."""

    paths: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        Recorder.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(ONE_EMPTY_ROW)))
        self.end_headers()
        self.wfile.write(ONE_EMPTY_ROW)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pieces(base: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            f"SERVICE <{base}/a> {{ ?s ?p ?o }}",
            f"SERVICE SILENT <{base}/b> {{ }}",
            f"SERVICE <{base}/c>",
            "SERVICE e:d",
            "SERVICE",
            f"<{base}/e>",
            "{",
            "}",
            "?s ?p ?o .",
            "?s ?p ?o",
            "#",
            "# note",
            '"',
            "'",
            '"""',
            "'''",
            '"text"',
            "'text'",
            '"\\\\"',
            "\\u0022",
            "\\u0027",
            "\\u000A",
            "\\u000D",
            "\\u0053ERVICE",
            "\\U00000022",
            "\\",
            "e:a\\'",
            "e:b\\#",
            "e:",
            "service:x",
            "trueSERVICE",
            "1SERVICE",
            "FILTER(",
            ")",
            "true",
            "OPTIONAL",
            "UNION",
            "GRAPH ?g",
            "BIND(1 AS ?x)",
            "<http://x/>",
            "<",
            ">",
        ]
    )


SEPARATORS = st.sampled_from([" ", "\n", "\r", "\r\n", "\t", ""])
LINE_ENDS = st.sampled_from(["\r", "\n", "\r\n"])


def clauses(base: str) -> st.SearchStrategy[str]:
    """Whole clauses, so that many texts are valid for both readings (where bypasses live)."""
    return st.one_of(
        st.sampled_from(
            [
                "?s ?p ?o .",
                f"SERVICE <{base}/a> {{ ?s ?p ?o }}",
                f"SERVICE SILENT <{base}/b> {{ }}",
                "SERVICE e:d { }",
                "SERVICE <rel> { }",
                "FILTER(?o != 'text')",
                'BIND("x" AS ?x)',
                "OPTIONAL { ?s ?p ?o }",
                '?s ?p "\\u0022\\u0022" .',
                '?s ?p "\\u0022" .',
                "?s ?p '\\u0027\\u0027' .",
                "?s ?p '\\u0027' .",
                '?s ?p """a""" .',
                "?s ?p e:a\\' .",
            ]
        ),
        st.tuples(st.sampled_from(["# note", "#", "# \\u000A", "# '"]), LINE_ENDS).map("".join),
    )


def texts(base: str) -> st.SearchStrategy[str]:
    element = st.one_of(clauses(base), clauses(base), pieces(base))
    body = st.lists(st.tuples(element, SEPARATORS), min_size=1, max_size=10)
    prologue = st.sampled_from(["", f"BASE <{base}/b/> ", "BASE <relative/> "])
    return st.tuples(prologue, body).map(
        lambda parts: f"{parts[0]}PREFIX e: <{base}/p> PREFIX service: <{base}/q> SELECT * {{ ?s ?p ?o "
        + "".join(piece + separator for piece, separator in parts[1])
        + "\n}"
    )


def store() -> Store:
    data = Store()
    data.add(Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"), Literal("o")))
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_whatever_the_engine_would_fetch_the_guard_saw(endpoint, data):
    text = data.draw(texts(endpoint))
    try:
        plan = plan_query(text)
    except (QueryError, QueryForbidden):
        return  # refused before anything runs
    seen = {call.endpoint.removeprefix(endpoint) for call in plan.outer_calls}
    Recorder.paths = []
    with contextlib.suppress(SyntaxError, OSError, ValueError, RuntimeError, TypeError):
        list(store().query(text))
    fetched = set(Recorder.paths)
    assert fetched <= seen, f"the engine fetched {fetched - seen} that the guard did not see in {text!r}"


CURATED_SPELLINGS = [
    f"<{CURATED}>",
    "<https://w3id.org/cms-kg/graph/\\u006Dini>",
    "g:mini",
    "g:\\u006Dini",
    "<mini>",
    "<./mini>",
    "<../graph/mini>",
]


def updates() -> st.SearchStrategy[str]:
    graph = st.sampled_from(CURATED_SPELLINGS)
    template = st.sampled_from(
        [
            "INSERT DATA {{ GRAPH {g} {{ <http://a> <http://b> 'c' }} }}",
            "INSERT DATA {{ {sep} GRAPH {g} {{ <http://a> <http://b> 'c' }} }}",
            "INSERT {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
            "WITH {g} INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
            "ADD DEFAULT TO {g}",
            "COPY DEFAULT TO {g}",
            "MOVE DEFAULT TO {g}",
            "CREATE GRAPH {g}",
            "LOAD <http://127.0.0.1:9/x> INTO GRAPH {g}",
        ]
    )
    comment = st.sampled_from(["", "# x\r", "# x\n", "# x\r\n"])
    return st.tuples(template, graph, comment).map(
        lambda t: "PREFIX g: <https://w3id.org/cms-kg/graph/> BASE <https://w3id.org/cms-kg/graph/> "
        + t[0].format(g=t[1], sep=t[2])
    )


@settings(max_examples=min(EXAMPLES, 150), deadline=None)
@given(update=updates())
def test_whatever_an_update_says_its_result_holds_no_curated_graph(update):
    snapshot = UserGraphs(b"<http://a> <http://b> <http://c> .\n", ())
    try:
        result = apply_update(snapshot, update, (), (), None, frozenset({CURATED}))
    except (QueryError, QueryForbidden):
        return
    assert CURATED not in result.graphs, update
