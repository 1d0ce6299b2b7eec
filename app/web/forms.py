"""The canned-query catalogue as forms: which widget each parameter gets, and the page's settings.

A parameter with a fixed set of values becomes a dropdown: enums list their values, and label
parameters of a small kind (kinds of arrangement, Aichi targets, standing collaborations) list the
resources of that kind found in the graph, so the choices always match the data. Label parameters
of larger kinds get a text field that completes from the graph's labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.canned.catalogue import Catalogue
from app.canned.spec import CannedQuery, OutputColumn, Parameter, ParamType
from app.web.label_lookup import LabelLookup, Option

# A kind with at most this many resources is offered as a dropdown rather than a completing field.
DROPDOWN_LIMIT = 25
DATE_PATTERN = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"


@dataclass(frozen=True)
class Field:
    """One form control, ready for the template."""

    name: str
    label: str
    widget: str  # select | complete | date | year | integer | text
    required: bool
    description: str
    example: str | None = None
    kind: str | None = None
    options: list[Option] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    default: str | None = None


@dataclass(frozen=True)
class QueryForm:
    """One canned query as a form: its fields and the columns its table will show."""

    name: str
    title: str
    description: str
    fields: list[Field]
    columns: list[dict[str, Any]]
    example: dict[str, str]
    detail_columns: list[dict[str, Any]] | None = None  # with a rollup: the columns of detail=true
    views: list[str] = field(default_factory=lambda: ["table"])


def build_forms(catalogue: Catalogue, labels: LabelLookup) -> list[QueryForm]:
    return [_form(query, labels) for query in catalogue]


def _form(query: CannedQuery, labels: LabelLookup) -> QueryForm:
    example = {k: str(v) for k, v in query.example.items()}
    return QueryForm(
        name=query.name,
        title=query.title,
        description=query.description,
        fields=[_field(p, labels, example.get(p.name)) for p in query.parameters],
        columns=[_column(c) for c in query.output_columns],
        example=example,
        detail_columns=[_column(c) for c in query.detail_columns] if query.rollup else None,
        views=[str(v) for v in query.views],
    )


def _field(parameter: Parameter, labels: LabelLookup, example: str | None) -> Field:
    """The control for one parameter, its example taken from the query's own example if any."""
    common: dict[str, Any] = {
        "name": parameter.name,
        "label": parameter.name.replace("_", " ").capitalize(),
        "required": parameter.required,
        "description": parameter.description,
        "example": example if example is not None else _text(parameter.example),
        "max_length": parameter.max_length,
        "default": _text(parameter.default),
    }
    if parameter.type is ParamType.ENUM:
        return Field(widget="select", options=[Option(v, v) for v in parameter.values], **common)
    if parameter.resolved:
        kind = parameter.kind or "resource"
        if labels.count(kind) <= DROPDOWN_LIMIT:
            # Options carry IRIs, so the example (a label) is given as the IRI it names.
            for key in ("example", "default"):
                if common[key] is not None:
                    common[key] = labels.exact(kind, common[key]) or common[key]
            return Field(widget="select", kind=kind, options=labels.options(kind), **common)
        return Field(widget="complete", kind=kind, **common)
    if parameter.type is ParamType.INTEGER:
        return Field(widget="integer", minimum=parameter.minimum, maximum=parameter.maximum, **common)
    if parameter.type in (ParamType.DATE, ParamType.YEAR):
        return Field(widget=str(parameter.type), **common)
    return Field(widget="text", **common)


def _column(column: OutputColumn) -> dict[str, Any]:
    return {
        "name": column.name,
        "title": column.title or column.name.replace("_", " ").capitalize(),
        "type": str(column.type),
        "label_of": column.label_of,
        "many": column.many,
        "description": column.description,
    }


def _text(value: str | int | None) -> str | None:
    return None if value is None else str(value)
