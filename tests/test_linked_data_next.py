"""Pages that answer the next question: a paragraph's page tells what it states in words, with the
grades of the claims; a resource's page offers the canned questions about it."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import httpx

from app.settings import Settings

ID = Settings().base_iri + "id/"
PART = "/id/document/cop11-doc-21-1/"


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_a_paragraph_page_says_what_it_states_in_words(server):
    """Paragraph 20(c): the CMS-IFAW joint work plan, told as a sentence with its parties, what it
    covers and its topics, each a link; not only a list of the things it names."""
    html = httpx.get(server.url + PART + "p20c").text
    told = section(html, "statements-title")
    assert (
        "CMS-IFAW Joint Work Plan (joint work plan): parties CMS Secretariat and IFAW; covers elephants, "
        "marine mammals, raptors and sharks; on habitat connectivity and protected areas — stated"
    ) in text_of(told)
    assert '<a href="/id/organisation/ifaw">IFAW</a>' in told
    assert '<a href="/id/arrangement/cms-ifaw-joint-work-plan">CMS-IFAW Joint Work Plan</a>' in told
    # what it only names is listed apart, once
    assert "Also drawn from it:" in text_of(told) and text_of(told).count("sharks (species group)") == 1


def test_a_claim_the_curators_inferred_reads_as_inferred_beside_the_stated_ones(server):
    """Paragraph 20 introduces the Secretariat's NGO collaborations; item (d) names only the NGOs,
    so the Secretariat as a party of the Saiga coordination support is inferred, the rest stated."""
    items = [
        text_of(li)
        for li in section(httpx.get(server.url + PART + "p20").text, "statements-title").split("<li>")
    ]
    (saiga,) = [item for item in items if item.startswith("Technical coordination support to the Saiga MOU")]
    assert "parties ACBK, CMS Secretariat inferred and SCA;" in saiga
    assert saiga.endswith("— stated")


def test_an_organisations_page_offers_its_profile_partners_and_network(server):
    """IFAW's page links to the questions about an organisation, each asked with its IRI, and
    to the network drawn around it; every question it offers answers."""
    html = httpx.get(server.url + "/id/organisation/ifaw").text
    nav = html[html.index('id="questions-title"') : html.index("</nav>", html.index('id="questions-title"'))]
    links = [unescape(h) for h in re.findall(r'href="([^"]+)"', nav)]
    asked = {urlsplit(h).fragment.split("?")[0] for h in links}
    assert {"ask/organisation-profile", "ask/partner-network", "ask/instruments-supported", "see"} <= asked
    for link in links:
        name, _, query = urlsplit(link).fragment.partition("?")
        params = dict(parse_qsl(query))
        assert params.get("organisation", params.get("focus")) == ID + "organisation/ifaw"
        if name.startswith("ask/"):
            answer = httpx.get(server.url + "/api/queries/" + name[4:], params=params)
            assert answer.status_code == 200 and answer.json()["count"] > 0, link
    # a species group's page asks who and what covers it; a paragraph's, what it holds
    sharks = httpx.get(server.url + "/id/species-group/sharks").text
    assert "/#ask/partners-covering?subject=" in sharks and "/#ask/instruments-covering?subject=" in sharks
    assert "/#ask/paragraph-contents?paragraph=" in httpx.get(server.url + PART + "p20c").text
