"""A canned query's table in each format it is offered in, and the choice among them.

JSON is the API's own shape ({name, parameters, columns, rows, count, facets}); CSV and TSV carry the
same columns as plain values; sparql-json is the W3C results format; HTML is a plain accessible
table. The label columns are part of every format.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass

import mimeparse

from app.canned.cells import SEPARATOR
from app.canned.errors import ParameterError
from app.canned.facets import facets
from app.canned.table import Cell, Row, Table, Value
from app.links import linkable


@dataclass(frozen=True)
class Output:
    name: str
    media_type: str
    extension: str


OUTPUTS: tuple[Output, ...] = (
    Output("json", "application/json", "json"),
    Output("csv", "text/csv", "csv"),
    Output("tsv", "text/tab-separated-values", "tsv"),
    Output("html", "text/html", "html"),
    Output("sparql-json", "application/sparql-results+json", "srj"),
)
BY_NAME = {o.name: o for o in OUTPUTS}


class NoAcceptableOutput(Exception):
    """Nothing we offer matches the Accept header (406)."""

    def __init__(self) -> None:
        super().__init__("No acceptable format. Offered: " + ", ".join(o.media_type for o in OUTPUTS))


def choose(format_param: str | None, accept: str | None) -> Output:
    """`format=` wins, then the Accept header, then JSON."""
    if format_param:
        wanted = format_param.strip().lower()
        for output in OUTPUTS:
            if wanted in (output.name, output.media_type, output.extension):
                return output
        raise ParameterError("format", f"{format_param!r} is not one of: {', '.join(BY_NAME)}")
    if not accept or not accept.strip():
        return OUTPUTS[0]
    ranges = []
    for part in accept.split(","):
        try:
            mimeparse.parse_media_range(part)
        except (ValueError, mimeparse.MimeTypeParseException):
            continue
        ranges.append(part.strip())
    # mimeparse prefers the later of equal matches: list our favourite (JSON) last.
    best = mimeparse.best_match([o.media_type for o in reversed(OUTPUTS)], ",".join(ranges)) if ranges else ""
    if not best:
        raise NoAcceptableOutput()
    return next(o for o in OUTPUTS if o.media_type == best)


def _plain(value: Value) -> str | int | float | bool | list[str | int | float | bool] | None:
    if isinstance(value, tuple):
        return [cell.plain() for cell in value]
    return None if value is None else value.plain()


def _text(value: Value) -> str:
    """The value as one piece of text: a list's values joined by "; "."""
    if isinstance(value, tuple):
        return SEPARATOR.join(cell.value for cell in value)
    return "" if value is None else value.value


def _cells(value: Value) -> tuple[Cell, ...]:
    if isinstance(value, tuple):
        return value
    return () if value is None else (value,)


def to_json(table: Table) -> dict:
    body = {
        "name": table.name,
        "parameters": table.parameters,
        "columns": [c.name for c in table.columns],
        "titles": {c.name: c.title for c in table.columns},
        "rows": [{c.name: _plain(row[c.name]) for c in table.columns} for row in table.rows],
        "count": len(table.rows),
        "facets": facets(table),
    }
    if table.citation is not None:
        body["citation"] = table.citation
    if table.hint is not None:
        body["hint"] = table.hint
    return body


def csv_headers(table: Table) -> list[str]:
    """The CSV's header row, for people: each column's title, and an IRI column as "<title> IRI"
    beside its label column (which carries the title itself)."""
    labelled = {c.label_of for c in table.columns if c.label_of}
    return [f"{c.title} IRI" if c.name in labelled else c.title for c in table.columns]


def to_csv(table: Table) -> str:
    """The answer for spreadsheets: headers people read (the JSON and TSV keep the names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_headers(table))
    for row in table.rows:
        writer.writerow([_text(row[c.name]) for c in table.columns])
    return out.getvalue()


def to_tsv(table: Table) -> str:
    """Tab-separated plain values; tabs and line breaks inside a value become spaces."""
    clean = lambda v: " ".join(v.replace("\t", " ").splitlines())  # noqa: E731
    lines = ["\t".join(c.name for c in table.columns)]
    lines += ["\t".join(clean(_text(row[c.name])) for c in table.columns) for row in table.rows]
    return "\n".join(lines) + "\n"


def to_sparql_json(table: Table) -> dict:
    def term(value: Cell | tuple[Cell, ...]) -> dict:
        if isinstance(value, tuple):  # a list has no RDF term: its values, "; "-joined
            return {"type": "literal", "value": _text(value)}
        cell = value
        if cell.kind == "iri":
            return {"type": "uri", "value": cell.value}
        if cell.kind == "bnode":
            return {"type": "bnode", "value": cell.value}
        out = {"type": "literal", "value": cell.value}
        if cell.language:
            out["xml:lang"] = cell.language
        elif cell.datatype and not cell.datatype.endswith("#string"):
            out["datatype"] = cell.datatype
        return out

    return {
        "head": {"vars": [c.name for c in table.columns]},
        "results": {
            "bindings": [
                {name: term(cell) for name, cell in row.items() if cell is not None and cell != ()}
                for row in table.rows
            ]
        },
    }


def to_html(table: Table, title: str, description: str) -> str:
    """A small accessible page: a heading, the parameters, and a table with a caption."""
    esc = html.escape
    labelled = {c.label_of for c in table.columns if c.label_of}
    shown = [c for c in table.columns if c.label_of is None]

    def piece(value: Cell, label: Cell | None) -> str:
        if value.kind != "iri":
            return esc(value.value)
        text = label.value if label is not None else value.value
        href = linkable(value.value)  # a javascript: or data: IRI is shown, never linked
        return f'<a href="{esc(href)}">{esc(text)}</a>' if href else esc(text)

    def cell(row: Row, name: str) -> str:
        values = _cells(row[name])
        labels = _cells(row.get(name + "_label")) if name in labelled else ()
        pieces = [piece(v, labels[i] if i < len(labels) else None) for i, v in enumerate(values)]
        return "<td>" + SEPARATOR.join(pieces) + "</td>"

    params = "".join(
        f"<dt>{esc(k)}</dt><dd>{esc(str(v['label'] if isinstance(v, dict) else v))}</dd>"
        for k, v in table.parameters.items()
    )
    head = "".join(f'<th scope="col">{esc(c.title or c.name)}</th>' for c in shown)
    body = "".join("<tr>" + "".join(cell(row, c.name) for c in shown) + "</tr>" for row in table.rows)
    count = f"{len(table.rows)} row{'s' if len(table.rows) != 1 else ''}"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title></head><body><main>"
        f"<h1>{esc(title)}</h1><p>{esc(description)}</p>"
        + (f"<dl>{params}</dl>" if params else "")
        + f"<table><caption>{esc(title)}: {count}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></main></body></html>\n"
    )


def text_table(table: Table) -> str:
    """A plain-text table for people at a terminal (label columns stand in for their IRIs)."""
    shown = [c for c in table.columns if not any(o.label_of == c.name for o in table.columns)]
    rows = [[_text(row[c.name]) for c in shown] for row in table.rows]
    names = [c.title or c.name for c in shown]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(names), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    return "\n".join(out) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"


# Excel reads a CSV file without a byte-order mark as the machine's legacy code page (Förening
# becomes FÃ¶rening); with one, as UTF-8. Other CSV readers skip it (Python: encoding="utf-8-sig").
UTF8_BOM = "\ufeff"


def render(
    table: Table, output: Output, title: str = "", description: str = "", *, bom: bool = False
) -> bytes:
    """The table in one format; `bom` starts CSV with a UTF-8 byte-order mark, for spreadsheets
    (the API's downloads; not the command line's standard output)."""
    if output.name == "json":
        return json.dumps(to_json(table), ensure_ascii=False).encode()
    if output.name == "sparql-json":
        return json.dumps(to_sparql_json(table), ensure_ascii=False).encode()
    if output.name == "csv":
        return ((UTF8_BOM if bom else "") + to_csv(table)).encode()
    if output.name == "tsv":
        return to_tsv(table).encode()
    return to_html(table, title or table.name, description).encode()
