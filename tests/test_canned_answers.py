"""Every canned query answers what the report says, on a real server over the curated graph.

Each test names the paragraph of UNEP/CMS/COP11/Doc.21.1 (or the other source) its answer comes
from. Rows are looked up by label, so the tests hold while the curated graph grows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from app.canned.catalogue import load_catalogue
from app.settings import REPO_ROOT
from tests.conftest import RunningServer, start_server, stop_server

ID = "https://w3id.org/cms-kg/id/"
CATALOGUE = load_catalogue(REPO_ROOT / "queries")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """A real server of our own for this module."""
    running = start_server()
    yield running
    stop_server(running)


def run(server, name: str, **params: str) -> dict:
    response = httpx.get(f"{server.url}/api/queries/{name}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["rows"])
    return body


def rows_where(body: dict, **match: str) -> list[dict]:
    return [row for row in body["rows"] if all(row.get(k) == v for k, v in match.items())]


def values(body: dict, column: str) -> set:
    return {row[column] for row in body["rows"]}


@pytest.mark.parametrize("name", CATALOGUE.names)
def test_every_example_answers(server, name: str):
    query = CATALOGUE.get(name)
    body = run(server, name, **{k: str(v) for k, v in query.example.items()})
    assert body["name"] == name
    assert body["columns"] == [c.name for c in query.output_columns]
    assert body["count"] > 0, f"the example of {name} finds nothing"
    for column in query.output_columns:
        if column.label_of:  # every IRI column has its label column, filled for IRIs we know
            labelled = [r for r in body["rows"] if str(r[column.label_of] or "").startswith(ID)]
            assert all(r[column.name] for r in labelled)


def test_partners_covering_sharks(server):
    """Paragraph 15 (NOAA letter of cooperation, Feb 2013, sharks), 20(c) (IFAW joint work plan),
    21 (FAO on shark conservation), 22 (Pew), 28 (WHMSI funds shark activities), 41 (SPREP)."""
    body = run(server, "partners-covering", subject="sharks", detail="true", include_cms_family="true")
    assert body["parameters"]["subject"]["iri"] == ID + "species-group/sharks"
    partners = values(body, "organisation")
    for slug in ("noaa", "ifaw", "fao", "pew-environment-group", "sprep", "unep-rowa"):
        assert ID + "organisation/" + slug in partners, slug
    (noaa,) = rows_where(body, organisation=ID + "organisation/noaa", role="party")
    assert noaa["through"] == ID + "arrangement/cms-noaa-letter-of-cooperation-2013"
    assert noaa["kind"] == "letter of cooperation" and noaa["date"] == "2013-02"
    assert "15" in noaa["paragraphs"].split("; ")
    assert noaa["organisation_label"] == "National Oceanic and Atmospheric Administration"
    (ifaw,) = rows_where(body, organisation=ID + "organisation/ifaw", role="party")
    assert ifaw["kind"] == "joint work plan" and "20(c)" in ifaw["paragraphs"].split("; ")
    assert ifaw["via"] is None and ifaw["grade"] == "stated"
    whmsi = rows_where(
        body, organisation=ID + "collaboration/western-hemisphere-migratory-species-initiative"
    )
    assert {r["role"] for r in whmsi} >= {"funder"} and "28" in whmsi[0]["paragraphs"]


def test_partners_covering_follows_the_hierarchy_down(server):
    """Paragraph 26 and footnote 1: the WWF Germany memorandum of cooperation covers the Blue
    Whale, which is a cetacean, so asking about cetaceans finds WWF Germany."""
    body = run(server, "partners-covering", subject="cetaceans", detail="true", include_cms_family="true")
    (wwf,) = rows_where(
        body,
        through=ID + "arrangement/cms-wwf-germany-memorandum-of-cooperation",
        role="party",
        organisation=ID + "organisation/wwf-germany",
    )
    assert "Balaenoptera musculus" in wwf["covers"] and "26" in wwf["paragraphs"].split("; ")
    assert ID + "organisation/wwf-germany" not in values(
        run(server, "partners-covering", subject="sharks", detail="true", include_cms_family="true"),
        "organisation",
    )


def test_partners_covering_a_topic_and_a_scientific_name(server):
    """Paragraph 18: IWC workshops on marine debris; paragraph 20(f): WCS and the Cross River Gorilla."""
    debris = run(
        server, "partners-covering", subject="marine debris", detail="true", include_cms_family="true"
    )
    assert ID + "organisation/iwc" in values(debris, "organisation")
    gorilla = run(
        server,
        "partners-covering",
        subject="gorilla gorilla diehli",
        detail="true",
        include_cms_family="true",
    )
    assert ID + "organisation/wcs" in values(gorilla, "organisation")


def test_instruments_covering(server):
    """CMS instrument texts: ASCOBANS covers small cetaceans, ACCOBAMS and the Pacific Islands MOU
    cetaceans (paragraph 41 for the latter); the Blue Whale (paragraph 26) falls under both."""
    body = run(server, "instruments-covering", subject="cetaceans")
    instruments = values(body, "instrument")
    for slug in ("ascobans", "accobams", "pacific-islands-cetaceans-mou"):
        assert ID + "instrument/" + slug in instruments
    assert values(body, "family") == {"CMS Family"}
    whale = run(server, "instruments-covering", subject="Blue Whale")
    assert {ID + "instrument/accobams", ID + "instrument/pacific-islands-cetaceans-mou"} <= values(
        whale, "instrument"
    )
    assert ID + "instrument/ascobans" not in values(whale, "instrument")  # small cetaceans only
    assert values(whale, "scope") == {"broader group"}


def test_arrangements_by_type_party_and_dates(server):
    """Paragraphs 11-12: the joint work plans 2012-2014 with CBD, CITES and Ramsar; 20(c): IFAW's;
    15: the NOAA letter of February 2013. Paragraph 21 dates only the first meeting of the FAO task
    force (29 January 2013), not the task force, which therefore has no date of its own (issue #16)."""
    plans = run(server, "arrangements", type="joint work plan")
    assert {
        ID + "arrangement/cms-cbd-joint-work-plan-2012-2014",
        ID + "arrangement/cms-ifaw-joint-work-plan",
    } <= values(plans, "arrangement")
    assert values(plans, "kind") == {ID + "arrangement-type/joint-work-plan"}
    (cbd,) = rows_where(plans, arrangement=ID + "arrangement/cms-cbd-joint-work-plan-2012-2014")
    assert (cbd["start"], cbd["end"]) == ("2012", "2014") and {"11", "12"} <= set(
        cbd["paragraphs"].split("; ")
    )
    assert "Secretariat of the Convention on Biological Diversity" in cbd["parties"]
    ifaw = run(server, "arrangements", party="IFAW")
    assert values(ifaw, "arrangement") == {ID + "arrangement/cms-ifaw-joint-work-plan"}
    early_2013 = run(server, "arrangements", **{"from": "2013", "to": "2013-02"})
    found = values(early_2013, "arrangement")
    assert ID + "arrangement/cms-noaa-letter-of-cooperation-2013" in found
    assert ID + "arrangement/cms-fao-task-force-on-wildlife-and-ecosystem-health" not in found
    assert ID + "arrangement/cites-cms-mou-2002" not in found
    assert all(r["start"] for r in early_2013["rows"])


def test_organisation_profile(server):
    """Paragraph 20(c): IFAW is party to a joint work plan with CMS on marine mammals, sharks,
    raptors and elephants, and IFAW Middle East organised the shark training workshops."""
    body = run(server, "organisation-profile", organisation="International Fund for Animal Welfare")
    (party,) = rows_where(body, relation="party to")
    assert party["item"] == ID + "arrangement/cms-ifaw-joint-work-plan" and "20(c)" in party["paragraphs"]
    species = {r["item_label"] for r in rows_where(body, relation="species of its work")}
    assert {"sharks", "raptors", "elephants", "marine mammals"} <= species
    assert ID + "organisation/ifaw-middle-east" in values(body, "item")


def test_members(server):
    """Paragraph 29: CMS became a founding member of the CPW in March 2013, with CBD, CITES, OIE,
    FAO, UNEP, IUCN, IIFB, TRAFFIC, IUFRO, CIFOR, ITC and CIC."""
    body = run(
        server, "members", collaboration="Collaborative Partnership on Sustainable Wildlife Management"
    )
    assert len(body["rows"]) >= 13
    (cms,) = rows_where(body, member=ID + "organisation/cms-secretariat")
    assert cms["role"] == "founding member" and cms["start"] == "2013-03" and "29" in cms["paragraphs"]
    assert {"TRAFFIC", "Food and Agriculture Organization of the United Nations"} <= values(
        body, "member_label"
    )
    blg = run(server, "members", collaboration="BLG")  # paragraphs 10-11: the BLG
    assert ID + "organisation/cms-secretariat" in values(blg, "member")


def test_aichi_target_contributors(server):
    """Paragraph 31: Friends of Target 12 supports Aichi Target 12 (stated); paragraph 35: the
    NBSAP Forum serves NBSAPs, Target 17 (inferred by the curators)."""
    body = run(server, "aichi-target-contributors", target="12")
    (friends,) = rows_where(body, contributor=ID + "collaboration/friends-of-target-12")
    assert friends["contribution"] == "stated" and friends["paragraphs"] == "31"
    assert run(server, "aichi-target-contributors", target="Aichi Target 12")["rows"] == body["rows"]
    nbsap = run(server, "aichi-target-contributors", target="17")
    (forum,) = rows_where(nbsap, contributor=ID + "collaboration/nbsap-forum")
    assert forum["contribution"] == "inferred" and "35" in forum["paragraphs"]


def test_activities_in_place(server):
    """Paragraph 34: the NBSAP workshop for Francophone Africa in Cameroon, June 2013; paragraph
    20(f): the Cross River Gorilla project in Cameroon and Nigeria. ISO codes name countries."""
    for name in ("Cameroon", "CM", "cmr"):
        body = run(server, "activities-in-place", place=name)
        items = values(body, "item")
        assert ID + "event/nbsap-workshop-africa-francophone-2013" in items
        assert ID + "activity/cross-river-gorilla-project" in items
    africa = run(server, "activities-in-place", place="Africa")  # places within Africa count
    assert ID + "event/nbsap-workshop-africa-anglophone-2012" in values(africa, "item")


FIJI_ORGANISATIONS = {
    "Secretariat of the Convention on the Conservation of Migratory Species of Wild Animals",
    "Secretariat of the Pacific Regional Environment Programme",
    "Secretariat of the Convention on Biological Diversity",
    "Secretariat of the Convention on Wetlands",
    "Secretariat of the Convention on International Trade in Endangered Species of Wild Fauna and Flora",
    "Wild Migration",
    "Pew Environment Group",
}


def organisations_of(row: dict) -> dict[str, str]:
    """The `organisations` cell, "name (role); …", as {name: role}."""
    pairs = [part.rsplit(" (", 1) for part in (row["organisations"] or "").split("; ") if part]
    return {name: role.rstrip(")") for name, role in pairs}


def test_activities_in_place_names_every_organisation_and_its_role(server):
    """Paragraphs 20(a), 22 and 41, Fiji: the Pre-COP workshop (organised by the CMS Secretariat,
    supported by Wild Migration, Pew and SPREP), the meeting with CBD and Ramsar held with it (their
    secretariats and CMS's taking part, CITES's expected, SPREP supporting) and SPREP's work under the
    CMS-SPREP arrangement. Only organisers and parties were shown: 2 of the 7 organisations."""
    body = run(server, "activities-in-place", place="Fiji")
    named = {name for row in body["rows"] for name in organisations_of(row)}
    assert named == FIJI_ORGANISATIONS
    (workshop,) = rows_where(body, item=ID + "event/cms-pre-cop-workshop-fiji-2014")
    assert organisations_of(workshop) == {
        "Secretariat of the Convention on the Conservation of Migratory Species of Wild Animals": "organiser",
        "Wild Migration": "supporter",
        "Pew Environment Group": "supporter",
        "Secretariat of the Pacific Regional Environment Programme": "supporter",
    }
    (meeting,) = rows_where(body, item=ID + "event/fiji-meeting-with-cbd-and-ramsar-2014")
    roles = organisations_of(meeting)
    assert roles["Secretariat of the Convention on Wetlands"] == "participant"
    assert roles["Secretariat of the Pacific Regional Environment Programme"] == "supporter"
    (arrangement,) = rows_where(body, item=ID + "arrangement/cms-sprep-pacific-arrangement")
    assert set(organisations_of(arrangement).values()) == {"party"}
    # CITES's part is the curators' reading of "was to be represented": the row says inferred.
    assert meeting["grade"] == "inferred"


def test_activities_in_place_with_stated_only_leaves_out_roles_the_report_does_not_state(server):
    """Paragraph 20(f): WCS carried out the Cross River Gorilla project in Cameroon; that the CMS
    Secretariat took part is the curators' reading. The row is graded by its weakest role, and
    stated_only keeps the row (its place is stated) without the inferred role."""
    gorilla = ID + "activity/cross-river-gorilla-project"
    cms = "Secretariat of the Convention on the Conservation of Migratory Species of Wild Animals"
    (everything,) = rows_where(run(server, "activities-in-place", place="Cameroon"), item=gorilla)
    assert organisations_of(everything) == {cms: "participant", "Wildlife Conservation Society": "organiser"}
    assert everything["grade"] == "inferred"
    stated = run(server, "activities-in-place", place="Cameroon", stated_only="true")
    (row,) = rows_where(stated, item=gorilla)
    assert organisations_of(row) == {"Wildlife Conservation Society": "organiser"}
    assert row["grade"] == "stated"


def test_timeline(server):
    """2013 in the report: the Task Force's first meeting on 29 January (21), the BLG meeting of 13
    February (10), the NOAA letter of February (15), the retreat of June (9); in date order."""
    body = run(server, "timeline", **{"from": "2013", "to": "2013"})
    items = [r["item"] for r in body["rows"]]
    for slug in ("event/blg-meeting-2013-02-13", "arrangement/cms-noaa-letter-of-cooperation-2013"):
        assert ID + slug in items
    dates = [r["date"] for r in body["rows"]]
    assert dates == sorted(dates)
    assert ID + "event/cms-cop10" not in items  # November 2011
    assert all(d[:4] <= "2013" for d in dates)


def test_funding(server):
    """Paragraph 20(f): Norway's contribution at COP10 funded WCS's Cross River Gorilla project;
    footnote 2: Germany funds WWF in KAZA; paragraph 34: Germany, Sweden and Japan the NBSAP workshops."""
    gorilla = run(server, "funding", recipient="Wildlife Conservation Society", detail="true")
    (row,) = rows_where(gorilla, funder=ID + "organisation/government-of-norway")
    assert row["funded"] == ID + "activity/cross-river-gorilla-project" and row["paragraphs"] == "20(f)"
    germany = run(server, "funding", funder="Government of Germany", detail="true")
    funded = values(germany, "funded")
    assert ID + "activity/wwf-kaza-community-based-natural-resource-management" in funded
    assert ID + "event/nbsap-workshop-africa-francophone-2013" in funded
    # A funding found by one of its funders is told whole, with its co-funders.
    assert values(germany, "funder") == {
        ID + "organisation/government-of-" + country for country in ("germany", "japan", "sweden")
    }
    assert len(run(server, "funding", detail="true")["rows"]) >= len(germany["rows"])


def test_funding_gives_one_row_per_funding(server):
    """Paragraph 34: one funding by Germany, Sweden and Japan for the African NBSAP workshops was
    nine rows (funder x workshop); it is one row listing its funders and workshops."""
    detail = run(server, "funding", detail="true")
    body = run(server, "funding")
    assert body["count"] == len({row["funding"] for row in detail["rows"]}) == len(values(body, "funding"))
    (nbsap,) = rows_where(body, funding=ID + "funding/nbsap-africa-workshops")
    assert nbsap["funders_label"] == ["Government of Germany", "Government of Japan", "Government of Sweden"]
    assert nbsap["funders"] == [
        ID + "organisation/government-of-" + c for c in ("germany", "japan", "sweden")
    ]
    assert len(nbsap["funded"]) == len(nbsap["funded_label"]) == 2  # the two regional workshops
    assert nbsap["paragraphs"] == "34"
    # the row is as good as its weakest claim, over all the links it rolls up
    grades = {row["grade"] for row in rows_where(detail, funding=ID + "funding/nbsap-africa-workshops")}
    assert nbsap["grade"] == next(g for g in ("inferred", "reference", "stated") if g in grades)


def test_partners_covering_gives_one_row_per_partner(server):
    """ "Which partners cover sharks?" gave 24 rows for 9 organisations, ten of them the CMS
    Secretariat's own. Now one row per partner, its involvements, links, units, years and sources,
    and the CMS Family's secretariats only when asked for."""
    body = run(server, "partners-covering", subject="sharks")
    organisations = [row["organisation"] for row in body["rows"]]
    assert len(organisations) == len(set(organisations)) == body["count"]
    assert ID + "organisation/cms-secretariat" not in organisations
    detail = run(server, "partners-covering", subject="sharks", detail="true")
    assert set(organisations) == values(detail, "organisation")  # nothing lost
    assert body["parameters"]["detail"] == "false" and detail["parameters"]["detail"] == "true"
    (ifaw,) = rows_where(body, organisation=ID + "organisation/ifaw")
    assert ifaw["short_name"] == "IFAW" and ifaw["roles"] == ["organiser", "party"]
    assert ifaw["links"] == 3 == len(ifaw["through"]) == len(ifaw["through_label"])
    assert ID + "arrangement/cms-ifaw-joint-work-plan" in ifaw["through"]
    assert ifaw["via"] == [ID + "organisation/ifaw-middle-east"] and ifaw["via_label"] == ["IFAW Middle East"]
    assert "20(c)" in ifaw["paragraphs"].split("; ")
    (noaa,) = rows_where(body, organisation=ID + "organisation/noaa")
    assert noaa["first"] == noaa["last"] == "2013-02" and noaa["kinds"] == ["letter of cooperation"]
    assert body["titles"]["roles"] == "Involvement" and body["titles"]["organisation_label"] == "Organisation"
    family = run(server, "partners-covering", subject="sharks", include_cms_family="true")
    assert ID + "organisation/cms-secretariat" in values(family, "organisation")
    # the units of the CMS Secretariat (which services the Raptors MOU) are the family too
    birds = values(run(server, "partners-covering", subject="birds"), "organisation")
    assert not {ID + "organisation/cms-secretariat", ID + "organisation/aewa-secretariat"} & birds


def test_instruments_supported_gives_one_row_per_instrument(server):
    """Paragraphs 34 and 38: UNEP's work supports CITES and CMS through two NBSAP workshops, each
    organised by two of its units (four rows per convention), and the Raptors, Dugong and Sharks
    MOUs through ROWA. The default answer has one row per instrument, with every unit, link and
    paragraph of its rows; `detail=true` keeps the rows one per link, and nothing is lost."""
    detail = run(server, "instruments-supported", organisation="UNEP", detail="true")
    body = run(server, "instruments-supported", organisation="UNEP")
    instruments = [row["instrument"] for row in body["rows"]]
    assert len(instruments) == len(set(instruments)) == body["count"] < detail["count"]
    assert set(instruments) == values(detail, "instrument")
    assert body["parameters"]["detail"] == "false"
    (cites,) = rows_where(body, instrument=ID + "instrument/cites")
    cites_rows = rows_where(detail, instrument=ID + "instrument/cites")
    assert len(cites_rows) == 4
    assert cites["links"] == 2 == len(cites["through"]) == len(cites["through_label"])
    assert set(cites["via"]) == {r["via"] for r in cites_rows} and len(cites["via"]) == 2
    assert len(cites["via_label"]) == 2 and cites["roles"] == ["organiser"]
    assert (cites["first"], cites["last"]) == ("2012-11", "2013-06") and cites["paragraphs"] == "34"
    (sharks,) = rows_where(body, instrument=ID + "instrument/sharks-mou")
    assert sharks["via"] == [ID + "organisation/unep-rowa"] and sharks["paragraphs"] == "38"
    assert sharks["first"] is None and sharks["last"] is None  # its support is undated
    assert body["columns"][:2] == ["instrument", "instrument_label"]


def test_a_rolled_up_answer_in_every_format(server):
    """Lists are JSON arrays; in CSV, TSV, HTML and SPARQL JSON their values are '; '-joined."""
    url = server.url + "/api/queries/partners-covering"
    params = {"subject": "sharks"}
    csv_rows = list(
        csv.DictReader(io.StringIO(httpx.get(url, params={**params, "format": "csv"}).text.lstrip("\ufeff")))
    )
    (ifaw,) = [r for r in csv_rows if r["Organisation IRI"] == ID + "organisation/ifaw"]
    assert ifaw["Involvement"] == "organiser; party" and ifaw["Links"] == "3"
    results = httpx.get(url, params={**params, "format": "sparql-json"}).json()
    (binding,) = [
        b for b in results["results"]["bindings"] if b["organisation"]["value"] == ID + "organisation/ifaw"
    ]
    assert binding["roles"] == {"type": "literal", "value": "organiser; party"}
    page = httpx.get(url, params={**params, "format": "html"}).text
    assert f'<a href="{ID}organisation/ifaw-middle-east">IFAW Middle East</a>' in page


def test_provenance(server):
    """Paragraph 15 states the renewed NOAA letter of cooperation, as an instance of the commitments
    paragraph 14 says the Secretariat renewed: every statement about it comes from there; IFAW's
    party role comes from the joint work plan's paragraphs 16 and 20(c)."""
    noaa = run(server, "provenance", resource=ID + "arrangement/cms-noaa-letter-of-cooperation-2013")
    assert values(noaa, "paragraph") == {"14", "15"}
    (inferred,) = {r["value"] for r in noaa["rows"] if r["grade"] == "inferred"}
    assert inferred == ID + "aichi-target/6"  # the curators' Aichi link, with its reason
    assert all(r["reason"] for r in noaa["rows"] if r["grade"] == "inferred")
    assert ID + "organisation/noaa" in values(noaa, "value")
    ifaw = run(server, "provenance", resource="IFAW")
    party = [r for r in ifaw["rows"] if r["subject"] == ID + "arrangement/cms-ifaw-joint-work-plan"]
    assert {"20(c)", "16"} <= {r["paragraph"] for r in party}


def test_meetings(server):
    """Paragraph 20(e): the cetacean culture workshop, London, 15-16 April 2014; paragraph 10: the
    informal BLG meeting in Bonn, January 2013, beside IPBES-1."""
    april = run(server, "meetings", **{"from": "2014-04", "to": "2014-04"})
    (workshop,) = rows_where(april, event=ID + "event/cetacean-culture-workshop-2014")
    assert (workshop["start"], workshop["end"], workshop["place_label"]) == (
        "2014-04-15",
        "2014-04-16",
        "London",
    )
    assert workshop["kind"] == "workshop"
    bonn = run(server, "meetings", place="Bonn")
    assert ID + "event/blg-informal-meeting-2013-01" in values(bonn, "event")
    assert all(r["place_label"] == "Bonn" for r in bonn["rows"])


def test_meetings_name_every_organisation_involved_and_its_role(server):
    """Paragraph 41: the meeting beside the Fiji Pre-COP workshop had the CBD, Ramsar and CMS
    secretariats (and, by the curators' reading, CITES) with SPREP's support. Only organisers were
    shown, so it listed no organisation at all."""
    fiji = run(server, "meetings", place="Fiji")
    (meeting,) = rows_where(fiji, event=ID + "event/fiji-meeting-with-cbd-and-ramsar-2014")
    involved = meeting["organisations"].split("; ")
    assert "Secretariat of the Convention on Biological Diversity (participant)" in involved
    assert "Secretariat of the Convention on Wetlands (participant)" in involved
    assert "Secretariat of the Pacific Regional Environment Programme (supporter)" in involved
    cites = (
        "Secretariat of the Convention on International Trade in Endangered Species of Wild Fauna and Flora"
    )
    assert f"{cites} (participant)" in involved and meeting["grade"] == "inferred"
    stated = run(server, "meetings", place="Fiji", stated_only="true")
    (kept,) = rows_where(stated, event=ID + "event/fiji-meeting-with-cbd-and-ramsar-2014")
    assert f"{cites} (participant)" not in kept["organisations"].split("; ")
    assert "Secretariat of the Convention on Wetlands (participant)" in kept["organisations"].split("; ")


def test_search(server):
    """The report's species groups: 'sharks' is a group (paragraphs 15, 20(c), 21...); the Whale
    Shark is listed in Annex 1 of the Sharks MOU. Exact matches come first."""
    body = run(server, "search", text="shark")
    assert body["rows"][0]["resource"] == ID + "species-group/sharks" and body["rows"][0]["score"] == 3
    assert ID + "taxon/rhincodon-typus" in values(body, "resource")
    scores = [r["score"] for r in body["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert run(server, "search", text="zzzz-nothing")["count"] == 0


def test_instrument_species_reaches_the_whale_shark(server):
    """Sharks MOU Annex 1 (2010): the MOU names 'sharks', which include the Whale Shark."""
    body = run(server, "instrument-species", instrument="Sharks MOU")
    (whale_shark,) = rows_where(body, species=ID + "taxon/rhincodon-typus")
    assert (
        whale_shark["scientific_name"] == "Rhincodon typus"
        and whale_shark["named"] == ID + "species-group/sharks"
    )


def test_documents_cited(server):
    """Paragraph 4 refers to Documents UNEP/CMS/COP11/Doc.16.1 and 16.2; 20(a) to A Natural Affiliation."""
    body = run(server, "documents-cited")
    (doc,) = rows_where(body, document=ID + "document/cop11-doc-16-1")
    assert doc["symbol"] == "UNEP/CMS/COP11/Doc.16.1" and doc["mentioned_in"] == "4"
    (affiliation,) = rows_where(body, document=ID + "document/a-natural-affiliation")
    assert "20(a)" in affiliation["mentioned_in"]


def test_partner_network(server):
    """Paragraphs 21 and 29: FAO works with CMS on shark conservation and wildlife diseases, in a
    joint task force, and both are CPW members; CMS is FAO's closest partner."""
    body = run(server, "partner-network", organisation="FAO")
    top = body["rows"][0]
    assert top["partner"] == ID + "organisation/cms-secretariat" and top["shared"] >= 3
    assert ID + "organisation/fao" not in values(body, "partner")


def test_paragraph_contents(server):
    """Paragraph 20(c) states the CMS-IFAW joint work plan."""
    body = run(server, "paragraph-contents", paragraph="20(c)")
    (plan,) = rows_where(body, resource=ID + "arrangement/cms-ifaw-joint-work-plan")
    assert plan["relation"] == "derived from" and plan["kind"] == "joint work plan"


def test_an_empty_answer_says_why_and_what_to_ask_instead(server):
    """The Whale Shark alone finds no partner (the query follows the hierarchy downwards): the
    answer names its group, sharks, and asking that finds partners; a stated_only filter that
    left nothing is offered without it. An answer with rows has no hint."""
    body = run(server, "partners-covering", subject="Whale Shark", stated_only="true")
    assert body["count"] == 0
    hint = body["hint"]
    assert "Whale Shark" in hint["message"] and "sharks" in hint["message"]
    assert "only what a paragraph states" in hint["message"]
    tries = {t["label"]: t["parameters"] for t in hint["tries"]}
    assert tries["Ask about sharks"] == {"subject": "sharks", "stated_only": "true"}
    assert tries["Include inferred and reference claims"] == {"subject": "Whale Shark"}
    assert run(server, "partners-covering", **tries["Ask about sharks"])["count"] > 0
    assert "hint" not in run(server, "partners-covering", subject="sharks")


@pytest.mark.parametrize(
    "topic", ["underwater noise", "information management", "post-2015 development agenda", "streamlining"]
)
def test_an_empty_answer_offers_the_cms_family_when_only_it_works_on_the_subject(server, topic: str):
    """Paragraph 7 (CMS, ASCOBANS and ACCOBAMS on underwater noise) and others: only the CMS
    Family's secretariats work on these topics, and they are left out by default, so the answer
    is empty. The hint says so and offers them; asking that finds rows."""
    body = run(server, "partners-covering", subject=topic)
    assert body["count"] == 0
    hint = body["hint"]
    assert "secretariats of the CMS Family" in hint["message"]
    first = hint["tries"][0]
    assert first["parameters"] == {"subject": topic, "include_cms_family": "true"}
    with_family = run(server, "partners-covering", **first["parameters"])
    assert with_family["count"] > 0 and f"{with_family['count']} row" in hint["message"]


def test_the_cms_family_is_not_offered_when_it_would_find_nothing_either(server):
    """The Whale Shark alone finds nothing with or without the CMS Family: the hint offers its
    group, not the family switch; asked with the family already included, it is not offered again."""
    for extra in ({}, {"include_cms_family": "true"}):
        hint = run(server, "partners-covering", subject="Whale Shark", **extra)["hint"]
        assert "CMS Family" not in hint["message"]
        assert [t["label"] for t in hint["tries"]] == ["Ask about sharks"]
