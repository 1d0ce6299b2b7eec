"""`wrk` (Debian package `wrk`) as a second, independent load generator.

Our own client (bench/load.py) is Python and shares the 2 cores with the server it measures, so
its own cost lowers the figures of fast servers more than slow ones. wrk is C with an event loop
per thread: the same scenario under both tells whether a ratio is the server's or the client's.
Each run rotates over the scenario's requests (a Lua `request` function), like bench/load.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.load import FORM, Request

_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")
_TOTAL = re.compile(r"([0-9]+) requests in ([0-9.]+)(m?s)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+([0-9]+)")
_SOCKET = re.compile(r"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")
_PERCENTILE = re.compile(r"^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def _lua(requests: list[Request]) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def row(r: Request) -> str:
        body = "nil" if r.body is None else quoted(r.body)
        return f"  {{{quoted(r.method)}, {quoted(r.path)}, {quoted(r.accept or '*/*')}, {body}}}"

    rows = ",\n".join(row(r) for r in requests)
    return (
        f"local requests = {{\n{rows}\n}}\n"
        "local i = 0\n"
        "function request()\n"
        "  i = i % #requests + 1\n"
        "  local r = requests[i]\n"
        '  local headers = {["Accept"] = r[3]}\n'
        f'  if r[4] then headers["Content-Type"] = "{FORM}" end\n'
        "  return wrk.format(r[1], r[2], headers, r[4])\n"
        "end\n"
    )


def run(
    base_url: str, requests: list[Request], connections: int, seconds: float, timeout: float = 30
) -> dict[str, Any]:
    """One closed-loop run: requests per second, errors, latency percentiles (seconds)."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script = Path(folder) / "rotate.lua"
        script.write_text(_lua(requests))
        threads = max(1, min(2, connections))
        args = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout))}s",
            "--latency",
            "-s",
            str(script),
            base_url,
        ]
        done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + timeout + 30)
    out = done.stdout
    rps = _RPS.search(out)
    if done.returncode != 0 or rps is None:
        return {"error": (done.stderr or out)[-300:]}
    errors: dict[str, int] = {}
    if (non := _NON_2XX.search(out)) is not None:
        errors["non-2xx"] = int(non.group(1))
    if (sock := _SOCKET.search(out)) is not None:
        for name, value in zip(("connect", "read", "write", "timeout"), sock.groups(), strict=True):
            if int(value):
                errors[name] = int(value)
    total = _TOTAL.search(out)
    result: dict[str, Any] = {
        "rps": float(rps.group(1)),
        "n": int(total.group(1)) if total else None,
        "errors": errors,
        "connections": connections,
        "threads": threads,
    }
    for pct, value, unit in _PERCENTILE.findall(out):
        result[f"p{pct}"] = float(value) * _UNIT[unit]
    return result
