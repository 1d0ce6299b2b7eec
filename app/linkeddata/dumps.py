"""Full dumps of the curated graph: Turtle, N-Triples, JSON-LD (the union of all files) and
N-Quads (one named graph per curated file), byte-for-byte the same from the server and the CLI."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store, Triple, serialize

from app.formats import Format, Kind, by_name
from app.linkeddata.serialize import jsonld
from app.namespaces import PREFIXES

STEM = "cms-kg"
DUMP_FORMATS: tuple[str, ...] = ("turtle", "ntriples", "nquads", "jsonld")


@dataclass(frozen=True)
class Dump:
    """One dump file: its name, format, bytes and checksum."""

    fmt: Format
    data: bytes

    @property
    def name(self) -> str:
        return f"{STEM}.{self.fmt.extension}"

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def dump_format(name: str) -> Format:
    """The dump format a name stands for (turtle, ttl, nq, application/n-quads...)."""
    fmt = by_name(name, Kind.RDF)
    if fmt.name not in DUMP_FORMATS:
        raise ValueError(f"no dump in {fmt.name}; dumps are: {', '.join(DUMP_FORMATS)}")
    return fmt


def _sorted_quads(store: Store) -> list[Quad]:
    """Every quad of the named graphs (the default graph is their union) in a stable order, so the
    same data always gives the same bytes and checksum."""
    named = (q for q in store if not isinstance(q.graph_name, DefaultGraph))
    return sorted(named, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def _triples(quads: list[Quad]) -> list[Triple]:
    unique = dict.fromkeys(q.triple for q in quads)
    return sorted(unique, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def make(store: Store, fmt: Format) -> Dump:
    """The dump of `store` in `fmt`."""
    quads = _sorted_quads(store)
    if fmt.name == "nquads":
        data = serialize(quads, format=RdfFormat.N_QUADS) or b""
    elif fmt.name == "jsonld":
        data = jsonld(_triples(quads), PREFIXES)
    elif fmt.name == "turtle":
        data = serialize(_triples(quads), format=RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    else:
        data = serialize(_triples(quads), format=fmt.oxigraph) or b""
    return Dump(fmt, data)


def make_all(store: Store) -> dict[str, Dump]:
    """Every dump, by file name."""
    dumps = [make(store, by_name(name, Kind.RDF)) for name in DUMP_FORMATS]
    return {d.name: d for d in dumps}
