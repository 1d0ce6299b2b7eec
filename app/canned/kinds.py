"""The kinds of resource an `iri` or `label` parameter can name, as classes of the ontology.

A label is looked up only among resources of the parameter's kind, so "CMS" as an organisation is
the CMS Secretariat and as an instrument the Convention. An empty class list means any resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.namespaces import CMS


@dataclass(frozen=True)
class ResourceKind:
    name: str
    description: str
    classes: tuple[str, ...]

    def admits(self, classes: frozenset[str]) -> bool:
        return not self.classes or any(c in classes for c in self.classes)


KINDS: dict[str, ResourceKind] = {
    kind.name: kind
    for kind in (
        ResourceKind(
            "subject",
            "a species, species group, scientific or vernacular name, or a topic",
            (CMS + "Taxon", CMS + "SpeciesGroup", CMS + "Topic"),
        ),
        ResourceKind(
            "species",
            "a species, species group, scientific or vernacular name",
            (CMS + "Taxon", CMS + "SpeciesGroup"),
        ),
        ResourceKind("topic", "a topic (theme of work)", (CMS + "Topic",)),
        ResourceKind(
            "organisation",
            "an organisation, government, secretariat or standing group",
            (CMS + "Organisation",),
        ),
        ResourceKind("collaboration", "a standing collaboration or group", (CMS + "Collaboration",)),
        ResourceKind(
            "aichi-target", "an Aichi Biodiversity Target: its number (1-20) or label", (CMS + "AichiTarget",)
        ),
        ResourceKind("place", "a country (name or ISO 3166-1 code), region or city", (CMS + "Place",)),
        ResourceKind(
            "arrangement-type",
            "a kind of arrangement (joint work plan, letter of cooperation...)",
            (CMS + "ArrangementType",),
        ),
        ResourceKind(
            "instrument", "a convention, CMS Agreement, MOU, plan or resolution", (CMS + "Instrument",)
        ),
        ResourceKind(
            "document-part",
            "a paragraph, lettered item, section or footnote of a document",
            (CMS + "DocumentPart",),
        ),
        ResourceKind("resource", "anything the graph names", ()),
    )
}
