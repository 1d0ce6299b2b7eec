"""A cited answer after the data changed: its permalink says so, and how its row count changed.

The mini graph has one letter of cooperation; a second is added and the server reloaded. The
permalink cited before the change answers 404 (never today's data under the old version), names
both versions and both row counts, and links to today's answer; the citation line itself carries
the row count, so a reader has it even where the server does not.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.conftest import FIXTURES, make_tree, start_server, stop_server
from tests.test_web_browser import Page, browser, rows  # noqa: F401 (fixture)

TOKEN = "permalink-token"
SECOND = """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/cms-kg/id/arrangement/cms-noaa-loc-2015> a cms:Arrangement ;
    skos:prefLabel "A second letter of cooperation"@en ;
    cms:arrangementType <https://w3id.org/cms-kg/id/arrangement-type/letter-of-cooperation> ;
    cms:party <https://w3id.org/cms-kg/id/organisation/cms-secretariat> ,
        <https://w3id.org/cms-kg/id/organisation/noaa> ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report/p2> .
"""


def test_a_cited_answer_after_the_data_changed_says_how_its_row_count_changed(tmp_path: Path, browser):  # noqa: F811
    root = make_tree(tmp_path / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    server = start_server("--root", str(root), "--update-token", TOKEN)
    try:
        url = server.url + "/api/queries/arrangements"
        params = {"type": "letter of cooperation"}
        cited = httpx.get(url, params=params).json()
        assert cited["count"] == 1 and cited["citation"]["rows"] == 1
        assert ", 1 row, data version " in cited["citation"]["text"]
        cited_link = urlsplit(cited["citation"]["permalink"])  # under the public base: ask this server
        asked = f"{cited_link.path}?{cited_link.query}"
        permalink = server.url + asked
        assert httpx.get(permalink).status_code == 200  # while its version is served

        (root / "graph" / "second.ttl").write_text(SECOND)
        reloaded = httpx.post(
            server.url + "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120
        )
        assert reloaded.status_code == 200 and reloaded.json()["changed"] is True, reloaded.text

        gone = httpx.get(permalink)
        assert gone.status_code == 404
        body = gone.json()
        today = httpx.get(url, params=params).json()
        assert today["count"] == 2
        assert body["rows_then"] == 1 and body["rows_now"] == 2
        assert body["data_version"] == today["citation"]["data_version"] != cited["citation"]["data_version"]
        assert "it had 1 row; today's answer has 2 rows (+1)" in body["message"]
        assert body["latest"].endswith("/api/queries/arrangements?type=letter%20of%20cooperation")
        assert gone.headers["link"] == f'<{body["latest"]}>; rel="latest-version"'

        # A browser opening the permalink reads the same in words, and goes on to today's answer.
        context = browser.new_context()
        try:
            page = Page(context, server).page
            opened = page.goto(permalink)
            assert opened is not None and opened.status == 404
            said = page.locator("#rows-changed").inner_text()
            assert "It had 1 row; today's answer has 2 rows (+1)." in " ".join(said.split())
            assert page.locator("h1").inner_text() == "The data has changed since this answer was cited"
            page.click("#latest")
            page.wait_for_selector("#ask-table tbody tr")
            assert rows(page).count() == 2
            assert page.url.endswith("#ask/arrangements?type=letter+of+cooperation")  # as the page writes it
        finally:
            context.close()
    finally:
        stop_server(server)

    # A server that never served the cited version cannot know its count, and says so.
    again = start_server("--root", str(root))
    try:
        body = httpx.get(again.url + asked).json()
        assert body["rows_then"] is None and body["rows_now"] == 2
        assert "not known here" in body["message"]
    finally:
        stop_server(again)
