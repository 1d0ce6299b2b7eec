"""Labels for the page's widgets: every resource of a kind (for dropdowns) and label completion.

The canned-query label index (app.canned.label_index) resolves one text to IRIs; the page needs the
other direction too: "which resources of this kind are there?" and "which labels start with what
I have typed?". Both are answered from one read of the loaded graph at start-up, with the same
label properties, so whatever the page suggests is something the canned-query API resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.canned.kinds import KINDS, ResourceKind
from app.canned.label_index import LABEL_PROPERTIES, LabelIndex, normalise

MAX_SUGGESTIONS = 20
SHORT_NAME = "https://w3id.org/cms-kg/ontology#shortName"


@dataclass(frozen=True)
class Option:
    """One resource as a widget shows it: its IRI, its display label, and the label that matched."""

    iri: str
    label: str
    matched: str | None = None

    def as_json(self) -> dict[str, str]:
        body = {"iri": self.iri, "label": self.label}
        if self.matched and normalise(self.matched) != normalise(self.label):
            body["matched"] = self.matched
        return body


class LabelLookup(LabelIndex):
    """The canned-query label index, asked the other way round: the resources of a kind, and the
    labels that contain what has been typed."""

    @classmethod
    def sharing(cls, index: LabelIndex) -> LabelLookup:
        """The canned queries' index read the page's way: the same data, no second read of the store
        (which takes seconds at 10^6 triples)."""
        lookup = cls.__new__(cls)
        lookup.__dict__.update(index.__dict__)
        return lookup

    def short(self, iri: str) -> str | None:
        """The abbreviation a resource is known by (AEWA, IFAW), for tight spaces; else its label."""
        entry = self._entries.get(iri)
        names = sorted(t for t, p, _ in entry.labels if p == SHORT_NAME) if entry else []
        return names[0] if names else self.label(iri)

    def classes(self, iri: str) -> frozenset[str]:
        return self._classes.get(iri, frozenset())

    def _of_kind(self, kind: ResourceKind) -> list[str]:
        return [iri for iri, classes in self._classes.items() if kind.admits(classes) and self._display[iri]]

    def count(self, kind_name: str) -> int:
        return len(self._of_kind(KINDS[kind_name]))

    def options(self, kind_name: str) -> list[Option]:
        """Every resource of the kind, by label: the choices of a dropdown."""
        found = [Option(iri, self._display[iri] or iri) for iri in self._of_kind(KINDS[kind_name])]
        return sorted(found, key=lambda o: _natural(o.label))

    def exact(self, kind_name: str, text: str) -> str | None:
        """The IRI of the resource of the kind with exactly this label (any label), if one has it."""
        wanted = normalise(text)
        for iri in sorted(self._of_kind(KINDS[kind_name])):
            if any(normalise(label) == wanted for label, _, _ in self._entries[iri].labels):
                return iri
        return None

    def suggest(self, kind_name: str, text: str, limit: int = MAX_SUGGESTIONS) -> list[Option]:
        """Resources of the kind with a label that contains the text: labels that start with it
        first, then naming labels before other names, then shorter labels."""
        return self.suggest_of(KINDS[kind_name], text, limit)

    def suggest_of(self, kind: ResourceKind, text: str, limit: int = MAX_SUGGESTIONS) -> list[Option]:
        """`suggest` for a kind outside the catalogue's (the network's nodes)."""
        wanted = normalise(text)
        if not wanted:
            return []
        best: dict[str, tuple[tuple[int, int, int, str], Option]] = {}
        for iri in self._of_kind(kind):
            for label, prop, _ in self._entries[iri].labels:
                norm = normalise(label)
                at = norm.find(wanted)
                if at < 0:
                    continue
                starts = 0 if at == 0 else (1 if norm[at - 1] in " -(/" else 2)
                rank = (starts, LABEL_PROPERTIES[prop], len(norm), norm)
                if iri not in best or rank < best[iri][0]:
                    best[iri] = (rank, Option(iri, self._display[iri] or iri, label))
        ranked = sorted(best.values(), key=lambda pair: pair[0])
        return [option for _, option in ranked[:limit]]


def _natural(text: str) -> str:
    """Sort key that puts "Aichi Target 2" before "Aichi Target 10"."""
    return re.sub(r"[0-9]+", lambda m: m.group().zfill(8), text.casefold())
