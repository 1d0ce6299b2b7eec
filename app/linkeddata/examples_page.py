"""The SPARQL examples arranged for their page (no HTML here): one entry per executable."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Triple

from app.graph.oxigraph import text
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
            entry = entries.setdefault(text(t.subject), ExampleEntry(text(t.subject)))
            entry.form, entry.sparql = TEXTS[p], text(t.object)
    for t in triples:
        found = entries.get(text(t.subject))
        if found is None:
            continue
        p, value = t.predicate.value, text(t.object)
        if p == RDFS + "comment":
            found.comment = value
        elif p == DCT + "description":
            found.description = value
        elif p == SCHEMA + "keywords":
            found.keywords.append(value)
        elif p == RDFS + "seeAlso":
            found.see_also = value
    for entry in entries.values():
        entry.keywords.sort()
    return sorted(entries.values(), key=lambda e: (e.anchor.startswith("editor-"), e.anchor))
