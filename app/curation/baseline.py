"""The findings the curators have reviewed, each with a verdict and a reason, kept in a TOML file.

The audit compares what it finds with this file: a finding recorded here is reviewed; one that is
not is new (and `cmskg audit` fails); an entry that no longer matches anything is stale (the graph
changed: take it out). Verdicts say what the review concluded:

- `supported`: the part does state the claim or name the resource, in other words;
- `noise`: the words found are not a reference to that resource;
- `not modelled`: the part names it, and the graph deliberately leaves it out (a recall note);
- `uncertain`: kept, but a reader could disagree; counted against precision in the curation report.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from app.curation.audit import KINDS, Finding

VERDICTS = ("supported", "noise", "not modelled", "uncertain")


class Reviewed(BaseModel):
    kind: str
    part: str = ""
    subject: str
    predicate: str = ""
    value: str = ""
    verdict: str
    reason: str = Field(min_length=10)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
        return kind

    @field_validator("verdict")
    @classmethod
    def _known_verdict(cls, verdict: str) -> str:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of: {', '.join(VERDICTS)}")
        return verdict

    @field_validator("reason")
    @classmethod
    def _reviewed(cls, reason: str) -> str:
        if reason.startswith("TODO"):
            raise ValueError("the reason is still a TODO: review the finding")
        return reason

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        value = "" if self.kind == "copied-wording" else self.value
        return (self.kind, self.part, self.subject, self.predicate, value)


class BaselineError(ValueError):
    """The baseline file cannot be read or an entry is malformed."""


def load(path: Path) -> list[Reviewed]:
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BaselineError(f"{path}: {error}") from None
    entries = []
    for index, item in enumerate(data.get("reviewed", []), start=1):
        try:
            entries.append(Reviewed(**item))
        except ValueError as error:
            raise BaselineError(f"{path}: entry {index}: {error}") from None
    keys = [e.key for e in entries]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise BaselineError(f"{path}: entries reviewed twice: {repeated}")
    return entries


@dataclass(frozen=True)
class Comparison:
    new: list[Finding]
    reviewed: list[tuple[Finding, Reviewed]]
    stale: list[Reviewed]


def compare(findings: list[Finding], baseline: list[Reviewed]) -> Comparison:
    by_key = {entry.key: entry for entry in baseline}
    seen: set[tuple[str, str, str, str, str]] = set()
    new, reviewed = [], []
    for finding in findings:
        entry = by_key.get(finding.key)
        if entry is None:
            new.append(finding)
        else:
            reviewed.append((finding, entry))
            seen.add(finding.key)
    stale = [entry for entry in baseline if entry.key not in seen]
    return Comparison(new, reviewed, stale)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stub(findings: list[Finding]) -> str:
    """TOML entries for findings, for a curator to review: each needs a verdict and a reason."""
    out = []
    for f in findings:
        lines = [
            "[[reviewed]]",
            f"kind = {_quote(f.kind)}",
            f"part = {_quote(f.part)}",
            f"subject = {_quote(f.subject)}",
        ]
        if f.predicate:
            lines.append(f"predicate = {_quote(f.predicate)}")
        if f.value and f.kind != "copied-wording":
            lines.append(f"value = {_quote(f.value)}")
        lines += ['verdict = "TODO"', 'reason = "TODO: say why"', ""]
        out.append("\n".join(lines))
    return "\n".join(out)
