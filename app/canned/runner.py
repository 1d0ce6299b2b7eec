"""Run a canned query: check and resolve its parameters, bind them, execute, reshape the rows.

Execution goes through the `Queries` door (app.engine.base), so the server runs canned queries in
its worker pool (with deadlines) and the command line on its own store, through the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pyoxigraph import NamedNode

from app.canned.catalogue import Catalogue
from app.canned.cells import in_order
from app.canned.empty import FAMILY, wants_family, why_empty
from app.canned.errors import ParameterError
from app.canned.kinds import KINDS
from app.canned.label_index import LabelIndex
from app.canned.params import clean_text, parse_scalar
from app.canned.rollup import roll_up
from app.canned.spec import DETAIL, CannedQuery
from app.canned.table import Cell, Row, Table
from app.engine.base import Queries
from app.engine.errors import QueryAborted, QueryTimeout, ServerBusy
from app.engine.rows import Rows
from app.engine.terms import PlainTerm
from app.sparql_text.values import BoundValue, bind


@dataclass(frozen=True)
class Bound:
    """A query ready to run: its text, the parameters as the answer reports them, and whether the
    rows are wanted as the SPARQL gives them (`detail`) or rolled up (when the query has a rollup)."""

    query: CannedQuery
    sparql: str
    parameters: dict[str, Any]
    detail: bool = True


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
        for parameter in query.bound_parameters:
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
        sparql = bind(query.sparql, [p.variable for p in query.bound_parameters], choices)
        detail = True
        if query.rollup is not None:
            switch = query.parameter(DETAIL)
            assert switch is not None  # the spec pairs a rollup with its switch
            given = raw.get(DETAIL)
            reported[DETAIL] = parse_scalar(switch, given[0] if given else "false").value
            detail = reported[DETAIL] == "true"
        return Bound(query, sparql, reported, detail)

    def run(self, name: str, raw: Mapping[str, Sequence[str | int]], queries: Queries) -> Table:
        bound = self.prepare(name, raw)
        results = queries.select(bound.sparql)
        family_rows = self._rows_with_family(bound, raw, queries) if not len(results) else 0
        return self.reshape(bound, results, family_rows)

    def _rows_with_family(
        self, bound: Bound, raw: Mapping[str, Sequence[str | int]], queries: Queries
    ) -> int:
        """How many rows an empty answer would have with the CMS Family's secretariats included
        (0 when the query cannot include them or already did). One more query, only for an empty
        answer: so the hint offers them only when they answer. A try that cannot be checked in
        time is not offered; the empty answer itself stands."""
        if not wants_family(bound.query, bound.parameters):
            return 0
        widened = self.prepare(bound.query.name, {**raw, FAMILY: ["true"]})
        try:
            results = queries.select(widened.sparql)
        except (QueryTimeout, ServerBusy, QueryAborted):
            return 0
        return len(self.reshape(widened, results).rows) if len(results) else 0

    def reshape(self, bound: Bound, results: Rows, family_rows: int = 0) -> Table:
        """Rows -> rows of the declared columns, each IRI column with its label; rolled up into one
        row per thing asked about unless the detail was asked for. `family_rows`: for an empty
        answer, its row count with the CMS Family included (see `run`), for the hint."""
        columns = bound.query.detail_columns
        rows: list[Row] = []
        for binding in results:
            row: Row = {}
            for column in columns:
                if column.label_of is None:
                    row[column.name] = _cell(binding.get(column.name))
                else:
                    source = row[column.label_of]
                    label = (
                        self.index.label(source.value)
                        if isinstance(source, Cell) and source.kind == "iri"
                        else None
                    )
                    row[column.name] = Cell("literal", label) if label is not None else None
            rows.append(row)
        table = Table(bound.query.name, bound.parameters, columns, rows, results.capped)
        if not rows:
            hint = why_empty(bound.query, bound.parameters, self.index, family_rows)
            table = replace(table, hint=hint.as_json())
        return table if bound.detail else roll_up(bound.query, table)


def _cell(term: PlainTerm | None) -> Cell | None:
    """A cell from a solution's term. An empty plain string counts as no value: engines disagree
    whether an aggregate over nothing (GROUP_CONCAT, MIN) is unbound or ""."""
    if term is None or (term.kind == "literal" and term.value == "" and not term.datatype):
        return None
    kind = term.kind if term.kind in ("iri", "literal") else "bnode"
    value = in_order(term.value) if kind == "literal" else term.value
    return Cell(kind, value, term.datatype, term.language)
