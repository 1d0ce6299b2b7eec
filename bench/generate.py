"""Synthetic graphs that follow the ontology: the curated graph replicated with fresh IRIs.

The reference data (species groups, topics, places, instruments, Aichi targets, arrangement
types, documents and paragraphs) is kept once, as curated. The things that grow in a real
catalogue (organisations, arrangements, activities, events, fundings, collaborations,
memberships, posts and taxa) are copied N times with fresh IRIs (`…-r{k}`) and suffixed labels
(`… #k`). Copies keep pointing at the shared reference data, so each species group, topic or
place gains arrangements and partners as the graph grows (fan-out), and species groups include
every copy of their taxa. Each copy's top taxa hang under the taxa of an earlier copy
((k-1)//2, a binary heap), so taxon trees get about log2(N) levels deeper.

The result is a data root (ontology/, shapes/ from the repository; graph/*.ttl generated) that
passes the same SHACL validation as the curated data.
"""

from __future__ import annotations

import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Store, Triple, serialize

REPO_ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/cms-kg/id/"
CMS = "https://w3id.org/cms-kg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DWC = "http://rs.tdwg.org/dwc/terms/"
REPLICATED = {
    "organisation",
    "arrangement",
    "activity",
    "event",
    "funding",
    "membership",
    "collaboration",
    "post",
    "taxon",
}
LABELS = {
    SKOS + "prefLabel",
    SKOS + "altLabel",
    DWC + "scientificName",
    DWC + "vernacularName",
    "http://xmlns.com/foaf/0.1/name",
    CMS + "shortName",
}
PARENT_TAXON = NamedNode(CMS + "parentTaxon")
INCLUDES_TAXON = NamedNode(CMS + "includesTaxon")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TAXON = NamedNode(CMS + "Taxon")
PREFIXES = {
    "cms": CMS,
    "skos": SKOS,
    "dwc": DWC,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    **{kind.replace("-", ""): f"{ID}{kind}/" for kind in REPLICATED},
    "sg": ID + "species-group/",
    "topic": ID + "topic/",
    "place": ID + "place/",
    "ins": ID + "instrument/",
    "rep": ID + "document/cop11-doc-21-1/",
    "doc": ID + "document/",
}


def kind_of(term) -> str | None:
    if isinstance(term, NamedNode) and term.value.startswith(ID):
        return term.value[len(ID) :].split("/", 1)[0]
    return None


@dataclass(frozen=True)
class Generated:
    root: Path
    triples: int
    replicas: int
    seconds: float


class Replicator:
    """Holds the curated triples per file and writes copies of the growing kinds."""

    def __init__(self, source_root: Path = REPO_ROOT) -> None:
        self.files: dict[str, list[Triple]] = {}
        for path in sorted((source_root / "graph").glob("*.ttl")):
            store = Store()
            store.load(path=str(path), format=RdfFormat.TURTLE, base_iri=path.as_uri())
            self.files[path.name] = [q.triple for q in store.quads_for_pattern(None, None, None)]
        ontology = Store()
        for path in sorted((source_root / "ontology").glob("*.ttl")):
            ontology.load(path=str(path), format=RdfFormat.TURTLE)
        self.ontology_triples = len(ontology)
        self.source_root = source_root
        self.base_triples = sum(len(t) for t in self.files.values())
        # taxa without a parent: in copy k they hang under the same taxon of copy (k-1)//2
        with_parent = {t.subject for ts in self.files.values() for t in ts if t.predicate == PARENT_TAXON}
        self.top_taxa_of: dict[str, list[NamedNode]] = defaultdict(list)
        for name, ts in self.files.items():
            for t in ts:
                if t.predicate == RDF_TYPE and t.object == TAXON and t.subject not in with_parent:
                    self.top_taxa_of[name].append(t.subject)
        self.per_replica = sum(len(self.replica(name, 1)) for name in self.files)

    @staticmethod
    def _rename(term, k: int):
        if k == 0:
            return term
        if isinstance(term, BlankNode):
            return BlankNode(f"{term.value}r{k}")
        if kind_of(term) in REPLICATED:
            return NamedNode(f"{term.value}-r{k}")
        return term

    def replica(self, name: str, k: int) -> list[Triple]:
        """Copy k (k >= 1) of the growing things whose triples are in file `name`."""
        out: list[Triple] = []
        rename = self._rename
        for t in self.files[name]:
            skind = kind_of(t.subject)
            if skind in REPLICATED or isinstance(t.subject, BlankNode):
                obj = t.object
                if isinstance(obj, Literal) and t.predicate.value in LABELS:
                    obj = (
                        Literal(f"{obj.value} #{k}", language=obj.language)
                        if obj.language
                        else Literal(f"{obj.value} #{k}", datatype=obj.datatype)
                    )
                else:
                    obj = rename(obj, k)
                out.append(Triple(rename(t.subject, k), t.predicate, obj))
            elif t.predicate == INCLUDES_TAXON and kind_of(t.object) == "taxon":
                # species groups include every copy of their taxa
                out.append(Triple(t.subject, t.predicate, rename(t.object, k)))
        for taxon in self.top_taxa_of.get(name, ()):
            out.append(Triple(rename(taxon, k), PARENT_TAXON, rename(taxon, (k - 1) // 2)))
        return out

    def replicas_for(self, target: int) -> int:
        """How many copies bring the served graph (ontology + data) closest to `target` triples."""
        base = self.base_triples + self.ontology_triples
        return max(0, round((target - base) / self.per_replica))

    def write(self, target_triples: int, out: Path) -> Generated:
        """Write a data root with about `target_triples` triples under `out`."""
        started = time.perf_counter()
        replicas = self.replicas_for(target_triples)
        if out.exists():
            shutil.rmtree(out)
        (out / "graph").mkdir(parents=True)
        shutil.copytree(self.source_root / "ontology", out / "ontology")
        shutil.copytree(self.source_root / "shapes", out / "shapes")
        total = self.ontology_triples
        for name, triples in self.files.items():
            body: list[Triple] = list(triples)
            for k in range(1, replicas + 1):
                body.extend(self.replica(name, k))
            total += len(body)
            data = serialize(body, format=RdfFormat.TURTLE, prefixes=PREFIXES)
            (out / "graph" / name).write_bytes(data)
        return Generated(out, total, replicas, time.perf_counter() - started)


def parse_size(text: str) -> int:
    """'1e5', '100000', '100k', '1M' -> an integer number of triples."""
    text = text.strip().lower()
    factor = 1
    if text.endswith("k"):
        text, factor = text[:-1], 1_000
    elif text.endswith("m"):
        text, factor = text[:-1], 1_000_000
    return int(float(text) * factor)


def label_of_size(n: int) -> str:
    """10000 -> '1e4' (rounded exponent), for tables."""
    import math

    exponent = round(math.log10(max(n, 1)))
    return f"1e{exponent}" if abs(n - 10**exponent) / 10**exponent < 0.35 else f"{n:,}"


def by_kind(triples: list[Triple]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for t in triples:
        counts[kind_of(t.subject) or "other"] += 1
    return dict(counts)
