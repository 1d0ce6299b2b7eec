"""Start the three servers on 127.0.0.1, time their start-up and watch their memory.

- `cmskg`: our server (`python -m app.cli serve`): parse + SHACL validation + load + warm workers.
- `oxigraph`: the raw Oxigraph server from PyPI (`oxigraph load`, then `serve-read-only`): the
  engine's own limit, on its RocksDB store.
- `oxigraph-mem`: the same server with the data in memory (`oxigraph serve` without a location,
  the files posted to its Graph Store): the fair peer for joins, since our workers query
  in-memory stores too and RocksDB reads flatter us.
- `rdflib-endpoint`: rdflib's SPARQL engine behind FastAPI, the usual Python choice.

Memory is sampled every 0.2 s from /proc over the whole process tree (server plus its worker
processes), two ways: the resident set (RSS, /proc/PID/statm) and the proportional set (PSS,
/proc/PID/smaps_rollup). Our workers are forked from one store-host process and share its pages
copy-on-write, so a sum of RSS counts each shared page once per process; PSS charges a page shared
by N processes 1/N to each, so its sum over the tree is the memory the tree really holds. For a
one-process server (Oxigraph) the two are about equal. The peaks are the largest sums seen.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_pids(pid: int) -> list[int]:
    """pid and all its descendants."""
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def rss_of(pids: list[int]) -> int:
    """Summed resident set of `pids` in bytes (a page shared by several processes counts in each)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def pss_of(pids: list[int]) -> int:
    """Summed proportional set of `pids` in bytes: shared pages split between their sharers, so the
    sum over a tree that shares memory copy-on-write counts each page once."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024  # kB
                        break
        except (OSError, IndexError, ValueError):
            pass
    return total


PSS_DUTY = 0.1  # the share of one core PSS sampling may take (smaps_rollup walks every page)


class MemoryWatch:
    """Samples the RSS and PSS of a process tree in a thread; `peak`/`peak_pss` are the largest sums
    seen. RSS (statm, cheap) is read every `every` seconds. PSS costs more: smaps_rollup walks the
    page tables, about 14 ms of CPU per GB resident here, so at 10^6 triples a tree of several GB
    would take a good part of a core at 0.2 s, on the cores the server and the load generator
    share. It is read every `every` seconds too while that costs under PSS_DUTY of a core (the
    sampling thread's CPU time, not its wall time, which waits for a core under load), and less
    often past it; `pss_interval` and `pss_ms` (CPU per sample) say what the run got."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.peak = self.last = 0
        self.peak_pss = self.last_pss = 0
        self.pss_samples, self._pss_cost = 0, 0.0
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-rss")
        self._thread.start()

    def _run(self) -> None:
        next_pss = 0.0
        while not self._stop.is_set():
            began, cpu = time.monotonic(), time.thread_time()
            pids = tree_pids(self.pid)
            self.last = rss_of(pids)
            self.peak = max(self.peak, self.last)
            if began >= next_pss:
                self.last_pss = pss_of(pids)
                self.peak_pss = max(self.peak_pss, self.last_pss)
                cost = time.thread_time() - cpu
                self.pss_samples, self._pss_cost = self.pss_samples + 1, self._pss_cost + cost
                next_pss = began + max(self.every, cost / PSS_DUTY)
            self._stop.wait(max(0.0, began + self.every - time.monotonic()))

    @property
    def pss_ms(self) -> float:
        """The mean CPU time one sample of the tree took (PSS included), in ms."""
        return self._pss_cost / self.pss_samples * 1000 if self.pss_samples else 0.0

    @property
    def pss_interval(self) -> float:
        """The mean time between PSS samples so far (s)."""
        return (time.monotonic() - self._started) / self.pss_samples if self.pss_samples else 0.0

    def reset_peaks(self) -> None:
        """Start the peaks again from the last sample, to measure one phase (a reload) on its own."""
        self.peak, self.peak_pss = self.last, self.last_pss

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


@dataclass
class Running:
    """A started server: its SPARQL endpoint and how long it took to come up."""

    name: str
    base_url: str
    sparql_path: str
    process: subprocess.Popen
    watch: MemoryWatch
    startup: float  # seconds from launch (and load) to the first good answer
    phases: dict[str, float] = field(default_factory=dict)
    load_peak_rss: int = 0  # peak of a separate loading step (oxigraph load)
    load_peak_pss: int = 0
    log_path: Path | None = None

    def __post_init__(self) -> None:
        RUNNING.add(self)

    @property
    def peak_rss(self) -> int:
        return max(self.watch.peak, self.load_peak_rss)

    @property
    def peak_pss(self) -> int:
        return max(self.watch.peak_pss, self.load_peak_pss)

    def __hash__(self) -> int:
        return id(self)

    def stop(self) -> None:
        RUNNING.discard(self)
        self.watch.stop()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for pid in reversed(tree_pids(self.process.pid)):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                self.process.wait(timeout=5)


RUNNING: set[Running] = set()  # servers started and not yet stopped (stopped on SIGTERM)


def stop_all() -> None:
    for running in list(RUNNING):
        with contextlib.suppress(Exception):
            running.stop()


class StartFailed(Exception):
    pass


def _wait_until_up(process: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise StartFailed(f"exited with {process.returncode}: {tail}")
        if _answers(url):
            return
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=10)
    raise StartFailed(f"did not answer within {timeout:.0f} s")


def _launch(args: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
    handle = log.open("wb")
    try:
        return subprocess.Popen(
            args,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=cwd or REPO_ROOT,
            env={**os.environ, **(env or {})},
        )
    finally:
        handle.close()


def start_cmskg(
    root: Path,
    workdir: Path,
    timeout: float,
    workers: int = 2,
    store: Path | None = None,
    query_timeout: float = 30.0,
    app_root: Path | None = None,
    update_token: str | None = None,
    log_name: str = "cmskg.log",
    port: int | None = None,
) -> Running:
    """Our server; `update_token` enables POST /admin/reload (given by the environment, not argv).
    `port` keeps restarts on one address: an on-disk store's build depends on the public URL, which
    defaults to http://HOST:PORT/, so a fresh port would rebuild it."""
    port = port or free_port()
    log = workdir / log_name
    args = [
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--root",
        str(root),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--query-timeout",
        str(query_timeout),
    ]
    if store is not None:
        args += ["--store", str(store)]
    started = time.perf_counter()
    env = {"CMSKG_QUEUE_WAIT": "30"}
    if update_token is not None:
        env["CMSKG_UPDATE_TOKEN"] = update_token
    if app_root is not None:  # a scratch copy of the app, to measure a fix before it lands
        env["PYTHONPATH"] = str(app_root)
    process = _launch(args, log, env, cwd=app_root)
    watch = MemoryWatch(process.pid)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base + "/health", timeout, log)
    except StartFailed:
        watch.stop()
        raise
    return Running("cmskg", base, "/sparql", process, watch, time.perf_counter() - started, log_path=log)


def oxigraph_bin() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        raise StartFailed("the oxigraph server is not installed (pip install oxigraph)")
    return found


def data_files(root: Path) -> list[Path]:
    return [*sorted((root / "ontology").glob("*.ttl")), *sorted((root / "graph").glob("*.ttl"))]


def start_oxigraph(root: Path, workdir: Path, timeout: float) -> Running:
    exe = oxigraph_bin()
    location = workdir / "oxigraph-db"
    shutil.rmtree(location, ignore_errors=True)
    log = workdir / "oxigraph.log"
    started = time.perf_counter()
    load_args = [exe, "load", "--location", str(location)]
    for path in data_files(root):
        load_args += ["--file", str(path)]
    loader = _launch(load_args, workdir / "oxigraph-load.log")
    load_watch = MemoryWatch(loader.pid)
    try:
        loader.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        loader.kill()
        load_watch.stop()
        raise StartFailed("oxigraph load did not finish in time") from None
    load_peak = load_watch.stop()
    load_peak_pss = load_watch.peak_pss
    if loader.returncode != 0:
        raise StartFailed((workdir / "oxigraph-load.log").read_text(errors="replace")[-2000:])
    loaded = time.perf_counter() - started
    port = free_port()
    process = _launch(
        [exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"], log
    )
    watch = MemoryWatch(process.pid)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base + "/query?query=ASK%7B%7D", timeout, log)
    except StartFailed:
        watch.stop()
        raise
    total = time.perf_counter() - started
    return Running(
        "oxigraph",
        base,
        "/query",
        process,
        watch,
        total,
        phases={"load": loaded, "serve": total - loaded},
        load_peak_rss=load_peak,
        load_peak_pss=load_peak_pss,
        log_path=log,
    )


def start_oxigraph_memory(root: Path, workdir: Path, timeout: float) -> Running:
    """`oxigraph serve` in memory, every file posted to the default graph (as `oxigraph load` puts
    them); start-up counts until the last file is loaded."""
    exe = oxigraph_bin()
    port = free_port()
    log = workdir / "oxigraph-mem.log"
    started = time.perf_counter()
    process = _launch([exe, "serve", "--bind", f"127.0.0.1:{port}"], log)
    watch = MemoryWatch(process.pid)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base + "/query?query=ASK%7B%7D", timeout, log)
        up = time.perf_counter() - started
        for path in data_files(root):
            request = urllib.request.Request(
                base + "/store?default",
                data=path.read_bytes(),
                method="POST",
                headers={"Content-Type": "text/turtle"},
            )
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if response.status not in (200, 201, 204):
                    raise StartFailed(f"posting {path.name} answered {response.status}")
    except (StartFailed, urllib.error.URLError, OSError) as error:
        watch.stop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        raise StartFailed(f"oxigraph in memory: {error}") from None
    total = time.perf_counter() - started
    return Running(
        "oxigraph-mem",
        base,
        "/query",
        process,
        watch,
        total,
        phases={"serve": up, "load": total - up},
        log_path=log,
    )


def rdflib_endpoint_bin() -> str:
    found = shutil.which("rdflib-endpoint") or str(Path(sys.executable).parent / "rdflib-endpoint")
    if not Path(found).exists():
        raise StartFailed("rdflib-endpoint is not installed (pip install rdflib-endpoint)")
    return found


def start_rdflib_endpoint(root: Path, workdir: Path, timeout: float) -> Running:
    exe = rdflib_endpoint_bin()
    port = free_port()
    log = workdir / "rdflib-endpoint.log"
    args = [exe, "serve", *map(str, data_files(root)), "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    process = _launch(args, log)
    watch = MemoryWatch(process.pid)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base + "/?query=ASK%7B%7D", timeout, log)
    except StartFailed:
        watch.stop()
        raise
    return Running("rdflib-endpoint", base, "/", process, watch, time.perf_counter() - started, log_path=log)


STARTERS = {
    "cmskg": start_cmskg,
    "oxigraph": start_oxigraph,
    "oxigraph-mem": start_oxigraph_memory,
    "rdflib-endpoint": start_rdflib_endpoint,
}
