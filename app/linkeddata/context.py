"""The published JSON-LD @context (/context.jsonld) and resource documents compacted with it.

The context gives a plain key to every property and class the curated graph uses, ours and those
of the standard vocabularies (`prefLabel`, `party`, `Organisation`); where two vocabularies share a
local name, ours (then the earlier in app.namespaces.PREFIXES) keeps the plain key and the others
are written as prefixed names (`dct:title`). Each term says what its values are, as the data has
them: links (`@type: @id`), English text (`@language: en`), one datatype (`@type: xsd:date`); a
property that any resource has more than once is always an array (`@container: @set`), so a
program never has to ask whether it got one value or several. `id` and `type` stand for @id and
@type; `type` is always an array.

A resource document has the resource at the top, what it links to embedded where it is first
named (with its labels), the statements that point to it under `@reverse`, and the labels of the
classes and properties it uses under `@included`. Compaction is
pyld's (the JSON-LD API's reference algorithms); the tree is arranged here. JSON-LD 1.1 has no
triple terms (RDF 1.2): a statement whose object is one (a Graph Store upload may hold it) is left
out of the document, and is in the resource's Turtle and N-Triples.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, NamedTuple

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

from app.graph.oxigraph import Subject, subject_of
from app.linkeddata.iris import IriSpace
from app.namespaces import PREFIXES, RDF, XSD, local_name

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RESERVED = {"id", "type", *PREFIXES}
FIRST_KEYS = ("@context", "id", "type")


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _rank(iri: str) -> int:
    for i, namespace in enumerate(PREFIXES.values()):
        if iri.startswith(namespace):
            return i
    return len(PREFIXES)


def _valid_term(name: str) -> bool:
    return bool(name) and name[0].isalpha() and all(c.isalnum() or c in "_-" for c in name)


def _plain_names(iris: set[str]) -> dict[str, str]:
    """Each IRI's plain key, when it can have one: its local name, not taken by an earlier vocabulary."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for iri in iris:
        name = local_name(iri)
        if _valid_term(name) and name not in RESERVED:
            by_name[name].append(iri)
    return {min(found, key=lambda i: (_rank(i), i)): name for name, found in by_name.items()}


def build(store: Store, space: IriSpace) -> dict[str, Any]:
    """The context document for the curated graphs of `store`."""
    graphs = set(space.curated_graphs(store))
    kinds: dict[str, set[str]] = defaultdict(set)  # property -> "@id", "@en", or a datatype IRI
    counts: dict[tuple[str, str], set[str]] = defaultdict(set)
    classes: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None):
        if quad.graph_name not in graphs:
            continue
        p, o = quad.predicate.value, quad.object
        if p == RDF_TYPE:
            if isinstance(o, NamedNode):
                classes.add(o.value)
            continue
        if isinstance(o, NamedNode | BlankNode):
            kinds[p].add("@id")
        elif isinstance(o, Literal):
            kinds[p].add("@" + o.language if o.language else o.datatype.value)
        counts[(str(quad.subject), p)].add(str(o))
    multi = {p for (_s, p), values in counts.items() if len(values) > 1}
    context: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": {"@id": "@type", "@container": "@set"}}
    context.update(dict(sorted(PREFIXES.items())))
    terms: dict[str, Any] = {}
    for iri, name in _plain_names(set(kinds)).items():
        terms[name] = _definition(iri, kinds[iri], iri in multi)
    for iri, name in _plain_names(classes).items():
        if name not in terms:
            terms[name] = _curie(iri)
    # prefixed names of the properties without a plain key keep their coercion too
    plain = set(_plain_names(set(kinds)))
    for iri in sorted(set(kinds) - plain):
        curie = _curie(iri)
        if curie != iri:
            terms[curie] = _definition(iri, kinds[iri], iri in multi, with_id=False)
    context.update(dict(sorted(terms.items())))
    return {"@context": context}


def _definition(iri: str, kinds: set[str], multi: bool, with_id: bool = True) -> dict[str, Any]:
    definition: dict[str, Any] = {"@id": _curie(iri)} if with_id else {}
    if kinds == {"@id"}:
        definition["@type"] = "@id"
    elif kinds == {"@en"}:
        definition["@language"] = "en"
    elif len(kinds) == 1 and not next(iter(kinds)).startswith("@") and next(iter(kinds)) != XSD_STRING:
        definition["@type"] = _curie(next(iter(kinds)))
    if multi:
        definition["@container"] = "@set"
    return definition


def _term(term: NamedNode | BlankNode | Literal) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"@id": term.value}
    if isinstance(term, BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


class _Statement(NamedTuple):
    """A statement JSON-LD 1.1 can write: one whose object is not a triple term."""

    subject: Subject
    predicate: NamedNode
    object: NamedNode | BlankNode | Literal


def _writable(triples: list[Triple]) -> list[_Statement]:
    """The statements JSON-LD 1.1 can write, in their order (see the module's docstring)."""
    return [
        _Statement(subject_of(t), t.predicate, t.object) for t in triples if not isinstance(t.object, Triple)
    ]


def _tree(top: str, triples: list[_Statement], document: str | None) -> dict[str, Any]:
    """Expanded JSON-LD with `top` at the root: each node's statements where it is first reached,
    forward (embedded objects) or backward (`@reverse`); every triple is written once."""
    out_of: dict[str, list[_Statement]] = defaultdict(list)
    into: dict[str, list[_Statement]] = defaultdict(list)
    for t in triples:
        out_of[_term(t.subject)["@id"]].append(t)
        if not isinstance(t.object, Literal):
            into[_term(t.object)["@id"]].append(t)
    placed: set[_Statement] = set()
    expanded: set[str] = set()

    def node(node_id: str) -> dict[str, Any]:
        expanded.add(node_id)
        item: dict[str, Any] = {"@id": node_id}
        for t in out_of.get(node_id, []):
            if t in placed:
                continue
            placed.add(t)
            if t.predicate.value == RDF_TYPE and isinstance(t.object, NamedNode):
                item.setdefault("@type", []).append(t.object.value)
                continue
            value = _term(t.object)
            if "@id" in value and value["@id"] not in expanded and out_of.get(value["@id"]):
                value = node(value["@id"])
            item.setdefault(t.predicate.value, []).append(value)
        for t in into.get(node_id, []):
            if t in placed:
                continue
            placed.add(t)
            subject = _term(t.subject)["@id"]
            value = node(subject) if subject not in expanded else {"@id": subject}
            item.setdefault("@reverse", {}).setdefault(t.predicate.value, []).append(value)
        return item

    root = node(top)
    # What the tree does not reach (the labels of the classes and properties it uses) is listed
    # beside it, under @included.
    included = []
    for t in triples:
        if t not in placed:
            subject = _term(t.subject)["@id"]
            included.append(node(subject) if subject not in expanded else _rest(subject, out_of, placed))
    if included:
        root["@included"] = included
    if document:
        primary = "http://xmlns.com/foaf/0.1/primaryTopic"
        root.setdefault("@reverse", {}).setdefault(primary, []).append({"@id": document})
    return root


def _rest(node_id: str, out_of: dict[str, list[_Statement]], placed: set[_Statement]) -> dict[str, Any]:
    """A node's statements not yet written (its other statements are written elsewhere)."""
    item: dict[str, Any] = {"@id": node_id}
    for t in out_of.get(node_id, []):
        if t not in placed:
            placed.add(t)
            item.setdefault(t.predicate.value, []).append(_term(t.object))
    return item


def _ordered(value: Any) -> Any:
    """id and type first, then the other keys in order, @reverse last: stable, readable output."""
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    if not isinstance(value, dict):
        return value
    keys = [k for k in FIRST_KEYS if k in value]
    keys += sorted(k for k in value if k not in FIRST_KEYS and k not in ("@reverse", "@included"))
    keys = [k for k in keys if k != "@included"]
    keys += [k for k in ("@reverse", "@included") if k in value]
    if "@included" in value and not isinstance(value["@included"], list):
        value = {**value, "@included": [value["@included"]]}
    return {k: _ordered(value[k]) for k in keys}


def resource_document(
    iri: str, triples: list[Triple], context: dict[str, Any], context_url: str, document: str | None = None
) -> bytes:
    """The description of `iri` as compact JSON-LD, referring to the published context by URL."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    from pyld import jsonld  # here, not at start-up: pyld and requests take 60 ms to import

    compacted = jsonld.compact(_tree(iri, _writable(ordered), document), context, options={"graph": False})
    compacted["@context"] = context_url
    return json.dumps(_ordered(compacted), ensure_ascii=False, indent=2).encode() + b"\n"
