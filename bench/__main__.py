"""`python -m bench`: run the benchmark and write bench/results/REPORT.md.

python -m bench --sizes 1e4,1e5,1e6            # the full run against the peers
python -m bench --smoke                        # seconds: 10^4 triples, our server only
python -m bench --report-only                  # rewrite REPORT.md from results.json
python -m bench --profile partners --size 1e5  # py-spy our server under load
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from bench.generate import parse_size

RESULTS = Path(__file__).resolve().parent / "results"
ALL_SERVERS = ("cmskg", "oxigraph", "oxigraph-mem", "rdflib-endpoint")


def _terminate(*_: object) -> None:
    """SIGTERM: stop every server this run started, then leave."""
    from bench.servers import stop_all

    stop_all()
    os._exit(143)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="1e4,1e5,1e6", help="graph sizes in triples (default 1e4,1e5,1e6)")
    p.add_argument("--servers", default=",".join(ALL_SERVERS), help="which servers (default: all four)")
    p.add_argument("--clients", default="1,8,32", help="concurrent clients for throughput (default 1,8,32)")
    p.add_argument("--duration", type=float, default=4.0, help="seconds per throughput run (default 4)")
    p.add_argument("--samples", type=int, default=40, help="latency samples per scenario (default 40)")
    p.add_argument("--budget", type=float, default=6.0, help="seconds of latency sampling per scenario")
    p.add_argument("--workers", type=int, default=2, help="our server's query workers (default 2)")
    p.add_argument("--smoke", action="store_true", help="seconds-long run: 1e4 triples, our server only")
    p.add_argument("--out", type=Path, default=RESULTS, help="results folder (default bench/results)")
    p.add_argument(
        "--curated-startup", action="store_true", help="time start-up on the curated graph (3 runs)"
    )
    p.add_argument(
        "--compare",
        nargs="+",
        metavar="LABEL=RESULTS.json",
        help="print a table comparing runs of our server (before/after a fix)",
    )
    p.add_argument("--report-only", action="store_true", help="rewrite the report from results.json")
    p.add_argument("--profile", metavar="SCENARIO", help="profile our server with py-spy under this scenario")
    p.add_argument("--size", default="1e5", help="graph size for --profile")
    p.add_argument("--keep-data", action="store_true", help="keep the generated data roots")
    p.add_argument(
        "--app-root", type=Path, help="run our server from this copy of the repository (to measure a fix)"
    )
    p.add_argument("--workdir", type=Path, help="where generated data and stores go (default: temp)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # stop cleanly on SIGTERM too, so the servers started are stopped by their finally blocks
    signal.signal(signal.SIGTERM, _terminate)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    from bench.report import write_report
    from bench.run import Plan, Runner

    out: Path = args.out
    if args.profile:
        from bench.profile import profile

        profile(args.profile, parse_size(args.size), out, workers=args.workers)
        if (out / "results.json").exists():
            write_report(out)
        return 0
    if args.compare:
        from bench.report import compare

        pairs = [(item.split("=", 1)[0], Path(item.split("=", 1)[1])) for item in args.compare]
        print(compare(pairs))
        return 0
    if args.curated_startup:
        from bench.run import curated_startup

        curated_startup(out, app_root=args.app_root)
        if (out / "results.json").exists():
            write_report(out)
        return 0
    if args.report_only:
        write_report(out)
        return 0
    if args.smoke:
        plan = Plan(
            sizes=[10_000],
            servers=["cmskg"],
            clients=(1, 8),
            duration=1.0,
            samples=8,
            budget=1.5,
            throughput_scenarios=("lookup", "partners", "canned-api"),
            smoke=True,
            floor=False,
            wrk_scenarios=("lookup",),
            startup_timeout=120,
            workers=args.workers,
            workdir=args.workdir,
            edit_reload=True,
            warm_start=True,
        )
        results_path = out / "smoke.json"
    else:
        plan = Plan(
            sizes=[parse_size(s) for s in args.sizes.split(",")],
            servers=[s.strip() for s in args.servers.split(",") if s.strip()],
            clients=tuple(int(c) for c in args.clients.split(",")),
            duration=args.duration,
            samples=args.samples,
            budget=args.budget,
            workers=args.workers,
            keep_data=args.keep_data,
            workdir=args.workdir,
            app_root=args.app_root,
        )
        unknown = set(plan.servers) - set(ALL_SERVERS)
        if unknown:
            print(f"unknown servers: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        results_path = out / "results.json"
    results = Runner(plan, results_path).run()
    report = write_report(out, smoke=args.smoke)
    print(f"wrote {report}")
    return 1 if failures(results) else 0


def failures(results: dict) -> list[str]:
    """What makes a run fail: a server that did not start, or errors in any measurement."""
    out = []
    for size in results["sizes"]:
        for name, entry in size["servers"].items():
            if entry.get("error") and name == "cmskg":
                out.append(f"{name} at {size['triples']}: {entry['error']}")
            for scen, stats in entry.get("latency", {}).items():
                if name == "cmskg" and stats.get("errors"):
                    out.append(f"{name} {scen} latency errors at {size['triples']}: {stats['errors']}")
    return out


if __name__ == "__main__":
    sys.exit(main())
