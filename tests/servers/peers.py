"""Real SPARQL servers started by the tests on loopback: Oxigraph (PyPI) and Virtuoso (Debian)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).parent


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Peer:
    name: str
    process: subprocess.Popen
    endpoint: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _wait(url: str, process: subprocess.Popen, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{what} did not answer in time")


def start_oxigraph(location: Path) -> Peer:
    """An Oxigraph server (the `oxigraph` CLI from PyPI) with an on-disk store of its own."""
    port = _free_port()
    binary = Path(sys.executable).parent / "oxigraph"
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _wait(base + "/query", process, "oxigraph")
    return Peer("oxigraph", process, base + "/query")


def oxigraph_update_endpoint(peer: Peer) -> str:
    return peer.endpoint.removesuffix("/query") + "/update"


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def start_virtuoso(directory: Path, max_rows: int = 100000) -> Peer:
    """Virtuoso (Debian's virtuoso-opensource) with our own config: loopback ports, its own data
    directory, and SPARQL Update granted to the endpoint's user."""
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    config = (HERE / "virtuoso.ini").read_text()
    for key, value in {
        "dir": str(directory),
        "sql_port": sql_port,
        "http_port": http_port,
        "max_rows": max_rows,
    }.items():
        config = config.replace("{" + key + "}", str(value))
    ini = directory / "virtuoso.ini"
    ini.write_text(config)
    process = subprocess.Popen(
        ["virtuoso-t", "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    _wait(endpoint, process, "virtuoso", timeout=120)
    grant = subprocess.run(
        ["isql-vt", str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if grant.returncode != 0:
        process.kill()
        raise RuntimeError(f"could not grant SPARQL_UPDATE: {grant.stdout} {grant.stderr}")
    return Peer("virtuoso", process, endpoint)
