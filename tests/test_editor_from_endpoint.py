"""The SPARQL editor learns from the endpoint alone, as SIB's sparql-editor does: its examples menu
lists the endpoint's SPARQL examples (every canned query, bound to its example), and it completes
class and property names from the VoID partitions in the endpoint. In headless Chromium, offline."""

from __future__ import annotations

import httpx

from app.settings import REPO_ROOT, Settings
from tests.test_web_browser import browser, wait_for, web  # noqa: F401 (fixtures)

BASE = Settings().base_iri
SH = "http://www.w3.org/ns/shacl#"


def endpoint_examples(server) -> dict[str, str]:
    query = f"""PREFIX sh: <{SH}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?comment ?query WHERE {{ GRAPH <{BASE}.well-known/sparql-examples> {{
      ?e rdfs:comment ?comment ; sh:select|sh:construct ?query }} }}"""
    rows = httpx.post(
        server.url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    ).json()["results"]["bindings"]
    return {r["comment"]["value"]: r["query"]["value"] for r in rows}


def test_examples_menu_reads_the_endpoints_examples(web, server):  # noqa: F811
    expected = endpoint_examples(server)
    assert len(expected) >= len(list((REPO_ROOT / "queries").glob("*.rq")))
    page = web.open("/#query")
    page.wait_for_selector(".yasqe .CodeMirror")
    wait_for(page, "document.getElementById('example-query').dataset.source === 'endpoint'")
    options = page.locator("#example-query option").all_inner_texts()[1:]
    assert sorted(options) == sorted(expected)
    page.select_option("#example-query", label="Which partners work on a species or topic?")
    value = page.evaluate("window.cmskgYasgui.getTab().getYasqe().getValue()")
    assert value == expected["Which partners work on a species or topic?"] and "species-group/sharks" in value
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")


def _complete(page, text: str) -> list[str]:
    """Type `text` at the end of the query and ask for completions (Ctrl+Space)."""
    page.evaluate(
        """text => { const y = window.cmskgYasgui.getTab().getYasqe();
        y.setValue("PREFIX cms: <https://w3id.org/cms-kg/ontology#>\\nSELECT * WHERE { " + text);
        y.focus(); y.setCursor(y.lastLine(), y.getLine(y.lastLine()).length); }""",
        text,
    )
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    return page.locator(".CodeMirror-hints li").all_inner_texts()


def test_editor_completes_classes_and_properties_from_the_void_partitions(web):  # noqa: F811
    page = web.open("/#query")
    page.wait_for_selector(".yasqe .CodeMirror")
    classes = _complete(page, "?x a cms:Arrang")
    assert "cms:Arrangement" in classes and "cms:ArrangementType" in classes
    properties = _complete(page, "?x cms:arrangementT")
    assert "cms:arrangementType" in properties
