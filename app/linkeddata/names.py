"""Readable names for IRIs: the resource's own label when the graph has one, else a short form."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from app.namespaces import LABEL_PROPERTIES, local_name, prefixed

# Labels for the terms of well-known vocabularies that our ontology reuses but does not define.
KNOWN: dict[str, str] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subclass of",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "subproperty of",
    "http://www.w3.org/2000/01/rdf-schema#domain": "domain",
    "http://www.w3.org/2000/01/rdf-schema#range": "range",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "http://www.w3.org/2002/07/owl#inverseOf": "inverse of",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "preferred label",
    "http://www.w3.org/2004/02/skos/core#altLabel": "alternative label",
    "http://www.w3.org/2004/02/skos/core#definition": "definition",
    "http://www.w3.org/2004/02/skos/core#notation": "notation",
    "http://www.w3.org/2004/02/skos/core#inScheme": "in scheme",
    "http://www.w3.org/2004/02/skos/core#broader": "broader",
    "http://www.w3.org/2004/02/skos/core#narrower": "narrower",
    "http://www.w3.org/2004/02/skos/core#related": "related",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exact match",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close match",
    "http://www.w3.org/2004/02/skos/core#topConceptOf": "top concept of",
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": "has top concept",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "stated in",
    "http://purl.org/dc/terms/isPartOf": "part of",
    "http://purl.org/dc/terms/hasPart": "has part",
    "http://purl.org/dc/terms/subject": "subject",
    "http://purl.org/dc/terms/spatial": "place",
    "http://purl.org/dc/terms/temporal": "period",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/source": "source",
    "http://purl.org/dc/terms/creator": "creator",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/identifier": "identifier",
    "http://purl.org/dc/terms/language": "language",
    "http://purl.org/dc/terms/license": "licence",
    "http://xmlns.com/foaf/0.1/homepage": "homepage",
    "http://xmlns.com/foaf/0.1/name": "name",
    "http://www.w3.org/ns/org#member": "member",
    "http://www.w3.org/ns/org#organization": "organisation",
    "http://www.w3.org/ns/org#memberOf": "member of",
    "http://www.w3.org/ns/org#hasMembership": "membership",
    "http://www.w3.org/ns/org#postIn": "post in",
    "http://www.w3.org/ns/org#heldBy": "held by",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of organisation",
    "http://www.w3.org/ns/org#unitOf": "unit of",
    "http://www.w3.org/ns/org#hasUnit": "has unit",
    "http://rs.tdwg.org/dwc/terms/scientificName": "scientific name",
    "http://rs.tdwg.org/dwc/terms/taxonRank": "taxon rank",
    "http://rs.tdwg.org/dwc/terms/vernacularName": "vernacular name",
    "http://schema.org/location": "location",
    "http://schema.org/startDate": "start date",
    "http://schema.org/endDate": "end date",
}


def humanise(name: str) -> str:
    """'concernsSpecies' -> 'concerns species'; 'aichi-target' -> 'aichi target'; acronyms kept."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return " ".join(w if w[1:2].isupper() else w[:1].lower() + w[1:] for w in spaced.split())


def fallback(iri: str) -> str:
    """A name for an IRI without a label in the graph: a known one, a prefixed name, or the IRI."""
    if iri in KNOWN:
        return KNOWN[iri]
    return prefixed(iri) or iri


class Labels:
    """The best label of each IRI among some triples: English first, then by property rank."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._best: dict[str, tuple[tuple[int, int], str]] = {}
        self.add(triples)

    def add(self, triples: Iterable[Triple]) -> None:
        for t in triples:
            if t.predicate.value in LABEL_PROPERTIES and isinstance(t.object, Literal):
                self.offer(t.subject, t.predicate.value, t.object)

    def offer(self, subject: object, predicate: str, value: Literal) -> None:
        if not isinstance(subject, NamedNode):
            return
        rank = (LABEL_PROPERTIES.index(predicate), 0 if value.language in ("en", None) else 1)
        rank = (rank[1], rank[0])
        current = self._best.get(subject.value)
        if current is None or rank < current[0]:
            self._best[subject.value] = (rank, value.value)

    def get(self, iri: str) -> str | None:
        found = self._best.get(iri)
        return found[1] if found else None

    def __call__(self, iri: str) -> str:
        """The label of `iri`, or a readable short form of it."""
        return self.get(iri) or fallback(iri)

    def property(self, iri: str) -> str:
        """A property's name: its label, the known name, or its humanised local name."""
        return self.get(iri) or KNOWN.get(iri) or humanise(local_name(iri))
