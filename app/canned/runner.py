"""Run a canned query: check and resolve its parameters, bind them, execute, reshape the rows.

Execution goes through the `Queries` door (app.engine.base), so the server runs canned queries in
its worker pool (with deadlines) and the command line on its own store, through the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from app.canned.catalogue import Catalogue
from app.canned.cells import in_order
from app.canned.errors import ParameterError
from app.canned.kinds import KINDS
from app.canned.label_index import LabelIndex
from app.canned.params import clean_text, parse_scalar
from app.canned.spec import CannedQuery, OutputColumn
from app.engine.base import Queries
from app.engine.rows import Rows
from app.engine.terms import PlainTerm
from app.namespaces import XSD
from app.sparql_text.values import BoundValue, bind

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


@dataclass(frozen=True)
class Bound:
    """A query ready to run: its text and the parameters as the answer reports them."""

    query: CannedQuery
    sparql: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A canned query's answer in our own shape, ready for any output format."""

    name: str
    parameters: dict[str, Any]
    columns: list[OutputColumn]
    rows: list[dict[str, Cell | None]]
    capped: bool = False
    citation: dict[str, str] | None = None  # how to cite it (app.canned.citation), set by the API


class Runner:
    """The catalogue plus the label index: everything needed to turn a request into a table."""

    def __init__(self, catalogue: Catalogue, index: LabelIndex) -> None:
        self.catalogue, self.index = catalogue, index

    def prepare(self, name: str, raw: Mapping[str, Sequence[str | int]]) -> Bound:
        """Check every parameter (unknown, repeated, missing, ill-typed) and bind the values."""
        query = self.catalogue.get(name)
        for key, values in raw.items():
            if query.parameter(key) is None:
                known = ", ".join(p.name for p in query.parameters) or "none"
                raise ParameterError(key, f"{name} has no such parameter (its parameters: {known})")
            if len(values) > 1:
                raise ParameterError(key, "is given more than once: give it once")
        reported: dict[str, Any] = {}
        choices: list[list[BoundValue]] = []
        for parameter in query.parameters:
            given = raw.get(parameter.name)
            value = given[0] if given else parameter.default
            if value is None or (isinstance(value, str) and not value.strip()):
                if parameter.required:
                    raise ParameterError(parameter.name, "is required")
                choices.append([])
                continue
            if parameter.resolved:
                text = clean_text(parameter, str(value))
                matches = self.index.resolve(parameter.name, KINDS[parameter.kind or "resource"], text)
                choices.append([NamedNode(m.iri) for m in matches])
                reported[parameter.name] = {
                    "value": text,
                    "iri": matches[0].iri,
                    "label": matches[0].label,
                    "matches": [{"iri": m.iri, "label": m.label} for m in matches],
                }
            else:
                scalar = parse_scalar(parameter, value)
                choices.append([scalar.term])
                reported[parameter.name] = scalar.value
        sparql = bind(query.sparql, [p.variable for p in query.parameters], choices)
        return Bound(query, sparql, reported)

    def run(self, name: str, raw: Mapping[str, Sequence[str | int]], queries: Queries) -> Table:
        bound = self.prepare(name, raw)
        return self.reshape(bound, queries.select(bound.sparql))

    def reshape(self, bound: Bound, results: Rows) -> Table:
        """Rows -> rows of the declared columns, each IRI column with its label."""
        columns = bound.query.output_columns
        rows: list[dict[str, Cell | None]] = []
        for binding in results:
            row: dict[str, Cell | None] = {}
            for column in columns:
                if column.label_of is None:
                    row[column.name] = _cell(binding.get(column.name))
                else:
                    source = row[column.label_of]
                    label = self.index.label(source.value) if source and source.kind == "iri" else None
                    row[column.name] = Cell("literal", label) if label is not None else None
            rows.append(row)
        return Table(bound.query.name, bound.parameters, columns, rows, results.capped)


def _cell(term: PlainTerm | None) -> Cell | None:
    """A cell from a solution's term. An empty plain string counts as no value: engines disagree
    whether an aggregate over nothing (GROUP_CONCAT, MIN) is unbound or ""."""
    if term is None or (term.kind == "literal" and term.value == "" and not term.datatype):
        return None
    kind = term.kind if term.kind in ("iri", "literal") else "bnode"
    value = in_order(term.value) if kind == "literal" else term.value
    return Cell(kind, value, term.datatype, term.language)
