"""Labels to IRIs and back: every label of every resource, read once from the loaded graph.

A label parameter matches, case-insensitively, any label of a resource of the right kind:
preferred, alternative and hidden labels, short names, scientific and vernacular names, ISO codes,
notations and target numbers. When several resources match, those matched by a naming label
(preferred label, short name, scientific name, code) win over those matched by an alternative one;
among equals, the exact species or concept wins over a group that includes it ("Saiga" names the
species, not a group of antelopes that lists it), unless the two are declared the same
(skos:exactMatch: the group "cetaceans" and the infraorder Cetacea are both kept).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Store, Triple

from app.canned.errors import LabelNotFound, ParameterError
from app.canned.kinds import ResourceKind
from app.graph.oxigraph import solutions
from app.namespaces import CMS, DCT, DWC, FOAF, RDFS, SKOS

log = logging.getLogger(__name__)

# Label property -> tier (1 names the resource, 2 is another name for it).
LABEL_PROPERTIES: dict[str, int] = {
    SKOS + "prefLabel": 1,
    CMS + "shortName": 1,
    DWC + "scientificName": 1,
    CMS + "iso3166Alpha2": 1,
    CMS + "iso3166Alpha3": 1,
    CMS + "targetNumber": 1,
    CMS + "number": 1,
    CMS + "symbol": 1,
    SKOS + "notation": 1,
    FOAF + "name": 1,
    RDFS + "label": 1,
    DCT + "title": 1,
    SKOS + "altLabel": 2,
    SKOS + "hiddenLabel": 2,
    DWC + "vernacularName": 2,
}
# Which label is shown for a resource, best first.
DISPLAY_ORDER = (SKOS + "prefLabel", FOAF + "name", RDFS + "label", DCT + "title", CMS + "shortName")
_IRI_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
MAX_SUGGESTIONS = 5
SUBCLASS = NamedNode(RDFS + "subClassOf")
Term = NamedNode | BlankNode | Literal | Triple


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class Entry:
    iri: str
    classes: set[str] = field(default_factory=set)
    labels: list[tuple[str, str, str | None]] = field(default_factory=list)  # (text, property, lang)

    @property
    def display(self) -> str | None:
        for prop in DISPLAY_ORDER:
            texts = [(lang, t) for t, p, lang in self.labels if p == prop]
            if texts:
                english = [t for lang, t in texts if lang and lang.lower().startswith("en")]
                return english[0] if english else sorted(t for _, t in texts)[0]
        return None


@dataclass(frozen=True)
class Match:
    iri: str
    label: str | None


# Edges from a broader concept or group to a narrower one or a taxon it includes, and the pairs
# declared the same: read once, to prefer the exact concept a label names over a group above it.
HIERARCHY = f"""
SELECT DISTINCT ?broad ?narrow WHERE {{
  {{ ?broad <{SKOS}narrower> ?narrow }} UNION {{ ?narrow <{SKOS}broader> ?broad }}
  UNION {{ ?broad <{CMS}includesTaxon> ?narrow }} UNION {{ ?narrow <{CMS}parentTaxon> ?broad }}
  FILTER(isIRI(?broad) && isIRI(?narrow))
}}"""
EXACT = f"SELECT DISTINCT ?a ?b WHERE {{ ?a <{SKOS}exactMatch> ?b FILTER(isIRI(?a) && isIRI(?b)) }}"


def _up_closure(store: Store) -> Callable[[Term], frozenset[str]]:
    """A class's IRI and its superclasses' (any number of rdfs:subClassOf steps), memoised."""
    parents: dict[Term, list[Term]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, SUBCLASS, None, DefaultGraph()):
        parents[quad.subject].append(quad.object)
    known: dict[Term, frozenset[str]] = {}

    def closure(start: Term) -> frozenset[str]:
        if start not in known:
            seen, todo = {start}, [start]
            while todo:
                for parent in parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            known[start] = frozenset(node.value for node in seen if isinstance(node, NamedNode))
        return known[start]

    return closure


class LabelIndex:
    """Every labelled resource with its classes (and superclasses) and its labels."""

    def __init__(
        self,
        entries: dict[str, Entry],
        narrower: dict[str, set[str]] | None = None,
        same: set[frozenset[str]] | None = None,
    ) -> None:
        self._entries = entries
        self._narrower = narrower or {}
        self._broader: dict[str, set[str]] = defaultdict(set)
        for broad, narrows in self._narrower.items():
            for narrow in narrows:
                self._broader[narrow].add(broad)
        self._same = same or set()
        self._display = {iri: entry.display for iri, entry in entries.items()}
        self._classes = {iri: frozenset(entry.classes) for iri, entry in entries.items()}
        self._by_label: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for iri, entry in entries.items():
            for text, prop, _ in entry.labels:
                self._by_label[normalise(text)].append((iri, LABEL_PROPERTIES[prop]))

    @classmethod
    def from_store(cls, store: Store) -> LabelIndex:
        entries: dict[str, Entry] = {}
        props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        where = f"VALUES ?p {{ {props} }} ?s ?p ?o FILTER(isIRI(?s) && isLITERAL(?o))"
        for row in solutions(store.query(f"SELECT ?s ?p ?o WHERE {{ {where} }}")):
            entry = entries.setdefault(row["s"].value, Entry(row["s"].value))
            entry.labels.append((row["o"].value, row["p"].value, row["o"].language))
        # ?s a/rdfs:subClassOf* ?c, with the closure taken here once per class: the path in
        # SPARQL walked it once per typed resource (2.5 s at 10^6 triples)
        closure = _up_closure(store)
        types = "SELECT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?s)) }"
        for row in solutions(store.query(types)):
            classes = entries.setdefault(row["s"].value, Entry(row["s"].value)).classes
            classes.update(closure(row["c"]))
        narrower: dict[str, set[str]] = defaultdict(set)
        for row in solutions(store.query(HIERARCHY)):
            narrower[row["broad"].value].add(row["narrow"].value)
        same = {frozenset((row["a"].value, row["b"].value)) for row in solutions(store.query(EXACT))}
        return cls(entries, dict(narrower), same)

    def to_json(self) -> bytes:
        """The index's input (entries, hierarchy, declared sameness) as JSON, in order; each
        distinct set of classes written once (a few hundred for 70,000 resources at 10^6 triples)."""
        class_sets = sorted({tuple(sorted(e.classes)) for e in self._entries.values()})
        number = {classes: i for i, classes in enumerate(class_sets)}
        return json.dumps(
            {
                "key": _CACHE_KEY,
                "class_sets": class_sets,
                # in the index's own order, which decides the spelling a suggestion shows
                "entries": [
                    [iri, number[tuple(sorted(e.classes))], e.labels] for iri, e in self._entries.items()
                ],
                "narrower": {broad: sorted(n) for broad, n in sorted(self._narrower.items())},
                "same": sorted(sorted(pair) for pair in self._same),
            },
            ensure_ascii=False,
        ).encode()

    @classmethod
    def from_json(cls, blob: bytes) -> LabelIndex:
        """The index `to_json` wrote; ValueError if it is not one, or was written by other code."""
        data: dict[str, Any] = json.loads(blob)
        if not isinstance(data, dict) or data.get("key") != _CACHE_KEY:
            raise ValueError("not a label index written by this version of the code")
        class_sets = [set(classes) for classes in data["class_sets"]]
        entries = {
            iri: Entry(iri, set(class_sets[n]), [(t, p, lang) for t, p, lang in labels])
            for iri, n, labels in data["entries"]
        }
        narrower = {broad: set(n) for broad, n in data["narrower"].items()}
        return cls(entries, narrower, {frozenset(pair) for pair in data["same"]})

    def __len__(self) -> int:
        return len(self._entries)

    def label(self, iri: str) -> str | None:
        return self._display.get(iri)

    def short(self, iri: str) -> str | None:
        """The resource's short name (IFAW, NOAA), if it has one: the English one first."""
        entry = self._entries.get(iri)
        names = sorted(
            (lang is None or not lang.lower().startswith("en"), text)
            for text, prop, lang in (entry.labels if entry else [])
            if prop == CMS + "shortName"
        )
        return names[0][1] if names else None

    def resolve(self, parameter: str, kind: ResourceKind, text: str) -> list[Match]:
        """The resources of this kind the text names (an IRI or a label); LabelNotFound if none."""
        if _IRI_LIKE.match(text):
            try:
                NamedNode(text)
            except ValueError:
                raise ParameterError(parameter, f"{text!r} is not a valid IRI") from None
            if text in self._classes and kind.admits(self._classes[text]):
                return [Match(text, self.label(text))]
            raise LabelNotFound(parameter, f"the graph has no {kind.name} with the IRI <{text}>", [])
        candidates = [
            (iri, tier)
            for iri, tier in self._by_label.get(normalise(text), [])
            if kind.admits(self._classes.get(iri, frozenset()))
        ]
        if not candidates:
            raise LabelNotFound(
                parameter, f"no {kind.name} is labelled {text!r}", self.suggestions(kind, text)
            )
        best = min(tier for _, tier in candidates)
        iris = self._most_specific({iri for iri, tier in candidates if tier == best})
        return [Match(iri, self.label(iri)) for iri in sorted(iris)]

    def _most_specific(self, iris: set[str]) -> set[str]:
        """Drop a candidate that includes another candidate below it (a group above the species),
        unless the two are declared the same."""
        if len(iris) < 2:
            return iris
        keep = set(iris)
        for broad in iris:
            below = self._below(broad)
            others = iris - {broad}
            if any(other in below and frozenset((broad, other)) not in self._same for other in others):
                keep.discard(broad)
        return keep or iris

    def broader(self, iri: str) -> list[Match]:
        """The groups or concepts right above a resource (the Whale Shark: sharks), by label."""
        above = [
            Match(b, self.label(b))
            for b in self._broader.get(iri, ())
            if frozenset((iri, b)) not in self._same
        ]
        return sorted(above, key=lambda m: ((m.label or m.iri).casefold(), m.iri))

    def _below(self, iri: str) -> set[str]:
        seen: set[str] = set()
        todo = [iri]
        while todo:
            for child in self._narrower.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    def suggestions(self, kind: ResourceKind, text: str) -> list[str]:
        """Labels of this kind close to the text: those containing it first, then look-alikes."""
        wanted = normalise(text)
        labels: dict[str, str] = {}
        for iri, entry in self._entries.items():
            if kind.admits(self._classes[iri]):
                for label, _, _ in entry.labels:
                    labels.setdefault(normalise(label), label)
        containing = sorted((n for n in labels if wanted and wanted in n), key=len)
        close = difflib.get_close_matches(wanted, list(labels), n=MAX_SUGGESTIONS, cutoff=0.6)
        ordered = list(dict.fromkeys([*containing[:MAX_SUGGESTIONS], *close]))
        return [labels[n] for n in ordered[:MAX_SUGGESTIONS]]


# A cache is read only by the code that wrote it: any change to this module makes a new key.
_CACHE_KEY = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
CACHE_FILE = "label-index.json"


def cached(store: Store, folder: Path | None) -> LabelIndex:
    """The label index of `store`; of an on-disk build (`folder`, which never changes once built),
    read from the file the build's first start wrote in it, beside the store's own files: 7.9 s
    of reading the store at 10^6 triples, 1.7 s from the file. Without a folder, or when the file
    is missing, unreadable or stale, it is read from the store (and the file written if it can be)."""
    if folder is None:
        return LabelIndex.from_store(store)
    path = folder / CACHE_FILE
    try:
        return LabelIndex.from_json(path.read_bytes())
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError, KeyError, IndexError) as why:
        log.info("label index cache %s not used (%s): reading the store", path, why)
    index = LabelIndex.from_store(store)
    scratch = path.with_name(f".{CACHE_FILE}.{os.getpid()}")
    try:
        scratch.write_bytes(index.to_json())
        scratch.replace(path)  # atomic: a server starting beside this one reads all of it or none
    except OSError as why:
        log.info("label index cache %s not written (%s)", path, why)
        scratch.unlink(missing_ok=True)
    return index
