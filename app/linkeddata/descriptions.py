"""What the graph says about one resource, fetched in one CONSTRUCT through the query service.

A description holds the resource's own statements (and those of its blank nodes), the labels of
everything it links to, the statements that point to it, the paragraphs that state its facts,
and, for a document or one of its parts, the facts derived from it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from pyoxigraph import NamedNode, Triple

from app.engine.service import QueryService
from app.engine.terms import PlainTerm
from app.namespaces import CMS, DCT, LABEL_PROPERTIES, PROV, RDF, RDFS

_LABELS = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)

# prov:wasDerivedFrom is bound as ?stated rather than written
# out: the engine's guard fully parses any query whose text contains the word "from" (looking for
# FROM clauses), which costs time on every page and is not needed for a query with no FROM.
DESCRIBE = f"""
CONSTRUCT {{
  ?this ?p ?o . ?o ?ol ?olabel . ?p <{RDFS}label> ?plabel .
  ?b ?bp ?bo .
  ?s ?ip ?this . ?s ?sl ?slabel . ?ip <{RDFS}label> ?iplabel . ?s ?stated ?ssource .
  ?ssource <{CMS}number> ?ssourcenumber .
  ?source <{CMS}number> ?number . ?source <{DCT}isPartOf> ?doc . ?doc ?dl ?dlabel .
  ?fact ?stated ?part . ?fact ?fl ?flabel . ?part <{CMS}number> ?partnumber .
  ?part <{DCT}isPartOf> ?parent .
  ?fact <{RDF}type> ?facttype . ?facttype <{RDFS}label> ?facttypelabel .
}}
WHERE {{
  {{ ?this ?p ?o .
     OPTIONAL {{ ?o ?ol ?olabel FILTER(?ol IN ({_LABELS})) }}
     OPTIONAL {{ ?p <{RDFS}label> ?plabel }} }}
  UNION {{ ?this ?p0 ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
  UNION {{ ?s ?ip ?this .
     OPTIONAL {{ ?s ?sl ?slabel FILTER(?sl IN ({_LABELS})) }}
     OPTIONAL {{ ?ip <{RDFS}label> ?iplabel }}
     OPTIONAL {{ ?s ?stated ?ssource OPTIONAL {{ ?ssource <{CMS}number> ?ssourcenumber }} }} }}
  UNION {{ {{ ?this ?stated ?source }} UNION {{ ?this <{CMS}mentionedIn> ?source }}
     OPTIONAL {{ ?source <{CMS}number> ?number }}
     OPTIONAL {{ ?source <{DCT}isPartOf> ?doc OPTIONAL {{ ?doc ?dl ?dlabel FILTER(?dl IN ({_LABELS})) }} }} }}
  UNION {{ ?part <{DCT}isPartOf>+ ?this . ?part <{DCT}isPartOf> ?parent . ?fact ?stated ?part .
     OPTIONAL {{ ?part <{CMS}number> ?partnumber }}
     OPTIONAL {{ ?fact ?fl ?flabel FILTER(?fl IN ({_LABELS})) }}
     OPTIONAL {{ ?fact <{RDF}type> ?facttype OPTIONAL {{ ?facttype <{RDFS}label> ?facttypelabel }} }} }}
}}
"""
BINDINGS = {"stated": PlainTerm("iri", PROV + "wasDerivedFrom")}


@dataclass(frozen=True)
class Description:
    """The triples that describe `iri`, its own statements first."""

    iri: str
    triples: tuple[Triple, ...]

    @property
    def own(self) -> list[Triple]:
        node = NamedNode(self.iri)
        return [t for t in self.triples if t.subject == node]

    @property
    def incoming(self) -> list[Triple]:
        return [t for t in self.triples if t.object == NamedNode(self.iri)]

    @property
    def known(self) -> bool:
        """Whether the graph says anything about or pointing to the resource."""
        node = NamedNode(self.iri)
        return any(t.subject == node or t.object == node for t in self.triples)


def ordered(iri: str, triples: list[Triple]) -> tuple[Triple, ...]:
    """Unique triples: the resource's own first, then the others grouped by subject."""
    unique = list(dict.fromkeys(triples))
    node = NamedNode(iri)
    return tuple(sorted(unique, key=lambda t: (t.subject != node, str(t.subject), str(t.predicate))))


def fetch_description(service: QueryService, iri: str) -> Description:
    """Ask the service (with its deadline) for everything that describes `iri`."""
    triples = service.construct(DESCRIBE, {**BINDINGS, "this": PlainTerm("iri", iri)}).triples
    return Description(iri, ordered(iri, list(triples)))


class DescriptionCache:
    """Recent descriptions, so one resource asked for in several formats is queried once.

    Keyed by the pool's generation: any update to the writable graphs makes old entries stale.
    """

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[tuple[str, int], Description] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, service: QueryService, iri: str) -> Description:
        key = (iri, service.generation)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        found = fetch_description(service, iri)
        with self._lock:
            self._items[key] = found
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found
