"""`cmskg validate | serve | query`: the command line over the same core the server uses."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from app.graph.build import InvalidData, build_dataset
from app.graph.sources import TurtleSyntaxError, load_sources
from app.graph.validation import validate
from app.settings import Settings

EXIT_INVALID = 1
EXIT_SYNTAX = 2

QUERY_FORMATS = ("json", "csv", "tsv", "xml", "table", "turtle", "ntriples", "jsonld")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by every flag the user gave."""
    names = set(Settings.model_fields)
    given = {k: v for k, v in vars(args).items() if k in names and v is not None}
    return Settings(**given)


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        help="folder with ontology/, graph/, shapes/ (CMSKG_ROOT; default: the repository)",
    )


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        help="on-disk store folder, rebuilt when the files change (CMSKG_STORE; default: in memory)",
    )
    parser.add_argument("--base-iri", dest="base_iri", help="base of minted IRIs (CMSKG_BASE_IRI)")


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = validate(load_sources(settings.root))
    print(report.describe())
    return 0 if report.conforms else EXIT_INVALID


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = _settings(args)
    dataset = build_dataset(settings)
    app = create_app(settings, dataset)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
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
    from app.formats import Kind, UnknownFormat

    settings = _settings(args)
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
    if args.format == "table" and head.kind is Kind.RESULTS and head.format_name == "json":
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cmskg", description="CMS Synergies Knowledge Graph")
    commands = parser.add_subparsers(dest="command", required=True)

    validate_cmd = commands.add_parser("validate", help="check the curated files against the shapes")
    _add_root(validate_cmd)
    validate_cmd.set_defaults(run=cmd_validate)

    stats = commands.add_parser("stats", help="counts per class, per paragraph and per file")
    stats.add_argument("--format", choices=("table", "json"), default="table")
    _add_root(stats)
    stats.set_defaults(run=cmd_stats)

    serve = commands.add_parser("serve", help="validate, load and serve the graph over HTTP")
    _add_root(serve)
    _add_store(serve)
    serve.add_argument("--host", help="address to listen on (CMSKG_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (CMSKG_PORT; default 8000)")
    serve.add_argument(
        "--query-timeout",
        dest="query_timeout",
        type=float,
        help="deadline of one query in seconds (CMSKG_QUERY_TIMEOUT; default 30)",
    )
    serve.add_argument(
        "--max-rows",
        dest="max_rows",
        type=int,
        help="most rows in one answer (CMSKG_MAX_ROWS; default 100000)",
    )
    serve.add_argument(
        "--workers", type=int, help="query worker processes kept warm (CMSKG_WORKERS; default 2)"
    )
    serve.add_argument(
        "--update-token",
        dest="update_token",
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

    query = commands.add_parser("query", help="run a SPARQL query from the shell")
    query.add_argument("sparql", help="the query text, or - to read it from standard input")
    query.add_argument(
        "--format", choices=QUERY_FORMATS, default="table", help="output format (default: table)"
    )
    _add_root(query)
    _add_store(query)
    query.set_defaults(run=cmd_query)
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
    except ValidationError as error:
        print(f"cmskg: invalid setting: {error}", file=sys.stderr)
        return EXIT_SYNTAX
    except FileNotFoundError as error:
        print(f"cmskg: {error}", file=sys.stderr)
        return EXIT_SYNTAX


if __name__ == "__main__":
    sys.exit(main())
