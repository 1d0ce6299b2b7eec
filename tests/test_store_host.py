"""Query workers fork from one store host that loaded the store once (app.engine.store_host)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from app.canned.catalogue import load_catalogue, queries_dir
from app.engine.errors import QueryTimeout
from app.engine.execution import QueryRequest
from app.engine.pool import WorkerPool
from app.engine.sandbox import Limits
from app.engine.store_host import StoreHost
from app.engine.worker import StoreSpec, WorkerConfig
from app.graph.build import build_dataset
from app.linkeddata.annex import for_build
from app.settings import Settings
from app.snapshot import build_snapshot

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j } }"
pytestmark = pytest.mark.skipif(not StoreHost.SUPPORTED, reason="workers load the dump on this Python")


@pytest.fixture
def hosted(tmp_path: Path) -> Iterator[tuple[StoreHost, WorkerPool, Path]]:
    store = Store()
    graph = NamedNode("urn:g")
    store.extend(Quad(NamedNode(f"urn:s{i}"), NamedNode("urn:p"), Literal(str(i)), graph) for i in range(300))
    dump = tmp_path / "store.nq"
    store.dump(str(dump), format=RdfFormat.N_QUADS)
    host = StoreHost(dump)
    config = WorkerConfig(StoreSpec(inherited=True), max_rows=100, limits=Limits(256, 65536))
    pool = WorkerPool(config, size=2, queue_wait=10, memory_mib=256, processes=host)
    try:
        yield host, pool, dump
    finally:
        pool.close()
        host.close()


def count(pool: WorkerPool) -> int:
    body = b"".join(pool.run(QueryRequest(COUNT, accept="text/csv"), timeout=10).body)
    return int(body.split()[-1])


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def worker_pids(pool: WorkerPool) -> list[int]:
    return sorted(w.process.pid for w in pool._all if w.process.pid is not None)


def settle(pool: WorkerPool) -> None:
    deadline = time.monotonic() + 30
    while pool.status().starting and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not pool.status().starting, pool.status()


def test_every_worker_is_a_fork_of_the_store_host(hosted):
    host, pool, _ = hosted
    assert count(pool) == 300
    assert {parent_of(pid) for pid in worker_pids(pool)} == {host.pid}


def test_a_worker_stopped_at_its_deadline_comes_back_without_reading_the_dump(hosted):
    """The replacement forks from the host with the store in memory: the dump is not needed."""
    _, pool, dump = hosted
    dump.unlink()
    with pytest.raises(QueryTimeout):
        pool.run(QueryRequest(RUNAWAY), timeout=0.3)
    settle(pool)
    assert count(pool) == 300 and count(pool) == 300  # both workers answer
    assert pool.status().last_failure is None


def test_a_store_host_that_died_is_started_again_with_its_workers(hosted):
    host, pool, _ = hosted
    first = host.pid
    assert first is not None
    before = worker_pids(pool)
    os.kill(first, 9)
    deadline = time.monotonic() + 10  # the workers die with their host
    while any(Path(f"/proc/{pid}").exists() and parent_of(pid) == first for pid in before):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert count(pool) == 300  # a dead worker taken from the idle list is replaced on the way
    settle(pool)
    assert host.pid not in (None, first)
    assert count(pool) == 300 and count(pool) == 300


def test_quads_added_after_the_dump_reach_every_worker(tmp_path: Path):
    """`begin` loads the store as it is; the annex computed meanwhile comes with `add`."""
    store = Store()
    store.add(Quad(NamedNode("urn:a"), NamedNode("urn:p"), Literal("dumped"), NamedNode("urn:g")))
    host = StoreHost.begin(store)
    host.add([Quad(NamedNode("urn:b"), NamedNode("urn:p"), Literal("added"), NamedNode("urn:annex"))])
    config = WorkerConfig(StoreSpec(inherited=True), max_rows=100, limits=Limits(256, 65536))
    pool = WorkerPool(config, size=2, queue_wait=10, memory_mib=256, processes=host)
    try:
        assert count(pool) == 2 and count(pool) == 2
    finally:
        pool.close()
        host.close()
    assert host.scratch is not None and not host.scratch.exists()  # its dump goes with it


def test_closing_stops_the_host_and_leaves_no_worker(hosted):
    host, pool, _ = hosted
    pids = [*worker_pids(pool), host.pid]
    pool.close()
    host.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids if pid is not None):
        assert time.monotonic() < deadline, [pid for pid in pids if pid and _alive(pid)]
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_served_store_is_loaded_once_and_its_workers_fork_from_it():
    """`cmskg serve` in memory: the query and lookup workers all fork from the service's host."""
    settings = Settings(inline_answers=False)
    dataset = build_dataset(settings, for_build(settings))
    snapshot = build_snapshot(settings, dataset, load_catalogue(queries_dir(settings)))
    try:
        service = snapshot.service
        assert service.store_host is not None and service.store_host.pid is not None
        pools = [service.engine] + ([service.lane.pool] if service.lane is not None else [])
        assert isinstance(service.engine, WorkerPool)
        pids = [pid for pool in pools for pid in worker_pids(pool)]
        assert len(pids) == settings.workers + settings.fast_workers
        assert {parent_of(pid) for pid in pids} == {service.store_host.pid}
        answer = service.query(QueryRequest("ASK { ?s a ?type }", accept="text/csv"))
        assert b"".join(answer.body).strip().lower() == b"true"
    finally:
        snapshot.close()


def test_a_closed_host_starts_no_worker_and_is_not_revived(hosted):
    """A replacement started after the service closed (a respawn thread) must not bring back a
    host holding a whole copy of the store."""
    host, pool, _ = hosted
    pool.close()
    host.close()
    config = WorkerConfig(StoreSpec(inherited=True), max_rows=100, limits=Limits(256, 65536))
    with pytest.raises(OSError, match="closed"):
        WorkerPool(config, size=1, queue_wait=1, memory_mib=256, processes=host)
    assert host.pid is None
