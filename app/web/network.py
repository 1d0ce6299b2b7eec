"""The partnership network: organisations and instruments as nodes; arrangements, memberships and
administration as edges, as Cytoscape.js elements with their positions (app.web.network_layout),
and the same edges as a table (and CSV) for those who read rather than look.

A picture has a centre: the node the analyst focused on (then only it and its neighbours are
drawn), else the node with the most links. The centre's own edges ("spokes") can be drawn one by
one, bundled into one edge per box of neighbours, or hidden: the hub does not swallow the picture.

One SELECT gives every edge with the resource whose scope decides whether it is shown (the
arrangement, the standing collaboration, the instrument). The subject and the kind of arrangement
are bound with a VALUES block written from IRIs found in the graph (app.canned.binding), never from
the caller's text, and the query runs in the worker pool with the server's deadline.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from pyoxigraph import NamedNode

from app.engine.base import Queries
from app.namespaces import CMS
from app.sparql_text.values import bind
from app.web.label_lookup import LabelLookup
from app.web.network_layout import (
    CELL_WIDTH,
    CENTRE_SIZE,
    FONT_SIZE,
    LABEL_GAP,
    LABEL_MAX_WIDTH,
    NODE_SIZE,
    Group,
    place_boxes,
    positions,
)

ORG = "http://www.w3.org/ns/org#"

# The edge kinds, as the page's legend and filters name them.
ARRANGEMENT, MEMBERSHIP, ADMINISTRATION = "arrangement", "membership", "administration"
RELATIONS = (ARRANGEMENT, MEMBERSHIP, ADMINISTRATION)
# How the centre's own edges are drawn: one edge per box of neighbours, every edge, or none.
BUNDLE, SHOW, HIDE = "bundle", "show", "hide"
HUB_MODES = (BUNDLE, SHOW, HIDE)

# The kinds of node, most specific first: the boxes of the picture, in the order they go round the
# centre (clockwise from the top). A node is in the first kind whose class it has.
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("instrument", CMS + "Instrument", "Instruments"),
    ("collaboration", CMS + "Collaboration", "Standing groups"),
    ("secretariat", CMS + "Secretariat", "Secretariats"),
    ("un-body", CMS + "UNBody", "UN bodies"),
    ("igo", CMS + "IntergovernmentalOrganisation", "Other intergovernmental"),
    ("ngo", CMS + "NonGovernmentalOrganisation", "NGOs and institutes"),
    ("government", CMS + "Government", "Governments"),
    ("government-body", CMS + "GovernmentBody", "Government bodies"),
    ("company", CMS + "Company", "Companies"),
    ("advisory", CMS + "AdvisoryBody", "Advisory bodies"),
    ("organisation", CMS + "Organisation", "Other organisations"),
)

# ?scoped is the resource whose species and topics decide whether the edge matches a subject.
NETWORK_QUERY = """
PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?relation ?via ?type ?source ?target WHERE {
  {
    ?via a cms:Arrangement ; cms:party ?source , ?target .
    FILTER(STR(?source) < STR(?target))
    OPTIONAL { ?via cms:arrangementType ?type }
    BIND("arrangement" AS ?relation)
    BIND(?via AS ?scoped)
  } UNION {
    ?via a cms:Membership ; org:member ?source ; org:organization ?target .
    BIND("membership" AS ?relation)
    BIND(?target AS ?scoped)
  } UNION {
    ?source cms:administeredBy ?target .
    BIND("administration" AS ?relation)
    BIND(?source AS ?scoped)
  }
  FILTER(!BOUND(?_type) || ?relation != "arrangement" || ?type = ?_type)
  FILTER(!BOUND(?_subject) || EXISTS {
    ?_subject (skos:narrower|^skos:broader|cms:includesTaxon|^cms:parentTaxon)* ?covered .
    ?scoped cms:concernsSpecies|dct:subject ?covered
  })
}
ORDER BY ?relation ?via ?source ?target
"""

# Takes SPARQL text; returns SPARQL JSON results.


class Via(TypedDict):
    """An arrangement or membership an edge stands for."""

    iri: str
    label: str
    kind: str | None


class Point(TypedDict):
    x: float
    y: float


class NodeData(TypedDict):
    id: str
    label: str
    short: str
    group: str  # the legend's entry: organisation, collaboration, instrument
    category: str  # the box it is drawn in (CATEGORIES)
    centre: bool


class NodeElement(TypedDict):
    data: NodeData
    position: Point


class TitleData(TypedDict):
    id: str
    label: str
    kind: str
    width: float  # how wide its label may run (its box's width)


class TitleElement(TypedDict):
    data: TitleData
    position: Point
    classes: str


class EdgeData(TypedDict):
    id: str
    source: str
    target: str
    relation: str  # arrangement, membership, administration; "bundle" for a bundle
    label: str  # the relation in words
    via: list[Via]
    spoke: bool  # one of the centre's own edges


class EdgeElement(TypedDict):
    data: EdgeData


class Sizes(TypedDict):
    node: int
    centre: int
    label_gap: int
    label_max_width: int
    font: int


class Network(TypedDict):
    """The answer of /web/network: Cytoscape.js elements with their positions, and what they show."""

    nodes: list[NodeElement]
    titles: list[TitleElement]
    edges: list[EdgeElement]
    bundles: list[EdgeElement]
    centre: str | None
    hub: str
    sizes: Sizes
    counts: dict[str, int]
    filters: NotRequired[dict[str, dict[str, str | None]]]  # what each filter was resolved to
    file_stem: NotRequired[str]  # what a download of the picture is called


@dataclass(frozen=True)
class NetworkFilter:
    """What the analyst asked for: IRIs already resolved from the graph, the edge kinds, the node
    to centre the picture on (only it and its neighbours are drawn), and how to draw its edges."""

    subject: str | None = None
    arrangement_type: str | None = None
    relations: frozenset[str] = frozenset(RELATIONS)
    focus: str | None = None
    hub: str = BUNDLE


def network_sparql(wanted: NetworkFilter) -> str:
    """The query with the subject and the kind of arrangement bound (or left unbound)."""
    choices: Sequence[Sequence[NamedNode]] = [
        [NamedNode(wanted.subject)] if wanted.subject else [],
        [NamedNode(wanted.arrangement_type)] if wanted.arrangement_type else [],
    ]
    return bind(NETWORK_QUERY, ["_subject", "_type"], choices)


def node_group(classes: frozenset[str]) -> str:
    """Which legend entry a node belongs to (and so its colour and shape)."""
    if CMS + "Instrument" in classes:
        return "instrument"
    if CMS + "Collaboration" in classes:
        return "collaboration"
    return "organisation"


def node_category(classes: frozenset[str]) -> str:
    """Which box of the picture a node goes in (its most specific kind)."""
    return next((key for key, cls, _ in CATEGORIES if cls in classes), "organisation")


@dataclass
class _Edge:
    source: str
    target: str
    relation: str
    via: list[Via] = field(default_factory=list)

    @property
    def relation_label(self) -> str:
        """The relation in words, as the edge's label says it: the kinds of arrangement, or
        "member of", "administered by"."""
        if self.relation == ARRANGEMENT:
            kinds = sorted({v["kind"] for v in self.via if v["kind"]})
            return ", ".join(kinds) or "arrangement"
        return _relation_text(self.relation)


def _read_edges(
    queries: Queries, labels: LabelLookup, wanted: NetworkFilter
) -> dict[tuple[str, str, str], _Edge]:
    """One edge per pair of nodes and kind of relation, with every arrangement it stands for."""
    edges: dict[tuple[str, str, str], _Edge] = {}
    for row in queries.select(network_sparql(wanted)):
        relation = row["relation"].value
        if relation not in wanted.relations:
            continue
        source, target = row["source"].value, row["target"].value
        edge = edges.setdefault((relation, source, target), _Edge(source, target, relation))
        via = row["via"].value if "via" in row else None
        if via and all(v["iri"] != via for v in edge.via):
            kind = row["type"].value if "type" in row else None
            edge.via.append(
                {"iri": via, "label": labels.label(via) or via, "kind": labels.label(kind) if kind else None}
            )
    for edge in edges.values():
        edge.via.sort(key=lambda v: (v["label"].casefold(), v["iri"]))
    return edges


def _centre(edges: Sequence[_Edge], label: dict[str, str]) -> str | None:
    """The node with the most edges (ties: the first label): where an unfocused picture is drawn around."""
    degree: dict[str, int] = {}
    for edge in edges:
        for end in (edge.source, edge.target):
            degree[end] = degree.get(end, 0) + 1
    if not degree:
        return None
    return min(degree, key=lambda iri: (-degree[iri], label[iri].casefold(), iri))


def build_network(queries: Queries, labels: LabelLookup, wanted: NetworkFilter) -> Network:
    """Cytoscape.js elements with positions: the centre, its neighbours in boxes by kind, the
    others (when nothing is focused) in boxes of their own; every edge (the centre's flagged
    `spoke`), the bundles standing for the spokes, the boxes' titles, and counts. Sorted, so the same
    data gives the same bytes."""
    found = _read_edges(queries, labels, wanted)
    if wanted.focus:
        focus = wanted.focus
        near = {
            e.target if e.source == focus else e.source
            for e in found.values()
            if focus in (e.source, e.target)
        }
        shown = near | {focus}
        kept = [e for e in found.values() if e.source in shown and e.target in shown]
    else:
        kept = list(found.values())
    iris = {end for e in kept for end in (e.source, e.target)} | ({wanted.focus} if wanted.focus else set())

    def label_of(iri: str) -> str:
        return labels.label(iri) or iri.rsplit("/", 1)[-1]

    label = {iri: label_of(iri) for iri in iris}
    centre = wanted.focus or _centre(kept, label)
    neighbours = {
        e.target if e.source == centre else e.source for e in kept if centre in (e.source, e.target)
    }

    nodes: dict[str, NodeData] = {}
    for iri in sorted(iris):
        classes = labels.classes(iri)
        nodes[iri] = {
            "id": iri,
            "label": label[iri],
            "short": labels.short(iri) or label[iri],
            "group": node_group(classes),
            "category": node_category(classes),
            "centre": iri == centre,
        }

    # The boxes: the centre's neighbours by kind, then the others by kind.
    titles = {key: title for key, _, title in CATEGORIES}
    members: dict[tuple[bool, str], list[str]] = {}
    for iri, node in nodes.items():
        if iri != centre:
            members.setdefault((iri not in neighbours, node["category"]), []).append(iri)
    order = [key for key, _, _ in CATEGORIES]
    groups = [
        Group(
            f"{'other' if apart else 'near'}-{category}",
            f"Not linked: {titles[category]}" if apart else titles[category],
            tuple(sorted(found_members, key=lambda i: (nodes[i]["short"].casefold(), i))),
        )
        for (apart, category), found_members in sorted(
            members.items(), key=lambda kv: (kv[0][0], order.index(kv[0][1]))
        )
    ]
    boxes = place_boxes(groups)
    placed = positions(boxes)
    width = {f"title:{b.group.key}": b.columns * CELL_WIDTH - 2 * LABEL_GAP for b in boxes}
    if centre:
        placed[centre] = (0.0, 0.0)

    node_elements: list[NodeElement] = [
        {"data": nodes[iri], "position": _point(placed[iri])}
        for iri in sorted(nodes, key=lambda i: (nodes[i]["group"], nodes[i]["label"].casefold(), i))
    ]
    title_elements: list[TitleElement] = [
        {
            "data": {
                "id": f"title:{g.key}",
                "label": f"{g.title} ({len(g.members)})",
                "kind": "title",
                "width": width[f"title:{g.key}"],
            },
            "position": _point(placed[f"title:{g.key}"]),
            "classes": "title",
        }
        for g in groups
    ]
    ordered = sorted(
        kept,
        key=lambda e: (
            label[e.source].casefold(),
            e.relation_label,
            label[e.target].casefold(),
            e.source,
            e.target,
        ),
    )
    edge_elements: list[EdgeElement] = []
    for number, edge in enumerate(ordered):
        edge_elements.append(
            {
                "data": {
                    "id": f"e{number}",
                    "source": edge.source,
                    "target": edge.target,
                    "relation": edge.relation,
                    "label": edge.relation_label,
                    "via": edge.via,
                    "spoke": centre in (edge.source, edge.target),
                }
            }
        )
    bundles: list[EdgeElement] = (
        [
            {
                "data": {
                    "id": f"bundle:{g.key}",
                    "source": centre,
                    "target": f"title:{g.key}",
                    "relation": "bundle",
                    "label": f"{len(g.members)}",
                    "via": [],
                    "spoke": False,
                }
            }
            for g in groups
            if not g.key.startswith("other-")
        ]
        if centre
        else []
    )
    return {
        "nodes": node_elements,
        "titles": title_elements,
        "edges": edge_elements,
        "bundles": bundles,
        "centre": centre,
        "hub": wanted.hub,
        # the sizes the positions were computed for, which the page's style draws with
        "sizes": {
            "node": NODE_SIZE,
            "centre": CENTRE_SIZE,
            "label_gap": LABEL_GAP,
            "label_max_width": LABEL_MAX_WIDTH,
            "font": FONT_SIZE,
        },
        "counts": {
            "nodes": len(nodes),
            "edges": len(kept),
            **{r: sum(1 for e in kept if e.relation == r) for r in sorted(wanted.relations)},
        },
    }


def _point(xy: tuple[float, float]) -> Point:
    return {"x": xy[0], "y": xy[1]}


EDGE_COLUMNS = ("from", "relation", "to", "through", "from_iri", "to_iri", "through_iris")


def edge_rows(network: Network) -> list[dict[str, str]]:
    """The network's edges as a table, in the network's order (by the first end's label, the
    relation, the other end's label): what the page's edge list and the CSV download show."""
    label = {n["data"]["id"]: n["data"]["label"] for n in network["nodes"]}
    rows = []
    for element in network["edges"]:
        edge = element["data"]
        rows.append(
            {
                "from": label[edge["source"]],
                "relation": edge["label"],
                "to": label[edge["target"]],
                "through": "; ".join(v["label"] for v in edge["via"]),
                "from_iri": edge["source"],
                "to_iri": edge["target"],
                "through_iris": " ".join(v["iri"] for v in edge["via"]),
            }
        )
    return rows


def edges_csv(network: Network) -> str:
    """The edge table as CSV (RFC 4180 line ends), one row per edge."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EDGE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(edge_rows(network))
    return out.getvalue()


def _relation_text(relation: str) -> str:
    return {ADMINISTRATION: "administered by", MEMBERSHIP: "member of"}.get(relation, relation)
