"""The audit as a curator reads it (text, part by part) or as a program reads it (JSON), with the
figures the curation report quotes: facts per part, claims per grade, findings per kind and verdict."""

from __future__ import annotations

import json
from collections import Counter

from app.curation.audit import Audit, Finding
from app.curation.baseline import Comparison

ID = "https://w3id.org/cms-kg/id/"
HEADINGS = {
    "possible-miss": "possible misses (names in the text that no fact citing it links to)",
    "not-named": "cited here but not named here",
    "claim-not-named": "stated claims whose value the cited parts do not name",
    "date-not-in-text": "stated dates the cited parts do not give",
    "copied-wording": "copied wording (12+ words in a row)",
}


def short(iri: str) -> str:
    return (
        iri.removeprefix(ID)
        .removeprefix("https://w3id.org/cms-kg/ontology#")
        .removeprefix("http://purl.org/dc/terms/")
    )


def _line(finding: Finding) -> str:
    if finding.kind == "possible-miss":
        return f'"{finding.subject}" ({finding.detail})'
    if finding.kind == "not-named":
        return short(finding.subject)
    if finding.kind == "copied-wording":
        return f'{short(finding.subject)} {short(finding.predicate)}: "{finding.value}"'
    return f"{short(finding.subject)} {short(finding.predicate)} {short(finding.value)}"


def summary(audit: Audit, comparison: Comparison) -> dict:
    grades = Counter(c.grade_name for c in audit.claims)
    verdicts = Counter(entry.verdict for _, entry in comparison.reviewed)
    return {
        "parts": len(audit.parts),
        "facts_citing_parts": sum(len(p.facts) for p in audit.parts),
        "facts_per_part": {p.part.number: len(p.facts) for p in audit.parts},
        "claims": len(audit.claims),
        "claims_by_grade": dict(sorted(grades.items())),
        "findings": len(audit.findings),
        "findings_by_kind": dict(sorted(Counter(f.kind for f in audit.findings).items())),
        "reviewed_by_verdict": dict(sorted(verdicts.items())),
        "new": len(comparison.new),
        "stale": len(comparison.stale),
    }


def as_text(audit: Audit, comparison: Comparison, findings_only: bool = False) -> str:
    reviewed = {finding.key: entry for finding, entry in comparison.reviewed}
    new = {finding.key for finding in comparison.new}
    out: list[str] = []
    for part in audit.parts:
        if findings_only and not any(f.key in new for f in part.findings):
            continue
        number = part.part.number
        title = f"paragraph {number}" if number[:1].isdigit() else number
        out.append(
            f"== {title}: {len(part.facts)} facts cite it,"
            f" {len(part.mentions)} more resources are mentioned in it"
        )
        if part.facts and not findings_only:
            out.append("  facts: " + ", ".join(short(f) for f in part.facts))
        for kind, heading in HEADINGS.items():
            items = [f for f in part.findings if f.kind == kind and (f.key in new or not findings_only)]
            if not items:
                continue
            out.append(f"  {heading}:")
            for finding in items:
                entry = reviewed.get(finding.key)
                mark = f"[{entry.verdict}: {entry.reason}]" if entry else "[NEW]"
                out.append(f"    - {_line(finding)} {mark}")
    general = [f for f in audit.general if f.key in new or not findings_only]
    if general:
        out.append("== the grading")
        for finding in general:
            entry = reviewed.get(finding.key)
            mark = f"[{entry.verdict}: {entry.reason}]" if entry else "[NEW]"
            out.append(f"    - {finding.kind}: {_line(finding)} {mark}")
    for entry in comparison.stale:
        out.append(
            "stale baseline entry (nothing matches it any more; remove it):"
            f" {entry.kind} {entry.part} {entry.subject}"
        )
    figures = summary(audit, comparison)
    out.append(
        f"{figures['parts']} parts; {figures['claims']} claims "
        + ", ".join(f"{n} {g}" for g, n in figures["claims_by_grade"].items())
        + f"; {figures['findings']} findings, {len(comparison.reviewed)} reviewed, {figures['new']} new,"
        f" {figures['stale']} stale baseline entries"
    )
    return "\n".join(out)


def as_json(audit: Audit, comparison: Comparison) -> str:
    reviewed = {finding.key: entry for finding, entry in comparison.reviewed}

    def item(finding: Finding) -> dict[str, object]:
        entry = reviewed.get(finding.key)
        return {
            "kind": finding.kind,
            "part": finding.part,
            "subject": finding.subject,
            "predicate": finding.predicate,
            "value": finding.value,
            "detail": finding.detail,
            "review": {"verdict": entry.verdict, "reason": entry.reason} if entry else None,
        }

    body = {
        "summary": summary(audit, comparison),
        "parts": [
            {
                "number": p.part.number,
                "iri": p.iri,
                "facts": p.facts,
                "mentions": p.mentions,
                "findings": [item(f) for f in p.findings],
            }
            for p in audit.parts
        ],
        "grading": [item(f) for f in audit.general],
        "stale": [entry.model_dump() for entry in comparison.stale],
    }
    return json.dumps(body, indent=2, sort_keys=True)
