"""The analyst's page in a real browser: Debian's headless Chromium driven by Playwright (never a
browser download). Each test opens a fresh browser context on the session's real server, and
every request that would leave 127.0.0.1 is refused and reported: the page must work offline."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright import sync_api  # in the test extra: a missing install fails, never skips

from app.web.screenshots import CHROMIUM_ARGS
from tests.conftest import RunningServer

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 15_000
ID = "https://w3id.org/cms-kg/id/"
IFAW = "International Fund for Animal Welfare"
SHARKS_MOU = "Memorandum of Understanding on the Conservation of Migratory Sharks"


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is needed (/usr/bin/chromium): `make test` installs it")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Page:
    """A page on our server that refuses, and remembers, requests to anywhere else."""

    def __init__(self, context: sync_api.BrowserContext, server: RunningServer) -> None:
        self.context, self.base = context, server.url
        self.outside: list[str] = []
        self.errors: list[str] = []
        context.route(re.compile(r"^(?!" + re.escape(server.url) + r")"), self._refuse)
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._csp_violation)

    def _csp_violation(self, message: sync_api.ConsoleMessage) -> None:
        """The page must work under our Content-Security-Policy: a refused script or style fails."""
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def _refuse(self, route: sync_api.Route) -> None:
        if not route.request.url.startswith(("data:", "blob:")):
            self.outside.append(route.request.url)
        route.abort()

    def open(self, path: str) -> sync_api.Page:
        self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-ready=true]")
        return self.page


@pytest.fixture
def web(browser, server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = Page(context, server)
    yield opened
    context.close()
    assert not opened.outside, f"the page tried to reach the internet: {opened.outside}"
    assert not opened.errors, f"script errors: {opened.errors}"


def wait_for(page: sync_api.Page, expression: str) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function evaluates its
    predicate with eval inside the page, which our Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {TIMEOUT_MS} ms: {expression}")
        time.sleep(0.05)


def rows(page: sync_api.Page) -> sync_api.Locator:
    return page.locator("#ask-table tbody tr")


def run_partners_covering_sharks(page: sync_api.Page) -> None:
    page.select_option("#question", "partners-covering")
    subject = page.locator("#p-partners-covering-subject")
    subject.fill("shar")  # completion from the graph's labels
    wait_for(page, "document.querySelectorAll('#p-partners-covering-subject-list option').length > 0")
    options = page.locator("#p-partners-covering-subject-list option")
    assert "sharks" in [options.nth(i).get_attribute("value") for i in range(options.count())]
    subject.fill("sharks")
    page.locator("#form-partners-covering button[type=submit]").click()
    page.wait_for_selector("#ask-table tbody tr")


def test_canned_query_form_table_link_and_csv(web, server):
    page = web.open("/")
    run_partners_covering_sharks(page)
    expected = httpx.get(server.url + "/api/queries/partners-covering", params={"subject": "sharks"}).json()
    assert rows(page).count() == expected["count"]
    sync_api.expect(page.locator("#ask-status")).to_have_text(f"{expected['count']} rows.")
    headers = page.locator("#ask-table thead th").all_inner_texts()
    assert headers[0].startswith("Organisation") and not any("label" in h.lower() for h in headers)
    assert "subject=sharks" in page.url  # the answer can be bookmarked

    # Sortable: the Organisation column, descending, puts the last name first.
    names = sorted({row["organisation_label"] for row in expected["rows"]}, key=str.casefold)
    header = page.locator("#ask-table thead th").first
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert rows(page).first.locator("td").first.inner_text() == names[-1]

    # CSV download: the same rows as the API's CSV.
    with page.expect_download() as download_info:
        page.click("#ask-csv")
    download = download_info.value
    assert download.suggested_filename == "partners-covering_subject-sharks.csv"
    assert page.locator("#ask-csv").get_attribute("download") == download.suggested_filename
    assert Path(download.path()).read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    table = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(table) == expected["count"]
    assert {r["Organisation"] for r in table} == set(names)

    # Resources link to their pages, which share the look and the navigation.
    page.locator("#ask-table a", has_text=IFAW).first.click()
    page.wait_for_url(re.compile(r"/id/organisation/ifaw$"))
    assert IFAW in page.locator("h1").inner_text()
    assert page.locator("header.site nav a[href='/#ask']").is_visible()
    page.go_back()
    page.wait_for_selector("#ask-table tbody tr")


def test_show_the_sparql_and_open_it_in_the_editor(web, server):
    page = web.open("/#ask/partners-covering?subject=sharks")
    page.wait_for_selector("#ask-table tbody tr")
    # The SPARQL gives the rows the page's answer rolls up (one per partner): its detail, as it says.
    detail = {"subject": "sharks", "detail": "true"}
    count = httpx.get(server.url + "/api/queries/partners-covering", params=detail).json()["count"]
    page.click("#ask-show-sparql")
    sparql = page.locator("#ask-sparql")
    sync_api.expect(sparql).to_contain_text("<https://w3id.org/cms-kg/id/species-group/sharks>")
    sync_api.expect(page.locator("#ask-show-sparql")).to_have_attribute("aria-expanded", "true")

    page.click("#ask-open-editor")
    page.wait_for_selector("#query .yasr table tbody tr")
    assert page.locator("#query").is_visible() and not page.locator("#ask").is_visible()
    value = page.evaluate("window.cmskgYasgui.getTab().getYasqe().getValue()")
    assert "species-group/sharks" in value and value.startswith("# The answer on the page has one row per")
    assert page.locator("#query .yasr table tbody tr").count() == min(count, 50)  # YASR pages by 50


def test_editor_runs_a_query_with_table_and_raw_views(web):
    page = web.open("/#query")
    page.wait_for_selector(".yasqe .CodeMirror")
    # Syntax highlighting and our prefixes in the default query.
    assert page.locator(".yasqe .cm-keyword", has_text="PREFIX").count() >= 1
    page.select_option("#example-query", label="Members of the standing collaborations")
    assert "org:member" in page.evaluate("window.cmskgYasgui.getTab().getYasqe().getValue()")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")
    assert page.locator(".yasr table", has_text="Biodiversity Liaison Group").count() == 1
    # The raw response.
    page.locator(".yasr .select_response").click()
    page.wait_for_selector(".yasr .CodeMirror")
    assert '"bindings"' in page.locator(".yasr .CodeMirror").inner_text()


def test_network_filtered_to_sharks(web, server):
    page = web.open("/#see?subject=sharks")
    wait_for(page, "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0")
    labels = set(page.evaluate("window.cmskgNetwork.nodes('[id !^= \"title:\"]').map(n => n.data('label'))"))
    focus = page.input_value("#net-focus")  # no focus in the address: the page's default one
    expected = httpx.get(server.url + "/web/network", params={"subject": "sharks", "focus": focus}).json()
    assert labels == {n["data"]["label"] for n in expected["nodes"]}
    assert {SHARKS_MOU, IFAW} <= labels
    assert "Secretariat of the Convention on Wetlands" not in labels
    assert "about sharks" in page.locator("#net-status").inner_text()
    # The same nodes, as links, for keyboards and screen readers.
    page.locator("#net-list-box summary").click()
    assert page.locator("#net-list a").count() == len(labels)

    # Narrow to one kind of arrangement, arrangements only.
    page.select_option("#net-type", label="joint work plan")
    page.uncheck("input[value=membership]")
    page.uncheck("input[value=administration]")
    page.select_option("#net-hub", "show")  # every link of the centre drawn, not one per group
    page.click("#network-form button[type=submit]")
    wait_for(page, "!window.cmskgNetwork.nodes().some(n => n.data('group') === 'instrument')")
    kinds = page.evaluate("window.cmskgNetwork.edges().map(e => e.data('via').map(v => v.kind)).flat()")
    assert kinds and set(kinds) == {"joint work plan"}

    # Clicking a node opens its page: click where it is drawn, once the layout has settled.
    page.evaluate("document.getElementById('network').scrollIntoView({block: 'start'})")
    where = """() => { const n = window.cmskgNetwork.nodes().filter(n => n.data('short') === 'IFAW')[0];
                       const p = n.renderedPosition(); return [p.x, p.y]; }"""
    position, previous = page.evaluate(where), None
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while position != previous and time.monotonic() < deadline:  # a slow machine may still animate
        time.sleep(0.25)
        previous, position = position, page.evaluate(where)
    box = page.locator("#network").bounding_box()
    page.mouse.click(box["x"] + position[0], box["y"] + position[1])
    page.wait_for_url(re.compile(r"/id/organisation/ifaw$"))


def test_api_error_is_shown_as_a_message(web):
    page = web.open("/#ask/partners-covering?subject=sharkz")
    error = page.locator("#ask-error")
    error.wait_for(state="visible")
    assert error.inner_text().startswith("No subject called 'sharkz'.")
    assert page.locator("#p-partners-covering-subject").get_attribute("aria-invalid") == "true"
    assert rows(page).count() == 0
    # A suggestion is one click away.
    error.get_by_role("button", name="sharks", exact=True).click()
    page.wait_for_selector("#ask-table tbody tr")
    assert error.is_hidden()


def test_keyboard_only(web):
    """Choose a question, fill it in and run it without a mouse; the views are plain links."""
    page = web.open("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.focus("#question")
    page.select_option("#question", "members")  # a focused <select> takes arrow keys natively
    page.keyboard.press("Tab")  # the other questions' forms are hidden, so their fields are skipped
    focused = page.evaluate("document.activeElement.id")
    assert focused == "p-members-collaboration"
    page.keyboard.press("ArrowDown")
    assert page.locator("#p-members-collaboration").input_value().startswith("https://")
    # The optional fields come next, in the order the question lists them, then the button.
    for field in ("p-members-as_at", "p-members-stated_only"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == field
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Run"
    page.keyboard.press("Enter")
    page.wait_for_selector("#ask-table tbody tr")
    # The results' links are reachable by Tab.
    page.focus("#ask-csv")
    for _ in range(6):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#ask-results') !== null")
    page.focus("nav.views a[data-view=see]")
    page.keyboard.press("Enter")
    wait_for(page, "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0")
    assert page.evaluate("document.activeElement.id") == "see"


NARROW_VIEWS = ["/#ask/partners-covering?subject=sharks", "/#see?subject=sharks", "/#query"]


@pytest.mark.parametrize("path", NARROW_VIEWS)
def test_readable_at_375_pixels(browser, server, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        web = Page(context, server)
        page = web.open(path)
        if "ask" in path:
            page.wait_for_selector("#ask-table tbody tr")
        if "see" in path:
            wait_for(page, "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0")
        if "query" in path:
            page.wait_for_selector(".yasqe .CodeMirror")
        # Nothing makes the page itself scroll sideways (a wide table scrolls in its own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        for selector in ("nav.views", "h1", "#question", "#net-subject", "#yasgui"):
            if page.locator(selector).is_visible():
                box = page.locator(selector).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 16
        assert not web.outside and not web.errors
    finally:
        context.close()


def test_loading_state_while_the_answer_is_on_its_way(web):
    """The answer is held back in the browser: the page says it is working and blocks a second run."""
    held: list[sync_api.Route] = []
    web.page.route(re.compile(r"/api/queries/members\?"), lambda route: held.append(route))
    page = web.open("/#ask/members?collaboration=CPW")
    sync_api.expect(page.locator("#ask-status")).to_have_text("Running the question…")
    sync_api.expect(page.locator("#ask-results")).to_have_attribute("aria-busy", "true")
    sync_api.expect(page.locator("#form-members button[type=submit]")).to_be_disabled()
    held[0].continue_()
    page.wait_for_selector("#ask-table tbody tr")
    sync_api.expect(page.locator("#ask-results")).to_have_attribute("aria-busy", "false")
    sync_api.expect(page.locator("#form-members button[type=submit]")).to_be_enabled()


def test_api_documentation_works_offline_under_our_csp(web):
    """/docs used Swagger UI from a CDN, which our own CSP refused: the page stayed blank offline."""
    page = web.page
    page.goto(web.base + "/docs")
    page.wait_for_selector(".opblock-tag")  # Swagger UI read /openapi.json and drew the operations
    assert page.locator(".opblock").count() > 10
    assert "Content-Security-Policy" not in " ".join(web.errors)


def test_no_download_of_a_previous_answer_after_an_error(web):
    """After an error the page shows no answer, so it offers none to download: the CSV button of the
    previous answer stayed on screen (a CSS rule beat `hidden`) and downloaded sharks for 'sharkz'."""
    page = web.open("/#ask/partners-covering?subject=sharks")
    page.wait_for_selector("#ask-table tbody tr")
    assert page.locator("#ask-csv").is_visible()
    page.fill("#p-partners-covering-subject", "sharkz")
    page.locator("#form-partners-covering button[type=submit]").click()
    page.locator("#ask-error").wait_for(state="visible")
    assert page.locator("#ask-csv").is_hidden() and page.locator("#ask-json").is_hidden()
    assert page.locator("#ask-csv").get_attribute("href") is None


SHARED_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { ?s skos:prefLabel ?label FILTER(CONTAINS(?label, "Shark & co")) } LIMIT 3"""


def test_the_editors_share_link_opens_the_editor_with_its_query(web, browser, server):
    """YASGUI's share button writes /#query=<SPARQL>&endpoint=…; the page read that as no view it
    knew and opened Ask, losing the query. In a fresh browser (no stored tabs) the link opens the
    editor with the query, in a tab of its own, and the address becomes #query."""
    page = web.open("/#query")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("(q) => { window.cmskgYasgui.getTab().setQuery(q); }", SHARED_QUERY)
    link = page.evaluate("window.cmskgYasgui.getTab().getShareableLink()")
    assert link.startswith(server.url + "/#query=")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = Page(context, server)
        shared = other.open(link.removeprefix(server.url))
        shared.wait_for_selector(".yasqe .CodeMirror")
        assert shared.locator("#query").is_visible() and not shared.locator("#ask").is_visible()
        assert shared.evaluate("window.cmskgYasgui.getTab().getYasqe().getValue()") == SHARED_QUERY
        assert shared.url.endswith("/#query")
        # A hand-written link (percent-encoded, nothing else) works too.
        shared.goto(server.url + "/#query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
        shared.wait_for_selector("body[data-ready=true]")
        value = "window.cmskgYasgui.getTab().getYasqe().getValue()"
        wait_for(shared, f"window.cmskgYasgui && {value}.includes('LIMIT 1')")
        # ... in a tab of its own: the query the first link opened is still there.
        yasgui = "window.cmskgYasgui"
        tabs = f"{yasgui}.persistentConfig.getTabs().map((id) => {yasgui}.getTab(id).getQuery())"
        assert shared.evaluate(tabs)[0] == SHARED_QUERY
        assert not other.outside and not other.errors
    finally:
        context.close()


def test_the_header_link_to_the_endpoint_opens_a_page(web):
    """The "SPARQL endpoint" link of every page's header made the browser download sparql.rdf (the
    service description, negotiated as RDF/XML from the browser's Accept header): it opens a page
    about the endpoint, whose links lead on to the editor."""
    page = web.open("/")
    page.locator("header.site a[href='/sparql']").click()
    page.wait_for_url(re.compile(r"/sparql$"))
    sync_api.expect(page.locator("h1")).to_have_text("The SPARQL endpoint")
    assert "curl -s" in page.locator("main").inner_text()
    page.locator("main a[href='/#query']").click()
    page.wait_for_selector(".yasqe .CodeMirror")


DEVELOPER_WORDS = re.compile(r"HTTP|\b[45]\d\d\b|parameter|'subject'|colaboration|stated_only")


@pytest.mark.parametrize(
    ("path", "field", "said"),
    [
        # A label that names nothing: said in words, with the API's close labels as buttons.
        (
            "/#ask/partners-covering?subject=whale%20sharks",
            "p-partners-covering-subject",
            "No subject called 'whale sharks'. Did you mean:",
        ),
        # A value of the wrong shape, from a link (the form itself would not send it).
        (
            "/#ask/timeline?from=20x",
            "p-timeline-from",
            "From: '20x' is not a date (YYYY, YYYY-MM or YYYY-MM-DD).",
        ),
        # A link naming a parameter the question does not take: no internal name is shown.
        (
            "/#ask/members?collaboration=CPW&colaboration=x",
            None,
            "The link gives a value this question does not take",
        ),
        # A dropdown's label that names nothing.
        ("/#ask/members?collaboration=XYZ", "p-members-collaboration", "No collaboration called 'XYZ'."),
    ],
)
def test_errors_are_said_in_words_an_analyst_reads(web, path, field, said):
    """Errors read like developer logs: "parameter 'subject': … (HTTP 404)". The page says what is
    wrong with which field, by the field's label, and offers the API's suggestions as buttons."""
    page = web.open(path)
    error = page.locator("#ask-error")
    error.wait_for(state="visible")
    text = " ".join(error.inner_text().split())
    assert text.startswith(said), text
    assert not DEVELOPER_WORDS.search(text), text
    if field:
        assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
    if "Did you mean" in said:
        buttons = error.get_by_role("button").all_inner_texts()
        assert "Whale Shark" in buttons
        error.get_by_role("button", name="Whale Shark", exact=True).click()
        sync_api.expect(page.locator("#ask-status")).to_have_text(re.compile(r"^\d+ rows?\.$"))
        assert error.is_hidden() and page.locator(f"#{field}").input_value() == "Whale Shark"


def test_network_errors_offer_the_suggestions_as_buttons(web):
    """The network said "The network could not be drawn: parameter 'subject': … (HTTP 404)" and
    listed the close labels as text; it says it in words and a suggestion is one click away."""
    page = web.open("/#see?subject=sharkz")
    error = page.locator("#net-error")
    error.wait_for(state="visible")
    text = " ".join(error.inner_text().split())
    assert text.startswith("No subject called 'sharkz'.") and not DEVELOPER_WORDS.search(text), text
    error.get_by_role("button", name="sharks", exact=True).click()
    wait_for(page, "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0")
    assert error.is_hidden()


def test_the_pages_download_name_is_the_apis(web, server):
    """The page names its CSV download by the API's rules (accents dropped, defaults left out)."""
    page = web.open("/#ask/search?text=F%C3%B6rening%20%C3%A9t%C3%A9&stated_only=false")
    sync_api.expect(page.locator("#ask-status")).to_have_text(re.compile(r"^\d+ rows?\.$"))
    href = page.locator("#ask-csv").get_attribute("href")
    disposition = httpx.get(server.url + href).headers["content-disposition"]
    assert disposition == 'inline; filename="search_text-forening-ete.csv"'
    assert page.locator("#ask-csv").get_attribute("download") == "search_text-forening-ete.csv"


def test_one_row_per_partner_with_every_link_and_the_detail_one_click_away(web, server):
    """ "Which partners cover sharks?" shows one row per organisation; a rolled-up cell lists every
    arrangement or activity, each a link with its label; detail=true shows the links one per row."""
    page = web.open("/#ask/partners-covering?subject=sharks")
    page.wait_for_selector("#ask-table tbody tr")
    expected = httpx.get(server.url + "/api/queries/partners-covering", params={"subject": "sharks"}).json()
    assert rows(page).count() == expected["count"] == len({r["organisation"] for r in expected["rows"]})
    headers = page.locator("#ask-table thead th").all_inner_texts()
    assert "Involvement" in headers and "Links" in headers and "Short name" in headers
    ifaw = rows(page).filter(has=page.locator("a[href='/id/organisation/ifaw']"))
    assert ifaw.count() == 1
    assert ifaw.locator("a[href^='/id/event/ifaw-shark-training-workshop']").count() == 2
    assert "organiser; party" in ifaw.inner_text()
    page = web.open("/#ask/partners-covering?subject=sharks&detail=true")
    page.wait_for_selector("#ask-table tbody tr")
    detail = httpx.get(
        server.url + "/api/queries/partners-covering", params={"subject": "sharks", "detail": "true"}
    ).json()
    assert rows(page).count() == detail["count"] > expected["count"]
    assert "Involvement" in page.locator("#ask-table thead th").all_inner_texts()


def test_an_empty_answer_says_why_and_offers_what_to_ask(web):
    """The Whale Shark finds nothing (the query follows the hierarchy downwards): the page says so
    and offers its group, sharks, as a button that asks it."""
    page = web.open("/#ask/partners-covering?subject=Whale%20Shark")
    empty = page.locator("#ask-results .empty")
    empty.wait_for(state="visible")
    assert "Whale Shark" in empty.inner_text() and "sharks" in empty.inner_text()
    empty.locator("button", has_text="Ask about sharks").click()
    page.wait_for_selector("#ask-table tbody tr")
    assert "subject=sharks" in page.url


def test_an_empty_answer_offers_the_cms_family_and_its_button_finds_rows(web):
    """Only CMS, ASCOBANS and ACCOBAMS work on underwater noise (paragraph 7), and the CMS
    Family's secretariats are left out by default: the page says so, and its button asks again
    with them included."""
    page = web.open("/#ask/partners-covering?subject=underwater%20noise")
    empty = page.locator("#ask-results .empty")
    empty.wait_for(state="visible")
    assert "secretariats of the CMS Family" in empty.inner_text()
    empty.locator("button", has_text="Include the CMS Family's secretariats").click()
    page.wait_for_selector("#ask-table tbody tr")
    assert "include_cms_family=true" in page.url
    assert "ASCOBANS Secretariat" in page.locator("#ask-table").inner_text()


def test_a_partner_network_answer_links_to_its_picture(web, server):
    """Paragraphs 21 and 29: "Who works with FAO?" answers a table; one click on "See the network
    around FAO" draws the same partners as the network around FAO. An answer about no one
    organisation (partners covering sharks) offers no such link."""
    expected = httpx.get(server.url + "/api/queries/partner-network", params={"organisation": "FAO"}).json()
    page = web.open("/#ask/partner-network?organisation=FAO")
    page.wait_for_selector("#ask-table tbody tr")
    link = page.locator("#ask-network")
    sync_api.expect(link).to_have_text("See the network around FAO")
    link.click()
    page.wait_for_url(re.compile(r"/#see\?focus=https%3A%2F%2Fw3id.org%2Fcms-kg%2Fid%2Forganisation%2Ffao$"))
    wait_for(page, "window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0")
    sync_api.expect(page.locator("#net-status")).to_contain_text("around Food and Agriculture Organization")
    ids = set(page.evaluate("window.cmskgNetwork.nodes().map(n => n.id())"))
    assert {ID + "organisation/fao", expected["rows"][0]["partner"]} <= ids  # it and its closest partner
    centre = page.evaluate("window.cmskgNetwork.nodes('[?centre]').map(n => n.id())")
    assert centre == [ID + "organisation/fao"]
    page = web.open("/#ask/partners-covering?subject=sharks")
    page.wait_for_selector("#ask-table tbody tr")
    assert page.locator("#ask-network").is_hidden()


REPORT_PART = "/id/document/cop11-doc-21-1/"


def test_paragraphs_are_cited_and_linked_and_the_answer_has_a_cite_line(web, server):
    """Paragraph numbers read as citations write them ("UNEP/CMS/COP11/Doc.21.1, para. 20(c)"),
    each a link to its page; under the table, the answer's "Cite this" line (the API's) with a copy
    button. Paragraph 20(c): the CMS-IFAW joint work plan on sharks."""
    web.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = web.open("/#ask/partners-covering?subject=sharks")
    page.wait_for_selector("#ask-table tbody tr")
    cells = page.locator("#ask-table td", has=page.locator(f"a[href='{REPORT_PART}p20c']"))
    assert "UNEP/CMS/COP11/Doc.21.1, para. 20(c)" in cells.all_inner_texts()
    link = cells.first.locator(f"a[href='{REPORT_PART}p20c']")
    assert link.inner_text() == "para. 20(c)"
    assert link.get_attribute("title") == "UNEP/CMS/COP11/Doc.21.1, para. 20(c)"
    # A row resting on several paragraphs names the document once.
    several = [t for t in page.locator("#ask-table td").all_inner_texts() if t.count("para.") > 1]
    assert several and all(t.count("UNEP/CMS/COP11/Doc.21.1") == 1 for t in several if ";" not in t)

    expected = httpx.get(server.url + "/api/queries/partners-covering", params={"subject": "sharks"}).json()
    cite = page.locator("#ask-cite")
    assert cite.is_visible()
    assert page.locator("#ask-cite-text").inner_text() == expected["citation"]["text"]
    page.click("#ask-cite-copy")
    sync_api.expect(page.locator("#ask-cite-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == expected["citation"]["text"]

    link.click()
    page.wait_for_url(re.compile(r"/id/document/cop11-doc-21-1/p20c$"))
    assert "20(c)" in page.locator("h1").inner_text()
    page.go_back()
    page.wait_for_selector("#ask-table tbody tr")

    # No answer, no citation.
    page.fill("#p-partners-covering-subject", "sharkz")
    page.locator("#form-partners-covering button[type=submit]").click()
    page.locator("#ask-error").wait_for(state="visible")
    assert cite.is_hidden()
