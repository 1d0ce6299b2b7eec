"""Counts a curator wants at a glance: resources per class, facts per paragraph, triples per file."""

from __future__ import annotations

from pydantic import BaseModel
from pyoxigraph import QuerySolution, Store

from app.graph.oxigraph import solutions

PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER STRSTARTS(STR(?class), "https://w3id.org/cms-kg/ontology#")
} GROUP BY ?class ORDER BY DESC(?n) ?class"""

PER_PARAGRAPH = """
PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?number (COUNT(DISTINCT ?derived) AS ?facts) (COUNT(DISTINCT ?mentions) AS ?mentioned) WHERE {
  ?part a/rdfs:subClassOf* cms:DocumentPart ; cms:number ?number ; cms:order ?order .
  OPTIONAL { ?derived prov:wasDerivedFrom ?part }
  OPTIONAL { ?mentions cms:mentionedIn ?part }
} GROUP BY ?number ?order ORDER BY ?order"""

PER_FILE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


class Stats(BaseModel):
    per_class: dict[str, int]
    per_paragraph: dict[str, dict[str, int]]
    per_file: dict[str, int]


def _rows(store: Store, query: str) -> list[QuerySolution]:
    return list(solutions(store.query(query)))


def compute(store: Store) -> Stats:
    return Stats(
        per_class={r["class"].value.rsplit("#", 1)[-1]: int(r["n"].value) for r in _rows(store, PER_CLASS)},
        per_paragraph={
            r["number"].value: {"derived": int(r["facts"].value), "mentioned": int(r["mentioned"].value)}
            for r in _rows(store, PER_PARAGRAPH)
        },
        per_file={r["g"].value.rsplit("/", 1)[-1]: int(r["n"].value) for r in _rows(store, PER_FILE)},
    )


def as_text(stats: Stats) -> str:
    lines = ["Resources per class:"]
    lines += [f"  {name:<32} {n:>6}" for name, n in stats.per_class.items()]
    lines.append("Facts per part of the report (derived from / mentioned in):")
    lines += [f"  {num:<16} {c['derived']:>4} {c['mentioned']:>4}" for num, c in stats.per_paragraph.items()]
    lines.append("Triples per file:")
    lines += [f"  {name:<32} {n:>6}" for name, n in stats.per_file.items()]
    return "\n".join(lines)
