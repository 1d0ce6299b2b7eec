"""The SPARQL examples arranged for their page (no HTML here): one entry per executable."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Triple

from app.namespaces import DCT, RDFS, SH

SCHEMA = "https://schema.org/"
TEXTS = {
    SH + "select": "SELECT",
    SH + "construct": "CONSTRUCT",
    SH + "ask": "ASK",
    SH + "describe": "DESCRIBE",
}


@dataclass
class ExampleEntry:
    iri: str
    comment: str = ""
    description: str = ""
    form: str = ""
    sparql: str = ""
    keywords: list[str] = field(default_factory=list)
    see_also: str | None = None

    @property
    def anchor(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def examples_view(triples: list[Triple]) -> list[ExampleEntry]:
    """Every subject with a query text, in a stable order (canned queries, then the editor's)."""
    entries: dict[str, ExampleEntry] = {}
    for t in triples:
        p = t.predicate.value
        if p in TEXTS:
            entry = entries.setdefault(t.subject.value, ExampleEntry(t.subject.value))
            entry.form, entry.sparql = TEXTS[p], t.object.value
    for t in triples:
        entry = entries.get(t.subject.value)
        if entry is None:
            continue
        p = t.predicate.value
        if p == RDFS + "comment":
            entry.comment = t.object.value
        elif p == DCT + "description":
            entry.description = t.object.value
        elif p == SCHEMA + "keywords":
            entry.keywords.append(t.object.value)
        elif p == RDFS + "seeAlso":
            entry.see_also = t.object.value
    for entry in entries.values():
        entry.keywords.sort()
    return sorted(entries.values(), key=lambda e: (e.anchor.startswith("editor-"), e.anchor))
