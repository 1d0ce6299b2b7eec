"""The typed metadata header of a canned query, as pydantic models (what the catalogue serves)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.canned.kinds import KINDS

NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Query parameters the API itself reads on every canned query (the answer's format, and the data
# version a permalink names): no canned query may name a parameter so.
RESERVED_PARAMETERS = ("format", "data_version")
# The parameter of a query with a rollup that asks for its rows one per link (the SPARQL's own
# rows) instead of one per thing asked about; read by the runner, never bound into the SPARQL.
DETAIL = "detail"
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
LABEL_SUFFIX = "_label"


class ParamType(StrEnum):
    IRI = "iri"
    LABEL = "label"
    STRING = "string"
    INTEGER = "integer"
    DATE = "date"
    YEAR = "year"
    ENUM = "enum"


class ColumnType(StrEnum):
    """What a result column holds. `iri` and `term` (IRI or literal) columns get a label column."""

    IRI = "iri"
    TERM = "term"
    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"

    @property
    def labelled(self) -> bool:
        return self in (ColumnType.IRI, ColumnType.TERM)


class View(StrEnum):
    """A way the page can show an answer. `table` is always offered; the others draw a picture
    and need a column to draw from (checked when the catalogue loads)."""

    TABLE = "table"
    TIMELINE = "timeline"  # items along time: needs a date column
    MAP = "map"  # countries and places: needs an iri column (the page maps the places it knows)
    BAR = "bar"  # counts per value of a categorical column (app.canned.facets)


class Parameter(BaseModel):
    """One parameter. Its value is bound to the SPARQL variable `?_name` (grlc's convention)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER)
    type: ParamType
    description: str = Field(min_length=1)
    required: bool = False
    default: str | int | None = None
    example: str | int | None = None
    kind: str | None = Field(None, description="For iri and label parameters: what the value names.")
    values: tuple[str, ...] = Field((), description="For enum parameters: the allowed values.")
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = Field(200, gt=0, le=2000)

    @property
    def variable(self) -> str:
        return "_" + self.name

    @property
    def resolved(self) -> bool:
        """True when the value is looked up in the graph (a label or an IRI)."""
        return self.type in (ParamType.IRI, ParamType.LABEL)

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.name in RESERVED_PARAMETERS:
            raise ValueError(f"{self.name!r} is read by the API itself on every query: name it otherwise")
        if self.resolved:
            if self.kind not in KINDS:
                raise ValueError(f"{self.type} parameter needs a kind, one of: {', '.join(KINDS)}")
        elif self.kind is not None:
            raise ValueError("only iri and label parameters have a kind")
        if (self.type is ParamType.ENUM) != bool(self.values):
            raise ValueError("enum parameters, and only they, list their values")
        if self.required and self.default is not None:
            raise ValueError("a required parameter cannot have a default")
        return self


def default_title(name: str) -> str:
    """A column's header for people when the query gives none: "short_name" -> "Short name"."""
    return name.replace("_", " ").capitalize()


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER)
    type: ColumnType
    description: str = Field(min_length=1)
    title: str | None = Field(None, min_length=1, description="The header people read (page, CSV).")

    @property
    def header(self) -> str:
        return self.title or default_title(self.name)

    @model_validator(mode="after")
    def _not_a_label_name(self) -> Column:
        if self.name.endswith(LABEL_SUFFIX):
            raise ValueError(f"column names ending in {LABEL_SUFFIX!r} are kept for label columns")
        return self


class Aggregate(StrEnum):
    """How a rollup column is made from the rows of one group."""

    FIRST = "first"  # the value of the group's first row (one that is the same in every row)
    LIST = "list"  # every distinct value, as a list (IRIs with their labels)
    UNION = "union"  # the values of "; "-joined text cells, merged into one such cell
    COUNT = "count"  # how many distinct values
    MIN = "min"
    MAX = "max"
    WEAKEST = "weakest"  # the weakest grade: inferred < reference < stated


# The type of an aggregate's column, where it is not the type of the column it is made from.
AGGREGATE_TYPES = {Aggregate.COUNT: ColumnType.INTEGER, Aggregate.WEAKEST: ColumnType.TEXT}


class RollupColumn(BaseModel):
    """One column of the rolled-up answer, made from one column of the SPARQL's rows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER)
    of: str = Field(pattern=IDENTIFIER, description="The column of the SPARQL's rows it is made from.")
    how: Aggregate
    description: str = Field(min_length=1)
    title: str | None = Field(None, min_length=1)

    @property
    def header(self) -> str:
        return self.title or default_title(self.name)


class Rollup(BaseModel):
    """One row per value of `by` (the thing asked about) instead of one per link: the SPARQL's
    rows grouped, each group's other columns aggregated. `detail=true` gives the rows as they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: str = Field(pattern=IDENTIFIER, description="The column whose value makes one row.")
    row: str = Field(min_length=1, description="What one row is, for people: 'one row per partner'.")
    columns: tuple[RollupColumn, ...] = Field(min_length=1)


class OutputColumn(BaseModel):
    """A column of the answer: a declared column or the label column of an IRI column."""

    name: str
    type: ColumnType
    description: str
    title: str = ""
    label_of: str | None = None
    many: bool = Field(False, description="A list of values (JSON array; '; '-joined in CSV).")


class CannedQuery(BaseModel):
    """A catalogue entry: header metadata, the SPARQL text, and the file it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[Column, ...] = Field(min_length=1)
    example: dict[str, str | int] = Field(default_factory=dict)
    rollup: Rollup | None = None
    views: tuple[View, ...] = Field(
        (View.TABLE,), description="The views that fit the answer, the default first; table among them."
    )
    sparql: str
    file: str

    @model_validator(mode="after")
    def _unique_names(self) -> CannedQuery:
        for what, names in (
            ("parameter", [p.name for p in self.parameters]),
            ("column", [c.name for c in self.columns]),
        ):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise ValueError(f"{what} names repeated: {', '.join(duplicates)}")
        for key in self.example:
            if self.parameter(key) is None:
                raise ValueError(f"the example names an unknown parameter {key!r}")
        for parameter in self.parameters:
            if parameter.required and parameter.name not in self.example:
                raise ValueError(f"the example must give the required parameter {parameter.name!r}")
        self._check_rollup()
        self._check_views()
        return self

    def _check_rollup(self) -> None:
        detail = self.parameter(DETAIL)
        if (self.rollup is None) != (detail is None):
            raise ValueError(f"a query has a rollup if and only if it has the parameter {DETAIL!r}")
        if self.rollup is None or detail is None:
            return
        if detail.values != ("false", "true") or detail.default != "false":
            raise ValueError(f"{DETAIL!r} is an enum of false, true with the default false")
        declared = {c.name for c in self.columns}
        for name in (self.rollup.by, *(c.of for c in self.rollup.columns)):
            if name not in declared:
                raise ValueError(f"the rollup names {name!r}, which is not a column")
        names = [self.rollup.by, *(c.name for c in self.rollup.columns)]
        if len(set(names)) != len(names):
            raise ValueError("the rollup's column names repeat")

    @property
    def bound_parameters(self) -> tuple[Parameter, ...]:
        """The parameters whose values are bound into the SPARQL (all but `detail`)."""
        return tuple(p for p in self.parameters if p.name != DETAIL)

    def _check_views(self) -> None:
        """Views are named once each, the table is one of them, and each picture has a column
        to draw from: a date for a timeline, an IRI for a map, a text or IRI for bars."""
        views = list(self.views)
        if not views:
            raise ValueError("views: name at least the table")
        repeated = sorted({v.value for v in views if views.count(v) > 1})
        if repeated:
            raise ValueError(f"views named more than once: {', '.join(repeated)}")
        if View.TABLE not in views:
            raise ValueError("views: the table is always offered, name it")
        types = {c.type for c in self.output_columns}  # what the page draws: the rolled-up answer
        iri = {ColumnType.IRI, ColumnType.TERM}
        needs = {
            View.TIMELINE: ({ColumnType.DATE}, "a date column"),
            View.MAP: (iri, "an iri column holding places"),
            View.BAR: (iri | {ColumnType.TEXT, ColumnType.DATE}, "a column to count by"),
        }
        for view in views:
            if view in needs and not types & needs[view][0]:
                raise ValueError(f"the {view} view needs {needs[view][1]}")

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def output_columns(self) -> list[OutputColumn]:
        """The columns of the default answer: the rollup's when there is one, else the SPARQL's."""
        return self.rolled_columns if self.rollup is not None else self.detail_columns

    @property
    def detail_columns(self) -> list[OutputColumn]:
        """The columns of the SPARQL's own rows (with `detail=true` when there is a rollup)."""
        out: list[OutputColumn] = []
        for column in self.columns:
            out += _with_label(
                OutputColumn(
                    name=column.name, type=column.type, description=column.description, title=column.header
                )
            )
        return out

    @property
    def rolled_columns(self) -> list[OutputColumn]:
        """The rollup's columns: its key (as the SPARQL has it), then each aggregate."""
        if self.rollup is None:
            return []
        by = {c.name: c for c in self.detail_columns}
        out = [by[self.rollup.by]] + (
            [by[self.rollup.by + LABEL_SUFFIX]] if self.rollup.by + LABEL_SUFFIX in by else []
        )
        for column in self.rollup.columns:
            source = by[column.of]
            kind = {Aggregate.COUNT: ColumnType.INTEGER, Aggregate.WEAKEST: ColumnType.TEXT}.get(
                column.how, source.type
            )
            out += _with_label(
                OutputColumn(
                    name=column.name,
                    type=kind,
                    description=column.description,
                    title=column.header,
                    many=column.how is Aggregate.LIST,
                )
            )
        return out


def _with_label(column: OutputColumn) -> list[OutputColumn]:
    """The column, and after it the label column of an IRI (or term) column."""
    if not column.type.labelled:
        return [column]
    label = OutputColumn(
        name=column.name + LABEL_SUFFIX,
        type=ColumnType.TEXT,
        description=f"The preferred label of {column.name}."
        if not column.many
        else f"The labels of {column.name}, in its order.",
        title=column.title,
        label_of=column.name,
        many=column.many,
    )
    return [column, label]
