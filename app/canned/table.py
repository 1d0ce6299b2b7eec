"""A canned query's answer in our own shape, between the engine's rows and every output format.

A cell is one RDF term (enough of it to write any format); a rolled-up answer's list columns hold
a tuple of cells (a JSON array; "; "-joined in CSV, TSV and SPARQL JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.canned.spec import OutputColumn
from app.namespaces import XSD

INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
DECIMALS = {XSD + t for t in ("decimal", "double", "float")}


@dataclass(frozen=True)
class Cell:
    """One value of the answer, with enough of its RDF term to write any format."""

    kind: str  # iri | literal | bnode
    value: str
    datatype: str | None = None
    language: str | None = None

    def plain(self) -> str | int | float | bool:
        """The value as JSON wants it: numbers and booleans typed, everything else a string."""
        if self.kind == "literal" and self.datatype:
            try:
                if self.datatype in INTEGERS:
                    return int(self.value)
                if self.datatype in DECIMALS:
                    return float(self.value)
            except ValueError:
                return self.value
            if self.datatype == XSD + "boolean":
                return self.value in ("true", "1")
        return self.value


Value = Cell | tuple[Cell, ...] | None
Row = dict[str, Value]


@dataclass(frozen=True)
class Table:
    """A canned query's answer in our own shape, ready for any output format."""

    name: str
    parameters: dict[str, Any]
    columns: list[OutputColumn]
    rows: list[Row]
    capped: bool = False
    citation: dict[str, Any] | None = None  # how to cite it (app.canned.citation), set by the API
    hint: dict[str, Any] | None = None  # why an empty answer is empty (app.canned.empty)
