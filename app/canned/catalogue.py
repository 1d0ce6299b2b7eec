"""Read every queries/*.rq file and check it before anything is served.

A file is a SPARQL SELECT query preceded by a header of `#+ ` comment lines holding TOML (typed:
strings, integers, booleans, tables), in the manner of grlc's `#+ key: value` decorators. The
checks: the header is valid, its name is the file's name, the SPARQL parses (rdflib and Oxigraph),
it projects exactly the declared columns, every parameter `p` is used as the variable `?_p`, and
each default and example value is valid. The first broken file stops start-up, named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError
from pyoxigraph import QuerySolutions, Store

from app.canned.errors import CannedError, CatalogueError, UnknownQuery
from app.canned.params import clean_text, parse_scalar
from app.canned.spec import CannedQuery, Parameter
from app.settings import REPO_ROOT, Settings
from app.sparql_text.tokens import tokens
from app.sparql_text.values import bind
from app.sparql_text.where import NoWhereClause

HEADER = "#+"


class Catalogue:
    """The canned queries by name, in file-name order."""

    def __init__(self, queries: list[CannedQuery]) -> None:
        self._queries = {q.name: q for q in queries}

    def __iter__(self) -> Iterator[CannedQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    @property
    def names(self) -> list[str]:
        return list(self._queries)

    def get(self, name: str) -> CannedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQuery(name, self.names) from None


def queries_dir(settings: Settings) -> Path:
    """The data root's queries/ folder, or the repository's when the root has none (test trees)."""
    folder = settings.root / "queries"
    return folder if folder.is_dir() else REPO_ROOT / "queries"


def load_catalogue(folder: Path) -> Catalogue:
    """Every .rq file of the folder, checked; CatalogueError names the first broken one."""
    return Catalogue([load_query(path) for path in sorted(folder.glob("*.rq"))])


def split_header(text: str) -> tuple[str, str]:
    """The TOML header (from the leading `#+` lines) and the SPARQL that follows it."""
    lines = text.splitlines(keepends=True)
    header: list[str] = []
    for line in lines:
        if not line.startswith(HEADER):
            break
        content = line[len(HEADER) :]
        header.append(content[1:] if content.startswith(" ") else content)
    return "".join(header), "".join(lines[len(header) :]).strip() + "\n"


def load_query(path: Path) -> CannedQuery:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(name, f"cannot be read: {error}") from None
    header, sparql = split_header(text)
    if not header.strip():
        raise CatalogueError(name, "has no '#+' metadata header")
    try:
        meta = tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(name, f"header is not valid TOML: {error}") from None
    try:
        query = CannedQuery(**meta, sparql=sparql, file=name)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'header'}: {e['msg']}" for e in error.errors()
        )
        raise CatalogueError(name, f"header is invalid: {problems}") from None
    except TypeError as error:
        raise CatalogueError(name, f"header is invalid: {error}") from None
    if query.name != path.stem:
        raise CatalogueError(name, f"header names the query {query.name!r}; the file must be {query.name}.rq")
    try:
        check_sparql(query)
        check_values(query)
    except (ValueError, CannedError) as error:
        raise CatalogueError(name, str(error)) from None
    return query


def check_sparql(query: CannedQuery) -> None:
    """The SPARQL parses (with its parameters bound, as it will run), is a SELECT of the declared
    columns and uses every parameter. pyoxigraph parses it, on an empty store: fast at start-up."""
    used = {t.text[1:] for t in tokens(query.sparql) if t.kind == "var"}
    for parameter in query.bound_parameters:
        if parameter.variable not in used:
            raise ValueError(
                f"parameter {parameter.name!r} is not used: the query has no ?{parameter.variable}"
            )
    try:
        bound = query.bound_parameters
        text = bind(query.sparql, [p.variable for p in bound], [[] for _ in bound])
        result = Store().query(text)
    except NoWhereClause as error:
        raise ValueError(str(error)) from None
    except SyntaxError as error:
        raise ValueError(f"SPARQL does not parse: {error}") from None
    if not isinstance(result, QuerySolutions):
        raise ValueError("canned queries are SELECT queries")
    projected = [v.value for v in result.variables]
    declared = [c.name for c in query.columns]
    if projected != declared:
        raise ValueError(f"the query selects {projected} but the header declares the columns {declared}")


def check_values(query: CannedQuery) -> None:
    """Defaults and examples are valid values of their parameters."""
    for parameter in query.parameters:
        for what, value in (("default", parameter.default), ("example", parameter.example)):
            if value is not None:
                _check_value(parameter, value, what)
    for key, value in query.example.items():
        named = query.parameter(key)
        assert named is not None  # the model checked the keys
        _check_value(named, value, "example")


def _check_value(parameter: Parameter, value: str | int, what: str) -> None:
    try:
        if parameter.resolved:
            clean_text(parameter, str(value))
        else:
            parse_scalar(parameter, value)
    except CannedError as error:
        raise ValueError(f"the {what} of {parameter.name!r} is invalid: {error}") from None
