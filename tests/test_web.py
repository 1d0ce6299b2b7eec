"""The web page's server side, without a browser: the page (forms, labels, no CDN), the JSON
helpers behind its widgets (label completion, network, bound SPARQL), the example queries, and the
vendored JavaScript (versions as package-lock.json says, with licences)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import httpx
import pytest

from app.canned.catalogue import load_catalogue
from app.canned.examples import EXAMPLES
from app.settings import REPO_ROOT
from app.web.vendor import LIBRARIES, VENDOR

CATALOGUE = load_catalogue(REPO_ROOT / "queries")
ID = "https://w3id.org/cms-kg/id/"
SHARKS = ID + "species-group/sharks"


class Controls(HTMLParser):
    """Collects the page's form controls, labels, forms and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labels_for: set[str] = set()
        self.forms: list[str] = []
        self.assets: list[str] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "checkbox"):
            self.controls.append(a)
        if tag == "select":
            self._select = a.get("id")
            self.options[self._select or ""] = []
        if tag == "option" and self._select is not None:
            self.options[self._select].append(a.get("value") or "")
        if tag == "label" and a.get("for"):
            self.labels_for.add(a["for"] or "")
        if tag == "form" and a.get("data-query"):
            self.forms.append(a["data-query"] or "")
        if tag == "script" and a.get("src"):
            self.assets.append(a["src"] or "")
        if tag == "link" and a.get("rel") == "stylesheet":
            self.assets.append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@pytest.fixture(scope="module")
def page(server) -> Controls:
    response = httpx.get(server.url + "/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parsed = Controls()
    parsed.feed(response.text)
    return parsed


def test_page_has_a_form_per_canned_query(page):
    assert page.forms == [q.name for q in CATALOGUE]


def test_every_control_has_a_label(page):
    unlabelled = [c for c in page.controls if c.get("id") not in page.labels_for]
    assert not unlabelled


def test_scripts_and_styles_come_from_this_server(page):
    """No CDN: the page works without internet access."""
    assert page.assets
    assert all(a.startswith("/static/") for a in page.assets), page.assets


def test_small_kinds_are_dropdowns_filled_from_the_graph(page):
    """The kind of arrangement, the Aichi target and the collaboration are dropdowns whose values
    are the graph's resources; large kinds (organisations, subjects) complete as you type."""
    types = page.options["p-arrangements-type"]
    assert ID + "arrangement-type/joint-work-plan" in types
    assert len(page.options["p-aichi-target-contributors-target"]) == 21  # "Choose…" + 20 targets
    assert ID + "collaboration/biodiversity-liaison-group" in page.options["p-members-collaboration"]
    subject = next(c for c in page.controls if c.get("id") == "p-partners-covering-subject")
    assert subject.get("data-kind") == "subject" and subject.get("list")


def test_dropdown_values_run_as_they_are(server, page):
    """Each dropdown value is an IRI the canned-query API accepts."""
    for value in page.options["p-arrangements-type"][1:]:
        response = httpx.get(server.url + "/api/queries/arrangements", params={"type": value})
        assert response.status_code == 200, value


def test_label_completion(server):
    response = httpx.get(server.url + "/web/labels", params={"kind": "subject", "q": "shar"})
    assert response.status_code == 200
    found = response.json()
    assert found[0] == {"iri": SHARKS, "label": "sharks"}
    # A vernacular name finds the species, saying which name matched.
    whale = next(o for o in found if o["iri"].endswith("rhincodon-typus"))
    assert whale["matched"] == "Whale Shark"
    by_short_name = httpx.get(server.url + "/web/labels", params={"kind": "organisation", "q": "IFAW"}).json()
    assert by_short_name[0]["iri"] == ID + "organisation/ifaw"
    # Only resources of the kind asked for.
    assert httpx.get(server.url + "/web/labels", params={"kind": "instrument", "q": "IFAW"}).json() == []


def test_label_completion_errors(server):
    response = httpx.get(server.url + "/web/labels", params={"kind": "nonsense", "q": "x"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "kind"
    assert httpx.get(server.url + "/web/labels", params={"kind": "subject", "q": ""}).json() == []


def test_network_for_sharks(server):
    response = httpx.get(server.url + "/web/network", params={"subject": "sharks"})
    assert response.status_code == 200
    body = response.json()
    nodes = {n["data"]["id"]: n["data"] for n in body["nodes"]}
    assert nodes[ID + "instrument/sharks-mou"]["group"] == "instrument"
    assert nodes[ID + "organisation/ifaw"]["short"] == "IFAW"
    assert ID + "organisation/ramsar-secretariat" not in nodes
    assert body["filters"]["subject"]["iri"] == SHARKS
    for edge in body["edges"]:
        assert edge["data"]["source"] in nodes and edge["data"]["target"] in nodes
    # Every arrangement drawn is one the canned query finds for sharks.
    partners = httpx.get(server.url + "/api/queries/partners-covering", params={"subject": "sharks"}).json()
    through = {row["through"] for row in partners["rows"]}
    arrangements = [e["data"] for e in body["edges"] if e["data"]["relation"] == "arrangement"]
    drawn = {v["iri"] for edge in arrangements for v in edge["via"]}
    assert drawn and drawn <= through


def test_network_filters_by_kind_of_arrangement(server):
    params = {"type": "joint work plan", "relations": "arrangement"}
    body = httpx.get(server.url + "/web/network", params=params).json()
    assert body["edges"]
    kinds = {v["kind"] for e in body["edges"] for v in e["data"]["via"]}
    assert kinds == {"joint work plan"}
    assert body["counts"]["edges"] == body["counts"]["arrangement"]


def test_whole_network(server):
    body = httpx.get(server.url + "/web/network").json()
    relations = {e["data"]["relation"] for e in body["edges"]}
    assert relations == {"arrangement", "membership", "administration"}
    assert {n["data"]["group"] for n in body["nodes"]} == {"organisation", "collaboration", "instrument"}


def test_network_unknown_subject_is_a_404_with_suggestions(server):
    response = httpx.get(server.url + "/web/network", params={"subject": "sharkz"})
    assert response.status_code == 404
    assert "sharks" in response.json()["suggestions"]


def test_bound_sparql(server):
    response = httpx.get(server.url + "/web/sparql/partners-covering", params={"subject": "sharks"})
    assert response.status_code == 200
    sparql = response.json()["sparql"]
    # the subject and the stated_only switch (at its default) are bound together
    bound = r'VALUES \(\?_subject \?_stated_only\) \{ \(<' + re.escape(SHARKS) + r'> "false"\) \}'
    assert re.search(bound, sparql)
    # It runs on /sparql and gives the same number of rows as the canned query.
    run = httpx.post(server.url + "/sparql", data={"query": sparql}, headers={"Accept": "application/json"})
    canned = httpx.get(server.url + "/api/queries/partners-covering", params={"subject": "sharks"}).json()
    assert len(run.json()["results"]["bindings"]) == canned["count"]


def test_bound_sparql_errors(server):
    missing = httpx.get(server.url + "/web/sparql/partners-covering")
    assert missing.status_code == 400 and missing.json()["parameter"] == "subject"
    assert httpx.get(server.url + "/web/sparql/no-such-query").status_code == 404


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.title)
def test_example_queries_run(server, example):
    response = httpx.post(server.url + "/sparql", data={"query": example.sparql})
    assert response.status_code == 200, response.text
    if "SELECT" in example.sparql:
        assert response.json()["results"]["bindings"], "an example should find something"


def test_vendored_libraries_match_package_lock():
    """The committed builds are the versions package.json pins, each with its licence."""
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())["packages"]
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"]
    vendored = json.loads((VENDOR / "manifest.json").read_text())
    for folder, (package, files) in LIBRARIES.items():
        assert vendored[package] == pinned[package] == lock[f"node_modules/{package}"]["version"]
        for file in files:
            assert (VENDOR / folder / file.rsplit("/", 1)[-1]).stat().st_size > 10_000
        licence = (VENDOR / folder / "LICENSE").read_text()
        assert "Permission is hereby granted" in licence or "Apache License" in licence


def test_resource_pages_share_the_navigation(server):
    html = httpx.get(server.url + "/id/organisation/ifaw", headers={"Accept": "text/html"}).text
    for link in ('href="/#ask"', 'href="/#query"', 'href="/#see"', 'href="/id/"'):
        assert link in html
