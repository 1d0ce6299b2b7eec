"""`cmskg validate | serve | query | export | stats | push | audit`: the command line over the same core
the server uses."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from app.canned.errors import CatalogueError
from app.graph.build import InvalidData, build_dataset
from app.graph.sources import TurtleSyntaxError, load_sources
from app.graph.validation import validate
from app.linkeddata.annex import Annex
from app.linkeddata.annex import for_build as annex_for_build
from app.linkeddata.dumps import DUMP_FORMATS
from app.settings import Settings

EXIT_INVALID = 1
EXIT_SYNTAX = 2
GRACE = 5  # seconds answers in flight get after SIGTERM

QUERY_FORMATS = ("json", "csv", "tsv", "xml", "table", "turtle", "ntriples", "jsonld")
DEFAULT_BASELINE = Path("docs/curation/audit-baseline.toml")
CANNED_FORMATS = ("table", "json", "csv", "tsv", "html", "sparql-json")
ROOT_ORIGINS = {"current folder": "the current folder", "install": "the install's checkout"}


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by every flag the user gave; says which data root
    they name, since the default depends on the folder the command runs in."""
    names = set(Settings.model_fields)
    given = {k: v for k, v in vars(args).items() if k in names and v is not None}
    settings = Settings(**given)
    if settings.root_origin == "given":
        origin = "--root" if "root" in given else "CMSKG_ROOT"
    else:
        origin = ROOT_ORIGINS[settings.root_origin]
    print(f"cmskg: data root {settings.root} ({origin})", file=sys.stderr)
    return settings


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="folder with ontology/, graph/, shapes/ (CMSKG_ROOT; default: the current folder if it "
        "holds them, else the install's checkout)",
    )


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help="on-disk store folder, rebuilt when the files change (CMSKG_STORE; default: in memory)",
    )
    parser.add_argument(
        "--base-iri", dest="base_iri", metavar="IRI", help="base of minted IRIs (CMSKG_BASE_IRI)"
    )


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = validate(load_sources(settings.root))
    print(report.describe())
    from app.canned.catalogue import load_catalogue, queries_dir

    try:
        catalogue = load_catalogue(queries_dir(settings))
    except CatalogueError as error:
        print(f"canned queries: {error}")
        return EXIT_INVALID
    print(f"canned queries: {len(catalogue)} checked")
    return 0 if report.conforms else EXIT_INVALID


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app import heap
    from app.engine.processes import warm_up
    from app.http_protocol import LongUrlProtocol
    from app.main import create_app

    settings = _settings(args)
    if settings.backend == "embedded":
        warm_up()
    dataset = build_dataset(settings, annex_for_build(settings))
    app = create_app(settings, dataset)
    heap.settle()
    # On SIGTERM, answers in flight get a few seconds, then the workers are stopped with the server.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        timeout_graceful_shutdown=GRACE,
        http=LongUrlProtocol,  # a URL too long for httptools gets our 414, not a bare 400
    )
    return 0


def _table(body: bytes) -> str:
    """A plain-text table of SPARQL JSON results, for people at a terminal."""
    import json

    data = json.loads(body)
    if "boolean" in data:
        return str(data["boolean"]).lower()
    columns = data["head"]["vars"]
    rows = [[b.get(c, {}).get("value", "") for c in columns] for b in data["results"]["bindings"]]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    line = lambda cells: "  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True))  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    return "\n".join(out) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"


def cmd_query(args: argparse.Namespace) -> int:
    from app.engine.embedded import run_local
    from app.engine.errors import QueryError, QueryForbidden
    from app.engine.execution import QueryRequest
    from app.formats import AnswerKind, UnknownFormat

    settings = _settings(args)
    if args.canned:
        return _canned(args, settings)
    if args.sparql is None:
        print("cmskg query: give a SPARQL query (or - for standard input), or --canned NAME", file=sys.stderr)
        return EXIT_SYNTAX
    if args.format not in QUERY_FORMATS:
        print(f"cmskg query: --format {args.format} is for canned queries", file=sys.stderr)
        return EXIT_SYNTAX
    dataset = build_dataset(settings)
    text = sys.stdin.read() if args.sparql == "-" else args.sparql
    wanted = "json" if args.format == "table" else args.format
    try:
        try:
            head, body = run_local(dataset, QueryRequest(query=text, format=wanted), settings.max_rows)
        except UnknownFormat:
            # the format fits the other kind of answer (e.g. turtle for a SELECT): use its default
            head, body = run_local(dataset, QueryRequest(query=text), settings.max_rows)
    except (QueryError, QueryForbidden) as error:
        print(f"cmskg query: {error}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "table" and head.kind is AnswerKind.RESULTS and head.format_name == "json":
        print(_table(body))
    else:
        sys.stdout.buffer.write(body)
    if head.capped:
        print(f"cmskg query: answer cut at {settings.max_rows} rows", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from app.graph.stats import as_text, compute

    stats = compute(build_dataset(_settings(args)).store)
    print(stats.model_dump_json(indent=2) if args.format == "json" else as_text(stats))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write one dump of the validated graph, byte-for-byte the file served at /dumps/."""
    from app.linkeddata.dumps import DUMP_FORMATS, dump_format, make
    from app.linkeddata.iris import IriSpace

    try:
        fmt = dump_format(args.format)
    except ValueError:
        print(
            f"cmskg export: unknown format {args.format!r}; use one of: {', '.join(DUMP_FORMATS)}",
            file=sys.stderr,
        )
        return EXIT_SYNTAX
    settings = _settings(args)
    store = build_dataset(settings).store
    dump = make(store, fmt, IriSpace(settings.base_iri).curated_graphs(store))
    if str(args.out) == "-":
        sys.stdout.buffer.write(dump.data)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(dump.data)
        print(f"{args.out}: {dump.size} bytes, sha256 {dump.sha256}", file=sys.stderr)
    return 0


def _canned(args: argparse.Namespace, settings: Settings) -> int:
    """Run a canned query by name with --param key=value pairs, through the server's own code."""
    from app.canned.catalogue import load_catalogue, queries_dir
    from app.canned.errors import CannedError
    from app.canned.label_index import LabelIndex
    from app.canned.render import BY_NAME, render, text_table
    from app.canned.runner import Runner
    from app.engine.embedded import LocalQueries
    from app.engine.errors import QueryError, QueryForbidden

    if args.sparql is not None:
        print("cmskg query: give either a SPARQL query or --canned, not both", file=sys.stderr)
        return EXIT_SYNTAX
    if args.format not in CANNED_FORMATS:
        print(f"cmskg query: canned queries answer in {', '.join(CANNED_FORMATS)}", file=sys.stderr)
        return EXIT_SYNTAX
    raw: dict[str, list[str]] = {}
    for pair in args.param or []:
        key, sep, value = pair.partition("=")
        if not sep:
            print(f"cmskg query: --param {pair!r} is not key=value", file=sys.stderr)
            return EXIT_SYNTAX
        raw.setdefault(key.strip(), []).append(value)
    catalogue = load_catalogue(queries_dir(settings))
    dataset = build_dataset(settings)
    runner = Runner(catalogue, LabelIndex.from_store(dataset.store))
    try:
        table = runner.run(args.canned, raw, LocalQueries(dataset, settings.max_rows))
    except (CannedError, QueryError, QueryForbidden) as error:
        print(f"cmskg query: {error}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "table":
        print(text_table(table))
    else:
        query = catalogue.get(args.canned)
        sys.stdout.buffer.write(render(table, BY_NAME[args.format], query.title, query.description))
    if table.capped:
        print(f"cmskg query: answer cut at {settings.max_rows} rows", file=sys.stderr)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """The curator's audit of the graph against the report text; exit 1 on findings not reviewed."""
    from app.curation.audit import audit as audit_graph
    from app.curation.audit import load_tree
    from app.curation.baseline import BaselineError, compare, load, stub
    from app.curation.checklist import checklist
    from app.curation.render import as_json, as_text
    from app.curation.report_text import read as read_report

    settings = _settings(args)
    if not args.report.is_file():
        print(f"cmskg audit: no report text at {args.report}", file=sys.stderr)
        return EXIT_SYNTAX
    baseline_path = args.baseline or settings.root / DEFAULT_BASELINE
    try:
        baseline = load(baseline_path)
    except BaselineError as error:
        print(f"cmskg audit: {error}", file=sys.stderr)
        return EXIT_SYNTAX
    graph = load_tree(settings.root)
    audit = audit_graph(graph, read_report(args.report))
    comparison = compare(audit.findings, baseline)
    if args.format == "checklist":
        print(checklist(graph, audit), end="")
    elif args.format == "json":
        print(as_json(audit, comparison))
    elif args.format == "baseline-stub":
        print(stub(comparison.new))
    else:
        print(as_text(audit, comparison, findings_only=args.new_only))
    if comparison.new:
        print(f"cmskg audit: {len(comparison.new)} finding(s) not in {baseline_path}", file=sys.stderr)
        return EXIT_INVALID
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from app.graph.push import PushFailed, push

    settings = _settings(args)
    dataset = build_dataset(settings, Annex(settings))  # the examples and VoID graphs go too
    try:
        pushed = push(dataset.store, dataset.version, args.update_endpoint or args.endpoint, args.graph_store)
    except (PushFailed, OSError) as error:
        print(f"cmskg push: {error}", file=sys.stderr)
        return EXIT_INVALID
    for item in pushed:
        print(f"{item.triples:>8}  {item.graph}")
    print(f"pushed {len(pushed)} graphs, data version {dataset.version}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cmskg", description="CMS Synergies Knowledge Graph")
    commands = parser.add_subparsers(dest="command", required=True)

    validate_cmd = commands.add_parser(
        "validate",
        help="check the curated files against the shapes",
        description="Parse and check every file against the shapes, and every canned query. Prints "
        "each violation as `file: severity: <focus> path: message`; exit 1 on any violation, exit 2 "
        "on a Turtle syntax error (printed as `file:line:column: reason`).",
    )
    _add_root(validate_cmd)
    validate_cmd.set_defaults(run=cmd_validate)

    stats = commands.add_parser(
        "stats",
        help="counts per class, per paragraph and per file",
        description="Resources per class, facts per paragraph of the report, triples per file.",
    )
    stats.add_argument("--format", choices=("table", "json"), default="table")
    _add_root(stats)
    stats.set_defaults(run=cmd_stats)

    audit = commands.add_parser(
        "audit",
        help="read the graph against the report, part by part; exit 1 on findings not reviewed",
        description="The curator's audit: the graph read against the report's text, part by part "
        '(see "Curation and its audit" in the README); exit 1 on any finding not in the reviewed baseline '
        f"(`{DEFAULT_BASELINE}`).",
    )
    audit.add_argument(
        "--report",
        required=True,
        type=Path,
        metavar="PATH",
        help="the report's text (../shared/seeds/...txt)",
    )
    audit.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help=f"the reviewed findings (default: {DEFAULT_BASELINE} under the data folder)",
    )
    audit.add_argument(
        "--format",
        choices=("text", "json", "baseline-stub", "checklist"),
        default="text",
        help="text (part by part), json, baseline-stub (TOML entries to review for the new findings), "
        "or checklist (Markdown: each part's claims with their grades, docs/curation/checklist.md)",
    )
    audit.add_argument("--new-only", action="store_true", help="show only the parts with new findings")
    _add_root(audit)
    audit.set_defaults(run=cmd_audit)

    push = commands.add_parser(
        "push",
        help="load the validated graph into a SPARQL 1.1 server",
        description="Load the validated graph into another SPARQL 1.1 server "
        '(see "Scaling out" in the README), with the SPARQL examples and VoID graphs.',
    )
    push.add_argument("--endpoint", required=True, metavar="URL", help="the server's SPARQL endpoint")
    push.add_argument(
        "--update-endpoint",
        dest="update_endpoint",
        metavar="URL",
        help="its update endpoint (default: --endpoint)",
    )
    push.add_argument(
        "--graph-store", dest="graph_store", metavar="URL", help="its Graph Store endpoint, to upload by PUT"
    )
    _add_root(push)
    push.set_defaults(run=cmd_push)

    serve = commands.add_parser(
        "serve",
        help="validate, load and serve the graph over HTTP",
        description="Validate, load and serve. Refuses to start (same report, exit 1 or 2) when the data "
        "is invalid. Without `--store` the store is built in memory; with it, an on-disk store is kept "
        "in `PATH` and rebuilt only when the curated files, the canned queries, `--base-iri` or "
        "`--public-url` change (they shape the SPARQL examples and VoID graphs loaded beside the data).",
    )
    _add_root(serve)
    _add_store(serve)
    serve.add_argument("--host", metavar="HOST", help="address to listen on (CMSKG_HOST; default 127.0.0.1)")
    serve.add_argument(
        "--watch",
        action="store_const",
        const=True,
        help="reload when the curated files change; an invalid change keeps the old graph (CMSKG_WATCH)",
    )
    serve.add_argument(
        "--backend",
        choices=("embedded", "remote"),
        help="answer from the embedded store or a remote SPARQL server (CMSKG_BACKEND; default embedded)",
    )
    serve.add_argument(
        "--endpoint", metavar="URL", help="the remote SPARQL endpoint for --backend remote (CMSKG_ENDPOINT)"
    )
    serve.add_argument(
        "--port", type=int, metavar="PORT", help="port to listen on (CMSKG_PORT; default 8000)"
    )
    serve.add_argument(
        "--public-url",
        dest="public_url",
        metavar="URL",
        help="the address clients reach this server at; absolute URLs are built from it, never from "
        "the Host header (CMSKG_PUBLIC_URL; default http://HOST:PORT/)",
    )
    serve.add_argument(
        "--query-timeout",
        dest="query_timeout",
        type=float,
        metavar="S",
        help="deadline of one query in seconds (CMSKG_QUERY_TIMEOUT; default 30)",
    )
    serve.add_argument(
        "--max-rows",
        dest="max_rows",
        type=int,
        metavar="N",
        help="most rows (or triples) in one answer (CMSKG_MAX_ROWS; default 100000)",
    )
    serve.add_argument(
        "--workers", type=int, metavar="N", help="query worker processes kept warm (CMSKG_WORKERS; default 2)"
    )
    serve.add_argument(
        "--fast-workers",
        dest="fast_workers",
        type=int,
        metavar="N",
        help="worker processes kept for lookups, so they never wait behind heavy queries "
        "(CMSKG_FAST_WORKERS; default 1; 0 for none)",
    )
    serve.add_argument(
        "--query-memory",
        dest="query_memory",
        type=int,
        metavar="MIB",
        help="memory one query may use beyond its store; past it, 503 (CMSKG_QUERY_MEMORY; default 2048)",
    )
    serve.add_argument(
        "--update-token",
        dest="update_token",
        metavar="TOKEN",
        help="enables SPARQL Update and Graph Store writes for 'Authorization: Bearer TOKEN' "
        "(CMSKG_UPDATE_TOKEN; default: read-only)",
    )
    serve.add_argument(
        "--federation-allow",
        dest="federation_allow",
        action="append",
        metavar="URL",
        help="a SERVICE endpoint queries may reach; repeatable (CMSKG_FEDERATION_ALLOW, comma-separated)",
    )
    serve.set_defaults(run=cmd_serve)

    query = commands.add_parser(
        "query",
        help="run a SPARQL query from the shell",
        description="Run a SPARQL query from the shell (`-` reads it from standard input), or a canned "
        'query with `--canned NAME` and its parameters as `--param key=value` (see "Canned queries" in '
        "the README). Default output: a text table; `html` and `sparql-json` are for canned queries.",
    )
    query.add_argument(
        "sparql", nargs="?", metavar="SPARQL", help="the query text, or - to read it from standard input"
    )
    query.add_argument(
        "--format",
        choices=tuple(dict.fromkeys(QUERY_FORMATS + CANNED_FORMATS)),
        default="table",
        help="output format (default: table; html and sparql-json for canned queries)",
    )
    query.add_argument("--canned", metavar="NAME", help="run the canned query NAME (see GET /api/queries)")
    query.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a parameter of the canned query; repeatable",
    )
    _add_root(query)
    _add_store(query)
    query.set_defaults(run=cmd_query)

    export = commands.add_parser(
        "export",
        help="write a dump of the whole graph (as served at /dumps/)",
        description="Write the dump served at `/dumps/` (the curated graphs, not the examples or VoID "
        "graphs).",
    )
    export.add_argument(
        "--format",
        required=True,
        metavar="|".join(DUMP_FORMATS),
        help="turtle, ntriples, nquads (one graph per file) or jsonld",
    )
    export.add_argument(
        "--out", required=True, type=Path, metavar="PATH", help="the file to write, or - for standard output"
    )
    _add_root(export)
    _add_store(export)
    export.set_defaults(run=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # rdflib logs a traceback for each ill-typed literal; SHACL reports them better.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except TurtleSyntaxError as error:
        print(f"cmskg: {error}", file=sys.stderr)
        return EXIT_SYNTAX
    except InvalidData as error:
        print(error.report.describe(), file=sys.stderr)
        return EXIT_INVALID
    except CatalogueError as error:
        print(f"cmskg: canned query {error}", file=sys.stderr)
        return EXIT_INVALID
    except ValidationError as error:
        print(f"cmskg: invalid setting: {error}", file=sys.stderr)
        return EXIT_SYNTAX
    except FileNotFoundError as error:
        print(f"cmskg: {error}", file=sys.stderr)
        return EXIT_SYNTAX


if __name__ == "__main__":
    sys.exit(main())
