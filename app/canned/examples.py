"""Example SPARQL queries offered in the editor: the questions a new user of the graph asks first.

Each one runs as written against /sparql, and the tests run every one of them, so an example
that stops working after a change to the data or the ontology fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = """PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@dataclass(frozen=True)
class Example:
    title: str
    sparql: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "Arrangements and their parties",
        PREFIXES
        + """
SELECT ?arrangement ?kind ?party WHERE {
  ?a a cms:Arrangement ;
     skos:prefLabel ?arrangement ;
     cms:arrangementType/skos:prefLabel ?kind ;
     cms:party/skos:prefLabel ?party .
}
ORDER BY ?arrangement ?party
LIMIT 100
""",
    ),
    Example(
        "Who works on sharks (down the species hierarchy)",
        PREFIXES
        + """
SELECT DISTINCT ?organisation ?through WHERE {
  <https://w3id.org/cms-kg/id/species-group/sharks>
      (skos:narrower|cms:includesTaxon|^cms:parentTaxon)* ?covered .
  ?a cms:concernsSpecies|dct:subject ?covered ;
     cms:party ?o ;
     skos:prefLabel ?through .
  ?o skos:prefLabel ?organisation .
}
ORDER BY ?organisation
""",
    ),
    Example(
        "Members of the standing collaborations",
        PREFIXES
        + """
SELECT ?collaboration ?member ?role WHERE {
  ?m a cms:Membership ;
     org:organization/skos:prefLabel ?collaboration ;
     org:member/skos:prefLabel ?member .
  OPTIONAL { ?m cms:role ?role }
}
ORDER BY ?collaboration ?member
""",
    ),
    Example(
        "Resources per class",
        PREFIXES
        + """
SELECT ?class (COUNT(?s) AS ?resources) WHERE {
  ?s a ?class .
  FILTER(STRSTARTS(STR(?class), STR(cms:)))
}
GROUP BY ?class
ORDER BY DESC(?resources)
""",
    ),
    Example(
        "Where a fact comes from (paragraphs of the report)",
        PREFIXES
        + """
SELECT ?arrangement ?paragraph WHERE {
  ?a a cms:Arrangement ;
     skos:prefLabel ?arrangement ;
     prov:wasDerivedFrom/cms:number ?paragraph .
}
ORDER BY ?arrangement
""",
    ),
    Example(
        "Describe one organisation (CONSTRUCT)",
        PREFIXES
        + """
CONSTRUCT { ?s ?p ?o } WHERE {
  BIND(<https://w3id.org/cms-kg/id/organisation/ifaw> AS ?s)
  ?s ?p ?o .
}
""",
    ),
)

DEFAULT_QUERY = EXAMPLES[0].sparql
