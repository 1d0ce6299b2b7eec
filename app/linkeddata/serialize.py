"""Writing triples in the RDF formats: pyoxigraph for Turtle, N-Triples and RDF/XML; compact
JSON-LD written here (pyoxigraph writes only the expanded form, hard for people to read, and
rdflib's writer does not give the same bytes twice, which dumps with checksums need)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from app.formats import Format
from app.graph.oxigraph import Subject, Term, subject_of
from app.namespaces import PREFIXES, RDF, XSD

PREFIXED = {"turtle", "trig", "rdfxml"}
XSD_STRING = XSD + "string"
RDF_TYPE = RDF + "type"


def used_prefixes(triples: list[Triple]) -> dict[str, str]:
    """Only the prefixes the triples use, so small documents carry small headers."""
    text = " ".join(f"{t.subject} {t.predicate} {t.object}" for t in triples)
    return {p: ns for p, ns in PREFIXES.items() if "<" + ns in text}


def _compact(iri: str, context: dict[str, str]) -> str:
    """'skos:prefLabel' for keys and @type values (the context's prefixes expand them back)."""
    for prefix, namespace in context.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
    return iri


def _node_id(term: Subject) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def _object(term: Term, context: dict[str, str]) -> object:
    if isinstance(term, NamedNode | BlankNode):
        return {"@id": _node_id(term)}
    if isinstance(term, Triple):  # curated data has none; pyoxigraph's JSON-LD writer refuses them too
        raise ValueError(f"JSON-LD 1.1 cannot write the triple term <<( {term} )>>")
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _compact(term.datatype.value, context)}


def jsonld(triples: Iterable[Triple], context: dict[str, str] | None = None) -> bytes:
    """Compact JSON-LD: one node object per subject in a @graph, in a stable order."""
    triples = list(triples)
    context = used_prefixes(triples) if context is None else context
    nodes: dict[str, dict[str, list]] = {}
    for t in triples:
        node = nodes.setdefault(_node_id(subject_of(t)), {})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, NamedNode):
            node.setdefault("@type", []).append(_compact(t.object.value, context))
        else:
            node.setdefault(_compact(t.predicate.value, context), []).append(_object(t.object, context))
    graph = []
    for node_id, properties in nodes.items():
        item: dict[str, object] = {"@id": node_id}
        for key in sorted(properties, key=lambda k: (k != "@type", k)):
            values = properties[key]
            item[key] = values[0] if len(values) == 1 else values
        graph.append(item)
    document = {"@context": dict(sorted(context.items())), "@graph": graph}
    return json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n"


def write(triples: list[Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """The triples in `fmt` (any RDF format of app.formats)."""
    if fmt.oxigraph == RdfFormat.JSON_LD:
        return jsonld(triples, prefixes)
    if fmt.name in PREFIXED:
        return serialize(triples, format=fmt.rdf, prefixes=prefixes or used_prefixes(triples)) or b""
    return serialize(triples, format=fmt.rdf) or b""
