"""IRIs in the data are linked only when they are http(s): a `javascript:` (or `data:`, or any other
scheme) IRI in a curated file must never become a live link, on the server's pages or in the web
page's tables and network. Curators are trusted to be careful, not to be infallible."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright import sync_api

from app.web.screenshots import CHROMIUM_ARGS
from tests.conftest import FIXTURES, make_tree, start_server, stop_server

SCRIPT_IRI = "javascript:alert(document.domain)"
DATA_IRI = "data:text/html,<script>alert(1)</script>"
TRAP = "https://w3id.org/cms-kg/id/organisation/trap"
HOSTILE_TTL = f"""
@prefix cms: <https://w3id.org/cms-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{TRAP}> a cms:NonGovernmentalOrganisation ;
    skos:prefLabel "Trap Org"@en ;
    foaf:homepage <{SCRIPT_IRI}> ;
    rdfs:seeAlso <{DATA_IRI.replace("<", "%3C").replace(">", "%3E")}> , <https://example.org/fine> ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report/p1> .
<{SCRIPT_IRI}> a cms:NonGovernmentalOrganisation ;
    skos:prefLabel "Trap Script Org"@en ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report/p1> .
<https://w3id.org/cms-kg/id/arrangement/trap-loc> a cms:Arrangement ;
    skos:prefLabel "Trap Letter of Cooperation"@en ;
    cms:arrangementType <https://w3id.org/cms-kg/id/arrangement-type/letter-of-cooperation> ;
    cms:party <{SCRIPT_IRI}> , <{TRAP}> ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report/p1> .
"""
HREF = re.compile(r"""href\s*=\s*["']?([^"' >]+)""", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Iterator:
    root = make_tree(tmp_path_factory.mktemp("links") / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    (root / "graph" / "trap.ttl").write_text(HOSTILE_TTL)
    server = start_server("--root", str(root))
    yield server
    stop_server(server)


def unsafe_links(html: str) -> list[str]:
    """Every href that is neither a path on this server, a fragment, nor an http(s) URL."""
    return [h for h in HREF.findall(html) if not re.match(r"^(https?://|/|#|\?)", h, re.IGNORECASE)]


@pytest.mark.parametrize("path", ["/id/organisation/trap", "/void", "/id/organisation/", "/ontology"])
def test_server_pages_link_only_http_iris(hostile, path):
    page = httpx.get(hostile.url + path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert unsafe_links(page.text) == []


def test_canned_html_answers_link_only_http_iris(hostile):
    page = httpx.get(hostile.url + "/api/queries/search", params={"text": "Trap", "format": "html"})
    assert page.status_code == 200 and "Trap Script Org" in page.text
    assert unsafe_links(page.text) == []


def test_a_non_http_iri_is_shown_as_text(hostile):
    page = httpx.get(hostile.url + "/id/organisation/trap", headers={"Accept": "text/html"}).text
    assert "javascript:alert(document.domain)" in page  # shown, escaped, not linked
    assert 'href="https://example.org/fine"' in page  # http(s) IRIs still are links


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def page_links(page: sync_api.Page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('href')).filter(h => h !== null)"
    )


def test_web_page_tables_and_network_link_only_http_iris(hostile, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(hostile.url + "/#ask/search?text=Trap")
    page.wait_for_selector("#ask-table tbody tr")
    texts = page.locator("#ask-table").inner_text()
    assert "Trap Script Org" in texts and "Trap Org" in texts
    assert page_links(page, "#ask-table a")
    assert unsafe_links(" ".join(f'href="{h}"' for h in page_links(page, "#ask-table a"))) == []

    # The SPARQL editor's result table (YASR) links IRIs too.
    page.goto(hostile.url + "/#query")
    page.wait_for_selector("#yasgui .CodeMirror")
    page.evaluate(
        """q => { const tab = window.cmskgYasgui.getTab(); tab.setQuery(q); tab.query(); }""",
        f"SELECT ?s ?o WHERE {{ ?s ?p ?o FILTER(?s = <{SCRIPT_IRI}> || ?o = <{SCRIPT_IRI}>) }}",
    )
    page.wait_for_selector("#yasgui .yasr table tbody tr")
    yasr = page_links(page, "#yasgui .yasr a")
    assert any(h.startswith("https:") for h in yasr)
    assert unsafe_links(" ".join(f'href="{h}"' for h in yasr)) == []
    context.close()


def test_network_does_not_link_or_navigate_to_a_script_iri(hostile, browser):
    context = browser.new_context()
    page = context.new_page()
    # Following `javascript:alert(…)` would not change the address: it would open a dialog, or,
    # with our Content-Security-Policy in the way, be refused with a console error.
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: seen.append(message.text) if "javascript:" in message.text else None)
    page.goto(hostile.url + "/#see?focus=")  # the whole network, not the default focus's part
    page.wait_for_selector("#net-list li", state="attached")
    assert "Trap Script Org" in (page.locator("#net-list").text_content() or "")
    assert unsafe_links(" ".join(f'href="{h}"' for h in page_links(page, "#net-list a"))) == []
    # Tapping the node of the script IRI must not navigate to it.
    page.evaluate(
        """iri => {
            const node = window.cmskgNetwork.getElementById(iri);
            node.emit({ type: "tap", renderedPosition: node.renderedPosition() });
        }""",
        SCRIPT_IRI,
    )
    page.wait_for_timeout(300)
    assert page.url.startswith(hostile.url)
    assert seen == []
    context.close()
