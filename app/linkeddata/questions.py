"""The questions a resource page offers next: each canned question that can be asked about it.

An organisation's page links to its profile, its partners and the instruments its work supports;
a species' page to the partners and instruments that cover it; a paragraph's to what the graph
takes from it. Read from the catalogue, not listed by hand: a canned query whose one required
parameter names a resource of this resource's kind is a question about it, asked on the web page
with the resource's IRI, plus the network drawn around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from app.canned.catalogue import Catalogue
from app.canned.kinds import KINDS

# The kinds the network can be drawn around (its `focus`).
NETWORK_FOCUS = ("organisation", "subject")


@dataclass(frozen=True)
class Question:
    title: str
    href: str


def questions(catalogue: Catalogue, iri: str, classes: frozenset[str], label: str) -> list[Question]:
    """The questions about the resource, in catalogue order, then the network around it."""
    out = []
    for query in catalogue:
        required = [p for p in query.parameters if p.required]
        if len(required) != 1 or not required[0].resolved:
            continue
        kind = KINDS[required[0].kind or "resource"]
        if kind.classes and kind.admits(classes):
            out.append(Question(query.title, f"/#ask/{query.name}?{urlencode({required[0].name: iri})}"))
    if any(KINDS[k].admits(classes) for k in NETWORK_FOCUS):
        out.append(Question(f"The network around {label}", f"/#see?{urlencode({'focus': iri})}"))
    return out
