"""The endpoint's safety promises, against real servers on 127.0.0.1: deadlines that stop work,
the SERVICE/LOAD/FROM guard (proven by a listener that records connections), read-only by
default, curated graphs untouchable, size limits, row caps and the busy signal."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import start_server, stop_server

TOKEN = "safety-suite-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "ASK { ?s a <https://w3id.org/cms-kg/ontology#Arrangement> }"
CURATED = "https://w3id.org/cms-kg/graph/mini"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A server over the mini graph with updates enabled by a token and one worker."""
    from tests.conftest import FIXTURES, make_tree

    root = make_tree(tmp_path_factory.mktemp("safety") / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    running = start_server(
        "--root",
        str(root),
        "--update-token",
        TOKEN,
        "--max-rows",
        "3",
        "--workers",
        "1",
        "--fast-workers",
        "0",  # these tests are about the one worker: lookups may not take a lane of their own
        env={"CMSKG_QUEUE_WAIT": "0.5"},
    )
    yield running
    stop_server(running)




def test_runaway_count_is_stopped_with_503_while_other_queries_are_answered(server):
    results: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = httpx.get(server.url + "/sparql", params={"query": CARTESIAN, "timeout": "2"}, timeout=30)
        results["runaway"] = (response.status_code, time.monotonic() - started, response)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    simple = httpx.get(server.url + "/sparql", params={"query": SIMPLE}, timeout=10)
    thread.join(timeout=30)
    status, elapsed, response = results["runaway"]
    assert simple.status_code == 200 and simple.json()["boolean"] is True
    assert status == 503 and elapsed < 4, (status, elapsed)
    assert "deadline" in response.text and response.headers["retry-after"]
    again = httpx.get(server.url + "/sparql", params={"query": SIMPLE}, timeout=10)
    assert again.status_code == 200


def test_time_spent_queueing_does_not_count_against_the_deadline():
    """With one worker busy on a runaway, a quick query waits in the queue longer than its own
    timeout; its deadline starts when a worker takes it, so it is answered, not killed."""
    # Bounded lookups are answered in the server process without a worker; switch that off so the
    # quick query has to queue for the one worker.
    env = {"CMSKG_QUEUE_WAIT": "20", "CMSKG_INLINE_ANSWERS": "false"}
    running = start_server("--workers", "1", "--fast-workers", "0", env=env)
    try:
        with ThreadPoolExecutor(2) as pool:
            runaway = pool.submit(
                httpx.get, running.url + "/sparql", params={"query": CARTESIAN, "timeout": "2"}, timeout=30
            )
            time.sleep(0.5)
            started = time.monotonic()
            quick = httpx.get(running.url + "/sparql", params={"query": SIMPLE, "timeout": "1"}, timeout=30)
            waited = time.monotonic() - started
        assert runaway.result().status_code == 503
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        assert waited > 1, "the quick query should have queued behind the runaway"
    finally:
        stop_server(running)


def test_workers_serve_the_event_loop_and_threads_in_turn(server):
    """/sparql waits for its worker on the event loop, which makes the pipe non-blocking while it
    watches it; Graph Store reads (large answers, written in pieces) then use the same workers
    from threads and must still read them whole. Eight clients make the interleaving likely."""
    big = "https://w3id.org/cms-kg/graph/organisations"

    def client(_: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(15):
                statuses.append(http.get("/sparql", params={"query": SIMPLE}).status_code)
                graph = http.get("/store", params={"graph": big}, headers={"Accept": "application/n-triples"})
                statuses.append(graph.status_code if len(graph.content) > 50_000 else -1)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for run in pool.map(client, range(8)) for s in run]
    assert set(statuses) == {200}, sorted(set(statuses))

def test_timeout_parameter_cannot_exceed_the_configured_deadline(guarded):
    response = httpx.get(guarded.url + "/sparql", params={"query": SIMPLE, "timeout": "abc"})
    assert response.status_code == 400 and "timeout" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    ],
)
def test_queries_that_would_reach_out_are_refused_before_any_fetch(guarded, listener, query):
    text = query.replace("{port}", str(listener.port))
    response = httpx.post(guarded.url + "/sparql", data={"query": text})
    assert response.status_code in (400, 403), response.text
    time.sleep(0.2)
    assert listener.connections == 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:{port}/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_from_a_graph_we_do_not_hold_is_empty_and_fetches_nothing(guarded, listener, query):
    text = query.replace("{port}", str(listener.port))
    response = httpx.post(guarded.url + "/sparql", data={"query": text})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []
    time.sleep(0.2)
    assert listener.connections == 0


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:{port}/data.ttl>",
        "LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <http://example.org/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    ],
)
def test_updates_that_would_reach_out_are_refused_before_any_fetch(guarded, listener, update):
    text = update.replace("{port}", str(listener.port))
    response = httpx.post(
        guarded.url + "/sparql", content=text, headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert response.status_code == 403, response.text
    time.sleep(0.2)
    assert listener.connections == 0


def test_read_only_by_default(server):
    response = httpx.post(
        server.url + "/sparql",
        content=b"INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 403 and "read-only" in response.text


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}])
def test_update_without_the_right_token_is_403(guarded, headers):
    response = httpx.post(
        guarded.url + "/sparql",
        content=b"INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        headers={"Content-Type": "application/sparql-update", **headers},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ GRAPH <{CURATED}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}",
        f"DROP GRAPH <{CURATED}>",
        f"WITH <{CURATED}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"MOVE <{CURATED}> TO <http://example.org/stolen>",
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_update_touching_a_curated_graph_is_403_even_with_the_token(guarded, update):
    before = httpx.get(guarded.url + "/health").json()["triples"]
    response = httpx.post(
        guarded.url + "/sparql", content=update, headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert response.status_code == 403, response.text
    assert httpx.get(guarded.url + "/health").json()["triples"] == before


def test_clear_all_leaves_curated_graphs_alone(guarded):
    ask = {"query": SIMPLE}
    response = httpx.post(
        guarded.url + "/sparql",
        content=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 204
    assert httpx.get(guarded.url + "/sparql", params=ask).json()["boolean"] is True


def test_updates_are_seen_by_later_queries(guarded):
    insert = (
        "INSERT DATA { GRAPH <http://example.org/notes> "
        "{ <http://example.org/n1> <http://example.org/says> 'hi' } }"
    )
    response = httpx.post(
        guarded.url + "/sparql", content=insert, headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert response.status_code == 204
    ask = "ASK { <http://example.org/n1> <http://example.org/says> 'hi' }"
    assert httpx.get(guarded.url + "/sparql", params={"query": ask}).json()["boolean"] is True


def test_query_over_64kib_is_413(guarded):
    padding = "#" + "x" * (1024 * 1024) + "\n"
    direct = httpx.post(
        guarded.url + "/sparql",
        content=(padding + "ASK {}").encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    form = httpx.post(guarded.url + "/sparql", data={"query": padding + "ASK {}"})
    assert direct.status_code == 413 and form.status_code == 413


def test_utf16_body_is_4xx(guarded):
    response = httpx.post(
        guarded.url + "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert 400 <= response.status_code < 500


def test_row_cap_keeps_a_valid_document_and_says_so(guarded):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    response = httpx.get(guarded.url + "/sparql", params={"query": query})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 3
    assert response.headers["x-result-capped"].startswith("true")
    construct = httpx.get(
        guarded.url + "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(construct.text.strip().splitlines()) == 3
    assert construct.headers["x-result-capped"].startswith("true")
    small = httpx.get(guarded.url + "/sparql", params={"query": SIMPLE})
    assert "x-result-capped" not in small.headers


def test_busy_server_answers_503_with_retry_after(guarded):
    with ThreadPoolExecutor(max_workers=3) as pool:
        slow = pool.submit(
            httpx.get,
            guarded.url + "/sparql",
            params={"query": CARTESIAN.replace("?i }", "?i . ?j ?k ?l }"), "timeout": "3"},
            timeout=30,
        )
        time.sleep(0.5)
        busy = httpx.get(guarded.url + "/sparql", params={"query": SIMPLE}, timeout=10)
        assert slow.result().status_code in (200, 503)
    assert busy.status_code == 503 and busy.headers["retry-after"]
    # the pool recovers once the slow query is stopped
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        again = httpx.get(guarded.url + "/sparql", params={"query": SIMPLE}, timeout=10)
        if again.status_code == 200:
            break
        time.sleep(0.2)
    assert again.status_code == 200


def test_etag_and_conditional_get(guarded):
    first = httpx.get(guarded.url + "/sparql", params={"query": SIMPLE})
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    second = httpx.get(guarded.url + "/sparql", params={"query": SIMPLE}, headers={"If-None-Match": etag})
    assert second.status_code == 304


def test_cors_allows_any_origin_without_credentials(guarded):
    response = httpx.get(
        guarded.url + "/sparql", params={"query": SIMPLE}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_graph_store_reads_curated_and_writes_only_user_graphs(guarded):
    curated = httpx.get(guarded.url + "/store", params={"graph": CURATED}, headers={"Accept": "text/turtle"})
    assert curated.status_code == 200 and "UNEP/CMS Secretariat" in curated.text
    refused = httpx.put(
        guarded.url + "/store",
        params={"graph": CURATED},
        content=b"<http://a> <http://b> <http://c> .",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert refused.status_code == 403
    anonymous = httpx.put(
        guarded.url + "/store",
        params={"graph": "http://example.org/mine"},
        content=b"<http://a> <http://b> <http://c> .",
        headers={"Content-Type": "text/turtle"},
    )
    assert anonymous.status_code == 403
    created = httpx.put(
        guarded.url + "/store",
        params={"graph": "http://example.org/mine"},
        content=b"<http://a> <http://b> <http://c> .",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert created.status_code == 201
    got = httpx.get(
        guarded.url + "/store",
        params={"graph": "http://example.org/mine"},
        headers={"Accept": "application/n-triples"},
    )
    assert got.text.strip() == "<http://a> <http://b> <http://c> ."
    broken = httpx.post(
        guarded.url + "/store",
        params={"graph": "http://example.org/mine"},
        content=b"<http://a> <http://b> .",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert broken.status_code == 400
    deleted = httpx.delete(guarded.url + "/store", params={"graph": "http://example.org/mine"}, headers=AUTH)
    assert deleted.status_code == 204
    missing = httpx.get(guarded.url + "/store", params={"graph": "http://example.org/mine"})
    assert missing.status_code == 404


def test_syntax_error_reports_line_and_column(guarded):
    response = httpx.get(guarded.url + "/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "2:" in response.text


def test_concurrent_queries_that_need_the_guard_parser_all_succeed(server):
    """rdflib's parser is not thread-safe; the guard serialises it (this failed with 400s before)."""
    query = 'SELECT ?s WHERE { ?s ?p "from the service" } LIMIT 1  # from, service'
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [
            pool.submit(httpx.get, server.url + "/sparql", params={"query": query}, timeout=30)
            for _ in range(48)
        ]
        statuses = [f.result().status_code for f in futures]
    assert statuses == [200] * 48


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p trueSERVICE <http://127.0.0.1:{port}/> { ?a ?b ?c } }",
        "SELECT * WHERE { BIND(1 AS ?one) ?s ?p 1SERVICE <http://127.0.0.1:{port}/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p 1e3SERVICE <http://127.0.0.1:{port}/> { ?a ?b ?c } }",
    ],
)
def test_keywords_glued_to_literals_are_still_caught(guarded, listener, query):
    """pyoxigraph parses a keyword right after a literal (trueSERVICE): the guard must see it."""
    response = httpx.post(
        guarded.url + "/sparql", data={"query": query.replace("{port}", str(listener.port))}
    )
    assert response.status_code in (400, 403), response.text
    time.sleep(0.2)
    assert listener.connections == 0
