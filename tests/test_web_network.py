"""The network picture in a real browser (Debian's Chromium, as tests/test_web_browser.py drives
it): readable at its default view, the same on every load, focused and shared by its address,
searchable, its edges as a table and CSV, exported as PNG and SVG, never navigating away on a tap
that misses, and never blank after a resize."""

from __future__ import annotations

import csv
import io
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright import sync_api

from tests import test_web_browser as shared
from tests.test_web_browser import Page, wait_for

# The browser and the page on the session's server, as the page's other browser tests have them.
browser = shared.browser
web = shared.web

LOADED = (
    "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0"
    " && !document.querySelector('#net-status.loading')"
)
CBD = "CBD Secretariat"

# Every node's box on screen with its label (Cytoscape's renderedBoundingBox), and the height its
# label's letters are drawn at (the font size times the zoom).
MEASURE = """() => { const cy = window.cmskgNetwork;
  return cy.nodes().map((n) => ({
    name: n.data('short') || n.data('label'),
    box: n.renderedBoundingBox({ includeLabels: true, includeOverlays: false }),
    label: n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true,
                                   includeOverlays: false }),
    font: parseFloat(n.style('font-size')) * cy.zoom(),
  })); }"""

POSITIONS = (
    "Object.fromEntries(window.cmskgNetwork.nodes().map((n) => [n.id(), [n.position('x'), n.position('y')]]))"
)


def opened(web: Page, path: str) -> sync_api.Page:
    page = web.open(path)
    wait_for(page, LOADED)
    return page


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            p, q = a["box"], b["box"]
            if p["x1"] < q["x2"] and q["x1"] < p["x2"] and p["y1"] < q["y2"] and q["y1"] < p["y2"]:
                found.append((a["name"], b["name"]))
    return found


@pytest.mark.parametrize(
    "path",
    [
        "/#see",  # the default view: the page's default focus
        "/#see?subject=sharks",
        f"/#see?focus={quote(CBD)}",
        "/#see?focus=",  # the whole network: shown in part, at a readable zoom
    ],
)
def test_labels_never_overlap_and_are_readable(web, path):
    """Before, the default was the whole network in a random force-directed layout: a hairball
    around the CMS Secretariat, labels 9 px at zoom 1 and smaller once fitted, covering each other."""
    page = opened(web, path)
    boxes = page.evaluate(MEASURE)
    assert len(boxes) > 2
    assert not overlapping(boxes), overlapping(boxes)[:5]
    small = [(b["name"], round(b["font"], 1)) for b in boxes if b["font"] < 10 or b["label"]["h"] < 10]
    assert not small, small[:5]


def test_the_default_view_has_a_focus_and_the_hub_does_not_swallow_it(web, server):
    """The page opens around the node with the most links (the CMS Secretariat), its partners in
    boxes by kind, its own links bundled into one line per box."""
    page = opened(web, "/#see")
    focus = page.input_value("#net-focus")
    assert focus == "CMS Secretariat"
    expected = httpx.get(server.url + "/web/network", params={"focus": focus}).json()
    ids = set(
        page.evaluate("window.cmskgNetwork.nodes().filter((n) => !n.hasClass('title')).map((n) => n.id())")
    )
    assert ids == {n["data"]["id"] for n in expected["nodes"]}
    drawn = page.evaluate("window.cmskgNetwork.edges().map((e) => [e.data('relation'), !!e.data('spoke')])")
    assert not any(spoke for _, spoke in drawn)  # the centre's own links are bundled ...
    assert sum(1 for relation, _ in drawn if relation == "bundle") == len(expected["bundles"]) > 3


def test_the_same_picture_on_every_load(web, browser, server):
    """Cytoscape's cose layout started from random positions: each load drew another picture."""
    first = opened(web, "/#see").evaluate(POSITIONS)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        again = opened(Page(context, server), "/#see").evaluate(POSITIONS)
    finally:
        context.close()
    assert first == again and len(first) > 20


def test_focus_and_options_are_in_the_address_and_a_link_opens_the_same_view(web, browser, server):
    page = opened(web, "/#see")
    page.fill("#net-focus", CBD)
    page.select_option("#net-hub", "show")
    page.uncheck("input[value=administration]")
    page.click("#network-form button[type=submit]")
    wait_for(
        page,
        "document.querySelector('#net-status').textContent.includes('around Secretariat of the Conv')",
    )
    assert re.search(r"#see\?focus=CBD\+Secretariat&hub=show&relations=arrangement%2Cmembership$", page.url)
    # every link of the centre is drawn one by one, none administers an instrument
    drawn = page.evaluate("window.cmskgNetwork.edges().map((e) => [e.data('relation'), !!e.data('spoke')])")
    assert any(spoke for _, spoke in drawn) and not any(r in ("bundle", "administration") for r, _ in drawn)
    shown = page.evaluate(POSITIONS)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = opened(Page(context, server), page.url.removeprefix(server.url))
        assert other.input_value("#net-focus") == CBD and other.input_value("#net-hub") == "show"
        assert not other.is_checked("input[value=administration]")
        assert other.evaluate(POSITIONS) == shown
    finally:
        context.close()

    # The hub's links hidden: neither spokes nor bundles.
    page.select_option("#net-hub", "hide")
    page.click("#network-form button[type=submit]")
    wait_for(page, "location.hash.includes('hub=hide') && !document.querySelector('#net-status.loading')")
    drawn = page.evaluate("window.cmskgNetwork.edges().map((e) => [e.data('relation'), !!e.data('spoke')])")
    assert not any(spoke or relation == "bundle" for relation, spoke in drawn)


def test_the_search_box_finds_a_node_and_focuses_the_picture_on_it_by_keyboard(web):
    page = opened(web, "/#see")
    page.focus("#net-find")
    page.keyboard.type("sharks mou")
    page.keyboard.press("Enter")
    selected = "window.cmskgNetwork.nodes(':selected').map((n) => n.data('short'))"
    assert page.evaluate(selected) == ["Sharks MOU"]
    # brought into view, at a readable size
    x, y, font = page.evaluate(
        """() => { const n = window.cmskgNetwork.nodes(':selected')[0]; const p = n.renderedPosition();
                   return [p.x, p.y, parseFloat(n.style('font-size')) * window.cmskgNetwork.zoom()]; }"""
    )
    size = page.locator("#network").bounding_box()
    assert 0 < x < size["width"] and 0 < y < size["height"] and font >= 10
    assert page.locator("#net-detail a").get_attribute("href") == "/id/instrument/sharks-mou"
    # Enter again draws the picture around it.
    page.keyboard.press("Enter")
    wait_for(
        page, "location.hash.includes('focus=Sharks+MOU') && !document.querySelector('#net-status.loading')"
    )
    centre = "window.cmskgNetwork.nodes('[?centre]').map((n) => n.data('short'))"
    assert page.evaluate(centre) == ["Sharks MOU"]
    page.fill("#net-find", "nothing-like-this")
    page.press("#net-find", "Enter")
    assert "Nothing in this picture is called 'nothing-like-this'." in page.inner_text("#net-detail")


def test_edges_are_labelled_listed_in_a_table_and_downloaded_as_csv(web, server):
    page = opened(web, f"/#see?focus={quote(CBD)}")
    labels = page.evaluate(
        "window.cmskgNetwork.edges('[relation != \"bundle\"]').map((e) => e.style('label'))"
    )
    assert labels and all(labels), labels
    expected = httpx.get(server.url + "/web/network", params={"focus": CBD}).json()
    page.locator("#net-edges-box summary").click()
    rows = page.locator("#net-edges tbody tr")
    assert rows.count() == len(expected["edges"]) == int(page.inner_text("#net-edge-count"))
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    assert "member of" in [c[1] for c in cells]

    with page.expect_download() as download_info:
        page.click("#net-csv")
    download = download_info.value
    assert download.suggested_filename == "network_focus-cbd-secretariat.csv"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [[r["from"], r["relation"], r["to"]] for r in table] == [c[:3] for c in cells]
    assert body == httpx.get(server.url + "/web/network.csv", params={"focus": CBD}).content  # deterministic


def test_picture_exports_as_png_and_svg(web):
    page = opened(web, f"/#see?focus={quote(CBD)}")
    with page.expect_download() as download_info:
        page.click("#net-png")
    png = download_info.value
    assert png.suggested_filename == "network_focus-cbd-secretariat.png"
    data = Path(png.path()).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 400 and height > 200

    with page.expect_download() as download_info:
        page.click("#net-svg")
    svg = download_info.value
    assert svg.suggested_filename == "network_focus-cbd-secretariat.svg"
    root = ET.fromstring(Path(svg.path()).read_text())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"CBD Secretariat", "BLG"} <= texts


TOUCH = {"viewport": {"width": 1280, "height": 900}, "is_mobile": True, "has_touch": True}


def test_a_tap_that_misses_every_node_does_not_navigate_away(browser, server):
    """On a touch screen Cytoscape gives a tap beside a node to that node: a tap on an edge, or in
    the gap between two rows, opened a page. Only a tap on a node (or its label) opens its page."""
    context = browser.new_context(**TOUCH)
    try:
        web_page = Page(context, server)
        page = opened(web_page, f"/#see?focus={quote(CBD)}")
        page.evaluate("document.getElementById('network').scrollIntoView({block: 'start'})")
        box = page.locator("#network").bounding_box()
        start = page.url
        misses = page.evaluate(
            """() => { const cy = window.cmskgNetwork; const out = [];
              cy.edges('[relation != "bundle"]').forEach((e) => {
                const m = e.renderedMidpoint(); out.push([m.x, m.y]); });
              cy.nodes().filter((n) => !n.hasClass('title') && !n.data('centre')).forEach((n) => {
                const b = n.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
                out.push([n.renderedPosition('x'), b.y1 - 3]); });
              return out; }"""
        )
        assert len(misses) > 5
        for x, y in misses:
            page.touchscreen.tap(box["x"] + x, box["y"] + y)
            time.sleep(0.15)
            assert page.url == start, f"a tap at {(x, y)} beside every node opened {page.url}"
        x, y = page.evaluate("window.cmskgNetwork.nodes('[short = \"BLG\"]')[0].renderedPosition()").values()
        page.touchscreen.tap(box["x"] + x, box["y"] + y)
        page.wait_for_url(re.compile(r"/id/collaboration/biodiversity-liaison-group$"))
        assert not web_page.outside and not web_page.errors
    finally:
        context.close()


INK = """() => { let n = 0; for (const c of document.querySelectorAll('#network canvas')) {
  if (!c.width || !c.height) continue;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; } return n; }"""
# Every node's centre inside the panel (the CBD picture fits whole).
ALL_IN_VIEW = """() => { const cy = window.cmskgNetwork; const w = cy.width(), h = cy.height();
  return w > 0 && cy.nodes().every((n) => {
    const p = n.renderedPosition(); return p.x > 0 && p.x < w && p.y > 0 && p.y < h; }); }"""


def test_the_picture_is_not_blank_after_a_resize_or_when_its_panel_is_shown(web, server):
    """Drawn while its panel was hidden, or kept at its old size after the window shrank, the
    picture was blank or cut (Cytoscape measures its container only when told to)."""
    page = web.page
    held: list[sync_api.Route] = []
    page.route(re.compile(r"/web/network\?"), lambda route: held.append(route))
    web.open(f"/#see?focus={quote(CBD)}")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        time.sleep(0.05)
    page.click("nav.views a[data-view=ask]")  # the answer arrives while the panel is hidden
    held[0].continue_()
    wait_for(page, "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0")
    page.unroute(re.compile(r"/web/network\?"))
    page.click("nav.views a[data-view=see]")
    wait_for(page, ALL_IN_VIEW)
    assert page.evaluate(INK) > 2000

    # The window narrows while the picture is shown.
    page.set_viewport_size({"width": 760, "height": 900})
    wait_for(page, f"window.cmskgNetwork.width() < 760 && ({ALL_IN_VIEW})()")
    # ... and while it is hidden.
    page.click("nav.views a[data-view=ask]")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.click("nav.views a[data-view=see]")
    wait_for(page, f"window.cmskgNetwork.width() > 1000 && ({ALL_IN_VIEW})()")
    assert page.evaluate(INK) > 2000
