"""Counts per value of each categorical column of an answer (datasette's facets), so a reader can
see at once how the rows divide ("12 joint work plans, 5 letters of cooperation") and narrow them.

Which columns are categorical follows from their types, not from a list kept by hand (the lead
reshapes the canned queries; the facets follow): every declared column holding text, an IRI or a
term counts by value, and a date column counts by year. A multi-valued cell ("sharks; turtles",
as GROUP_CONCAT joins them: app.canned.cells) counts once for each of its values. A column whose
every value occurs once (the thing each row is about, a name, a note) says nothing as counts and
is left out, and so is one whose single value every row holds (it cannot narrow anything).
Numbers (scores, counts) are measures, not categories.

The order is fixed, so the same data gives the same bytes: columns in the answer's order; values
by count, most first, then by label (case-folded) and value; years in time order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from app.canned.cells import SEPARATOR, natural_key
from app.canned.spec import ColumnType, OutputColumn
from app.canned.table import Cell, Table, Value

BY_VALUE = "value"  # a text, IRI or term column: each value (each part of a multi-valued cell)
BY_YEAR = "year"  # a date column: the year the date falls in
FACETED = {
    ColumnType.TEXT: BY_VALUE,
    ColumnType.IRI: BY_VALUE,
    ColumnType.TERM: BY_VALUE,
    ColumnType.DATE: BY_YEAR,
}


@dataclass(frozen=True)
class FacetColumn:
    """A column that may be counted: its name, how its cells are counted, whether they are IRIs
    with a label column beside them."""

    name: str
    by: str
    labelled: bool


def facet_columns(columns: list[OutputColumn]) -> list[FacetColumn]:
    """The answer's columns that are categories by their type (label columns go with their IRIs)."""
    labels = {c.label_of for c in columns if c.label_of}
    return [
        FacetColumn(c.name, FACETED[c.type], c.name in labels)
        for c in columns
        if c.label_of is None and c.type in FACETED
    ]


def cell_values(column: FacetColumn, cell: Value) -> list[str]:
    """What one cell counts as: nothing when empty; the year of a date; each item of a list (a
    rolled-up column) or part of a multi-valued text, once; else the value itself (an IRI's full
    IRI). The page filters rows by the same rule."""
    if cell is None:
        return []
    if isinstance(cell, tuple):
        return list(dict.fromkeys(v for item in cell for v in cell_values(column, item)))
    if cell.value == "":
        return []
    if column.by == BY_YEAR:
        return [cell.value[:4]]
    if cell.kind == "literal" and SEPARATOR in cell.value:
        return list(dict.fromkeys(v for v in cell.value.split(SEPARATOR) if v))
    return [cell.value]


def _labels(cell: Value, label: Value) -> dict[str, str]:
    """An IRI cell's labels by IRI: a list's labels are in the same order as its IRIs."""
    if isinstance(cell, Cell) and isinstance(label, Cell):
        return {cell.value: label.value}
    if isinstance(cell, tuple) and isinstance(label, tuple):
        return {c.value: item.value for c, item in zip(cell, label, strict=False)}
    return {}


def facets(table: Table) -> dict[str, dict[str, Any]]:
    """{column: {"by": "value"|"year", "values": [{"value", "label"?, "count"}], "missing": n}},
    for each categorical column in which some value occurs more than once and which can narrow
    the rows (more than one value, or rows without one)."""
    out: dict[str, dict[str, Any]] = {}
    for column in facet_columns(table.columns):
        counts: Counter[str] = Counter()
        labels: dict[str, str] = {}
        missing = 0
        for row in table.rows:
            found = cell_values(column, row.get(column.name))
            if not found:
                missing += 1
            counts.update(found)
            if column.labelled and found:
                for iri, label in _labels(row.get(column.name), row.get(column.name + "_label")).items():
                    labels.setdefault(iri, label)
        if not counts or max(counts.values()) < 2 or (len(counts) == 1 and not missing):
            continue
        if column.by == BY_YEAR:
            order = sorted(counts)
        else:
            order = sorted(counts, key=lambda v: (-counts[v], natural_key(labels.get(v) or v), v))
        values: list[dict[str, Any]] = []
        for value in order:
            entry: dict[str, Any] = {"value": value}
            if column.labelled:
                entry["label"] = labels.get(value, value)
            entry["count"] = counts[value]
            values.append(entry)
        out[column.name] = {"by": column.by, "values": values, "missing": missing}
    return out
