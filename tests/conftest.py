"""Fixtures that start real things: data trees on disk, the app, a real server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import REPO_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"


def make_tree(target: Path, graph_files: list[Path]) -> Path:
    """A data root with the repository's ontology and shapes and the given graph files."""
    shutil.copytree(REPO_ROOT / "ontology", target / "ontology")
    shutil.copytree(REPO_ROOT / "shapes", target / "shapes")
    (target / "graph").mkdir()
    for path in graph_files:
        shutil.copy(path, target / "graph" / path.name)
    return target


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A small valid data tree (tests/fixtures/mini) in a temporary folder."""
    return make_tree(tmp_path / "data", sorted((FIXTURES / "mini").glob("*.ttl")))


@pytest.fixture(scope="session")
def mini_app():
    folder = Path(tempfile.mkdtemp(prefix="cmskg-mini-"))
    tree = make_tree(folder / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    yield create_app(Settings(root=tree))
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def client(mini_app) -> Iterator[TestClient]:
    with TestClient(mini_app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cmskg(
    *args: str,
    env: dict[str, str | None] | None = None,
    timeout: float = 120,
    cwd: Path = REPO_ROOT,
) -> subprocess.CompletedProcess:
    """Run the cmskg command line in a child process, as a user would, in the folder `cwd`.

    `env` adds variables to ours (None removes one). The child imports this checkout's `app`
    wherever it runs (PYTHONPATH): outside the checkout, the venv's editable install could name
    another one."""
    python_path = [str(REPO_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    merged = {**os.environ, "PYTHONPATH": os.pathsep.join(python_path)}
    for name, value in (env or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=merged,
        cwd=cwd,
    )


class RunningServer:
    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> RunningServer:
    """Start `cmskg serve` on a free loopback port and wait until /health answers. Its output goes
    to a log file (a pipe nobody reads would block the server once full)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="cmskg-server-", suffix=".log")[1])
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=REPO_ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return RunningServer(process, url, log)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not answer /health in time:\n{log.read_text()}")


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def server() -> Iterator[RunningServer]:
    """The real server over the repository's curated graph, on 127.0.0.1."""
    running = start_server()
    yield running
    stop_server(running)


class Listener:
    """A TCP listener on a free loopback port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    recorder = Listener()
    yield recorder
    recorder.close()
