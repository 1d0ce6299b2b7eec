"""REPORT.md from results.json: machine, versions, absolute figures, ratios to each peer, a plot of
latency against graph size, and the issue's design goals checked against the numbers.

Hand-written analysis (profiles, causes, fixes) lives in `findings.md` beside the results and is
included as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bench.generate import label_of_size

SERVERS = ("cmskg", "oxigraph", "oxigraph-mem", "rdflib-endpoint")
LATENCY_ORDER = (
    "partners",
    "partners-naive",
    "timeline",
    "search",
    "lookup",
    "canned-sparql",
    "canned-api",
    "canned-api-all",
    "page-html",
    "page-turtle",
)
# Scenarios that rotate over queries of very different cost (the canned catalogue): their ratios
# and plot use the mean, which the p50 of a mix hides.
MIXED = ("canned-sparql", "canned-api", "canned-api-all")
PLOTTED = ("partners", "partners-naive", "timeline", "search", "lookup", "canned-sparql")
MiB = 2**20


def _ms(v: float | None) -> str:
    if v is None:
        return "-"
    if v >= 10:
        return f"{v:,.1f} s"
    return f"{v * 1000:,.1f}" if v < 1 else f"{v * 1000:,.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "-"
    r = a / b
    return f"{r:.2f}x" if r < 10 else f"{r:,.0f}x"


def _lat(entry: dict, scen: str) -> dict:
    return entry.get("latency", {}).get(scen, {})


def _cell(stats: dict, mixed: bool = False) -> str:
    if not stats:
        return "n/a"
    if stats.get("skipped"):
        return "skipped"
    if stats.get("p50") is None:
        return "failed: " + ", ".join(f"{k}x{v}" for k, v in stats.get("errors", {}).items())
    text = f"{_ms(stats['p50'])} / {_ms(stats['p95'])}"
    if mixed and stats.get("mean") is not None:
        text += f" (mean {_ms(stats['mean'])})"
    if stats.get("errors"):
        text += " (errors: " + ", ".join(f"{k}x{v}" for k, v in stats["errors"].items()) + ")"
    return text


def latency_table(size: dict, servers: list[str]) -> list[str]:
    ours = size["servers"].get("cmskg", {})
    peers = [s for s in servers if s != "cmskg"]
    head = ["scenario", *[f"{s} p50 / p95 (ms)" for s in servers]]
    head += [f"cmskg ÷ {p} (p50; <1: cmskg faster)" for p in peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    skipped = []
    for scen in LATENCY_ORDER:
        if not any(_lat(size["servers"].get(s, {}), scen) for s in servers):
            continue
        row = [f"`{scen}`"]
        for s in servers:
            st = _lat(size["servers"].get(s, {}), scen)
            row.append(_cell(st, scen in MIXED))
            if st.get("skipped"):
                skipped.append(f"{s} `{scen}`: {st['skipped']}")
        key = "mean" if scen in MIXED else "p50"
        for p in peers:
            row.append(_ratio(_lat(ours, scen).get(key), _lat(size["servers"].get(p, {}), scen).get(key)))
        lines.append("| " + " | ".join(row) + " |")
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped) + "."]
    lines += ["", "The canned rows rotate over queries of very different cost: their ratio is of the means."]
    return lines


def throughput_table(size: dict, servers: list[str], clients: list[int]) -> list[str]:
    ours = size["servers"].get("cmskg", {})
    peers = [s for s in servers if s != "cmskg"]
    head = [
        "scenario",
        "clients",
        *[f"{s} req/s (p95 ms)" for s in servers],
        *[f"cmskg ÷ {p}" for p in peers],
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    names = []
    for s in servers:
        for n in size["servers"].get(s, {}).get("throughput", {}):
            if n not in names:
                names.append(n)
    for scen in names:
        for c in clients:
            row = [f"`{scen}`", str(c)]
            values = {}
            for s in servers:
                t = size["servers"].get(s, {}).get("throughput", {}).get(scen)
                if t is None:
                    row.append("n/a")
                elif t.get("skipped"):
                    row.append("skipped")
                else:
                    run = t.get(str(c))
                    if run is None:
                        row.append("-")
                        continue
                    values[s] = run["rps"]
                    text = f"{run['rps']:,.1f} ({_ms(run['p95'])})"
                    if run["errors"]:
                        text += " **errors: " + ", ".join(f"{k}x{v}" for k, v in run["errors"].items()) + "**"
                    row.append(text)
            for p in peers:
                row.append(_ratio(values.get("cmskg"), values.get(p)))
            lines.append("| " + " | ".join(row) + " |")
    skipped = [
        f"{s} `{n}`: {t['skipped']}"
        for s in servers
        for n, t in size["servers"].get(s, {}).get("throughput", {}).items()
        if t.get("skipped")
    ]
    if skipped:
        lines += ["", "Not run: " + "; ".join(skipped) + "."]
    del ours
    return lines


def _mib(value: int | None) -> str:
    return f"{value / MiB:,.0f}" if value else "-"


def startup_table(results: dict, servers: list[str]) -> list[str]:
    measured = [
        key
        for key in ("peak_pss", "peak_rss")
        if any(e.get(key) for size in results["sizes"] for e in size["servers"].values())
    ]  # runs before PSS was sampled have RSS only
    head = ["size", "triples", *[f"{s} start-up (s)" for s in servers]]
    head += [f"{s} peak {key[5:].upper()} (MiB)" for key in measured for s in servers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size in results["sizes"]:
        row = [label_of_size(size["triples"]), f"{size['triples']:,}"]
        for s in servers:
            e = size["servers"].get(s, {})
            if e.get("error"):
                row.append("failed")
            elif "startup" in e:
                phases = e.get("phases") or {}
                extra = f" (load {phases['load']:.1f})" if "load" in phases else ""
                row.append(f"{e['startup']:.1f}{extra}")
            else:
                row.append("-")
        for key in measured:
            row += [_mib(size["servers"].get(s, {}).get(key)) for s in servers]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _timed(entry: dict, key: str) -> str:
    """A start-up time in seconds, or why it failed."""
    if key in entry:
        return _secs(entry[key])
    return ("failed: " + entry[f"{key}_error"][:60]) if entry.get(f"{key}_error") else "-"


def restart_table(results: dict) -> list[str]:
    """Our server's restarts per size: cold, building the --store, warm from it, and a one-file
    edit until served (empty when the run measured none of them)."""
    head = [
        "size",
        "cold start-up (s)",
        "`--store` first start, builds it (s)",
        "warm from `--store` (s)",
        "store on disk (MB)",
        "edit → served (s)",
        "of which POST /admin/reload (s)",
        "polls on the old graph / failed",
        "peak PSS during the reload (MiB)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    seen = False
    for size in results["sizes"]:
        e = size["servers"].get("cmskg", {})
        d = e.get("edit_reload_detail") or {}
        if not any(k in e for k in ("store_build", "warm_startup", "edit_reload_detail")):
            continue
        seen = True
        warm = _timed(e, "warm_startup")
        if "warm_startup" in e and not e.get("warm_startup_reused", True):
            warm += " (store rebuilt!)"
        if not d:
            edit = "-"
        elif d.get("seconds") is None:
            edit = f"not served: {d.get('error')}"[:80]
        else:
            edit = _secs(d["seconds"])
        row = [
            label_of_size(size["triples"]),
            _secs(e.get("startup")),
            _timed(e, "store_build"),
            warm,
            f"{e['store_bytes'] / 1e6:,.0f}" if e.get("store_bytes") else "-",
            edit,
            _secs(d.get("request_seconds")),
            f"{d['polls_old_graph']} / {d['polls_failed']}" if d else "-",
            _mib(d.get("peak_pss")),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines if seen else []


def errors_under_load(results: dict, servers: list[str]) -> list[str]:
    out = []
    for size in results["sizes"]:
        for s in servers:
            for scen, runs in size["servers"].get(s, {}).get("throughput", {}).items():
                if runs.get("skipped"):
                    continue
                for c, run in runs.items():
                    if run["errors"]:
                        out.append(
                            f"- {s}, {label_of_size(size['triples'])}, `{scen}`, {c} clients: "
                            + ", ".join(f"{k}x{v}" for k, v in run["errors"].items())
                            + f" (of {run['n'] + sum(run['errors'].values())} requests)"
                        )
    return out or ["- none: every request of every throughput run was answered 200."]


def agreement(results: dict, servers: list[str]) -> list[str]:
    """Rows in the answer to each SPARQL scenario's first request, per server: they must agree."""
    out = []
    checked = 0
    for size in results["sizes"]:
        for scen in LATENCY_ORDER:
            counts = {
                s: _lat(size["servers"].get(s, {}), scen).get("rows_first")
                for s in servers
                if _lat(size["servers"].get(s, {}), scen).get("rows_first") is not None
            }
            if len(counts) < 2:
                continue
            checked += 1
            if len(set(counts.values())) > 1:
                out.append(
                    f"- {label_of_size(size['triples'])} `{scen}`: rows differ: "
                    + ", ".join(f"{s} {n}" for s, n in counts.items())
                )
    if not checked:
        return ["- not checked in this run (no scenario answered by two servers recorded its row count)."]
    if not out:
        out = [f"- yes: {checked} scenario answers, same number of rows on every server that answered."]
    return out


# -- design goals ---------------------------------------------------------------------------------


def _size(results: dict, exponent: int) -> dict | None:
    for size in results["sizes"]:
        if label_of_size(size["triples"]) == f"1e{exponent}":
            return size
    return None


def goals(results: dict, extra: dict) -> list[str]:
    rows = ["| goal | measured | verdict |", "|---|---|---|"]

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("**met**" if ok else "**not met**")

    for exp in (5, 6):
        size = _size(results, exp)
        if not size:
            continue
        ours = _lat(size["servers"].get("cmskg", {}), "partners").get("p50")
        ox = _lat(size["servers"].get("oxigraph", {}), "partners").get("p50")
        rd = _lat(size["servers"].get("rdflib-endpoint", {}), "partners")
        ok1 = None if not (ours and ox) else ours <= 1.3 * ox
        rows.append(
            f"| partners at 10^{exp}: within 1.3x raw Oxigraph | "
            f"cmskg {_ms(ours)} ms, oxigraph {_ms(ox)} ms: {_ratio(ours, ox)} | {verdict(ok1)} |"
        )
        if rd.get("p50") and ours:
            ok2 = rd["p50"] >= 50 * ours
            measured = f"rdflib-endpoint {_ms(rd['p50'])} ms: {_ratio(rd['p50'], ours)} slower"
        elif rd.get("skipped") or (rd and rd.get("p50") is None):
            ok2 = True if ours else None
            measured = f"rdflib-endpoint {rd.get('skipped') or rd.get('errors')}; cmskg {_ms(ours)} ms"
        else:
            ok2, measured = None, "not measured"
        rows.append(
            f"| partners at 10^{exp}: ≥ 50x faster than rdflib-endpoint | {measured} | {verdict(ok2)} |"
        )
    for scen in ("lookup", "canned-api"):
        for exp in (4, 5, 6):
            size = _size(results, exp)
            if not size:
                continue
            ours_t = size["servers"].get("cmskg", {}).get("throughput", {}).get(scen, {})
            peer_scen = "canned-sparql" if scen == "canned-api" else scen
            rd_t = size["servers"].get("rdflib-endpoint", {}).get("throughput", {}).get(peer_scen, {})
            ours8 = (ours_t.get("8") or {}).get("rps")
            rd8 = (rd_t.get("8") or {}).get("rps")
            if ours8 and rd8:
                ok, measured = ours8 >= 3 * rd8, f"{ours8:,.0f} vs {rd8:,.1f} req/s: {_ratio(ours8, rd8)}"
            elif ours8 and rd_t.get("skipped"):
                ok, measured = True, f"{ours8:,.1f} req/s; rdflib-endpoint not run ({rd_t['skipped']})"
            else:
                ok, measured = None, "not measured"
            rows.append(
                f"| `{scen}` at 10^{exp}, 8 clients: ≥ 3x rdflib-endpoint's throughput"
                f"{' (its canned-sparql)' if scen == 'canned-api' else ''} | {measured} | {verdict(ok)} |"
            )
    big = _size(results, 6)
    if big:
        e = big["servers"].get("cmskg", {})
        bad = []
        seen = False
        for scen, runs in e.get("throughput", {}).items():
            run = runs.get("32") if not runs.get("skipped") else None
            if run:
                seen = True
                if run["errors"]:
                    bad.append(f"`{scen}`: {run['errors']}")
        rows.append(
            f"| no errors, no timeouts with 32 clients at 10^6 | "
            f"{'; '.join(bad) if bad else ('none' if seen else 'not measured')} | "
            f"{verdict(None if not seen else not bad)} |"
        )
    return rows


# -- wrk and the serving goals ------------------------------------------------------------------


def _rps(entry: dict, tool: str, scen: str, clients: str) -> float | None:
    """Requests per second of one run: tool 'ours' (bench/load.py) or 'wrk'."""
    runs = entry.get("throughput" if tool == "ours" else "wrk", {}).get(scen) or {}
    run = runs.get(clients) if isinstance(runs, dict) else None
    return (run or {}).get("rps") if isinstance(run, dict) else None


def wrk_table(size: dict, servers: list[str], clients: list[int]) -> list[str]:
    ours = size["servers"].get("cmskg", {})
    peers = [s for s in servers if s != "cmskg"]
    scenarios = [
        scen
        for scen in LATENCY_ORDER
        if any(size["servers"].get(s, {}).get("wrk", {}).get(scen) for s in servers)
    ]
    if not scenarios:
        return ["- no wrk runs at this size (wrk not installed?)"]
    head = [
        "scenario",
        "connections",
        *[f"{s} req/s (p99 ms)" for s in servers],
        *[f"cmskg ÷ {p}" for p in peers],
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for scen in scenarios:
        for n in clients:
            row = [f"`{scen}`", str(n)]
            for s in servers:
                run = (size["servers"].get(s, {}).get("wrk", {}).get(scen) or {}).get(str(n)) or {}
                if "rps" not in run:
                    row.append(run.get("error", "n/a")[:40] if run else "n/a")
                    continue
                cell = f"{run['rps']:,.1f} ({_ms(run.get('p99'))})"
                if run.get("errors"):
                    cell += " errors: " + ", ".join(f"{k}x{v}" for k, v in run["errors"].items())
                row.append(cell)
            for p in peers:
                row.append(
                    _ratio(
                        _rps(ours, "wrk", scen, str(n)), _rps(size["servers"].get(p, {}), "wrk", scen, str(n))
                    )
                )
            lines.append("| " + " | ".join(row) + " |")
    return lines


def _goal_row(goal: str, values: list[tuple[str, float | None]], target: float, at_most: bool = False) -> str:
    """One goal: its ratio under each measurement ('label', ratio), met when every ratio is."""
    shown = [f"{label} {r:.2f}x" for label, r in values if r is not None]
    missing = [label for label, r in values if r is None]
    ok = [r <= target if at_most else r >= target for _, r in values if r is not None]
    verdict = "not measured" if not ok else ("**met**" if all(ok) else "**not met**")
    text = "; ".join(shown) + (f" (not measured: {', '.join(missing)})" if missing else "")
    return f"| {goal} | {text or '-'} | {verdict} |"


def serving_goals(results: dict) -> list[str]:
    """The issue's serving goals, each as ratios in this run (with both load generators)."""
    clients = [str(c) for c in results["plan"]["clients"]]
    floor = results.get("floor") or {}
    rows = ["| goal | ratio in this run (per load generator and clients) | verdict |", "|---|---|---|"]
    for size in results["sizes"]:
        label = label_of_size(size["triples"])
        entries = size["servers"]
        ours = entries.get("cmskg", {})

        def ratios(scen: str, peer: str, ours: dict = ours, entries: dict = entries) -> list:
            out = []
            for tool in ("wrk", "ours"):
                for c in clients:
                    mine = _rps(ours, tool, scen, c)
                    theirs = _rps(entries.get(peer, {}), tool, scen, c)
                    out.append((f"{tool}@{c}", mine / theirs if mine and theirs else None))
            return out

        floor_ratios = []
        for tool in ("wrk", "ours"):
            for c in clients:
                mine = _rps(ours, tool, "lookup", c)
                base = floor.get(tool, {}).get(c)
                base = base.get("rps") if isinstance(base, dict) else base
                floor_ratios.append((f"{tool}@{c}", mine / base if mine and base else None))
        rows.append(_goal_row(f"{label}: lookups ≥ 0.6x the bare-FastAPI floor", floor_ratios, 0.6))
        rows.append(
            _goal_row(f"{label}: lookups ≥ 3x rdflib-endpoint", ratios("lookup", "rdflib-endpoint"), 3.0)
        )
        for peer in ("oxigraph-mem", "oxigraph"):
            rows.append(
                _goal_row(f"{label}: canned SPARQL mix ≥ 0.8x {peer}", ratios("canned-sparql", peer), 0.8)
            )
        api = []
        for tool in ("wrk", "ours"):
            for c in clients:
                sparql, canned = _rps(ours, tool, "canned-sparql", c), _rps(ours, tool, "canned-api", c)
                api.append((f"{tool}@{c}", sparql / canned if sparql and canned else None))
        rows.append(
            _goal_row(
                f"{label}: canned API within 1.3x of the same SPARQL by /sparql (time ratio)", api, 1.3, True
            )
        )
        for scen in ("partners", "partners-naive"):
            mine = _lat(ours, scen).get("p50")
            theirs = _lat(entries.get("oxigraph-mem", {}), scen).get("p50")
            value = mine / theirs if mine and theirs else None
            rows.append(
                _goal_row(
                    f"{label}: heavy join `{scen}` ≤ 1.0x oxigraph in memory (p50 latency)",
                    [("p50", value)],
                    1.0,
                    True,
                )
            )
    return rows


def _by_size(results: dict, value: Callable[[dict], float | None]) -> list[tuple[str, float]]:
    """(size label, value) for every size where `value(size)` was measured, smallest first."""
    out = []
    for size in results["sizes"]:
        v = value(size)
        if v is not None:
            out.append((label_of_size(size["triples"]), v))
    return out


def _trend_row(
    goal: str,
    measured: list[tuple[str, float]],
    ok: Callable[[float], bool],
    show: Callable[[float], str],
    note: str = "",
) -> str:
    """One start-up goal: the verdict is at 10^6; the other sizes are shown for the trend."""
    at6 = [v for label, v in measured if label == "1e6"]
    cells = [f"{label}: {show(v)}" for label, v in measured]
    if at6:
        verdict = "**met**" if ok(at6[0]) else "**not met**"
    elif measured:
        verdict = (
            "not measured at 1e6 ("
            + ", ".join(f"{'met' if ok(v) else 'not met'} at {label}" for label, v in measured)
            + ")"
        )
    else:
        verdict = "not measured"
    text = " ".join(t for t in ("; ".join(cells), note) if t)
    return f"| {goal} | {text or '-'} | {verdict} |"


def _in_s(value: float) -> str:
    return f"{value:.1f} s"


def _ours(size: dict, key: str) -> float | None:
    return size["servers"].get("cmskg", {}).get(key)


def _memory_ratio(size: dict, peer: str, key: str = "peak_pss") -> float | None:
    mine, theirs = _ours(size, key), size["servers"].get(peer, {}).get(key)
    return mine / theirs if mine and theirs else None


# (goal, our server's result key, the most seconds it may take at 10^6)
TIME_GOALS = (
    ("cold start-up ≤ 30 s, validation included", "startup", 30),
    ("warm start-up from `--store` on unchanged data ≤ 5 s", "warm_startup", 5),
    ("a one-file edit revalidated and served ≤ 10 s (POST /admin/reload)", "edit_reload", 10),
)


def startup_goals(results: dict, extra: dict) -> list[str]:
    """The issue's start-up goals: cold and warm start-up, edit-reload, peak memory, curated start."""
    rows = ["| goal | measured (per size) | verdict (at 10^6) |", "|---|---|---|"]
    for goal, key, limit in TIME_GOALS:
        measured = _by_size(results, lambda size, key=key: _ours(size, key))
        rows.append(_trend_row(goal, measured, lambda v, limit=limit: v <= limit, _in_s))
    for peer in ("oxigraph-mem", "oxigraph"):
        # for comparison, RSS, which counts our shared pages once per process
        rss = _by_size(results, lambda size, peer=peer: _memory_ratio(size, peer, "peak_rss"))
        rows.append(
            _trend_row(
                f"peak memory (PSS) ≤ 2x {peer}'s",
                _by_size(results, lambda size, peer=peer: _memory_ratio(size, peer)),
                lambda v: v <= 2,
                lambda v: f"{v:.2f}x",
                note="(RSS: " + "; ".join(f"{label}: {v:.2f}x" for label, v in rss) + ")" if rss else "",
            )
        )
    curated = extra.get("curated_startup")
    rows.append(
        f"| start-up with the curated graph < 2 s (`--curated-startup`, median of 3) | "
        f"{f'{curated:.2f} s' if curated else '-'} | "
        f"{'not measured' if curated is None else ('**met**' if curated < 2 else '**not met**')} |"
    )
    return rows


# -- plot -----------------------------------------------------------------------------------------


def plot(results: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    servers = [s for s in SERVERS if s in results["plan"]["servers"]]
    scenarios = [
        s
        for s in PLOTTED
        if any(_lat(size["servers"].get(v, {}), s) for size in results["sizes"] for v in servers)
    ]
    if not scenarios:
        return False
    cols = 3
    rows = (len(scenarios) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    styles = {
        "cmskg": ("tab:blue", "o"),
        "oxigraph": ("tab:green", "s"),
        "oxigraph-mem": ("tab:olive", "D"),
        "rdflib-endpoint": ("tab:red", "^"),
    }
    for ax, scen in zip(axes.flat, scenarios, strict=False):
        for s in servers:
            xs, ys = [], []
            for size in results["sizes"]:
                p50 = _lat(size["servers"].get(s, {}), scen).get("mean" if scen in MIXED else "p50")
                if p50:
                    xs.append(size["triples"])
                    ys.append(p50 * 1000)
            if xs:
                color, marker = styles.get(s, ("black", "x"))
                ax.plot(xs, ys, marker=marker, color=color, label=s)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(scen + (" (mean)" if scen in MIXED else ""))
        ax.set_xlabel("triples")
        ax.set_ylabel("p50 latency (ms)")
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(scenarios) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Single-client latency (p50) against graph size; missing points: skipped or failed")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# -- the document ---------------------------------------------------------------------------------


def write_report(out: Path, smoke: bool = False) -> Path:
    results_path = out / ("smoke.json" if smoke else "results.json")
    results = json.loads(results_path.read_text())
    extra_path = out / "extra.json"
    extra = json.loads(extra_path.read_text()) if extra_path.exists() else {}
    servers = [s for s in SERVERS if s in results["plan"]["servers"]]
    clients = results["plan"]["clients"]
    m, v = results["machine"], results["versions"]
    png = out / ("smoke-latency.png" if smoke else "latency-vs-size.png")
    plotted = plot(results, png)
    sizes_arg = ",".join(label_of_size(s) for s in results["plan"]["sizes"])
    command = "--smoke" if smoke else f"--sizes {sizes_arg}"
    last_line = {
        id(size): (size["validate_cli"]["output"].strip().splitlines() or [""])[-1]
        for size in results["sizes"]
        if size.get("validate_cli")
    }
    md: list[str] = [
        "# Benchmarks: cmskg against raw Oxigraph and rdflib-endpoint" if not smoke else "# Smoke benchmark",
        "",
        f"Run {results['started']} → {results.get('finished', '(cut short)')}, `python -m bench {command}`.",
        "",
        "## Machine and versions",
        "",
        f"- {m['cores']} cores, {m['memory_bytes'] / 2**30:.1f} GiB, CPU: {m['cpu']}; {m['os']}; "
        f"Python {m['python']}",
        "- " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- our server: `cmskg serve`, in-memory store, {results['plan']['workers']} query workers, "
        "30 s deadline, `CMSKG_QUEUE_WAIT=30` (default 5: queueing shows as latency, not 503); "
        "oxigraph: `oxigraph load` then `oxigraph serve-read-only` (its RocksDB store); "
        "rdflib-endpoint: `rdflib-endpoint serve FILES`"
        " (rdflib's in-memory store and SPARQL engine). All on 127.0.0.1, one at a time.",
        "- client: our own asyncio HTTP/1.1 keep-alive load generator (bench/load.py) in one process on "
        f"the same 2 cores; latency = single client, up to {results['plan']['samples']} requests after 2 "
        f"warm-ups, capped at {results['plan']['budget']:g} s per scenario; throughput = closed loop, "
        f"{results['plan']['duration']:g} s per run.",
        "- every request rotates over parameter variants (6 species groups, 6 search terms, 24 resources "
        "spread over the copies, every canned query) so no single answer is cached.",
        "",
        "## Data",
        "",
        "| size | triples | copies | Turtle (MB) | generated in (s) |",
        "|---|---|---|---|---|",
    ]
    for size in results["sizes"]:
        md.append(
            f"| {label_of_size(size['triples'])} | {size['triples']:,} | {size['replicas']} | "
            f"{size['turtle_bytes'] / 1e6:.1f} | {size['generate_seconds']:.1f} |"
        )
    for size in results["sizes"]:
        if size.get("validate_cli"):
            vc = size["validate_cli"]
            md += [
                "",
                f"`cmskg validate` on the generated {label_of_size(size['triples'])} graph: "
                f"exit {vc['exit']} in {vc['seconds']:.1f} s ({last_line[id(size)]}).",
            ]
    md += [
        "",
        "## Start-up (parse + validate + load, until the first good answer) and peak memory",
        "",
        "Peak memory of the server's whole process tree (our server's query workers included),"
        " sampled every 0.2 s; for oxigraph the larger of the load step and the server. Two figures:"
        " RSS, the resident set, and PSS, the proportional set. Our workers are forked from one"
        " store-host process and share its pages copy-on-write, so a sum of RSS over the tree counts"
        " every shared page once per process; PSS charges a page shared by N processes 1/N to each,"
        " so its sum is the memory the tree really holds: the fair figure to compare. For a"
        " one-process server such as Oxigraph the two are about equal. PSS (smaps_rollup) costs more"
        " to read than RSS: it is read every 0.2 s while that takes under 10% of a core, less often"
        " past it (at 10^6 a tree of several GB), so a short spike may fall between two readings.",
        "",
    ]
    md += startup_table(results, servers)
    intervals = [
        f"{s} at {label_of_size(size['triples'])} {e['pss_sampling']['interval']:.2f} s"
        f" ({e['pss_sampling']['ms']:.0f} ms of CPU each)"
        for size in results["sizes"]
        for s, e in size["servers"].items()
        if e.get("pss_sampling")
    ]
    if intervals:
        md += ["", "PSS read every (mean, while serving): " + "; ".join(intervals) + "."]
    restarts = restart_table(results)
    if restarts:
        md += [
            "",
            "### Our server's restarts",
            "",
            "After the measurements at each size: a one-file edit while serving (one new"
            " `skos:altLabel` appended to one data file, then `POST /admin/reload` with the update"
            " token; the time runs from the edit until a SPARQL ASK, polled every 50 ms, sees the new"
            " triple; the file is restored after), then `cmskg serve --store DIR` twice on the same"
            " unchanged data and port: the first start builds the on-disk store, the second reuses it"
            " (warm). The peak memory above is the serving peak, before the reload, which holds the"
            " new graph beside the old one for a while.",
            "",
            *restarts,
        ]
    if extra.get("startup_extra"):
        md += ["", *extra["startup_extra"]]
    md += ["", "## Latency (single client), p50 / p95 in ms", ""]
    for size in results["sizes"]:
        md += [f"### {label_of_size(size['triples'])} ({size['triples']:,} triples)", ""]
        for s in servers:
            if size["servers"].get(s, {}).get("error"):
                md.append(f"- {s}: {size['servers'][s]['error'][:300]}")
        md += [*latency_table(size, servers), ""]
    if plotted:
        md += [f"![latency against graph size]({png.name})", ""]
    md += ["## Throughput (closed loop), requests per second", ""]
    for size in results["sizes"]:
        md += [f"### {label_of_size(size['triples'])}", ""]
        md += [*throughput_table(size, servers, clients), ""]
    if any(e.get("wrk") for size in results["sizes"] for e in size["servers"].values()):
        md += [
            "## Throughput under wrk, requests per second",
            "",
            "The same rotation of requests under `wrk` (C, one event loop per thread, 1 or 2 threads), a load"
            " generator independent of ours and cheaper per request on the shared 2 cores.",
            "",
        ]
        for size in results["sizes"]:
            md += [f"### {label_of_size(size['triples'])} (wrk)", "", *wrk_table(size, servers, clients), ""]
    floor = results.get("floor")
    if floor:
        cells = [
            f"{c} clients: ours {floor['ours'].get(str(c), 0):,.0f}, wrk "
            f"{(floor['wrk'].get(str(c)) or {}).get('rps', 0):,.0f}"
            for c in clients
        ]
        md += [
            "## The floor: bare FastAPI on uvicorn returning a constant (bench/floor.py)",
            "",
            "req/s, " + "; ".join(cells) + ".",
            "",
        ]
    md += ["## Errors under load", "", *errors_under_load(results, servers), ""]
    md += ["## Do the servers agree?", "", *agreement(results, servers), ""]
    if results.get("notes"):
        md += ["## Notes from the run", "", *[f"- {n}" for n in results["notes"]], ""]
    if not smoke:
        md += [
            "## Goals",
            "",
            "The serving goals of issue 20, as ratios of this run. Throughput ratios are given under"
            " both load generators (`wrk@N`, `ours@N`: N clients); for the canned API the ratio is of"
            " times (the SPARQL's req/s over the API's), so lower is better.",
            "",
            *serving_goals(results),
            "",
        ]
    md += [
        "## Start-up goals",
        "",
        "The start-up goals of issue 20: the verdict is at 10^6 triples, the other sizes show the"
        " trend. Memory is our peak PSS over each peer's (PSS and RSS of every server are in the"
        " start-up table).",
        "",
        *startup_goals(results, extra),
        "",
    ]
    if not smoke:
        md += ["## Design goals (earlier rounds)", "", *goals(results, extra), ""]
        findings = out / "findings.md"
        if findings.exists():
            md += [findings.read_text().strip(), ""]
    report = out / ("SMOKE.md" if smoke else "REPORT.md")
    report.write_text("\n".join(md))
    return report


def compare(labels_and_paths: list[tuple[str, Path]], server: str = "cmskg", clients: str = "8") -> str:
    """A markdown table comparing runs of our server (e.g. before and after a fix): p50 latency and
    throughput with `clients` clients, per size and scenario; ratios are to the first run."""
    runs = [(label, json.loads(path.read_text())) for label, path in labels_and_paths]
    base_label, base = runs[0]
    head = ["size", "scenario", *[f"{label} p50 (ms)" for label, _ in runs]]
    head += [f"{label} req/s @{clients}" for label, _ in runs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size in base["sizes"]:
        name = label_of_size(size["triples"])
        entries = []
        for _, results in runs:
            match = next((s for s in results["sizes"] if label_of_size(s["triples"]) == name), {})
            entries.append(match.get("servers", {}).get(server, {}))
        for scen in LATENCY_ORDER:
            if not _lat(entries[0], scen):
                continue
            p50s = [_lat(e, scen).get("p50") for e in entries]
            rps = [((e.get("throughput", {}).get(scen) or {}).get(clients) or {}).get("rps") for e in entries]
            cells = [name, f"`{scen}`"]
            for i, v in enumerate(p50s):
                cells.append(_ms(v) + ("" if i == 0 or not v or not p50s[0] else f" ({p50s[0] / v:.1f}x)"))
            for i, v in enumerate(rps):
                text = "-" if v is None else f"{v:,.0f}"
                if i and v and rps[0]:
                    text += f" ({v / rps[0]:.1f}x)"
                cells.append(text)
            lines.append("| " + " | ".join(cells) + " |")
    del base_label
    return "\n".join(lines)
