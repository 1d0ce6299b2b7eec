"""The kinds of resource an `iri` or `label` parameter can name, as classes of the ontology.

A label is looked up only among resources of the parameter's kind, so "CMS" as an organisation is
the CMS Secretariat and as an instrument the Convention. An empty class list means any resource.
"""

from __future__ import annotations

from dataclasses import dataclass

CMS = "https://w3id.org/cms-kg/ontology#"


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    classes: tuple[str, ...]

    def admits(self, classes: frozenset[str]) -> bool:
        return not self.classes or any(c in classes for c in self.classes)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "subject",
            "a species, species group, scientific or vernacular name, or a topic",
            (CMS + "Taxon", CMS + "SpeciesGroup", CMS + "Topic"),
        ),
        Kind(
            "species",
            "a species, species group, scientific or vernacular name",
            (CMS + "Taxon", CMS + "SpeciesGroup"),
        ),
        Kind("topic", "a topic (theme of work)", (CMS + "Topic",)),
        Kind(
            "organisation",
            "an organisation, government, secretariat or standing group",
            (CMS + "Organisation",),
        ),
        Kind("collaboration", "a standing collaboration or group", (CMS + "Collaboration",)),
        Kind(
            "aichi-target", "an Aichi Biodiversity Target: its number (1-20) or label", (CMS + "AichiTarget",)
        ),
        Kind("place", "a country (name or ISO 3166-1 code), region or city", (CMS + "Place",)),
        Kind(
            "arrangement-type",
            "a kind of arrangement (joint work plan, letter of cooperation...)",
            (CMS + "ArrangementType",),
        ),
        Kind("instrument", "a convention, CMS Agreement, MOU, plan or resolution", (CMS + "Instrument",)),
        Kind(
            "document-part",
            "a paragraph, lettered item, section or footnote of a document",
            (CMS + "DocumentPart",),
        ),
        Kind("resource", "anything the graph names", ()),
    )
}
