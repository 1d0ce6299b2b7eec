"""The SPARQL editor's result table shows labels where the Ask view does (YASR showed IRIs), from
POST /web/iri-labels: a look-up in the label index, never a query written from the caller's text."""

from __future__ import annotations

import httpx
import pytest

from tests import test_web_browser as shared

browser = shared.browser
web = shared.web

ID = "https://w3id.org/cms-kg/id/"
IFAW = ID + "organisation/ifaw"
SHARKS = ID + "species-group/sharks"
ELSEWHERE = "http://example.org/not-in-the-graph"

QUERY = f"""SELECT ?thing ?name WHERE {{
  VALUES (?thing ?name) {{ (<{IFAW}> "a") (<{SHARKS}> "b") (<{ELSEWHERE}> "c") }}
}} ORDER BY ?name"""


def test_labels_of_iris(server):
    response = httpx.post(server.url + "/web/iri-labels", json={"iris": [SHARKS, IFAW, ELSEWHERE, IFAW]})
    assert response.status_code == 200
    assert response.json() == {"labels": {IFAW: "International Fund for Animal Welfare", SHARKS: "sharks"}}
    assert list(response.json()["labels"]) == sorted(response.json()["labels"])  # the same bytes each time


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"iris": "not a list"}, "iris"),
        ({"iris": [IFAW, 2]}, "iris[1]"),
        ({"iris": [IFAW] * 1001}, "iris"),
        ({"iris": ["x" * 2001]}, "iris[0]"),
        ({}, "iris"),
    ],
)
def test_bad_label_requests_are_400_naming_what_is_wrong(server, body, parameter):
    response = httpx.post(server.url + "/web/iri-labels", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


def test_a_body_that_is_not_json_is_a_400(server):
    response = httpx.post(
        server.url + "/web/iri-labels", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"], response.json()


def test_the_editors_table_shows_labels_and_links_to_the_iris(web):
    page = web.open("/#query")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("(q) => { window.cmskgYasgui.getTab().setQuery(q); }", QUERY)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")
    links = page.locator(".yasr table tbody tr td a.iri")
    shown = {links.nth(i).get_attribute("href"): links.nth(i).inner_text() for i in range(links.count())}
    assert shown[IFAW] == "International Fund for Animal Welfare"
    assert shown[SHARKS] == "sharks"
    assert page.locator(f".yasr a[href='{IFAW}']").get_attribute("title") == IFAW
    # An IRI the graph does not label is shown as YASR shows it.
    assert shown[ELSEWHERE] == f"{ELSEWHERE}"
    # The table's search finds a row by its label.
    page.locator(".yasr .tableFilter").press_sequentially("Animal Welfare")  # it searches on keyup
    shared.wait_for(page, "document.querySelectorAll('.yasr table tbody tr').length === 1")
