"""The claims of the curated graph and their grades, read from an rdflib graph of the data files.

A claim is one statement of fact about a resource that says where it comes from (a resource with
`prov:wasDerivedFrom`): a party, a date, a species, a membership role... Names, descriptions,
types and the provenance links themselves are not claims. Each claim has exactly one grade:

- `cms:stated`: a cited part of the report states it;
- `cms:inferred`: the curators inferred it, and say why (`cms:reason`);
- `cms:reference`: reference data from a named source other than the report.

The grade of a claim `s p o` is found, most specific first, in
1. a claim derivation for that one claim: `[ a cms:ClaimDerivation ; rdf:subject s ;
   rdf:predicate p ; rdf:object o ; cms:grade G ; prov:entity SOURCE ]` (linked from `s` by
   `prov:qualifiedDerivation`);
2. a claim derivation for every claim of that property: `s prov:qualifiedDerivation
   [ a cms:ClaimDerivation ; cms:claimProperty p ; cms:grade G ; prov:entity SOURCE ]`;
3. the resource's own grade, `s cms:grade G`, whose sources are its `prov:wasDerivedFrom`.

The canned queries apply the same three steps in SPARQL; README "Modelling in brief" explains it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.term import Node

from app import namespaces

# The namespace table (app.namespaces) as rdflib namespaces: the audit reads rdflib graphs.
CMS = rdflib.Namespace(namespaces.CMS)
PROV = rdflib.Namespace(namespaces.PROV)
SKOS = rdflib.Namespace(namespaces.SKOS)
DCT = rdflib.Namespace(namespaces.DCT)
DWC = rdflib.Namespace(namespaces.DWC)
FOAF = rdflib.Namespace(namespaces.FOAF)
OWL = rdflib.OWL

STATED, INFERRED, REFERENCE = CMS.stated, CMS.inferred, CMS.reference
GRADE_NAMES = {STATED: "stated", INFERRED: "inferred", REFERENCE: "reference"}

# Properties that name or describe a resource, or say where it comes from: not claims.
NAMING = (
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    CMS.shortName,
    DWC.vernacularName,
    DWC.scientificName,
    FOAF.name,
    DCT.title,
    RDFS.label,
)
NOT_CLAIMS = frozenset(
    {
        RDF.type,
        *NAMING,
        DCT.description,
        SKOS.definition,
        RDFS.comment,
        SKOS.scopeNote,
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.notation,
        RDFS.seeAlso,
        FOAF.homepage,
        DCT.source,
        DCT.language,
        PROV.wasDerivedFrom,
        PROV.qualifiedDerivation,
        CMS.mentionedIn,
        CMS.grade,
        CMS.reason,
        CMS.number,
        CMS.order,
        CMS.iso3166Alpha2,
        CMS.iso3166Alpha3,
        CMS.symbol,
        DCT.hasPart,
    }
)
# Resources whose labels are the curators' own descriptions of a fact, not names used in the report.
FACT_CLASSES = (CMS.Arrangement, CMS.Activity, CMS.Membership, CMS.Funding, CMS.ClaimDerivation)
DATE_PROPERTIES = (CMS.startDate, CMS.endDate, DCT.date, CMS.signedOn, CMS.inForceFrom, CMS.asAt)


@dataclass(frozen=True)
class Claim:
    """One claim, its grade, the sources the grade rests on, and the curators' reason if inferred."""

    subject: URIRef
    predicate: URIRef
    object: Node
    grade: URIRef | None
    sources: tuple[URIRef, ...]
    reason: str | None = None
    derivation: Node | None = None  # the claim derivation that grades it, if one does

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES.get(self.grade, "ungraded") if self.grade else "ungraded"


class ClaimReader:
    """The claims of a graph of data files (with the ontology, for the class hierarchy)."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self._supers = self._superclasses()
        self._single: dict[tuple[Node, Node, Node], Node] = {}
        self._per_property: dict[tuple[Node, Node], Node] = {}
        for subject, derivation in graph.subject_objects(PROV.qualifiedDerivation):
            if (derivation, RDF.type, CMS.ClaimDerivation) not in graph:
                continue
            predicate, value = graph.value(derivation, RDF.predicate), graph.value(derivation, RDF.object)
            if predicate is not None and value is not None:  # else no claim could be graded by it
                self._single[(subject, predicate, value)] = derivation
            for prop in graph.objects(derivation, CMS.claimProperty):
                self._per_property[(subject, prop)] = derivation

    def _superclasses(self) -> dict[Node, set[Node]]:
        direct: dict[Node, set[Node]] = defaultdict(set)
        for sub, sup in self.graph.subject_objects(RDFS.subClassOf):
            direct[sub].add(sup)
        closed: dict[Node, set[Node]] = {}
        for start in list(direct):
            seen: set[Node] = set()
            todo = [start]
            while todo:
                node = todo.pop()
                for sup in direct.get(node, ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            closed[start] = seen
        return closed

    def classes(self, node: Node) -> set[Node]:
        """The node's classes and all their superclasses."""
        found: set[Node] = set()
        for cls in self.graph.objects(node, RDF.type):
            found.add(cls)
            found |= self._supers.get(cls, set())
        return found

    def is_a(self, node: Node, cls: Node) -> bool:
        return cls in self.classes(node)

    def is_fact(self, node: Node) -> bool:
        classes = self.classes(node)
        return any(c in classes for c in FACT_CLASSES)

    def graded_resources(self) -> list[URIRef]:
        """Resources that say where they come from, in a stable order."""
        return sorted({s for s in self.graph.subjects(PROV.wasDerivedFrom) if isinstance(s, URIRef)}, key=str)

    def sources(self, node: Node) -> tuple[URIRef, ...]:
        return self._iris(self.graph.objects(node, PROV.wasDerivedFrom))

    @staticmethod
    def _iris(nodes: Iterable[Node]) -> tuple[URIRef, ...]:
        """The IRIs among some sources, in a stable order: only a part or document named by an IRI
        can be looked up in the report (the shapes admit no other source)."""
        return tuple(sorted((n for n in nodes if isinstance(n, URIRef)), key=str))

    def claims(self) -> Iterator[Claim]:
        for subject in self.graded_resources():
            for predicate, value in sorted(
                self.graph.predicate_objects(subject), key=lambda t: (str(t[0]), str(t[1]))
            ):
                if predicate in NOT_CLAIMS or not isinstance(predicate, URIRef):
                    continue
                yield self.claim(subject, predicate, value)

    def claim(self, subject: URIRef, predicate: URIRef, value: Node) -> Claim:
        derivation = self._single.get((subject, predicate, value)) or self._per_property.get(
            (subject, predicate)
        )
        if derivation is not None:
            sources = self._iris(self.graph.objects(derivation, PROV.entity))
            grade = self.graph.value(derivation, CMS.grade)
            reason = self.graph.value(derivation, CMS.reason)
        else:
            sources = self.sources(subject)
            grade = self.graph.value(subject, CMS.grade)
            reason = self.graph.value(subject, CMS.reason)
        return Claim(
            subject,
            predicate,
            value,
            grade if isinstance(grade, URIRef) else None,
            sources,
            str(reason) if reason is not None else None,
            derivation,
        )
