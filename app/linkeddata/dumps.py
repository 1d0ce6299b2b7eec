"""Full dumps of the curated graph: Turtle, N-Triples, JSON-LD (the union of all files) and
N-Quads (one named graph per curated file), each also gzipped, and a SHA256SUMS file that
`sha256sum -c` accepts; byte-for-byte the same from the server and the CLI.

Only the curated graphs (and their inferences) are dumped: the graphs that describe the data
(VoID, SPARQL examples) are not data, and the VoID names the dumps' checksums.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from app.formats import AnswerKind, Format, by_name
from app.linkeddata.serialize import jsonld
from app.namespaces import PREFIXES

STEM = "cms-kg"
DUMP_FORMATS: tuple[str, ...] = ("turtle", "ntriples", "nquads", "jsonld")
CHECKSUMS = "SHA256SUMS"
GZIP_MEDIA_TYPE = "application/gzip"


@dataclass(frozen=True)
class Dump:
    """One dump file: its name, format, bytes and checksum (gzipped: the bytes are compressed)."""

    fmt: Format
    data: bytes
    gzipped: bool = False

    @property
    def name(self) -> str:
        return f"{STEM}.{self.fmt.extension}" + (".gz" if self.gzipped else "")

    @property
    def media_type(self) -> str:
        return GZIP_MEDIA_TYPE if self.gzipped else self.fmt.content_type

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def dump_format(name: str) -> Format:
    """The dump format a name stands for (turtle, ttl, nq, application/n-quads...)."""
    fmt = by_name(name, AnswerKind.RDF)
    if fmt.name not in DUMP_FORMATS:
        raise ValueError(f"no dump in {fmt.name}; dumps are: {', '.join(DUMP_FORMATS)}")
    return fmt


def _sorted_quads(store: Store, graphs: list[NamedNode] | None) -> list[Quad]:
    """Every quad of the graphs (by default every named graph: the default graph is their union) in
    a stable order, so the same data always gives the same bytes."""
    if graphs is None:
        quads = [q for q in store if not isinstance(q.graph_name, DefaultGraph)]
    else:
        quads = [q for g in graphs for q in store.quads_for_pattern(None, None, None, g)]
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def _triples(quads: list[Quad]) -> list[Triple]:
    unique = dict.fromkeys(q.triple for q in quads)
    return sorted(unique, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def make(store: Store, fmt: Format, graphs: list[NamedNode] | None = None) -> Dump:
    """The dump of `store` (only `graphs`, if given) in `fmt`."""
    quads = _sorted_quads(store, graphs)
    if fmt.name == "nquads":
        data = serialize(quads, format=RdfFormat.N_QUADS) or b""
    elif fmt.name == "jsonld":
        data = jsonld(_triples(quads), PREFIXES)
    elif fmt.name == "turtle":
        data = serialize(_triples(quads), format=RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    else:
        data = serialize(_triples(quads), format=fmt.rdf) or b""
    return Dump(fmt, data)


def gzipped(dump: Dump) -> Dump:
    """The dump compressed, with no file name or time in the gzip header: the same bytes each time."""
    return Dump(dump.fmt, gzip.compress(dump.data, compresslevel=9, mtime=0), gzipped=True)


def make_all(store: Store, graphs: list[NamedNode] | None = None) -> dict[str, Dump]:
    """Every dump, plain and gzipped, by file name."""
    plain = [make(store, by_name(name, AnswerKind.RDF), graphs) for name in DUMP_FORMATS]
    dumps = [d for p in plain for d in (p, gzipped(p))]
    return {d.name: d for d in dumps}


def checksums(dumps: list[Dump]) -> bytes:
    """The SHA256SUMS file: `<hex>  <name>` per dump, as `sha256sum` writes and `sha256sum -c` reads."""
    return "".join(f"{d.sha256}  {d.name}\n" for d in sorted(dumps, key=lambda d: d.name)).encode()
