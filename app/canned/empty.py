"""Why an answer is empty, and what to ask instead.

"No answers" leaves an analyst guessing. A canned query follows a subject's hierarchy downwards
("sharks" finds what concerns the whale shark), so nothing is said of the Whale Shark alone:
the hint names its group and offers it. Likewise a filter that left nothing (only what the report
states, one funder, one date range) is offered without it. Each try is a set of parameters the
page can run as it is; none runs here, so an empty answer costs no extra query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.canned.label_index import LabelIndex
from app.canned.spec import DETAIL, CannedQuery, ParamType

STATED_ONLY = "stated_only"
HIERARCHICAL_KINDS = ("subject", "species", "topic")
MAX_TRIES = 4


@dataclass(frozen=True)
class Try:
    """Another question to ask: its words, and the parameters that ask it (as a request gives them)."""

    label: str
    parameters: dict[str, str]


@dataclass(frozen=True)
class Hint:
    message: str
    tries: list[Try] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "tries": [{"label": t.label, "parameters": t.parameters} for t in self.tries],
        }


def why_empty(query: CannedQuery, reported: dict[str, Any], index: LabelIndex) -> Hint:
    """The hint for an empty answer to `query` asked with `reported` (the runner's parameters)."""
    defaults = {p.name: str(p.default) for p in query.parameters if p.default is not None}
    given = {name: _given(v) for name, v in reported.items() if _given(v) != defaults.get(name)}
    reasons: list[str] = []
    tries: list[Try] = []
    for parameter in query.parameters:
        value = reported.get(parameter.name)
        if not isinstance(value, dict) or parameter.kind not in HIERARCHICAL_KINDS:
            continue
        for group in index.broader(value["iri"])[:2]:
            name = group.label or group.iri
            asked = (
                value["value"]
                if value["label"] in (None, value["value"])
                else f"{value['value']} ({value['label']})"
            )
            reasons.append(f"nothing here concerns {asked} itself; its group, {name}, may be asked about")
            tries.append(Try(f"Ask about {name}", {**given, parameter.name: name}))
    if reported.get(STATED_ONLY) == "true":
        reasons.append(
            "only what a paragraph states was asked for, not the curators' inferences or reference data"
        )
        tries.append(Try("Include inferred and reference claims", _without(given, STATED_ONLY)))
    for parameter in query.parameters:
        value = reported.get(parameter.name)
        if parameter.required or parameter.name in (STATED_ONLY, DETAIL) or value is None:
            continue
        if parameter.type is ParamType.ENUM and value == parameter.default:
            continue
        shown = value["label"] or value["value"] if isinstance(value, dict) else value
        tries.append(
            Try(f"Without {parameter.name.replace('_', ' ')} = {shown}", _without(given, parameter.name))
        )
    message = (
        "No answers: " + "; ".join(reasons) + "." if reasons else "No answers: nothing in the graph matches."
    )
    return Hint(message, tries[:MAX_TRIES])


def _given(value: Any) -> str:
    """A parameter as a request gives it again: a resolved one as it was written (it resolved)."""
    return str(value["value"]) if isinstance(value, dict) else str(value)


def _without(given: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in given.items() if k != name}
