"""The Ask view's pictures, facets, overview and question finder in a real browser (Debian's
Chromium through Playwright, offline, under our Content-Security-Policy: a refused script, an
eval or a script error fails every test here, as in test_web_browser.py). Each picture is
checked by what it draws: its SVG marks are counted against the API's answer."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import httpx
from playwright import sync_api

from app.settings import REPO_ROOT
from tests.test_web_browser import browser, rows, wait_for, web  # noqa: F401 (fixtures)

VENDOR = REPO_ROOT / "app" / "static" / "vendor"


def answer(server, name: str, **params: str) -> dict:
    return httpx.get(f"{server.url}/api/queries/{name}", params=params, timeout=30).json()


def drawn(page: sync_api.Page, view: str) -> None:
    """Wait until the picture of the view is drawn."""
    wait_for(
        page,
        f"document.querySelector('#ask-picture').dataset.view === '{view}' && "
        "document.querySelector('#ask-picture').dataset.drawn === 'true'",
    )


def page_state(page: sync_api.Page) -> list[tuple[str, str]]:
    """The page's own keys in the address (`_view`, `_<column>`), decoded."""
    fragment = page.url.split("#", 1)[1] if "#" in page.url else ""
    query = fragment.split("?", 1)[1] if "?" in fragment else ""
    return [(k, v) for k, v in parse_qsl(query) if k.startswith("_")]


def test_the_timeline_draws_a_dot_per_dated_row_and_is_the_questions_default(web, server):  # noqa: F811
    expected = answer(server, "timeline", **{"from": "2013", "to": "2013"})
    dated = [r for r in expected["rows"] if r["date"]]
    assert dated
    page = web.open("/#ask/timeline?from=2013&to=2013")
    drawn(page, "timeline")  # the question's header names the timeline first
    assert page.locator("#ask-picture svg g.dates_marks path").count() == len(dated)
    spans = [r for r in dated if r["end"] and r["end"] >= r["date"]]
    assert page.locator(
        "#ask-picture svg g.spans_marks line, #ask-picture svg g.spans_marks path"
    ).count() == len(spans)
    assert "_view" not in page.url  # the default view is not written
    sync_api.expect(page.locator("#ask-views button[data-view=timeline]")).to_have_attribute(
        "aria-pressed", "true"
    )
    first = page.locator("#ask-picture svg").inner_html()

    page.click("#ask-views button[data-view=table]")
    page.wait_for_selector("#ask-table tbody tr")
    assert rows(page).count() == expected["count"]
    assert ("_view", "table") in page_state(page)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#ask-table tbody tr")  # the address brought the table back
    assert page.locator("#ask-picture").is_hidden()

    # The same data draw the same picture on every load.
    page.click("#ask-views button[data-view=timeline]")
    drawn(page, "timeline")
    assert page.locator("#ask-picture svg").inner_html() == first


def test_activities_in_a_place_offer_the_timeline_of_their_dated_rows(web, server):  # noqa: F811
    """Paragraph 34's NBSAP workshops in Zimbabwe (2012) and Cameroon (2013) are dated: "What
    happened in Africa?" draws them on a timeline, one dot per dated activity, and says how many
    rows have no date."""
    expected = answer(server, "activities-in-place", place="Africa")
    dated = [r for r in expected["rows"] if r["date"]]
    assert 0 < len(dated) < expected["count"]
    page = web.open("/#ask/activities-in-place?place=Africa")
    page.wait_for_selector("#ask-table tbody tr")
    page.click("#ask-views button[data-view=timeline]")
    drawn(page, "timeline")
    assert page.locator("#ask-picture svg g.dates_marks path").count() == len(dated)
    undated = expected["count"] - len(dated)
    sync_api.expect(page.locator("#ask-picture-note")).to_have_text(
        f"{len(dated)} dated rows; {undated} without a date, not drawn."
    )
    assert ("_view", "timeline") in page_state(page)


def countries_named(server, rows_: list[dict], column: str) -> set[str]:
    """The ISO numeric codes of the countries the rows' places lie in, asked of the endpoint and
    looked up in the vendored tables: what the map should shade."""
    cells = [r[column] if isinstance(r[column], list) else [r[column]] for r in rows_]  # a list rolled up
    places = sorted({place for cell in cells for place in cell if place})
    values = " ".join(f"<{p}>" for p in places)
    query = (
        "PREFIX cms: <https://w3id.org/cms-kg/ontology#> SELECT DISTINCT ?place ?code WHERE { "
        f"VALUES ?place {{ {values} }} ?place cms:withinPlace* ?c . "
        "?c a cms:Country ; cms:iso3166Alpha3 ?code }"
    )
    bindings = httpx.post(server.url + "/sparql", data={"query": query}).json()["results"]["bindings"]
    codes = {row[1]: row[2] for row in json.loads((VENDOR / "iso-countries" / "codes.json").read_text())}
    atlas = json.loads((VENDOR / "world-atlas" / "countries-110m.json").read_text())
    shapes = {g.get("id") for g in atlas["objects"]["countries"]["geometries"]}
    return {codes[b["code"]["value"]] for b in bindings} & shapes


def test_the_map_shades_each_country_the_answer_names(web, server):  # noqa: F811
    expected = answer(server, "activities-in-place", place="Africa")
    countries = countries_named(server, expected["rows"], "places")
    assert len(countries) >= 2
    page = web.open("/#ask/activities-in-place?place=Africa")
    page.wait_for_selector("#ask-table tbody tr")
    page.click("#ask-views button[data-view=map]")
    drawn(page, "map")
    assert page.locator("#ask-picture svg g.countries_marks path").count() == len(countries)
    assert page.locator("#ask-picture svg g.world_marks path").count() > 150  # the world, drawn offline
    sync_api.expect(page.locator("#ask-picture-note")).to_contain_text(
        f"{len(countries)} countries on the map"
    )
    sync_api.expect(page.locator("#ask-picture-note")).to_contain_text("Africa")  # a region, named beside it
    assert ("_view", "map") in page_state(page)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    drawn(page, "map")


def test_bars_count_by_a_column_and_a_click_on_a_bar_keeps_its_rows(web, server):  # noqa: F811
    expected = answer(server, "arrangements")
    kinds = expected["facets"]["kind"]["values"]
    page = web.open("/#ask/arrangements?")
    page.wait_for_selector("#ask-table tbody tr")
    page.click("#ask-views button[data-view=bar]")
    drawn(page, "bar")
    assert page.locator("#ask-picture svg g.bars_marks path").count() == min(25, len(kinds))
    assert page.locator("#ask-count-by").input_value() == "kind"

    grades = expected["facets"]["grade"]["values"]
    page.select_option("#ask-count-by", "grade")
    wait_for(
        page, f"document.querySelectorAll('#ask-picture svg g.bars_marks path').length === {len(grades)}"
    )
    assert ("_view", "bar.grade") in page_state(page)

    page.select_option("#ask-count-by", "kind")
    wait_for(
        page,
        f"document.querySelectorAll('#ask-picture svg g.bars_marks path').length === {min(25, len(kinds))}",
    )
    page.locator("#ask-picture svg g.bars_marks path").first.click()  # the largest kind
    wait_for(page, "document.querySelectorAll('#ask-picture svg g.bars_marks path').length === 1")
    assert ("_kind", kinds[0]["value"]) in page_state(page)
    sync_api.expect(page.locator("#ask-status")).to_have_text(
        f"{kinds[0]['count']} of {expected['count']} rows."
    )


def grade_counts(page: sync_api.Page) -> dict[str, int]:
    buttons = page.locator("#ask-facets button[data-column=grade]")
    return {
        buttons.nth(i).get_attribute("data-value"): int(buttons.nth(i).locator(".facet-count").text_content())
        for i in range(buttons.count())
    }


def test_facets_filter_the_rows_several_at_once_and_the_address_keeps_them(web, server):  # noqa: F811
    expected = answer(server, "arrangements")
    page = web.open("/#ask/arrangements?")
    page.wait_for_selector("#ask-table tbody tr")
    groups = page.locator("#ask-facets section.facet")
    assert [groups.nth(i).get_attribute("data-column") for i in range(groups.count())] == list(
        expected["facets"]
    )

    assert grade_counts(page) == {v["value"]: v["count"] for v in expected["facets"]["grade"]["values"]}

    kind = expected["facets"]["kind"]["values"][0]
    page.locator(f"#ask-facets button[data-column=kind][data-value='{kind['value']}']").click()
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {kind['count']}")
    assert ("_kind", kind["value"]) in page_state(page)
    # The other columns count the rows the filter keeps.
    kept = [r["grade"] for r in expected["rows"] if r["kind"] == kind["value"]]
    grades = [v["value"] for v in expected["facets"]["grade"]["values"]]
    assert grade_counts(page) == {grade: kept.count(grade) for grade in grades}

    # A second value of the same column widens (either kind); a value of another column narrows.
    second = expected["facets"]["kind"]["values"][1]
    page.locator(f"#ask-facets button[data-column=kind][data-value='{second['value']}']").click()
    wait_for(
        page, f"document.querySelectorAll('#ask-table tbody tr').length === {kind['count'] + second['count']}"
    )
    grade = expected["facets"]["grade"]["values"][0]["value"]
    page.locator(f"#ask-facets button[data-column=grade][data-value='{grade}']").click()
    keep = [
        r for r in expected["rows"] if r["kind"] in (kind["value"], second["value"]) and r["grade"] == grade
    ]
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {len(keep)}")
    state = page_state(page)
    assert (
        ("_grade", grade) in state
        and ("_kind", kind["value"]) in state
        and ("_kind", second["value"]) in state
    )

    # The address restores the filtered view, a shared link too.
    shared = page.url
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {len(keep)}")
    pressed = page.locator("#ask-facets button[aria-pressed=true]")
    assert pressed.count() == 3
    other = web.context.new_page()
    other.goto(shared)
    other.wait_for_selector("body[data-ready=true]")
    wait_for(other, f"document.querySelectorAll('#ask-table tbody tr').length === {len(keep)}")
    other.close()

    page.click("#ask-facets-clear")
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {expected['count']}")
    assert page_state(page) == []


def test_the_overview_charts_open_their_questions(web, server):  # noqa: F811
    arrangements = answer(server, "arrangements")
    page = web.open("/")
    wait_for(page, "document.querySelector('#overview').dataset.ready === 'true'")

    years = arrangements["facets"]["start"]["values"]
    assert page.locator("#overview-years svg g.bars_marks path").count() == min(8, len(years))
    page.locator("#overview-years svg g.bars_marks path").first.click()  # the earliest year
    page.wait_for_url(re.compile(r"#ask/arrangements\?_start=" + years[0]["value"]))
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {years[0]['count']}")

    page.go_back()
    wait_for(page, "document.querySelector('#overview svg') !== null")
    page.locator("#overview-partners svg g.bars_marks path").first.click()
    page.wait_for_url(re.compile(r"#ask/arrangements\?type="))
    page.wait_for_selector("#ask-table tbody tr")
    chosen = page.locator("#p-arrangements-type").input_value()
    assert chosen.startswith("https://w3id.org/cms-kg/id/arrangement-type/")
    assert rows(page).count() == answer(server, "arrangements", type=chosen)["count"]

    # The same questions from the keyboard: each chart's bars are links too.
    page.go_back()
    page.locator("#overview-years ~ details.overview-list summary").click()
    links = page.locator("#overview-years ~ details.overview-list a")
    assert links.count() == min(8, len(years))
    assert links.first.inner_text() == f"{years[0]['value']}: {years[0]['count']}"
    links.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#ask/arrangements\?_start=" + years[0]["value"]))
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {years[0]['count']}")

    page.go_back()
    page.locator("#overview-subjects svg g.bars_marks path").first.click()
    page.wait_for_url(re.compile(r"#ask/partners-covering\?subject="))
    page.wait_for_selector("#ask-table tbody tr")
    subject = page.locator("#p-partners-covering-subject").input_value()
    assert rows(page).count() == answer(server, "partners-covering", subject=subject)["count"] > 0


def test_the_question_list_is_searchable_from_the_keyboard(web):  # noqa: F811
    page = web.open("/")
    page.focus("#question-filter")
    page.keyboard.type("shark")
    sync_api.expect(page.locator("#question-count")).to_contain_text("questions match")
    shown = page.evaluate(
        "[...document.querySelectorAll('#question option')].filter(o => !o.hidden).map(o => o.value)"
    )
    assert shown and len(shown) < page.locator("#question option").count()
    for name in shown:  # each holds the word in its title or description
        text = page.locator(f"#form-{name}").inner_text().lower()
        assert "shark" in text, name
    page.keyboard.press("Enter")  # opens the first that matches, its first field focused
    assert page.locator("#question").input_value() == shown[0]
    assert page.evaluate("document.activeElement.closest('form.canned').dataset.query") == shown[0]
    assert page.url.endswith(f"#ask/{shown[0]}")

    page.fill("#question-filter", "zzz no such question")
    total = page.locator("#question option").count()
    sync_api.expect(page.locator("#question-count")).to_have_text(f"0 of {total} questions match.")
    page.fill("#question-filter", "")
    assert page.evaluate("[...document.querySelectorAll('#question option')].every(o => !o.hidden)")


def test_the_pictures_draw_under_our_csp_without_eval(web, server):  # noqa: F811
    """The page's Content-Security-Policy forbids eval: Vega must draw with its interpreter. The
    `web` fixture fails the test on any CSP report or script error in the console."""
    policy = httpx.get(server.url + "/").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    page = web.open("/#ask/meetings?_view=timeline")
    drawn(page, "timeline")
    page.click("#ask-views button[data-view=map]")
    drawn(page, "map")
    page.click("#ask-views button[data-view=bar]")
    drawn(page, "bar")
    assert page.locator("#ask-picture svg g.bars_marks path").count() > 0


def test_a_rolled_up_answer_facets_and_draws_its_lists(web, server):  # noqa: F811
    """One row per partner: a facet on a list column (its involvements) keeps the partners whose
    list holds the value; the timeline draws each partner from its first to its last date."""
    expected = answer(server, "partners-covering", subject="sharks")
    assert "roles" in expected["facets"]
    role = expected["facets"]["roles"]["values"][0]
    keep = [r for r in expected["rows"] if role["value"] in r["roles"]]
    assert len(keep) == role["count"] < expected["count"]
    page = web.open("/#ask/partners-covering?subject=sharks")
    page.wait_for_selector("#ask-table tbody tr")
    page.locator(f"#ask-facets button[data-column=roles][data-value='{role['value']}']").click()
    wait_for(page, f"document.querySelectorAll('#ask-table tbody tr').length === {len(keep)}")

    page.click("#ask-facets-clear")
    page.click("#ask-views button[data-view=timeline]")
    drawn(page, "timeline")
    dated = [r for r in expected["rows"] if r["first"]]
    spans = [r for r in dated if r["last"] and r["last"] >= r["first"]]  # as the timeline draws them
    assert dated
    assert page.locator("#ask-picture svg g.dates_marks path").count() == len(dated)
    assert page.locator(
        "#ask-picture svg g.spans_marks line, #ask-picture svg g.spans_marks path"
    ).count() == len(spans)
