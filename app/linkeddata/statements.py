"""What a paragraph states, in words: one sentence per fact the graph draws from it.

A paragraph's page listed the resources drawn from it ("CMS-IFAW Joint Work Plan") as nouns. A
reader checking the graph against the report wants the statements: "CMS-IFAW Joint Work Plan
(joint work plan): parties CMS Secretariat and IFAW; covers elephants, marine mammals, raptors and
sharks". Each sentence is built from the fact's key relations (parties, organisers, participants,
what it covers, its dates...), every value a link, each claim with its grade, so a claim the
curators inferred reads as such beside those the paragraph states.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.canned.cells import natural_key
from app.canned.label_index import LabelIndex
from app.engine.base import Queries
from app.engine.terms import PlainTerm
from app.linkeddata.iris import IriSpace
from app.namespaces import CMS, DCT, PROV, RDF

INFERRED_GRAPH = "https://w3id.org/cms-kg/graph/inferred"

# The relations a sentence tells, in the order it tells them, with the words that introduce them.
CLAUSES: tuple[tuple[str, str], ...] = (
    (CMS + "party", "parties"),
    (CMS + "organiser", "organised by"),
    (CMS + "participant", "with"),
    (CMS + "supporter", "supported by"),
    (CMS + "funder", "funded by"),
    (CMS + "funded", "funds"),
    (CMS + "concernsSpecies", "covers"),
    (DCT + "subject", "on"),
    (CMS + "supportsInstrument", "supports"),
    (DCT + "spatial", "in"),
    (DCT + "date", "dated"),
    (CMS + "startDate", "from"),
    (CMS + "endDate", "to"),
)
WORDS = dict(CLAUSES)
KIND = CMS + "arrangementType"

STATEMENTS = f"""
SELECT ?this ?fact ?p ?o ?grade ?own WHERE {{
  ?fact <{PROV}wasDerivedFrom> ?source .
  ?source <{DCT}isPartOf>* ?this .
  {{ VALUES ?p {{ <{KIND}> {" ".join(f"<{p}>" for p, _ in CLAUSES)} }} ?fact ?p ?o }}
  UNION
  {{ ?fact <{RDF}type> ?o BIND(<{RDF}type> AS ?p)
     FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?fact <{RDF}type> ?o }} }} }}
  OPTIONAL {{ ?fact <{PROV}qualifiedDerivation> ?d1 .
             ?d1 <{RDF}predicate> ?p ; <{RDF}object> ?o ; <{CMS}grade> ?g1 }}
  OPTIONAL {{ ?fact <{PROV}qualifiedDerivation> ?d2 . ?d2 <{CMS}claimProperty> ?p ; <{CMS}grade> ?g2 }}
  OPTIONAL {{ ?fact <{CMS}grade> ?g3 }}
  BIND(STRAFTER(STR(COALESCE(?g1, ?g2, ?g3)), "#") AS ?grade)
  BIND(STRAFTER(STR(?g3), "#") AS ?own)
}}
"""


@dataclass(frozen=True)
class Word:
    """One value in a sentence: its text, where it links (None for a literal) and its grade."""

    text: str
    href: str | None = None
    grade: str = ""


@dataclass(frozen=True)
class Clause:
    words: str  # "parties", "covers"...
    values: tuple[Word, ...]


@dataclass(frozen=True)
class Statement:
    """A fact drawn from the paragraph, told as a sentence."""

    fact: Word
    kind: str
    clauses: tuple[Clause, ...]
    grade: str  # the fact's own; a value whose claim is graded otherwise carries its grade


@dataclass
class _Fact:
    kinds: set[str] = field(default_factory=set)
    values: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # p -> o -> grade
    own: str = ""  # the fact's own grade: its claims' unless a claim says otherwise


def statements(queries: Queries, iri: str, labels: LabelIndex, space: IriSpace) -> list[Statement]:
    """Every fact drawn from the document part `iri` or a part of it, as a sentence, in label order."""
    facts: dict[str, _Fact] = defaultdict(_Fact)
    for row in queries.select(STATEMENTS, {"this": PlainTerm("iri", iri)}):
        fact, prop, value, grade = row.get("fact"), row.get("p"), row.get("o"), row.get("grade")
        if fact is None or prop is None or value is None or fact.kind != "iri":
            continue
        found = facts[fact.value]
        own = row.get("own")
        found.own = own.value if own else found.own
        if prop.value == RDF + "type":
            found.kinds.add(value.value)
            continue
        key = value.value if value.kind == "iri" else "\0" + value.value
        found.values[prop.value][key] = grade.value if grade else ""

    def word(key: str, grade: str, own: str) -> Word:
        """A value, with its grade only where it is not the fact's own."""
        grade = grade if grade != own else ""
        if key.startswith("\0"):
            return Word(key[1:], None, grade)
        return Word(labels.short(key) or labels.label(key) or key, space.href(key), grade)

    out = []
    for fact_iri, found in facts.items():
        # an arrangement by its kind (joint work plan), anything else by its class (workshop)
        kind_iris = list(found.values.pop(KIND, {})) or sorted(found.kinds)
        kind_names = [labels.label(k) or "" for k in kind_iris]
        clauses = tuple(
            Clause(words, tuple(sorted((word(o, g, found.own) for o, g in values.items()), key=_by_text)))
            for prop, words in CLAUSES
            if (values := found.values.get(prop))
        )
        name = labels.label(fact_iri) or fact_iri
        kind = ", ".join(sorted(k for k in kind_names if k and k.casefold() != name.casefold()))
        out.append(Statement(Word(name, space.href(fact_iri)), kind, clauses, found.own))
    return sorted(out, key=lambda s: (natural_key(s.fact.text), s.fact.href or ""))


def _by_text(word: Word) -> tuple:
    return (natural_key(word.text), word.href or "")

