"""One row per thing asked about: a canned query's rows grouped by one column, the rest aggregated.

The SPARQL of "which partners cover sharks?" gives one row per link (a partner, its role, the
arrangement or activity): 24 rows for 9 organisations. An analyst asked about partners, so the
answer rolls those rows up into one per partner, as the query's `rollup` header says; the rows
as they are stay one `detail=true` away. Done here, after the engine, so every backend gives the
same rolled-up bytes, and the SPARQL anyone copies is the very one that ran.

Groups come in the order of their first row (the SPARQL's ORDER BY), lists in label order, so
the same rows always give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from app.canned.cells import SEPARATOR, in_order, natural_key
from app.canned.spec import LABEL_SUFFIX, Aggregate, CannedQuery, Rollup, RollupColumn
from app.canned.table import Cell, Row, Table

# Weakest first: a row is only as good as its weakest claim.
GRADES = ("inferred", "reference", "stated")


def roll_up(query: CannedQuery, table: Table) -> Table:
    """The table with one row per value of the rollup's `by` column (rows without one are kept
    apart, each its own group, so nothing is lost)."""
    rollup = query.rollup
    assert rollup is not None, "only queries with a rollup are rolled up"
    groups: dict[str, list[Row]] = {}
    for index, row in enumerate(table.rows):
        key = row.get(rollup.by)
        groups.setdefault(key.value if isinstance(key, Cell) else f"\0{index}", []).append(row)
    rows = [_row(rollup, members) for members in groups.values()]
    return replace(table, columns=query.rolled_columns, rows=rows)


def _row(rollup: Rollup, members: list[Row]) -> Row:
    first = members[0]
    row: Row = {rollup.by: first.get(rollup.by)}
    if rollup.by + LABEL_SUFFIX in first:
        row[rollup.by + LABEL_SUFFIX] = first[rollup.by + LABEL_SUFFIX]
    for column in rollup.columns:
        row.update(_aggregate(column, members))
    return row


def _cells(members: Iterable[Row], name: str) -> list[Cell]:
    return [cell for row in members if isinstance(cell := row.get(name), Cell)]


def _aggregate(column: RollupColumn, members: list[Row]) -> Row:
    """The column's cell (and, for a list of IRIs, its label list) for one group."""
    cells = _cells(members, column.of)
    if column.how is Aggregate.FIRST:
        return {column.name: cells[0] if cells else None}
    if column.how is Aggregate.LIST:
        return _listed(column, members)
    if column.how is Aggregate.COUNT:
        count = len({cell.value for cell in cells})
        return {column.name: Cell("literal", str(count), "http://www.w3.org/2001/XMLSchema#integer")}
    if not cells:
        return {column.name: None}
    if column.how is Aggregate.UNION:
        return {column.name: Cell("literal", in_order(SEPARATOR.join(c.value for c in cells) + SEPARATOR))}
    if column.how is Aggregate.WEAKEST:
        weakest = min(cells, key=lambda c: GRADES.index(c.value) if c.value in GRADES else -1)
        return {column.name: Cell("literal", weakest.value)}
    pick = min if column.how is Aggregate.MIN else max
    return {column.name: pick(cells, key=lambda c: (natural_key(c.value), c.value))}


def _listed(column: RollupColumn, members: list[Row]) -> Row:
    """Every distinct value once, in the order of its label (or text): numbers by value."""
    label_of = column.of + LABEL_SUFFIX
    seen: dict[str, tuple[Cell, Cell | None]] = {}
    for row in members:
        cell = row.get(column.of)
        if isinstance(cell, Cell) and cell.value not in seen:
            label = row.get(label_of)
            seen[cell.value] = (cell, label if isinstance(label, Cell) else None)
    ordered = sorted(seen.values(), key=lambda pair: (natural_key((pair[1] or pair[0]).value), pair[0].value))
    out: Row = {column.name: tuple(cell for cell, _ in ordered)}
    if any(label_of in row for row in members[:1]):
        out[column.name + LABEL_SUFFIX] = tuple(
            label if label is not None else Cell("literal", cell.value) for cell, label in ordered
        )
    return out
