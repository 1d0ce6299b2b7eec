"""The partnership network: organisations and instruments as nodes; arrangements, memberships and
administration as edges, as Cytoscape.js elements.

One SELECT gives every edge with the resource whose scope decides whether it is shown (the
arrangement, the standing collaboration, the instrument). The subject and the kind of arrangement
are bound with a VALUES block written from IRIs found in the graph (app.canned.binding), never from
the caller's text, and the query runs in the worker pool with the server's deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from app.engine.base import Queries
from app.namespaces import CMS
from app.sparql_text.values import bind
from app.web.label_lookup import LabelLookup

ORG = "http://www.w3.org/ns/org#"

# The edge kinds, as the page's legend and filters name them.
ARRANGEMENT, MEMBERSHIP, ADMINISTRATION = "arrangement", "membership", "administration"

# ?scoped is the resource whose species and topics decide whether the edge matches a subject.
NETWORK_QUERY = """
PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?relation ?via ?type ?source ?target WHERE {
  {
    ?via a cms:Arrangement ; cms:party ?source , ?target .
    FILTER(STR(?source) < STR(?target))
    OPTIONAL { ?via cms:arrangementType ?type }
    BIND("arrangement" AS ?relation)
    BIND(?via AS ?scoped)
  } UNION {
    ?via a cms:Membership ; org:member ?source ; org:organization ?target .
    BIND("membership" AS ?relation)
    BIND(?target AS ?scoped)
  } UNION {
    ?source cms:administeredBy ?target .
    BIND("administration" AS ?relation)
    BIND(?source AS ?scoped)
  }
  FILTER(!BOUND(?_type) || ?relation != "arrangement" || ?type = ?_type)
  FILTER(!BOUND(?_subject) || EXISTS {
    ?_subject (skos:narrower|^skos:broader|cms:includesTaxon|^cms:parentTaxon)* ?covered .
    ?scoped cms:concernsSpecies|dct:subject ?covered
  })
}
ORDER BY ?relation ?via ?source ?target
"""

# Takes SPARQL text; returns SPARQL JSON results.


@dataclass(frozen=True)
class NetworkFilter:
    """What the analyst asked for: IRIs already resolved from the graph, and the edge kinds."""

    subject: str | None = None
    arrangement_type: str | None = None
    relations: frozenset[str] = frozenset({ARRANGEMENT, MEMBERSHIP, ADMINISTRATION})


def network_sparql(wanted: NetworkFilter) -> str:
    """The query with the subject and the kind of arrangement bound (or left unbound)."""
    choices: Sequence[Sequence[NamedNode]] = [
        [NamedNode(wanted.subject)] if wanted.subject else [],
        [NamedNode(wanted.arrangement_type)] if wanted.arrangement_type else [],
    ]
    return bind(NETWORK_QUERY, ["_subject", "_type"], choices)


def node_group(classes: frozenset[str]) -> str:
    """Which legend entry a node belongs to (and so its colour and shape)."""
    if CMS + "Instrument" in classes:
        return "instrument"
    if CMS + "Collaboration" in classes:
        return "collaboration"
    return "organisation"


def build_network(queries: Queries, labels: LabelLookup, wanted: NetworkFilter) -> dict[str, Any]:
    """Cytoscape.js elements: one node per organisation or instrument, one edge per pair of nodes
    and kind of relation (with every arrangement or membership it stands for), plus counts."""
    results = queries.select(network_sparql(wanted))
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in results:
        relation = row["relation"].value
        if relation not in wanted.relations:
            continue
        source, target = row["source"].value, row["target"].value
        for iri in (source, target):
            if iri not in nodes:
                nodes[iri] = {
                    "id": iri,
                    "label": labels.label(iri) or iri.rsplit("/", 1)[-1],
                    "short": labels.short(iri) or iri.rsplit("/", 1)[-1],
                    "group": node_group(labels.classes(iri)),
                }
        key = (relation, source, target)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = {
                "id": f"e{len(edges)}",
                "source": source,
                "target": target,
                "relation": relation,
                "via": [],
            }
        via = row["via"].value if "via" in row else None
        if via and all(v["iri"] != via for v in edge["via"]):
            kind = row["type"].value if "type" in row else None
            edge["via"].append(
                {"iri": via, "label": labels.label(via) or via, "kind": labels.label(kind) if kind else None}
            )
    for edge in edges.values():
        edge["label"] = "; ".join(v["label"] for v in edge["via"]) or _relation_text(edge["relation"])
    ordered = sorted(nodes.values(), key=lambda n: (n["group"], n["label"].casefold()))
    return {
        "nodes": [{"data": n} for n in ordered],
        "edges": [{"data": e} for e in edges.values()],
        "counts": {
            "nodes": len(nodes),
            "edges": len(edges),
            **{r: sum(1 for e in edges.values() if e["relation"] == r) for r in sorted(wanted.relations)},
        },
    }


def _relation_text(relation: str) -> str:
    return {ADMINISTRATION: "administered by", MEMBERSHIP: "member of"}.get(relation, relation)
