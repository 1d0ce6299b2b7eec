"""Write the README's reference tables from the code, or check that they match it (--check).

The tables used to be copied by hand and drifted from the code (a flag missing from a synopsis, a
default changed in one place only). Each table now sits between two markers in README.md,

    <!-- generated: NAME (scripts/readme.py: edit the code, then `make readme`) -->
    ...
    <!-- end generated: NAME -->

and is written from the objects the program itself uses:

- `commands`: the argparse parser of `cmskg` (app.cli.build_parser): each subcommand's synopsis
  and its description (what `cmskg COMMAND --help` prints);
- `settings`: the fields of app.settings.Settings (description, default) with their flags and
  CMSKG_* variables;
- `routes`: the OpenAPI document of the app create_app builds, over an empty store (no data
  loaded, no worker started: the routes do not depend on the data);
- `catalogue`: the canned queries' headers (app.canned.catalogue.load_catalogue).

Everything outside the markers is left as it is. `--check` writes nothing and exits 1 with a diff
when the README differs from what would be written (`make lint`, the pre-commit hook and
tests/test_readme.py run it).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `python scripts/readme.py` reads this checkout's app
    sys.path.insert(0, str(REPO_ROOT))

from pydantic.fields import FieldInfo  # noqa: E402
from pydantic_settings import NoDecode  # noqa: E402

from app.canned.catalogue import Catalogue, load_catalogue  # noqa: E402
from app.canned.spec import Parameter, ParamType  # noqa: E402
from app.cli import build_parser  # noqa: E402
from app.settings import Settings  # noqa: E402

README = REPO_ROOT / "README.md"
BEGIN = re.compile(r"^<!-- generated: (?P<name>[a-z-]+) .*-->$")
END = "<!-- end generated: {name} -->"
ENV_PREFIX = "CMSKG_"
ELLIPSIS = "…"


def cell(text: str) -> str:
    """Text fit for one Markdown table cell: one line, pipes escaped (also inside code spans,
    which GitHub's tables require), and outside code spans `<` written as `&lt;`, so that text from
    the code such as "Bearer <update token>" is not read as an HTML tag."""
    parts = " ".join(text.split()).split("`")
    parts[::2] = [part.replace("<", "&lt;") for part in parts[::2]]  # the even parts are outside code
    return "`".join(parts).replace("|", r"\|")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def code(text: str) -> str:
    return f"`{text}`"


# --- the command line ---------------------------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's subcommands by name, in the order they were added (argparse keeps them in
    the choices of its one subparsers action; it has no public accessor)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise ValueError("the parser has no subcommands")


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


def flag_text(action: argparse.Action) -> str:
    """An option as a synopsis writes it: `--port PORT`, `--format table|json`, `--watch`."""
    name = max(action.option_strings, key=len)
    if action.nargs == 0:
        return name
    if action.choices is not None:
        return f"{name} {'|'.join(str(c) for c in action.choices)}"
    return f"{name} {action.metavar or action.dest.upper()}"


def synopsis(name: str, parser: argparse.ArgumentParser) -> str:
    """`cmskg NAME POSITIONAL… --required X [--optional Y]…`: positionals first, as people type them."""
    words = [f"cmskg {name}"]
    for action in _arguments(parser):
        if not action.option_strings:
            word = str(action.metavar or action.dest)
            words.append(f"[{word}]" if action.nargs == "?" else word)
    for action in _arguments(parser):
        if action.option_strings:
            word = flag_text(action)
            word = word if action.required else f"[{word}]"
            words.append(word + (ELLIPSIS if isinstance(action, argparse._AppendAction) else ""))
    return " ".join(words)


def commands_table() -> str:
    parser = build_parser()
    rows = []
    for name, sub in subcommands(parser).items():
        if not sub.description:
            raise ValueError(f"cmskg {name} has no description (add_parser(description=...))")
        rows.append([code(synopsis(name, sub)), sub.description])
    return table(["command", "what it does"], rows)


# --- settings -----------------------------------------------------------------------------------


def flags_by_setting(parser: argparse.ArgumentParser) -> dict[str, tuple[str, list[str], bool]]:
    """For each setting a flag sets: the flag as written, the commands that take it, and whether
    it may be repeated."""
    found: dict[str, tuple[str, list[str], bool]] = {}
    for name, sub in subcommands(parser).items():
        for action in _arguments(sub):
            if action.option_strings and action.dest in Settings.model_fields:
                text, where, _ = found.get(action.dest, (flag_text(action), [], False))
                found[action.dest] = (text, [*where, name], isinstance(action, argparse._AppendAction))
    return found


def default_text(field: FieldInfo) -> str:
    """The default as a user would write it in the variable, or the field's own words for it."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "default_text" in extra:
        return str(extra["default_text"])
    value: Any = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return code(str(value).lower())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        return ", ".join(code(v) for v in value) if value else "empty"
    return code(str(value))


def byte_size(value: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= size and value % size == 0:
            return f" ({value // size} {unit})"
    return ""


def settings_table() -> str:
    parser = build_parser()
    flags = flags_by_setting(parser)
    every_command = [
        n for n, sub in subcommands(parser).items() if any(a.dest == "root" for a in sub._actions)
    ]
    rows = []
    for name, field in Settings.model_fields.items():
        if not field.description:
            raise ValueError(f"Settings.{name} has no description")
        flag = ""
        if name in flags:
            text, where, repeated = flags[name]
            notes = [] if sorted(where) == sorted(every_command) else [", ".join(where)]
            notes += ["repeatable"] if repeated else []
            flag = code(text) + (f" ({'; '.join(notes)})" if notes else "")
        env = code(ENV_PREFIX + name.upper())
        if any(isinstance(m, NoDecode) or m is NoDecode for m in field.metadata):
            env += " (comma-separated)"
        default = default_text(field)
        plain = field.get_default(call_default_factory=True)
        if name.endswith("_bytes") and isinstance(plain, int):
            default += byte_size(plain)
        rows.append([field.description, flag, env, default])
    return table(["setting", "flag", "env", "default"], rows)


# --- routes -------------------------------------------------------------------------------------


def openapi_document() -> tuple[dict[str, Any], Catalogue]:
    """The app's OpenAPI document, from create_app over an empty store: the app is only built,
    never started, so no data is loaded and no worker process starts."""
    from pyoxigraph import Store

    from app.canned.catalogue import queries_dir
    from app.graph.build import Dataset
    from app.main import create_app

    settings = Settings(root=REPO_ROOT)
    empty = Dataset(store=Store(), version="readme", triples=0, files=())
    return create_app(settings, empty).openapi(), load_catalogue(queries_dir(settings))


def _answer(operation: dict[str, Any], schemas: dict[str, Any]) -> str:
    """`; answers {"a", "b"}` for an operation whose JSON answer is a typed object (or a list of them)."""
    schema = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    schema = schema.get("schema", schema)
    many = schema.get("type") == "array"
    ref = (schema.get("items", {}) if many else schema).get("$ref", "")
    if not ref:
        return ""
    fields = ", ".join(f'"{p}"' for p in schemas[ref.rsplit("/", 1)[-1]].get("properties", {}))
    return f"; answers {'a list of ' if many else ''}`{{{fields}}}`"


def routes_table() -> str:
    document, catalogue = openapi_document()
    schemas = document.get("components", {}).get("schemas", {})
    canned = {f"/api/queries/{query.name}" for query in catalogue}
    rows: list[list[str]] = []
    for path, operations in document["paths"].items():
        if path in canned:
            if not any(row[0] == "`GET /api/queries/{name}`" for row in rows):
                rows.append(
                    [
                        "`GET /api/queries/{name}`",
                        f"Run one canned query: {len(canned)} operations, one per query in the catalogue "
                        '(see "The catalogue"), each with its typed parameters and answer.',
                    ]
                )
            continue
        for method, operation in operations.items():
            summary = operation.get("summary") or ""
            if not summary:
                raise ValueError(f"{method.upper()} {path} has no summary")
            rows.append([code(f"{method.upper()} {path}"), summary + _answer(operation, schemas)])
    return table(["operation", "what"], rows)


# --- the canned query catalogue -----------------------------------------------------------------


def parameter_text(parameter: Parameter, example: str | int | None) -> str:
    text = code(parameter.name) + ("\\*" if parameter.required else "")
    if parameter.type is ParamType.ENUM:
        return f"{text} ({'|'.join(parameter.values)})"
    if example is not None:
        return f"{text} (e.g. {code(str(example))})"
    return text


def catalogue_table() -> str:
    from app.canned.catalogue import queries_dir

    catalogue = load_catalogue(queries_dir(Settings(root=REPO_ROOT)))
    # what every query takes is said once, under the table ("Every query also takes ...")
    common = set.intersection(*({p.name for p in q.parameters} for q in catalogue))
    rows = []
    for query in catalogue:
        own = [p for p in query.parameters if p.name not in common]
        texts = [parameter_text(p, query.example.get(p.name, p.example)) for p in own]
        rows.append([code(query.name), ", ".join(texts) or "—", query.description])
    note = ", ".join(code(name) for name in sorted(common))
    return table(["name", "parameters", "answers"], rows) + (
        f"\n\n\\* required. Every query also takes {note}." if common else "\n\n\\* required."
    )


GENERATORS: dict[str, Callable[[], str]] = {
    "commands": commands_table,
    "settings": settings_table,
    "routes": routes_table,
    "catalogue": catalogue_table,
}


def render(text: str, generators: dict[str, Callable[[], str]] = GENERATORS) -> str:
    """The README with every generated block rewritten; every generator must have its block."""
    lines = text.split("\n")
    out: list[str] = []
    seen: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        match = BEGIN.match(line)
        i += 1
        if not match:
            continue
        name = match["name"]
        if name not in generators:
            raise ValueError(f"README.md: no generator for the block {name!r}")
        end = END.format(name=name)
        try:
            stop = lines.index(end, i)
        except ValueError:
            raise ValueError(f"README.md: the block {name!r} has no end marker {end!r}") from None
        out += ["", generators[name](), "", end]
        seen.append(name)
        i = stop + 1
    missing = sorted(set(generators) - set(seen))
    if missing:
        raise ValueError(f"README.md: no block for {', '.join(missing)}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the README differs")
    parser.add_argument("--readme", type=Path, default=README, help="the file (default: README.md)")
    args = parser.parse_args(argv)
    current = args.readme.read_text(encoding="utf-8")
    wanted = render(current)
    if wanted == current:
        return 0
    if args.check:
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            f"{args.readme.name} (as committed)",
            f"{args.readme.name} (from the code)",
        )
        sys.stdout.writelines(diff)
        print(f"{args.readme.name} differs from the code: run `make readme` (python scripts/readme.py)")
        return 1
    args.readme.write_text(wanted, encoding="utf-8")
    print(f"{args.readme.name}: reference tables rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
