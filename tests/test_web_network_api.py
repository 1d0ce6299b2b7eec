"""The network's server side: the layout (no two labels' cells overlap, whatever the groups; the
same data gives the same bytes), the focus and hub options, the edge table as CSV, and clear 400s."""

from __future__ import annotations

import csv
import io
import itertools
import xml.etree.ElementTree as ET

import httpx
import pytest

from app.web.network_layout import (
    CELL_HEIGHT,
    CELL_WIDTH,
    NODE_SIZE,
    Group,
    centre_rect,
    place_boxes,
    positions,
)

ID = "https://w3id.org/cms-kg/id/"
CMS = ID + "organisation/cms-secretariat"
CBD = ID + "organisation/cbd-secretariat"


def cells(placed: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float, float, float]]:
    """The cell each node and title owns: its node's left edge, a label's full width, a row high."""
    return {
        key: (x - NODE_SIZE / 2, y - CELL_HEIGHT / 2, CELL_WIDTH, CELL_HEIGHT)
        for key, (x, y) in placed.items()
    }


def overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Do the rectangles share more than an edge (positions are rounded to 0.1)?"""
    e = 0.01
    return (
        a[0] < b[0] + b[2] - e
        and b[0] < a[0] + a[2] - e
        and a[1] < b[1] + b[3] - e
        and b[1] < a[1] + a[3] - e
    )


@pytest.mark.parametrize(
    "sizes",
    [[1], [3, 1], [19, 9, 7, 3, 5, 14, 1, 3, 1], [40], [2] * 12, [25, 1, 1, 1, 60], [5, 16, 1, 8, 4, 6]],
)
def test_no_two_cells_overlap_and_nothing_covers_the_centre(sizes):
    groups = [
        Group(f"g{i}", f"Group {i}", tuple(f"g{i}-n{j}" for j in range(n))) for i, n in enumerate(sizes)
    ]
    placed = positions(place_boxes(groups))
    assert len(placed) == sum(sizes) + len(sizes)  # every member and every title
    owned = cells(placed)
    for (a, box_a), (b, box_b) in itertools.combinations(owned.items(), 2):
        assert not overlap(box_a, box_b), (a, b)
    assert not any(overlap(centre_rect(), box) for box in owned.values())
    assert positions(place_boxes(groups)) == placed  # computed, never random


def test_the_network_is_the_same_bytes_on_every_request(server):
    params = {"subject": "sharks", "focus": ""}
    first = httpx.get(server.url + "/web/network", params=params)
    assert first.status_code == 200
    assert httpx.get(server.url + "/web/network", params=params).content == first.content
    assert all("position" in n for n in first.json()["nodes"])


def test_a_focus_draws_it_and_its_neighbours_only(server):
    body = httpx.get(server.url + "/web/network", params={"focus": "CBD Secretariat"}).json()
    assert body["centre"] == CBD and body["filters"]["focus"]["iri"] == CBD
    nodes = {n["data"]["id"]: n["data"] for n in body["nodes"]}
    assert nodes[CBD]["centre"] and sum(n["centre"] for n in nodes.values()) == 1
    assert next(n for n in body["nodes"] if n["data"]["id"] == CBD)["position"] == {"x": 0.0, "y": 0.0}
    for edge in body["edges"]:
        assert edge["data"]["source"] in nodes and edge["data"]["target"] in nodes
    # every node but the centre shares an edge with it
    linked = {
        end for e in body["edges"] if e["data"]["spoke"] for end in (e["data"]["source"], e["data"]["target"])
    }
    assert set(nodes) == linked
    # one bundle per box, standing for the centre's links to the box's members
    titles = {t["data"]["id"] for t in body["titles"]}
    assert {b["data"]["target"] for b in body["bundles"]} == titles
    assert body["file_stem"] == "network_focus-cbd-secretariat"


def test_without_a_focus_the_picture_is_drawn_around_the_node_with_most_links(server):
    body = httpx.get(server.url + "/web/network").json()
    assert body["centre"] == CMS
    titles = [t["data"]["label"] for t in body["titles"]]
    assert "Instruments (19)" in titles and any(t.startswith("Not linked: ") for t in titles)
    # The page opens on it, by the shortest name that names it.
    page = httpx.get(server.url + "/", headers={"Accept": "text/html"}).text
    assert 'data-default="CMS Secretariat"' in page


def test_edges_are_labelled_by_their_relation_and_sorted(server):
    body = httpx.get(server.url + "/web/network", params={"focus": "CBD Secretariat"}).json()
    label = {n["data"]["id"]: n["data"]["label"].casefold() for n in body["nodes"]}
    edges = [e["data"] for e in body["edges"]]
    assert {e["label"] for e in edges if e["relation"] == "membership"} == {"member of"}
    assert all(e["label"] for e in edges)
    keys = [(label[e["source"]], e["label"], label[e["target"]]) for e in edges]
    assert keys == sorted(keys)


def test_the_edges_as_csv(server):
    response = httpx.get(server.url + "/web/network.csv", params={"focus": "CBD Secretariat"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="network_focus-cbd-secretariat.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = httpx.get(server.url + "/web/network", params={"focus": "CBD Secretariat"}).json()
    assert [(r["from_iri"], r["to_iri"]) for r in rows] == [
        (e["data"]["source"], e["data"]["target"]) for e in body["edges"]
    ]
    assert list(rows[0]) == ["from", "relation", "to", "through", "from_iri", "to_iri", "through_iris"]
    assert httpx.head(server.url + "/web/network.csv", params={"focus": "CBD Secretariat"}).status_code == 200


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("hub", ["bundle", "show", "hide"])
def test_the_picture_as_svg_is_drawn_from_the_same_layout(server, hub):
    """Every node at its layout position with its label (its full name as its title), the centre's
    own edges as the hub mode says, and the same bytes on every request."""
    params = {"focus": "CMS Secretariat", "hub": hub}
    response = httpx.get(server.url + "/web/network.svg", params=params)
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-disposition"].startswith('attachment; filename="network_focus-cms')
    assert response.content == httpx.get(server.url + "/web/network.svg", params=params).content
    body = httpx.get(server.url + "/web/network", params=params).json()
    root = ET.fromstring(response.content)
    labels = [t for t in root.iter(SVG + "text") if t.get("data-iri")]
    drawn = {t.get("data-iri"): (float(t.get("x")), float(t.get("y"))) for t in labels}
    assert set(drawn) == {n["data"]["id"] for n in body["nodes"]}
    for node in body["nodes"]:
        assert drawn[node["data"]["id"]][1] == node["position"]["y"]
    names = {g.find(SVG + "title").text for g in root.iter(SVG + "g")}
    assert {n["data"]["label"] for n in body["nodes"]} == names
    lines = len(list(root.iter(SVG + "line")))
    spokes = sum(1 for e in body["edges"] if e["data"]["spoke"])
    others = len(body["edges"]) - spokes
    assert lines == {"bundle": others + len(body["bundles"]), "show": len(body["edges"]), "hide": others}[hub]
    assert spokes > 0 and len(body["bundles"]) > 0


@pytest.mark.parametrize("path", ["/web/network", "/web/network.csv", "/web/network.svg"])
@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"hub": "swallow"}, "hub", "unknown way to draw the hub 'swallow' (known: bundle, show, hide)"),
        ({"relations": "arrangement,friendship"}, "relations", "unknown kind of edge 'friendship'"),
        ({"focus": "x" * 201}, "focus", "at most 200 characters"),
        ({"focus": "https://w3id.org/cms-kg/id/topic/sharks-x"}, "focus", "no node with the IRI"),
    ],
)
def test_bad_network_requests_are_400_naming_the_parameter(server, path, params, parameter, words):
    response = httpx.get(server.url + path, params=params)
    assert response.status_code in (400, 404), response.text
    body = response.json()
    assert body["parameter"] == parameter and words in body["detail"], body


def test_an_unknown_focus_is_a_404_with_suggestions(server):
    response = httpx.get(server.url + "/web/network", params={"focus": "IFAX"})
    assert response.status_code == 404
    assert response.json()["parameter"] == "focus" and "IFAW" in response.json()["suggestions"]


def test_the_focus_completes_over_organisations_and_instruments(server):
    found = httpx.get(server.url + "/web/labels", params={"kind": "node", "q": "sharks"}).json()
    assert ID + "instrument/sharks-mou" in [o["iri"] for o in found]
    assert httpx.get(server.url + "/web/labels", params={"kind": "node", "q": "IFAW"}).json()[0]["iri"] == (
        ID + "organisation/ifaw"
    )
