"""Why an answer is empty, and what to ask instead.

"No answers" leaves an analyst guessing. A canned query follows a subject's hierarchy downwards
("sharks" finds what concerns the whale shark), so nothing is said of the Whale Shark alone:
the hint names its group and offers it. Likewise a filter that left nothing (only what the report
states, one funder, one date range) is offered without it. Each try is a set of parameters the
page can run as it is; none runs here.

One try is checked before it is offered: the CMS Family's own secretariats are left out of
partner answers unless asked for (`include_cms_family`), and for a topic only they work on
("underwater noise": CMS, ASCOBANS and ACCOBAMS) nothing is left. The runner asks that question
once more with them included (app.canned.runner) and passes the row count here; the hint offers
them only when they would answer, since a button that finds nothing again is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.canned.label_index import LabelIndex
from app.canned.spec import DETAIL, CannedQuery, ParamType

STATED_ONLY = "stated_only"
FAMILY = "include_cms_family"  # the switch that lists the CMS Family's own secretariats too
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


def why_empty(query: CannedQuery, reported: dict[str, Any], index: LabelIndex, family_rows: int = 0) -> Hint:
    """The hint for an empty answer to `query` asked with `reported` (the runner's parameters).
    `family_rows`: how many rows the same question has with the CMS Family's secretariats included
    (0 when it has none, or was not asked); when some, that is offered first (it is known to answer)."""
    defaults = {p.name: str(p.default) for p in query.parameters if p.default is not None}
    given = {name: _given(v) for name, v in reported.items() if _given(v) != defaults.get(name)}
    reasons: list[str] = []
    tries: list[Try] = []
    if family_rows > 0 and wants_family(query, reported):
        rows = f"{family_rows} row{'s' if family_rows != 1 else ''}"
        reasons.append(
            "the secretariats of the CMS Family (CMS, its Agreements and MOUs) are left out unless "
            f"asked for, and with them the answer has {rows}"
        )
        tries.append(Try("Include the CMS Family's secretariats", {**given, FAMILY: "true"}))
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
        # (the family switch only ever adds rows: asking without it finds no more)
        if parameter.required or parameter.name in (STATED_ONLY, DETAIL, FAMILY) or value is None:
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


def wants_family(query: CannedQuery, reported: dict[str, Any]) -> bool:
    """True when `query` can list the CMS Family's secretariats and was asked without them: only
    then may including them be worth offering."""
    return query.parameter(FAMILY) is not None and reported.get(FAMILY) == "false"


def _given(value: Any) -> str:
    """A parameter as a request gives it again: a resolved one as it was written (it resolved)."""
    return str(value["value"]) if isinstance(value, dict) else str(value)


def _without(given: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in given.items() if k != name}
