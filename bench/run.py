"""The benchmark run: for each size, generate the graph, start each server, measure, stop it.

Results go to a JSON file as they come (so a cut run still reports what it measured) and the
report is written from that file.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import scenarios as sc
from bench import wrk
from bench.generate import SKOS, Replicator, kind_of, label_of_size
from bench.load import Request, closed_loop, fetch, percentile, sample_latency
from bench.servers import STARTERS, Running, StartFailed, free_port, start_cmskg

log = logging.getLogger("bench")


@dataclass
class Plan:
    sizes: list[int]
    servers: list[str]
    clients: tuple[int, ...] = (1, 8, 32)
    duration: float = 4.0  # seconds per throughput run
    samples: int = 40  # latency samples per scenario (at most)
    budget: float = 6.0  # seconds of latency sampling per scenario (at most)
    skip_projected: float = 10.0  # skip a scenario projected (linearly) to take longer than this
    throughput_max_latency: float = 2.0  # no throughput run for a scenario slower than this
    startup_timeout: float = 1200.0
    workers: int = 2
    throughput_scenarios: tuple[str, ...] = (
        "lookup",
        "partners",
        "canned-sparql",
        "canned-api",
        "canned-api-all",
        "page-html",
    )
    wrk_scenarios: tuple[str, ...] = ("lookup", "canned-sparql", "canned-api")  # also under wrk
    floor: bool = True  # measure the bare-FastAPI floor (bench/floor.py) once per run
    smoke: bool = False
    workdir: Path | None = None
    keep_data: bool = False
    app_root: Path | None = None  # run our server from a scratch copy of the repository
    edit_reload: bool = True  # ours: edit one file, POST /admin/reload, time until a query sees it
    warm_start: bool = True  # ours: build a --store, then time a start-up from it on unchanged data


REQUEST_TIMEOUT = {"cmskg": 35.0, "oxigraph": 35.0, "oxigraph-mem": 35.0, "rdflib-endpoint": 60.0}


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "cpu": model or platform.processor(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions() -> dict[str, str]:
    out = {}
    try:  # read-only: which commit the work tree was on (it may carry uncommitted edits)
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=sc.REPO_ROOT,
            timeout=10,
        )
        out["git HEAD"] = head.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        out["git HEAD"] = "unknown"
    for name in (
        "cmskg",
        "pyoxigraph",
        "oxigraph",
        "rdflib",
        "rdflib-endpoint",
        "pyshacl",
        "fastapi",
        "uvicorn",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _stats(result, timeout_hit: bool = False) -> dict[str, Any]:
    lat = result.latencies
    return {
        "n": result.ok,
        "p50": percentile(lat, 50),
        "p95": percentile(lat, 95),
        "mean": sum(lat) / len(lat) if lat else None,
        "errors": dict(result.errors),
        "bytes_per_answer": result.bytes // result.ok if result.ok else 0,
    }


class Runner:
    def __init__(self, plan: Plan, results_path: Path) -> None:
        self.plan = plan
        self.results_path = results_path
        self.replicator = Replicator()
        self.canned = sc.load_canned()
        self.token = secrets.token_urlsafe(16)  # enables POST /admin/reload on our server, this run only
        self.results: dict[str, Any] = {
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "machine": machine(),
            "versions": versions(),
            "plan": {
                "sizes": plan.sizes,
                "servers": plan.servers,
                "clients": list(plan.clients),
                "duration": plan.duration,
                "samples": plan.samples,
                "budget": plan.budget,
                "workers": plan.workers,
                "smoke": plan.smoke,
                "edit_reload": plan.edit_reload,
                "warm_start": plan.warm_start,
            },
            "sizes": [],
            "notes": [],
        }

    def save(self) -> None:
        self.results_path.parent.mkdir(parents=True, exist_ok=True)
        self.results_path.write_text(json.dumps(self.results, indent=1, default=str))

    # -- scenarios -----------------------------------------------------------------------------

    def _portable_canned(self, bindings: dict, root: Path) -> None:
        """Split the canned queries into those rdflib's engine answers on the generated graph
        `root` (loaded the way rdflib-endpoint loads it) and the others: canned-sparql and
        canned-api time the portable ones on every server; canned-api-all times the whole
        catalogue on ours. Answers whose row count differs from pyoxigraph's are noted."""
        import rdflib
        from pyoxigraph import RdfFormat, Store
        from rdflib.plugins.sparql import prepareQuery

        from bench.servers import data_files

        graph = rdflib.Dataset(default_union=True)
        store = Store()
        for path in data_files(root):
            graph.parse(path, format="turtle")
            store.bulk_load(path=str(path), format=RdfFormat.TURTLE)
        self.portable = []
        for canned in self.canned:
            text = sc.bind_values(canned.sparql, bindings.get(canned.name, {}))
            try:
                rows = [r for r in graph.query(prepareQuery(text)) if any(v is not None for v in r)]
            except Exception as error:  # rdflib raises many kinds
                _note(
                    self.results["notes"],
                    f"canned query `{canned.name}` fails on rdflib's engine "
                    f"({type(error).__name__}: {str(error)[:100]}): "
                    "timed on our server only (canned-api-all)",
                )
                continue
            expected = len(list(store.query(text)))
            if len(rows) != expected:
                _note(
                    self.results["notes"],
                    f"canned query `{canned.name}`: rdflib's engine answers {len(rows)} rows, "
                    f"pyoxigraph {expected}, on the {label_of_size(len(store))} graph",
                )
            self.portable.append(canned)

    def _canned_bindings(self) -> dict[str, dict[str, list[str]]]:
        """Resolve each canned query's example parameters once, on the curated graph, with the
        label index our API uses, so that every server runs the query our API would run."""
        from app.canned.kinds import KINDS
        from app.canned.label_index import LabelIndex
        from app.graph.sources import load_sources
        from app.graph.store import in_memory

        index = LabelIndex.from_store(in_memory(load_sources(sc.REPO_ROOT), "https://w3id.org/cms-kg/"))
        out: dict[str, dict[str, list[str]]] = {}
        for canned in self.canned:
            values: dict[str, list[str]] = {}
            for param in canned.parameters:
                name = param["name"]
                if name not in canned.example:
                    continue
                value = canned.example[name]
                if param.get("type") == "label":  # examples are checked to resolve when queries load
                    kind = KINDS[param.get("kind") or "resource"]
                    values[name] = [f"<{m.iri}>" for m in index.resolve(name, kind, str(value))]
                elif param.get("type") == "iri":
                    values[name] = [f"<{value}>"]
                else:
                    values[name] = [sc.sparql_literal(value)]
            out[canned.name] = values
        return out

    def scenarios(self, running: Running, replicas: int, bindings: dict) -> list[sc.Scenario]:
        path = running.sparql_path
        rq = sc.sparql_requests
        out = [
            sc.Scenario(
                "partners",
                "Partners by species group (closure in a sub-select)",
                {"*": rq(path, [sc.partners(g) for g in sc.GROUPS])},
            ),
            sc.Scenario(
                "partners-naive",
                "Partners by species group (path inline)",
                {"*": rq(path, [sc.partners_naive(g) for g in sc.GROUPS])},
            ),
            sc.Scenario(
                "timeline",
                "Timeline: dated arrangements, ORDER BY date, LIMIT 100",
                {"*": rq(path, [sc.TIMELINE])},
            ),
            sc.Scenario(
                "search",
                "Label search: CONTAINS, shortest first, LIMIT 20",
                {"*": rq(path, [sc.search(t) for t in sc.SEARCH_TERMS])},
            ),
            sc.Scenario(
                "lookup",
                "One-resource lookup: all about one IRI",
                {"*": rq(path, [sc.lookup(i) for i in sc.lookup_iris(replicas, self.replicator.files)])},
            ),
        ]
        if self.portable:
            texts = [sc.bind_values(c.sparql, bindings.get(c.name, {})) for c in self.portable]
            out.append(
                sc.Scenario(
                    "canned-sparql",
                    "Canned queries' SPARQL (example parameters bound), by /sparql",
                    {"*": rq(path, texts)},
                )
            )
        if running.name == "cmskg":
            out += self._our_routes(running, replicas)
        return out

    def _our_routes(self, running: Running, replicas: int) -> list[sc.Scenario]:
        """Canned-query API and Linked Data pages, if this build of the server has them."""
        out = []
        notes = self.results["notes"]
        for name, chosen, title in (
            ("canned-api", self.portable, "Canned queries that rdflib can run, by /api/queries/{name}"),
            ("canned-api-all", self.canned, "Every canned query, by /api/queries/{name}"),
        ):
            if not chosen:
                continue
            reqs = [Request(sc.canned_path(c), "application/json") for c in chosen]
            status, _body = fetch(running.base_url, reqs[0], timeout=60)
            if status == 200:
                out.append(sc.Scenario(name, title, {"cmskg": reqs}))
            else:
                _note(notes, f"{name} skipped: GET {reqs[0].path} answered {status} (route not built yet?)")
        iris = sc.lookup_iris(replicas, self.replicator.files)
        pages = [i.replace("https://w3id.org/cms-kg/", "/") for i in iris]
        html = [Request(p, "text/html") for p in pages]
        status, _ = fetch(running.base_url, html[0], timeout=60)
        if status == 200:
            out.append(sc.Scenario("page-html", "Linked Data page, HTML (/id/...)", {"cmskg": html}))
            out.append(
                sc.Scenario(
                    "page-turtle",
                    "Linked Data page, Turtle (/id/...)",
                    {"cmskg": [Request(p, "text/turtle") for p in pages]},
                )
            )
        else:
            _note(
                notes,
                f"page-html/page-turtle skipped: GET {pages[0]} answered {status} (route not built yet?)",
            )
        return out

    # -- one server at one size ----------------------------------------------------------------

    def _projected_too_slow(self, server: str, scenario: str, triples: int) -> str | None:
        for previous in reversed(self.results["sizes"][:-1]):
            entry = previous["servers"].get(server, {}).get("latency", {}).get(scenario)
            if not entry:
                continue
            if entry.get("skipped"):
                return f"skipped at {label_of_size(previous['triples'])} already"
            p50 = entry.get("p50")
            if p50 is None and entry.get("errors"):
                return f"failed at {label_of_size(previous['triples'])}: {entry['errors']}"
            if p50 is not None:
                projected = p50 * triples / previous["triples"]
                if projected > self.plan.skip_projected:
                    return (
                        f"projected {projected:.0f} s from {p50:.2f} s at "
                        f"{label_of_size(previous['triples'])} (limit {self.plan.skip_projected:g} s)"
                    )
            return None
        return None

    def measure(
        self, server: str, root: Path, triples: int, replicas: int, bindings: dict, entry: dict
    ) -> None:
        plan = self.plan
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-{server}-", dir=plan.workdir))
        starter = STARTERS[server]
        kwargs: dict[str, Any] = {}
        if server == "cmskg":
            kwargs = {"workers": plan.workers, "app_root": plan.app_root, "update_token": self.token}
        log.info("starting %s on %s triples", server, f"{triples:,}")
        try:
            running = starter(root, workdir, plan.startup_timeout, **kwargs)
        except StartFailed as error:
            entry["error"] = f"start-up failed: {error}"
            log.warning("%s: %s", server, entry["error"])
            shutil.rmtree(workdir, ignore_errors=True)
            return
        try:
            self._serve_and_measure(server, running, root, triples, replicas, bindings, entry)
            if server == "cmskg" and plan.warm_start:
                entry.update(warm_start(root, workdir, plan))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            self.save()

    def _serve_and_measure(
        self,
        server: str,
        running: Running,
        root: Path,
        triples: int,
        replicas: int,
        bindings: dict,
        entry: dict,
    ) -> None:
        """Latency and throughput of the started server, then (ours) the edit-reload; stops it."""
        plan = self.plan
        timeout = REQUEST_TIMEOUT[server]
        try:
            time.sleep(0.5)
            entry.update(
                startup=running.startup,
                phases=running.phases,
                idle_rss=running.watch.last,
                idle_pss=running.watch.last_pss,
            )
            log.info("%s up in %.1f s, %.0f MiB", server, running.startup, running.watch.last / 2**20)
            entry["latency"], entry["throughput"] = {}, {}
            for scenario in self.scenarios(running, replicas, bindings):
                requests = scenario.for_server(server)
                if not requests:
                    continue
                reason = self._projected_too_slow(server, scenario.name, triples)
                if reason:
                    entry["latency"][scenario.name] = {"skipped": reason}
                    log.info("  %s: %s", scenario.name, reason)
                    continue
                result = sample_latency(running.base_url, requests, plan.samples, plan.budget, timeout)
                stats = _stats(result)
                if result.ok and requests[0].accept == sc.JSON:
                    stats["rows_first"] = _rows(running.base_url, requests[0], timeout)
                stats["title"] = scenario.title
                entry["latency"][scenario.name] = stats
                log.info(
                    "  %-14s p50 %s p95 %s n=%d errors=%s",
                    scenario.name,
                    _ms(stats["p50"]),
                    _ms(stats["p95"]),
                    stats["n"],
                    stats["errors"],
                )
                self.save()
                if "timeout" in result.errors:
                    _wait_idle(running)
                if scenario.name not in plan.throughput_scenarios:
                    continue
                if stats["p50"] is None or stats["p50"] > plan.throughput_max_latency:
                    entry["throughput"][scenario.name] = {
                        "skipped": f"single-client latency {_ms(stats['p50'])} "
                        f"> {plan.throughput_max_latency:g} s"
                    }
                    continue
                runs = {}
                for clients in plan.clients:
                    r = closed_loop(running.base_url, requests, clients, plan.duration, timeout)
                    runs[str(clients)] = {
                        "rps": r.throughput,
                        "n": r.ok,
                        "p50": percentile(r.latencies, 50),
                        "p95": percentile(r.latencies, 95),
                        "errors": dict(r.errors),
                        "seconds": r.seconds,
                    }
                    log.info(
                        "  %-14s %2d clients: %7.1f req/s p95 %s errors=%s",
                        scenario.name,
                        clients,
                        r.throughput,
                        _ms(runs[str(clients)]["p95"]),
                        dict(r.errors),
                    )
                    if "timeout" in r.errors:
                        _wait_idle(running)
                entry["throughput"][scenario.name] = runs
                self.save()
                if scenario.name in plan.wrk_scenarios:
                    self._wrk(running, scenario.name, requests, timeout, entry)
            # the serving peaks, before the reload holds a second graph beside the first
            entry["peak_rss"], entry["peak_pss"] = running.peak_rss, running.peak_pss
            entry["final_rss"], entry["final_pss"] = running.watch.last, running.watch.last_pss
            entry["pss_sampling"] = {"ms": running.watch.pss_ms, "interval": running.watch.pss_interval}
            if server == "cmskg" and plan.edit_reload:
                detail = edit_reload(running, root, self.replicator.files, self.token)
                entry["edit_reload"] = detail.get("seconds")
                entry["edit_reload_detail"] = detail
                self.save()
        finally:
            running.stop()
            if running.log_path and running.log_path.exists():
                entry["log_tail"] = running.log_path.read_text(errors="replace")[-1500:]

    def _wrk(
        self, running: Running, scenario: str, requests: list[Request], timeout: float, entry: dict
    ) -> None:
        """The same closed loop under wrk, at the same client counts (skipped, and said, without wrk)."""
        if not wrk.available():
            _note(self.results["notes"], "wrk is not installed (apt-get install wrk): wrk runs skipped")
            return
        runs = {}
        for clients in self.plan.clients:
            r = wrk.run(running.base_url, requests, clients, self.plan.duration, timeout)
            runs[str(clients)] = r
            log.info(
                "  %-14s %2d conns (wrk): %s req/s errors=%s",
                scenario,
                clients,
                r.get("rps"),
                r.get("errors"),
            )
        entry.setdefault("wrk", {})[scenario] = runs
        self.save()

    def floor(self) -> None:
        """The bare-FastAPI floor of the stack (bench/floor.py's /bare route) under both clients."""
        from bench.floor import serve_floor

        requests = sc.sparql_requests("/bare", [sc.lookup(f"{sc.ID}organisation/x{i}") for i in range(24)])
        out: dict[str, Any] = {"ours": {}, "wrk": {}}
        with serve_floor() as base:
            closed_loop(base, requests, 8, 1.0)
            for clients in self.plan.clients:
                out["ours"][str(clients)] = closed_loop(
                    base, requests, clients, self.plan.duration
                ).throughput
                if wrk.available():
                    out["wrk"][str(clients)] = wrk.run(base, requests, clients, self.plan.duration)
        log.info("floor: ours %s, wrk %s", out["ours"], {c: r.get("rps") for c, r in out["wrk"].items()})
        self.results["floor"] = out
        self.save()

    # -- the whole run -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        plan = self.plan
        bindings = self._canned_bindings()
        self.portable = list(self.canned)
        if plan.floor:
            self.floor()
        base = Path(tempfile.mkdtemp(prefix="bench-data-", dir=plan.workdir))
        try:
            for target in plan.sizes:
                generated = self.replicator.write(target, base / f"n{target}")
                size_entry: dict[str, Any] = {
                    "target": target,
                    "triples": generated.triples,
                    "replicas": generated.replicas,
                    "generate_seconds": generated.seconds,
                    "turtle_bytes": sum(p.stat().st_size for p in (generated.root / "graph").glob("*.ttl")),
                    "servers": {},
                }
                self.results["sizes"].append(size_entry)
                log.info(
                    "generated %s triples (%d copies) in %.1f s",
                    f"{generated.triples:,}",
                    generated.replicas,
                    generated.seconds,
                )
                if target == plan.sizes[0]:
                    self._portable_canned(bindings, generated.root)
                    self.results["canned"] = {
                        "all": [c.name for c in self.canned],
                        "portable": [c.name for c in self.portable],
                    }
                    if not plan.smoke:
                        size_entry["validate_cli"] = _validate_cli(generated.root)
                for server in plan.servers:
                    entry: dict[str, Any] = {}
                    size_entry["servers"][server] = entry
                    self.measure(
                        server, generated.root, generated.triples, generated.replicas, bindings, entry
                    )
                    self.save()
        finally:
            if not plan.keep_data:
                shutil.rmtree(base, ignore_errors=True)
        self.results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        self.save()
        return self.results


def _validate_cli(root: Path) -> dict[str, Any]:
    """`cmskg validate` on the generated data: it must conform like the curated data."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "validate", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=sc.REPO_ROOT,
    )
    return {
        "exit": done.returncode,
        "seconds": time.perf_counter() - started,
        "output": (done.stdout + done.stderr)[-500:],
    }


def _rows(base_url: str, request: Request, timeout: float) -> int | None:
    """Rows in the answer to `request` (SPARQL JSON), to check that the servers agree."""
    try:
        status, body = fetch(base_url, request, timeout=timeout)
        return len(json.loads(body)["results"]["bindings"]) if status == 200 else None
    except (OSError, TimeoutError, ValueError, KeyError):
        return None


def _wait_idle(running: Running, limit: float = 300.0) -> None:
    """After a client-side timeout, wait (bounded) until the server answers a trivial query."""
    deadline = time.monotonic() + limit
    probe = Request(f"{running.sparql_path}?query=ASK%7B%7D")
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(running.base_url, probe, timeout=10)
            if status == 200:
                return
        except (OSError, TimeoutError):
            pass
        time.sleep(1)


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)
        log.info("note: %s", text)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


# -- our server's restarts: edit-reload and warm start ----------------------------------------------

POLL = 0.05  # how often the edit-reload asks whether the new triple is served (s)


def _edit_target(files: dict[str, list]) -> tuple[str, str]:
    """The file and the resource to edit: the first curated organisation with a preferred label
    (kept, as curated, in the generated tree at every size)."""
    for name in sorted(files):
        for t in files[name]:
            if kind_of(t.subject) == "organisation" and t.predicate.value == SKOS + "prefLabel":
                return name, t.subject.value
    raise LookupError("no organisation with a skos:prefLabel in the curated graph")


def _ask(url: str) -> bool | None:
    """The boolean of a SPARQL ASK (None: no answer)."""
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return bool(json.loads(response.read())["boolean"])
    except (urllib.error.URLError, OSError, TimeoutError, ValueError, KeyError):
        return None


def edit_reload(
    running: Running, root: Path, files: dict[str, list], token: str, limit: float = 600.0
) -> dict[str, Any]:
    """A curator's one-file edit, timed until it is served: append one new skos:altLabel to one data
    file of the tree `running` serves, POST /admin/reload (which validates the whole graph aside and
    swaps it in), and ask every 50 ms, from the edit on, whether the new triple is served; the file
    is restored after. The reload is asked for rather than watched, so no watch interval pads the
    figure; the polls during the reload also show whether the old graph kept answering."""
    name, iri = _edit_target(files)
    path = root / "graph" / name
    original = path.read_bytes()
    label = f"bench edit-reload {secrets.token_hex(4)}"
    pattern = f'<{iri}> <{SKOS}altLabel> "{label}"@en'
    ask = running.base_url + running.sparql_path + "?query=" + urllib.parse.quote(f"ASK {{ {pattern} }}")
    post = urllib.request.Request(
        running.base_url + "/admin/reload", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    reply: dict[str, Any] = {}

    def reload() -> None:
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(post, timeout=limit) as response:
                reply.update(status=response.status, body=json.loads(response.read()))
        except urllib.error.HTTPError as error:
            reply.update(status=error.code, body=error.read()[:500].decode(errors="replace"))
        except (urllib.error.URLError, OSError, TimeoutError, ValueError) as error:
            reply.update(status=None, body=str(error)[:500])
        reply["seconds"] = time.perf_counter() - began

    out: dict[str, Any] = {"file": name, "file_bytes": len(original), "poll": POLL}
    running.watch.reset_peaks()
    started = time.perf_counter()
    try:
        path.write_bytes(original + f"\n{pattern} .\n".encode())
        thread = threading.Thread(target=reload, daemon=True, name="bench-reload")
        thread.start()
        old = failed = 0
        due, answered = started, None
        while time.perf_counter() - started < limit:
            seen = _ask(ask)
            if seen:
                out["seconds"] = time.perf_counter() - started
                break
            if seen is None:
                failed += 1
            else:
                old += 1
            if answered is None and not thread.is_alive():
                answered = time.perf_counter()
            if answered is not None and (reply.get("status") != 200 or time.perf_counter() - answered > 5):
                break  # the reload failed, or answered without swapping: the triple will not come
            due += POLL
            time.sleep(max(0.0, due - time.perf_counter()))
        thread.join(timeout=limit)
    finally:
        path.write_bytes(original)
    body = reply.get("body")
    out.update(
        polls_old_graph=old,
        polls_failed=failed,
        request_seconds=reply.get("seconds"),
        status=reply.get("status"),
        changed=body.get("changed") if isinstance(body, dict) else None,
        error=None if isinstance(body, dict) and body.get("ok") else body,
        peak_rss=running.watch.peak,
        peak_pss=running.watch.peak_pss,
    )
    log.info(
        "edit-reload (%s): served after %s, reload request %s, status %s, %d polls on the old graph",
        name,
        _s(out.get("seconds")),
        _s(out["request_seconds"]),
        out["status"],
        old,
    )
    return out


def warm_start(root: Path, workdir: Path, plan: Plan) -> dict[str, Any]:
    """Our server with `--store DIR` twice on the same, unchanged data: the first start builds the
    on-disk store (`store_build`), the second reuses it (`warm_startup`); the store is deleted after
    (about 1 GB at 10^6 triples)."""
    store = workdir / "store"
    port = free_port()  # both starts on one address: a new public URL would rebuild the store
    out: dict[str, Any] = {}
    try:
        for key in ("store_build", "warm_startup"):
            log.info("starting cmskg with --store (%s)", key)
            try:
                running = start_cmskg(
                    root,
                    workdir,
                    plan.startup_timeout,
                    workers=plan.workers,
                    store=store,
                    app_root=plan.app_root,
                    log_name=f"cmskg-{key}.log",
                    port=port,
                )
            except StartFailed as error:
                out[f"{key}_error"] = str(error)[-1000:]
                log.warning("cmskg --store (%s): %s", key, error)
                return out
            try:
                time.sleep(0.5)
                out[key] = running.startup
                out[f"{key}_peak_rss"], out[f"{key}_peak_pss"] = running.peak_rss, running.peak_pss
                out[f"{key}_answers"] = _ask(running.base_url + running.sparql_path + "?query=ASK%7B%7D")
            finally:
                running.stop()
            text = running.log_path.read_text(errors="replace") if running.log_path else ""
            out[f"{key}_reused"] = "reusing store" in text
            if key == "store_build":
                out["store_bytes"] = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
            log.info("cmskg --store %s: %.1f s (store reused: %s)", key, out[key], out[f"{key}_reused"])
    finally:
        shutil.rmtree(store, ignore_errors=True)
    return out


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def curated_startup(out: Path, repeats: int = 3, app_root: Path | None = None) -> dict[str, Any]:
    """Start our server on the repository's curated graph `repeats` times (in memory, the default),
    and record the median start-up in extra.json for the report's design goals."""
    from statistics import median

    times, rss = [], []
    for _ in range(repeats):
        work = Path(tempfile.mkdtemp(prefix="bench-curated-"))
        try:
            running = start_cmskg(sc.REPO_ROOT, work, 120, app_root=app_root)
            times.append(running.startup)
            time.sleep(0.5)
            rss.append(running.watch.last)
            running.stop()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    extra_path = out / "extra.json"
    extra = json.loads(extra_path.read_text()) if extra_path.exists() else {}
    extra["curated_startup"] = median(times)
    extra["curated_startup_runs"] = times
    extra["curated_rss"] = median(rss)
    extra_path.write_text(json.dumps(extra, indent=1))
    log.info(
        "curated graph: start-up %s s (median %.2f s), RSS %.0f MiB",
        times,
        median(times),
        median(rss) / 2**20,
    )
    return extra
