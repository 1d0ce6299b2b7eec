"""The RDF term that crosses process boundaries: plain strings, no pyoxigraph object."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode


@dataclass(frozen=True)
class PlainTerm:
    """An RDF term as plain strings, picklable across the worker pipe: a safe variable binding or
    a cell of `Rows`. kind is iri, literal, bnode or triple (a quoted triple in N-Triples form)."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None

    def to_oxigraph(self) -> NamedNode | Literal | BlankNode:
        if self.kind == "iri":
            return NamedNode(self.value)
        if self.kind == "bnode":
            return BlankNode(self.value)
        if self.language:
            return Literal(self.value, language=self.language)
        return Literal(self.value, datatype=NamedNode(self.datatype) if self.datatype else None)
