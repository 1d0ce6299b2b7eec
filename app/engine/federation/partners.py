"""Partner endpoints described as data: every cms:PartnerEndpoint (an sd:Service) with an
sd:endpoint in the curated graph is on the SERVICE allowlist."""

from __future__ import annotations

from pyoxigraph import NamedNode, Store

from app.graph.oxigraph import solutions

PARTNERS = """
PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX cms: <https://w3id.org/cms-kg/ontology#>
SELECT DISTINCT ?endpoint WHERE { ?service a cms:PartnerEndpoint ; sd:endpoint ?endpoint }"""


def partner_endpoints(store: Store) -> frozenset[str]:
    rows = solutions(store.query(PARTNERS))
    return frozenset(row["endpoint"].value for row in rows if isinstance(row["endpoint"], NamedNode))
