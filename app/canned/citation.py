"""How a canned answer is cited: its permalink (the question, its parameters and the data version),
the date of that version, and a "Cite this" line that writes paragraphs as citations are written
("UNEP/CMS/COP11/Doc.21.1, para. 20(c)").

Read once per data version from the loaded graph (no HTTP here: app/routes/queries.py puts the
permalink in a `Link: <…>; rel="cite-as"` header and the citation in the JSON answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from pyoxigraph import QuerySolutions, Store

from app.canned.spec import CannedQuery
from app.namespaces import CMS, DCT

DATA_VERSION = "data_version"  # the permalink's parameter naming the data version it cites
PUBLISHER = "CMS Synergies Knowledge Graph"

# Every numbered part of a document that has a symbol (paragraphs, lettered items, footnotes,
# sections), with the document's symbol and whether the part is a paragraph ("para. 20(c)").
PARTS = f"""
SELECT ?part ?number ?symbol (BOUND(?paragraph) AS ?is_paragraph) WHERE {{
  ?part <{CMS}number> ?number ; <{DCT}isPartOf>+ ?document .
  ?document <{CMS}symbol> ?symbol .
  OPTIONAL {{ ?part a ?paragraph FILTER(?paragraph = <{CMS}Paragraph>) }}
}}"""
# The date of the data version: the dataset's release date, as its VoID description gives it
# (the ontology header's dct:modified, else dct:issued or dct:created).
RELEASED = f"""
SELECT ?modified ?issued ?created WHERE {{
  ?ontology a <http://www.w3.org/2002/07/owl#Ontology> .
  OPTIONAL {{ ?ontology <{DCT}modified> ?modified }}
  OPTIONAL {{ ?ontology <{DCT}issued> ?issued }}
  OPTIONAL {{ ?ontology <{DCT}created> ?created }}
}}"""


@dataclass(frozen=True)
class Part:
    """A numbered part of a document, as a citation names it."""

    iri: str
    number: str
    symbol: str
    paragraph: bool

    @property
    def local(self) -> str:
        """Its name within the document: "para. 20(c)", "footnote 1", "summary"."""
        return f"para. {self.number}" if self.paragraph else self.number

    @property
    def cite(self) -> str:
        """"UNEP/CMS/COP11/Doc.21.1, para. 20(c)"."""
        return f"{self.symbol}, {self.local}"


class Citations:
    """The document parts and the release date of one data version."""

    def __init__(self, parts: Sequence[Part], released: str | None) -> None:
        self.released = released
        self._by_iri = {part.iri: part for part in parts}
        numbers: dict[str, list[Part]] = {}
        for part in parts:
            numbers.setdefault(part.number, []).append(part)
        # A number two documents share cannot say which part it is: it is not linked.
        self._by_number = {number: found[0] for number, found in numbers.items() if len(found) == 1}

    @classmethod
    def from_store(cls, store: Store) -> Citations:
        parts = [
            Part(row["part"].value, row["number"].value, row["symbol"].value, _true(row["is_paragraph"]))
            for row in _select(store, PARTS)
        ]
        dates = [
            row[name].value
            for row in _select(store, RELEASED)
            for name in ("modified", "issued", "created")
            if row[name] is not None
        ]
        return cls(sorted(set(parts), key=lambda p: p.iri), dates[0][:10] if dates else None)

    def part(self, iri: str) -> Part | None:
        return self._by_iri.get(iri)

    def numbered(self) -> dict[str, dict[str, str]]:
        """Each part number the canned answers' `paragraphs` cells may hold, with the part's IRI and
        how a citation writes it (for the web page, which links them)."""
        return {
            number: {"iri": part.iri, "symbol": part.symbol, "local": part.local, "cite": part.cite}
            for number, part in sorted(self._by_number.items())
        }

    def citation(
        self,
        query: CannedQuery,
        pairs: Sequence[tuple[str, str]],
        resolved: Mapping[str, Any],
        *,
        version: str,
        public_base: str,
        today: str,
        rows: int,
    ) -> dict[str, Any]:
        """The JSON answer's `citation`: title, data version, date, permalink and the line to cite."""
        link = permalink(public_base, query.name, pairs, version)
        date = self.released or today
        asked = "; ".join(f"{name}: {self._value_text(name, value, resolved)}" for name, value in pairs)
        title = f"{query.title} ({asked})" if asked else query.title
        count = f"{rows} row{'s' if rows != 1 else ''}"
        text = f'{PUBLISHER}, "{title}", {count}, data version {version} of {date}, {link}'
        return {
            "title": title,
            "data_version": version,
            "date": date,
            "rows": rows,
            "permalink": link,
            "text": text,
        }

    def _value_text(self, name: str, value: str, resolved: Mapping[str, Any]) -> str:
        """A parameter as a reader knows it: a document part as cited ("UNEP/CMS/COP11/Doc.21.1,
        para. 20(c)"), another resource by its label, anything else as given."""
        found = resolved.get(name)
        if not isinstance(found, dict):
            return value
        part = self.part(str(found.get("iri")))
        if part is not None:
            return part.cite
        return str(found.get("label") or value)


def permalink(public_base: str, name: str, pairs: Sequence[tuple[str, str]], version: str) -> str:
    """The answer's permanent address: the question, its parameters in canonical order, then the
    data version (the API answers it while that version is served, and says so when it is not)."""
    query = urlencode([*pairs, (DATA_VERSION, version)], quote_via=quote)
    return f"{public_base}api/queries/{name}?{query}"


def _true(term: object) -> bool:
    return getattr(term, "value", None) == "true"


def _select(store: Store, query: str) -> QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)  # our own SELECT text
    return solutions
