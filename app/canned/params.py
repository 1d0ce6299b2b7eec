"""Check a parameter's raw text against its declared type and turn it into an RDF literal.

Only checked, re-serialised values ever reach a query: an integer is parsed and printed again, a
date is checked by the calendar, an enum value must be one of the declared ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, NamedNode

from app.canned.errors import ParameterError
from app.canned.spec import Parameter, ParamType
from app.namespaces import XSD

_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# Control characters (newlines, tabs, NUL...) and backslashes never belong in a label or a search.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")


@dataclass(frozen=True)
class Scalar:
    """A checked value: what the answer reports and the literal the query receives."""

    value: str | int
    term: Literal


def clean_text(parameter: Parameter, raw: str) -> str:
    """The text of a string, label or IRI parameter, or a ParameterError saying what is wrong."""
    text = raw.strip()
    if not text:
        raise ParameterError(parameter.name, "is empty")
    if len(text) > parameter.max_length:
        raise ParameterError(parameter.name, f"is longer than {parameter.max_length} characters")
    if _FORBIDDEN.search(text):
        raise ParameterError(parameter.name, "must not contain control characters or backslashes")
    return text


def parse_scalar(parameter: Parameter, raw: str | int) -> Scalar:
    """Parse a value of a string, integer, date, year or enum parameter."""
    text = str(raw)
    kind = parameter.type
    if kind is ParamType.STRING:
        value = clean_text(parameter, text)
        return Scalar(value, Literal(value))
    if kind is ParamType.INTEGER:
        return _integer(parameter, text.strip())
    if kind is ParamType.YEAR:
        if not _YEAR.fullmatch(text.strip()):
            raise ParameterError(parameter.name, f"{text!r} is not a year (YYYY)")
        return Scalar(text.strip(), Literal(text.strip(), datatype=NamedNode(XSD + "gYear")))
    if kind is ParamType.DATE:
        return _date(parameter, text.strip())
    if kind is ParamType.ENUM:
        wanted = text.strip().casefold()
        for allowed in parameter.values:
            if allowed.casefold() == wanted:
                return Scalar(allowed, Literal(allowed))
        raise ParameterError(parameter.name, f"{text!r} is not one of: {', '.join(parameter.values)}")
    raise ParameterError(parameter.name, f"a {kind} value is looked up, not parsed")


def _integer(parameter: Parameter, text: str) -> Scalar:
    if not _INTEGER.fullmatch(text):
        raise ParameterError(parameter.name, f"{text!r} is not an integer")
    number = int(text)
    if parameter.minimum is not None and number < parameter.minimum:
        raise ParameterError(parameter.name, f"must be at least {parameter.minimum}")
    if parameter.maximum is not None and number > parameter.maximum:
        raise ParameterError(parameter.name, f"must be at most {parameter.maximum}")
    return Scalar(number, Literal(str(number), datatype=NamedNode(XSD + "integer")))


def _date(parameter: Parameter, text: str) -> Scalar:
    """A date as precise as the caller knows it: YYYY, YYYY-MM or YYYY-MM-DD."""
    match = _DATE.fullmatch(text)
    problem = ParameterError(parameter.name, f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if not match:
        raise problem
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise problem from None
    datatype = "date" if day else "gYearMonth" if month else "gYear"
    return Scalar(text, Literal(text, datatype=NamedNode(XSD + datatype)))
