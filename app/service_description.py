"""The W3C SPARQL 1.1 Service Description of our endpoint, as RDF triples."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from app.formats import FORMATS
from app.namespaces import RDF_TYPE, SD, VOID, XSD_INTEGER

W3C_FORMATS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "nquads": "N-Quads",
    "trig": "TriG",
}


def sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def describe_service(
    endpoint: str,
    graphs: dict[str, int],
    default_triples: int,
    updates: bool,
    federation: bool,
) -> list[Triple]:
    """The service description: endpoint, languages, formats, features and the dataset."""
    service = NamedNode(endpoint + "#service")
    dataset, default_graph = BlankNode(), BlankNode()
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), NamedNode(endpoint)),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(
            service,
            sd("defaultEntailmentRegime"),
            NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
        Triple(
            default_graph, NamedNode(VOID + "triples"), Literal(str(default_triples), datatype=XSD_INTEGER)
        ),
    ]
    if updates:
        triples.append(Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if federation:
        triples.append(Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for fmt in FORMATS:
        triples.append(
            Triple(
                service,
                sd("resultFormat"),
                NamedNode("http://www.w3.org/ns/formats/" + W3C_FORMATS[fmt.name]),
            )
        )
    for name, count in sorted(graphs.items()):
        named, graph = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, sd("namedGraph"), named),
            Triple(named, RDF_TYPE, sd("NamedGraph")),
            Triple(named, sd("name"), NamedNode(name)),
            Triple(named, sd("graph"), graph),
            Triple(graph, RDF_TYPE, sd("Graph")),
            Triple(graph, NamedNode(VOID + "triples"), Literal(str(count), datatype=XSD_INTEGER)),
        ]
    return triples
