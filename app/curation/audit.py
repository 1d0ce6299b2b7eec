"""The curator's audit: the graph read against the report, part by part.

For each part of the report it lists the facts that cite it and four kinds of finding:

- `possible-miss`: a name the graph knows occurs in the part, but nothing citing the part names or
  links to any resource of that name;
- `not-named`: a named resource (an organisation, instrument, species, topic, place...) is cited
  to the part (`prov:wasDerivedFrom` or `cms:mentionedIn`), but none of its names occurs in it;
- `claim-not-named`: a claim graded *stated* links a fact to a named resource that none of the
  claim's cited parts names; `date-not-in-text`: a stated date whose year, month or day the cited
  parts do not print;
- `copied-wording`: a description, definition, comment or reason shares a run of 12 or more words
  with the part (the rule is our own words).

It also checks the grading itself: every resource with provenance has a grade (`ungraded`), every
inferred claim has a reason (`inferred-without-reason`), every stated claim rests on a part of the
report (`stated-without-report-source`).

A finding the curators have reviewed is recorded in a baseline file with a verdict and a reason
(app/curation/baseline.py); the audit fails on any finding that is not in it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.term import Node

from app.curation.claims import (
    CMS,
    DATE_PROPERTIES,
    DCT,
    INFERRED,
    NAMING,
    PROV,
    RDFS,
    SKOS,
    STATED,
    Claim,
    ClaimReader,
)
from app.curation.matching import NameMatcher, Shingles, normalise, shared_run
from app.curation.report_text import Part

REPORT_SYMBOL = "UNEP/CMS/COP11/Doc.21.1"
DESCRIBING = (DCT.description, SKOS.definition, RDFS.comment, SKOS.scopeNote, CMS.reason)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
KINDS = (
    "possible-miss",
    "not-named",
    "claim-not-named",
    "date-not-in-text",
    "copied-wording",
    "ungraded",
    "inferred-without-reason",
    "stated-without-report-source",
)


@dataclass(frozen=True, order=True)
class Finding:
    kind: str
    part: str  # the part's number, or several joined by "; " for a claim citing several
    subject: str  # a resource IRI; for a possible miss, the name found in the text
    predicate: str = ""
    value: str = ""
    detail: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        value = "" if self.kind == "copied-wording" else self.value
        return (self.kind, self.part, self.subject, self.predicate, value)


@dataclass
class PartAudit:
    part: Part
    iri: str | None
    facts: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Audit:
    parts: list[PartAudit]
    general: list[Finding]  # findings about the grading, not tied to one part
    claims: list[Claim]

    @property
    def findings(self) -> list[Finding]:
        return sorted({f for p in self.parts for f in p.findings} | set(self.general))


class Auditor:
    """Everything the audit needs from the graph, read once."""

    def __init__(self, graph: rdflib.Graph, parts: dict[str, Part]) -> None:
        self.graph = graph
        self.reader = ClaimReader(graph)
        self.parts = parts
        self.report = next(graph.subjects(CMS.symbol, Literal(REPORT_SYMBOL)), None)
        self.part_iris: dict[str, URIRef] = {}
        for part in graph.subjects(CMS.number, None):
            number = str(graph.value(part, CMS.number))
            if number in parts and isinstance(part, URIRef) and self._in_report(part):
                self.part_iris[number] = part
        self.number_of = {iri: number for number, iri in self.part_iris.items()}
        self.names = self._names()
        shown = self._names(hidden=False)
        self.bearers: dict[str, set[URIRef]] = defaultdict(set)
        for resource, names in shown.items():
            for name in names:
                self.bearers[normalise(name).casefold()].add(resource)
        self.matcher = NameMatcher(name for names in shown.values() for name in names)
        schemes = [
            str(label)
            for scheme in graph.subjects(rdflib.RDF.type, SKOS.ConceptScheme)
            for label in graph.objects(scheme, SKOS.prefLabel)
        ]
        evidence = NameMatcher([*(n for names in self.names.values() for n in names), *schemes])
        self._found = {
            n: {x.casefold() for x in evidence.names_anywhere(f"{p.heading} \n {p.text}")}
            for n, p in parts.items()
        }
        self._words = {
            n: {w.strip(".") for w in re.findall(r"[\w.]+", f"{p.heading} {p.text}")}
            for n, p in parts.items()
        }
        self._claim_names = self._names_for_claims()
        self._shingles = {number: Shingles(part.text) for number, part in parts.items()}
        self._describing = [
            (subject, prop, str(text))
            for prop in DESCRIBING
            for subject, text in graph.subject_objects(prop)
            if isinstance(text, Literal) and not str(subject).startswith(str(CMS))
        ]

    def _in_report(self, node: Node) -> bool:
        seen: set[Node] = set()
        current: Node | None = node
        while current is not None and current not in seen:
            if current == self.report:
                return True
            seen.add(current)
            current = self.graph.value(current, DCT.isPartOf)
        return False

    def _names(self, hidden: bool = True) -> dict[URIRef, list[str]]:
        """The names of every resource an analyst could look for (not the report's own parts).
        Hidden labels (other wordings, such as "streamline" for streamlining) count as evidence
        that a part names a resource, but are not looked for as possible misses."""
        names: dict[URIRef, list[str]] = defaultdict(list)
        shown = [p for p in NAMING if p != SKOS.hiddenLabel]
        for prop in (*shown, SKOS.hiddenLabel) if hidden else shown:
            for subject, label in self.graph.subject_objects(prop):
                if isinstance(subject, URIRef) and isinstance(label, Literal) and self._nameable(subject):
                    names[subject].append(str(label))
        return {s: sorted(set(n)) for s, n in names.items()}

    def _nameable(self, node: URIRef) -> bool:
        if node == self.report or self._in_report(node):
            return False
        if str(node).startswith(str(CMS)) or (node, rdflib.RDF.type, SKOS.ConceptScheme) in self.graph:
            return False
        return not self.reader.is_a(node, CMS.ClaimDerivation)

    def _names_for_claims(self) -> dict[Node, set[str]]:
        """Names that count as naming a resource when a claim links to it: its own, those of the
        concept schemes it is in ("the Aichi Biodiversity Targets" names each target), and, for a
        secretariat, those of the instrument it services when its own name contains that instrument's
        ("CBD" names the CBD Secretariat as a party to a joint work plan; "Sharks MOU" does not name
        the CMS Secretariat)."""
        found: dict[Node, set[str]] = {}
        for resource, names in self.names.items():
            own = {normalise(n).casefold() for n in names}
            extra: set[str] = set()
            for scheme in self.graph.objects(resource, SKOS.inScheme):
                labels = self.graph.objects(scheme, SKOS.prefLabel)
                extra |= {normalise(str(label)).casefold() for label in labels}
            administered = set(self.graph.objects(resource, CMS.administers)) | set(
                self.graph.subjects(CMS.administeredBy, resource)
            )
            for instrument in administered:
                theirs = {normalise(n).casefold() for n in self.names_of(instrument)}
                if any(t in o for t in theirs for o in own):
                    extra |= theirs
            found[resource] = own | extra
        return found

    def names_of(self, node: Node) -> list[str]:
        """The names of a resource; only resources named by an IRI have names here."""
        return self.names.get(node, []) if isinstance(node, URIRef) else []

    def named_in(self, resource: Node, numbers: list[str], claim: bool = False) -> bool:
        """Whether any name of the resource occurs in any of these parts (also inside a longer name,
        or in the headings printed before the part). For the object of a claim, the names of its
        concept scheme and (for a secretariat) of its instrument count too."""
        if claim:
            names = self._claim_names.get(resource, set())
        else:
            names = {normalise(n).casefold() for n in self.names_of(resource)}
        if any(names & self._found.get(number, set()) for number in numbers):
            return True
        return self._named_by_notation(resource, numbers)

    def _named_by_notation(self, resource: Node, numbers: list[str]) -> bool:
        """A numbered target or activity ("3.3") is named where its number is printed in a part that
        names the plan or resolution it belongs to ("Strategic Plan 2006-2014 ... targets 3.3, 3.5")."""
        notations = {str(n) for n in self.graph.objects(resource, SKOS.notation)}
        parents = list(self.graph.objects(resource, DCT.isPartOf))
        if not notations or not parents:
            return False
        return any(
            notations & self._words.get(number, set()) and any(self.named_in(p, [number]) for p in parents)
            for number in numbers
        )

    def report_parts(self, sources: tuple[URIRef, ...]) -> list[str]:
        return sorted({self.number_of[s] for s in sources if s in self.number_of}, key=_order_key)

    def run(self) -> Audit:
        claims = list(self.reader.claims())
        cited: dict[str, set[URIRef]] = defaultdict(set)
        derived: dict[str, set[URIRef]] = defaultdict(set)
        mentioned: dict[str, set[URIRef]] = defaultdict(set)
        for prop, into in ((PROV.wasDerivedFrom, derived), (CMS.mentionedIn, mentioned)):
            for subject, source in self.graph.subject_objects(prop):
                if isinstance(source, URIRef) and source in self.number_of and isinstance(subject, URIRef):
                    into[self.number_of[source]].add(subject)
                    cited[self.number_of[source]].add(subject)
        covered: dict[str, set[Node]] = defaultdict(set)
        for number, resources in cited.items():
            covered[number] |= resources
        for claim in claims:
            for number in self.report_parts(claim.sources) + self.report_parts(
                self.reader.sources(claim.subject)
            ):
                covered[number].add(claim.object)
                covered[number].add(claim.subject)
        audits: list[PartAudit] = []
        for number, part in self.parts.items():
            audit = PartAudit(part, str(self.part_iris[number]) if number in self.part_iris else None)
            audit.facts = sorted(str(r) for r in derived.get(number, ()))
            audit.mentions = sorted(str(r) for r in mentioned.get(number, set()) - derived.get(number, set()))
            audit.findings += self._misses(number, part, covered[number])
            audit.findings += self._not_named(number, cited.get(number, set()))
            audit.findings += self._copies(number, part)
            audits.append(audit)
        general: list[Finding] = []
        by_part: dict[str, list[Finding]] = defaultdict(list)
        for finding in self._claim_findings(claims):
            by_part[finding.part.split("; ")[0]].append(finding)
        for audit in audits:
            audit.findings += by_part.pop(audit.part.number, [])
            audit.findings.sort()
        general += [f for fs in by_part.values() for f in fs]
        general += self._grading(claims)
        return Audit(audits, sorted(general), claims)

    def _misses(self, number: str, part: Part, covered: set[Node]) -> list[Finding]:
        found = []
        for name in sorted({o.name for o in self.matcher.occurrences(part.text)}):
            bearers = self.bearers.get(normalise(name).casefold(), set())
            if bearers and not bearers & covered:
                who = ", ".join(sorted(_short(b) for b in bearers))
                found.append(Finding("possible-miss", number, name, detail=f"names {who}"))
        return found

    def _not_named(self, number: str, cited: set[URIRef]) -> list[Finding]:
        found = []
        for resource in sorted(cited, key=str):
            if self.reader.is_fact(resource) or not self._nameable(resource):
                continue
            if resource not in self.names or self.named_in(resource, [number]):
                continue
            found.append(Finding("not-named", number, str(resource), detail="none of its names occurs here"))
        return found

    def _copies(self, number: str, part: Part) -> list[Finding]:
        found = []
        for subject, prop, text in self._describing:
            run = shared_run(text, self._shingles[number])
            if run:
                found.append(
                    Finding(
                        "copied-wording",
                        number,
                        str(subject),
                        str(prop),
                        run,
                        detail=f"{len(run.split())} words in a row from the report",
                    )
                )
        return found

    def _claim_findings(self, claims: list[Claim]) -> list[Finding]:
        found = []
        for claim in claims:
            if claim.grade != STATED:
                continue
            numbers = self.report_parts(claim.sources)
            if not numbers:
                continue  # reported by _grading
            joined = "; ".join(numbers)
            if isinstance(claim.object, URIRef) and claim.object in self.names:
                if self.reader.is_fact(claim.object) or self.named_in(claim.object, numbers, claim=True):
                    continue
                found.append(
                    Finding(
                        "claim-not-named",
                        joined,
                        str(claim.subject),
                        str(claim.predicate),
                        str(claim.object),
                        detail="the cited parts do not name the linked resource",
                    )
                )
            elif (
                claim.predicate in DATE_PROPERTIES
                and isinstance(claim.object, Literal)
                and not any(_date_in(str(claim.object), self.parts[n].text) for n in numbers)
            ):
                found.append(
                    Finding(
                        "date-not-in-text",
                        joined,
                        str(claim.subject),
                        str(claim.predicate),
                        str(claim.object),
                        detail="the cited parts do not give this date",
                    )
                )
        return found

    def _grading(self, claims: list[Claim]) -> list[Finding]:
        found: list[Finding] = []
        for resource in self.reader.graded_resources():
            if self.graph.value(resource, CMS.grade) is None:
                found.append(Finding("ungraded", "", str(resource), detail="no cms:grade"))
        for claim in claims:
            where = "; ".join(self.report_parts(claim.sources))
            if claim.grade == INFERRED and not claim.reason:
                found.append(
                    Finding(
                        "inferred-without-reason",
                        where,
                        str(claim.subject),
                        str(claim.predicate),
                        str(claim.object),
                    )
                )
            if claim.grade == STATED and not self.report_parts(claim.sources):
                found.append(
                    Finding(
                        "stated-without-report-source",
                        "",
                        str(claim.subject),
                        str(claim.predicate),
                        str(claim.object),
                    )
                )
        return found


def _date_in(value: str, text: str) -> bool:
    """Whether the text prints the date as precisely as the value gives it."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        return False
    year, month, day = match.groups()
    if not re.search(rf"(?<!\d){year}(?!\d)", text):
        return False
    if month and MONTHS[int(month) - 1] not in text:
        return False
    return not day or re.search(rf"(?<!\d){int(day)}(?!\d)", text) is not None


def _order_key(number: str) -> tuple[int, str]:
    match = re.match(r"(\d+)", number)
    return (int(match.group(1)) if match else -1, number)


def _short(iri: Node) -> str:
    return str(iri).removeprefix("https://w3id.org/cms-kg/id/")


def audit(graph: rdflib.Graph, parts: dict[str, Part]) -> Audit:
    return Auditor(graph, parts).run()


def load_tree(root: Path) -> rdflib.Graph:
    """The data files under `root` (with the ontology, for the class hierarchy) as one graph."""
    from app.graph.sources import load_sources

    graph = rdflib.Graph()
    for source in load_sources(root).data:
        graph += source.graph
    return graph


def audit_tree(root: Path, report: Path) -> Audit:
    """Audit the data files under `root` against the report text at `report`."""
    from app.curation.report_text import read

    return audit(load_tree(root), read(report))
