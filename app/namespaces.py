"""The vocabularies we read and write, and the prefixes used to print IRIs short."""

from __future__ import annotations

from pyoxigraph import NamedNode

CMS = "https://w3id.org/cms-kg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
VANN = "http://purl.org/vocab/vann/"
DWC = "http://rs.tdwg.org/dwc/terms/"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "cms": CMS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": "http://www.w3.org/ns/org#",
    "prov": PROV,
    "dct": DCT,
    "dwc": DWC,
    "schema": "http://schema.org/",
    "foaf": FOAF,
    "time": "http://www.w3.org/2006/time#",
    "vann": VANN,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "sd": SD,
}

RDF_TYPE = NamedNode(RDF + "type")
XSD_INTEGER = NamedNode(XSD + "integer")

# Properties whose values name a resource, in order of preference.
LABEL_PROPERTIES: tuple[str, ...] = (
    SKOS + "prefLabel",
    RDFS + "label",
    DCT + "title",
    FOAF + "name",
    CMS + "shortName",
)


def prefixed(iri: str) -> str | None:
    """`skos:prefLabel` for a known namespace, else None."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return None


def local_name(iri: str) -> str:
    """The last segment of an IRI, after '#' or '/'."""
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
