"""The resource indexes (/id/ and /id/{kind}/) in RDF, paged: a Hydra collection whose members are
the resources (with their labels and classes), and one partial view per page linking the first,
previous, next and last pages, so a crawler can walk every resource without parsing HTML."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Triple

from app.linkeddata.catalogue import Catalogue, Entry
from app.linkeddata.iris import IriSpace
from app.namespaces import DCT, FOAF, RDF, RDFS, VOID, XSD_INTEGER

HYDRA = "http://www.w3.org/ns/hydra/core#"
PAGE_SIZE = 200


class PageOutOfRange(LookupError):
    """A page number past the last page (answered with 404)."""


def _n(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def collection(
    collection_iri: str,
    title: str,
    entries: list[Entry],
    page: int,
    view_url: str,
    space: IriSpace,
    parts: list[tuple[str, str, int]] | None = None,
    size: int = PAGE_SIZE,
) -> list[Triple]:
    """Page `page` (1-based) of a collection of `entries`, as triples; `view_url` is the page's
    address without its query (`?page=N` is added); `parts` are sub-collections (iri, title, count)."""
    pages = page_count(len(entries), size)
    if page < 1 or page > pages:
        raise PageOutOfRange(page)
    this = NamedNode(collection_iri)
    view = NamedNode(f"{view_url}?page={page}")
    out = [
        Triple(this, NamedNode(RDF + "type"), NamedNode(HYDRA + "Collection")),
        Triple(this, NamedNode(DCT + "title"), Literal(title, language="en")),
        Triple(this, NamedNode(HYDRA + "totalItems"), _n(len(entries))),
        Triple(this, NamedNode(HYDRA + "view"), view),
        Triple(this, NamedNode(VOID + "inDataset"), NamedNode(space.base + "void#dataset")),
        Triple(view, NamedNode(RDF + "type"), NamedNode(HYDRA + "PartialCollectionView")),
        Triple(view, NamedNode(FOAF + "primaryTopic"), this),
        Triple(view, NamedNode(HYDRA + "first"), NamedNode(f"{view_url}?page=1")),
        Triple(view, NamedNode(HYDRA + "last"), NamedNode(f"{view_url}?page={pages}")),
    ]
    if page > 1:
        out.append(Triple(view, NamedNode(HYDRA + "previous"), NamedNode(f"{view_url}?page={page - 1}")))
    if page < pages:
        out.append(Triple(view, NamedNode(HYDRA + "next"), NamedNode(f"{view_url}?page={page + 1}")))
    for iri, part_title, count in parts or []:
        part = NamedNode(iri)
        out += [
            Triple(this, NamedNode(DCT + "hasPart"), part),
            Triple(part, NamedNode(RDF + "type"), NamedNode(HYDRA + "Collection")),
            Triple(part, NamedNode(DCT + "title"), Literal(part_title, language="en")),
            Triple(part, NamedNode(HYDRA + "totalItems"), _n(count)),
        ]
    for entry in entries[(page - 1) * size : page * size]:
        member = NamedNode(entry.iri)
        out.append(Triple(this, NamedNode(HYDRA + "member"), member))
        out.append(Triple(member, NamedNode(RDFS + "label"), Literal(entry.label)))
    return out


def everything(catalogue: Catalogue) -> list[Entry]:
    """Every minted resource, in a stable order (by IRI)."""
    return sorted((e for kind in catalogue.kinds.values() for e in kind.entries), key=lambda e: e.iri)
