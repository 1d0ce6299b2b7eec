"""Issue #16, curation precision: each test fails if a defect of one of the issue's ten classes comes
back into the curated graph of UNEP/CMS/COP11/Doc.21.1.

Three kinds of test, named after the class they guard (`test_c<N>_...`):

- data tests read graph/*.ttl with rdflib and check the resources the issue fixed;
- canned-query tests ask a real server of this module's own over HTTP; rows are looked up by IRI or
  label, never by position, so they hold while the graph grows;
- mutation tests copy the data tree into a temporary folder, put a defect of the class back, and run
  the app's own tools on the copy (the validator `cmskg validate` uses, the label resolution of the
  canned queries, `cmskg audit`): each must catch it.

The report's text is read from ../shared/seeds/ at test time (never copied here); without it the
audit tests are skipped.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib import RDF, Literal, Namespace, URIRef

from app.canned.catalogue import load_catalogue
from app.canned.kinds import KINDS
from app.canned.label_index import LabelIndex
from app.curation.matching import COPY_RUN, shared_run, words
from app.curation.report_text import Part
from app.curation.report_text import read as read_report
from app.graph.sources import load_sources
from app.graph.store import in_memory
from app.graph.validation import ValidationReport, validate_tree
from app.settings import REPO_ROOT, Settings
from tests.conftest import RunningServer, cmskg, start_server, stop_server

REPORT = REPO_ROOT.parent / "shared" / "seeds" / "000_70b36d613a46eea1.txt"
BASELINE = REPO_ROOT / "docs" / "curation" / "audit-baseline.toml"
needs_report = pytest.mark.skipif(not REPORT.is_file(), reason=f"no report text at {REPORT}")

ID = "https://w3id.org/cms-kg/id/"
CMS = Namespace("https://w3id.org/cms-kg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
DWC = Namespace("http://rs.tdwg.org/dwc/terms/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
REP = Namespace(ID + "document/cop11-doc-21-1/")
OG, INS, ARR, ACT, EV = (
    Namespace(ID + k + "/") for k in ("organisation", "instrument", "arrangement", "activity", "event")
)
COLL, SG, TX = (Namespace(ID + k + "/") for k in ("collaboration", "species-group", "taxon"))
ATYPE = Namespace(ID + "arrangement-type/")
XSD_DATE, XSD_YEAR = rdflib.XSD.date, rdflib.XSD.gYear

LABELS = (
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    CMS.shortName,
    DWC.vernacularName,
    DWC.scientificName,
)
NAMES = (*LABELS, FOAF.name, DCT.title, rdflib.RDFS.label)
ROLES = {
    CMS.party: "party",
    CMS.organiser: "organiser",
    CMS.participant: "participant",
    CMS.supporter: "supporter",
}
PRE_COP_WORKSHOPS = [EV[f"cms-pre-cop-workshop-{p}-2014"] for p in ("chile", "zimbabwe", "fiji")]
MUTANTS = "graph/precision_mutants.ttl"

PREFIXES = """@prefix cms:    <https://w3id.org/cms-kg/ontology#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix rep:    <https://w3id.org/cms-kg/id/document/cop11-doc-21-1/> .
@prefix og:     <https://w3id.org/cms-kg/id/organisation/> .
@prefix coll:   <https://w3id.org/cms-kg/id/collaboration/> .
@prefix mem:    <https://w3id.org/cms-kg/id/membership/> .
@prefix act:    <https://w3id.org/cms-kg/id/activity/> .
@prefix tx:     <https://w3id.org/cms-kg/id/taxon/> .
@prefix sg:     <https://w3id.org/cms-kg/id/species-group/> .
@prefix scheme: <https://w3id.org/cms-kg/id/scheme/> .
"""


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    """The curated data files (with the ontology) as one rdflib graph, as the audit reads them."""
    merged = rdflib.Graph()
    for source in load_sources(REPO_ROOT).data:
        merged += source.graph
    return merged


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """A real server of our own for this module, over the repository's curated graph."""
    running = start_server()
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def parts() -> dict[str, Part]:
    if not REPORT.is_file():
        pytest.skip(f"no report text at {REPORT}")
    return read_report(REPORT)


def copy_tree(target: Path) -> Path:
    """A copy of the repository's data tree (ontology, shapes, graph, queries) to mutate."""
    for folder in ("ontology", "shapes", "graph", "queries"):
        shutil.copytree(REPO_ROOT / folder, target / folder)
    return target


def run(server: RunningServer, name: str, **params: str) -> dict:
    response = httpx.get(f"{server.url}/api/queries/{name}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["rows"])
    return body


def rows_where(body: dict, **match: str | None) -> list[dict]:
    return [row for row in body["rows"] if all(row.get(k) == v for k, v in match.items())]


def values(body: dict, column: str) -> set:
    return {row[column] for row in body["rows"]}


def split(cell: str | None) -> set[str]:
    return set(cell.split("; ")) if cell else set()


def below(graph: rdflib.Graph, node: URIRef) -> set[URIRef]:
    """Everything under a group or taxon, as the canned queries follow the hierarchy down."""
    down = (SKOS.narrower, CMS.includesTaxon)
    up = (SKOS.broader, CMS.parentTaxon)
    seen: set[URIRef] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        found = {o for p in down for o in graph.objects(current, p)}
        found |= {s for p in up for s in graph.subjects(p, current)}
        for child in found - seen:
            seen.add(child)  # type: ignore[arg-type]
            todo.append(child)  # type: ignore[arg-type]
    return seen


# ---------------------------------------------------------------------------------------------
# Class 1: a label names one concept
# ---------------------------------------------------------------------------------------------


def test_c1_no_label_is_shared_by_two_concepts(graph: rdflib.Graph):
    """Class 1, paragraphs 20(d), 20(f) and 26 (Saiga, Kob, Cheetah): no label (preferred, alternative,
    hidden, short, vernacular or scientific name) of a concept or taxon names another concept or taxon,
    unless the two are declared the same (skos:exactMatch, either way)."""
    concepts = {
        s
        for cls in (SKOS.Concept, CMS.Taxon, CMS.SpeciesGroup, CMS.Topic, CMS.ArrangementType)
        for s in graph.subjects(RDF.type, cls)
    } | set(graph.subjects(SKOS.inScheme, None))
    holders: dict[str, set[URIRef]] = {}
    for concept in concepts:
        for prop in LABELS:
            for label in graph.objects(concept, prop):
                holders.setdefault(str(label).casefold(), set()).add(concept)  # type: ignore[arg-type]
    same = {frozenset(pair) for pair in graph.subject_objects(SKOS.exactMatch)}
    clashes = {
        label: sorted(str(h) for h in group)
        for label, group in holders.items()
        if len(group) > 1 and not all(frozenset((a, b)) in same for a in group for b in group if a != b)
    }
    assert clashes == {}


def test_c1_species_names_belong_to_the_species_not_to_a_group(graph: rdflib.Graph):
    """Class 1, paragraphs 20(d) (Saiga), 20(f) (Kob) and 26 (Cheetah): the names are the species' own,
    and no species group carries them."""
    for name, taxon in (
        ("saiga", TX["saiga-tatarica"]),
        ("kob", TX["kobus-kob"]),
        ("cheetah", TX["acinonyx-jubatus"]),
    ):
        holders = {s for p in LABELS for s, o in graph.subject_objects(p) if str(o).casefold() == name}
        assert holders == {taxon}, name


def test_c1_species_names_resolve_to_the_species(server):
    """Class 1, paragraphs 20(d), 20(f) and 26: a question about "Saiga", "Kob" or "Cheetah" is about the
    species, not a group of antelopes or cats that lists it."""
    for name, taxon in (("Saiga", "saiga-tatarica"), ("Kob", "kobus-kob"), ("Cheetah", "acinonyx-jubatus")):
        subject = run(server, "instruments-covering", subject=name)["parameters"]["subject"]
        assert subject["iri"] == ID + "taxon/" + taxon, name
        assert [m["iri"] for m in subject["matches"]] == [ID + "taxon/" + taxon], name


@pytest.fixture(scope="module")
def colliding_index(tmp_path_factory: pytest.TempPathFactory) -> LabelIndex:
    """The label index of the canned queries over a copy of the graph where the defect is back:
    species names as alternative labels of groups that include the species."""
    tree = copy_tree(tmp_path_factory.mktemp("labels"))
    (tree / MUTANTS).write_text(
        PREFIXES
        + """
sg:mutant-antelopes a cms:SpeciesGroup ;
    skos:prefLabel "mutant antelopes"@en ;
    skos:altLabel "saiga"@en , "kob"@en ;
    skos:inScheme scheme:species-groups ;
    cms:includesTaxon tx:saiga-tatarica , tx:kobus-kob .

sg:mutant-cats a cms:SpeciesGroup ;
    skos:prefLabel "mutant cats"@en ;
    skos:altLabel "cheetah"@en ;
    skos:inScheme scheme:species-groups ;
    cms:includesTaxon tx:acinonyx-jubatus .
""",
        encoding="utf-8",
    )
    return LabelIndex.from_store(in_memory(load_sources(tree), Settings().base_iri))


@pytest.mark.parametrize(
    ("name", "taxon"), [("Saiga", "saiga-tatarica"), ("Kob", "kobus-kob"), ("Cheetah", "acinonyx-jubatus")]
)
def test_c1_resolution_prefers_the_species_over_a_group_sharing_its_name(colliding_index, name, taxon):
    """Class 1, paragraphs 20(d), 20(f), 26 (mutation): even if a group that includes the species is
    given the species' name again, a label parameter resolves to the exact species."""
    kind = KINDS["subject"]
    assert [m.iri for m in colliding_index.resolve("subject", kind, "mutant antelopes")] == [
        ID + "species-group/mutant-antelopes"
    ]  # the mutation is loaded
    assert [m.iri for m in colliding_index.resolve("subject", kind, name)] == [ID + "taxon/" + taxon]


# ---------------------------------------------------------------------------------------------
# Shape-level mutations (classes 1, 4, 8 and the grading): the validator `cmskg validate` uses
# ---------------------------------------------------------------------------------------------


SHAPE_MUTANTS = """
# A species' label on a group that includes it, not declared the same (the defect).
sg:mutant-antelopes a cms:SpeciesGroup ;
    skos:prefLabel "mutant antelopes"@en ;
    skos:altLabel "Saiga"@en ;
    skos:inScheme scheme:species-groups ;
    cms:includesTaxon tx:saiga-tatarica ;
    cms:grade cms:inferred ;
    cms:reason "A mutant for the tests."@en ;
    prov:wasDerivedFrom rep:p20d .

# The same kind of sharing, declared the same: allowed.
sg:mutant-kob-group a cms:SpeciesGroup ;
    skos:prefLabel "mutant kob group"@en ;
    skos:altLabel "Kob"@en ;
    skos:inScheme scheme:species-groups ;
    skos:exactMatch tx:kobus-kob ;
    cms:grade cms:inferred ;
    cms:reason "A mutant for the tests."@en ;
    prov:wasDerivedFrom rep:p20f .

# A resource with provenance and no grade.
og:mutant-ungraded a cms:NonGovernmentalOrganisation ;
    skos:prefLabel "Mutant ungraded organisation"@en ;
    prov:wasDerivedFrom rep:p20 .

# A claim derivation with no grade.
act:mutant-ungraded-claim a cms:Activity ;
    skos:prefLabel "Mutant activity with an ungraded claim"@en ;
    cms:organiser og:cms-secretariat ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom rep:p9 ;
    prov:qualifiedDerivation [ a cms:ClaimDerivation ; cms:claimProperty cms:organiser ;
        prov:entity rep:p9 ] .

# A membership that says neither when it began nor the date at which it is reported.
mem:mutant-undated a cms:Membership , org:Membership ;
    skos:prefLabel "Mutant undated membership"@en ;
    org:member og:cms-secretariat ;
    org:organization coll:biodiversity-liaison-group ;
    cms:role "member" ;
    cms:grade cms:stated ;
    prov:wasDerivedFrom rep:p10 .
"""


@pytest.fixture(scope="module")
def mutated_validation(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    """One validation (several seconds) of a copy of the data with every shape-level mutant added."""
    tree = copy_tree(tmp_path_factory.mktemp("shapes"))
    (tree / MUTANTS).write_text(PREFIXES + SHAPE_MUTANTS, encoding="utf-8")
    return validate_tree(tree)


def violations_on(report: ValidationReport, focus: str, words_: str) -> list:
    return [v for v in report.violations if v.focus == focus and words_ in v.message]


def test_c1_shape_rejects_a_label_of_one_concept_on_another(mutated_validation):
    """Class 1, paragraph 20(d) (mutation): giving a group the Saiga's name again fails validation
    (shapes:OneConceptPerLabel), on the group and on the species; sharing a name between concepts
    declared the same (skos:exactMatch) does not."""
    report = mutated_validation
    assert not report.conforms
    on_group = violations_on(report, ID + "species-group/mutant-antelopes", "also names")
    assert on_group and all(v.file == MUTANTS for v in on_group), report.describe()
    assert {v.value for v in on_group} == {"saiga"}
    assert violations_on(report, ID + "taxon/saiga-tatarica", "also names"), report.describe()
    declared = [v for v in report.violations if "also names" in v.message and v.value == "kob"]
    assert declared == [], report.describe()


def test_c6_shape_rejects_a_claim_without_a_grade(mutated_validation):
    """Class 6 (grading, README "Modelling in brief"; mutation): a resource with provenance but no grade,
    and a claim derivation without a grade, each fail validation."""
    report = mutated_validation
    assert violations_on(report, ID + "organisation/mutant-ungraded", "exactly one grade"), report.describe()
    ungraded_claim = [
        v
        for v in report.violations
        if v.file == MUTANTS and "a claim derivation has exactly one grade" in v.message
    ]
    assert ungraded_claim, report.describe()


def test_c8_shape_rejects_a_membership_without_a_period(mutated_validation):
    """Classes 4 and 8, paragraph 10 and the summary ("as at July 2014"; mutation): a membership with
    neither a start date nor an as-at date fails validation, so every membership can be placed on the
    timeline and filtered by `members?as_at=`."""
    report = mutated_validation
    assert violations_on(report, ID + "membership/mutant-undated", "says its period"), report.describe()


def test_shape_mutants_are_the_only_violations(mutated_validation):
    """Classes 1, 6 and 8: the curated graph itself conforms; every violation of the mutated copy is on
    a mutant (or on the Saiga, the other side of the mutant's shared label)."""
    allowed = {ID + "taxon/saiga-tatarica"}
    for violation in mutated_validation.violations:
        assert violation.file == MUTANTS or violation.focus in allowed, violation.describe()


# ---------------------------------------------------------------------------------------------
# Class 2: scope through over-broad groups
# ---------------------------------------------------------------------------------------------


def test_c2_bukhara_deer_mou_does_not_cover_the_huemul(server, graph):
    """Class 2, no paragraph of the report (reference data: the CMS instrument texts): the Bukhara Deer
    MOU covers the Bukhara deer, not the South Andean Huemul, which has its own MOU."""
    huemul = ID + "taxon/hippocamelus-bisulcus"
    species = values(
        run(server, "instrument-species", instrument=ID + "instrument/bukhara-deer-mou"), "species"
    )
    assert ID + "species-group/bukhara-deer" in species
    assert huemul not in species
    covering = values(run(server, "instruments-covering", subject=huemul), "instrument")
    assert ID + "instrument/south-andean-huemul-mou" in covering
    assert ID + "instrument/bukhara-deer-mou" not in covering
    named = set(graph.objects(INS["bukhara-deer-mou"], CMS.concernsSpecies))
    assert URIRef(huemul) not in named.union(*(below(graph, n) for n in named))  # type: ignore[arg-type]


def test_c2_wadden_sea_seals_agreement_does_not_cover_the_monk_seal(server):
    """Class 2, no paragraph of the report (reference data: the CMS instrument texts): the Wadden Sea
    Seals Agreement covers the harbour seal, not the Mediterranean monk seal, whose eastern Atlantic
    populations have their own MOU."""
    monk_seal = ID + "taxon/monachus-monachus"
    species = values(
        run(server, "instrument-species", instrument=ID + "instrument/wadden-sea-seals-agreement"), "species"
    )
    assert ID + "taxon/phoca-vitulina" in species
    assert monk_seal not in species
    covering = values(run(server, "instruments-covering", subject=monk_seal), "instrument")
    assert ID + "instrument/atlantic-monk-seal-mou" in covering
    assert ID + "instrument/wadden-sea-seals-agreement" not in covering


def test_c2_regional_whale_group_is_not_under_the_generic_group(server, graph):
    """Class 2, paragraph 41 ("Pacific whale species"): the regional group is related to the cetaceans,
    not placed under them, so ACCOBAMS (cetaceans of the Black Sea and Mediterranean) does not cover
    it, and a question about cetaceans does not list it as covered."""
    pacific = ID + "species-group/pacific-whales"
    assert URIRef(pacific) not in below(graph, SG.cetaceans)
    assert URIRef(pacific) not in below(graph, SG["marine-mammals"])
    covering = values(run(server, "instruments-covering", subject=pacific), "instrument")
    for generic in ("accobams", "ascobans", "pacific-islands-cetaceans-mou"):
        assert ID + "instrument/" + generic not in covering, generic
    assert pacific not in values(
        run(server, "instrument-species", instrument=ID + "instrument/accobams"), "species"
    )
    partners = run(server, "partners-covering", subject="cetaceans", detail="true", include_cms_family="true")
    assert all("Pacific whale species" not in split(row["covers"]) for row in partners["rows"])
    # The SPREP arrangement names the Pacific whales itself, and is found when they are asked about.
    assert ID + "arrangement/cms-sprep-pacific-arrangement" in values(
        run(server, "partners-covering", subject=pacific, detail="true", include_cms_family="true"), "through"
    )


# ---------------------------------------------------------------------------------------------
# Class 3: units and their organisations
# ---------------------------------------------------------------------------------------------


def test_c3_ifaw_middle_east_work_is_ifaws(server):
    """Class 3, paragraph 20(c): the shark training workshops in Yemen and Egypt, held with IFAW Middle
    East, are IFAW's work too, marked as through the unit: in IFAW's profile, among the shark partners
    and in IFAW's partner network."""
    unit = ID + "organisation/ifaw-middle-east"
    workshops = {ID + "event/ifaw-shark-training-workshop-" + c for c in ("yemen", "egypt")}
    profile = run(server, "organisation-profile", organisation="IFAW")
    assert {r["item"] for r in rows_where(profile, relation="organiser of", via=unit)} == workshops
    assert rows_where(profile, relation="has unit", item=unit)
    sharks = run(server, "partners-covering", subject="sharks", detail="true", include_cms_family="true")
    through_unit = rows_where(sharks, organisation=ID + "organisation/ifaw", via=unit, role="organiser")
    assert {r["through"] for r in through_unit} == workshops
    assert all("20(c)" in split(r["paragraphs"]) for r in through_unit)
    network = run(server, "partner-network", organisation="IFAW")
    (secretariat,) = rows_where(network, partner=ID + "organisation/cms-secretariat")
    assert "IFAW Middle East" in split(secretariat["via"])
    assert any("Yemen" in link for link in split(secretariat["through"]))
    assert unit not in values(network, "partner")  # its own unit is not its partner


def test_c3_caff_secretariat_work_is_caffs(server):
    """Class 3, paragraph 25: the cooperation formalised with the International Secretariat of CAFF and
    the trilateral joint work plan are CAFF's (and the Arctic Council's, two levels up), through the unit."""
    unit = ID + "organisation/caff-international-secretariat"
    arrangements = {ID + "arrangement/cms-caff-cooperation", ID + "arrangement/cms-aewa-caff-joint-work-plan"}
    for organisation in ("caff", "arctic-council"):
        profile = run(server, "organisation-profile", organisation=ID + "organisation/" + organisation)
        assert {r["item"] for r in rows_where(profile, relation="party to", via=unit)} == arrangements, (
            organisation
        )
    birds = run(server, "partners-covering", subject="birds", detail="true", include_cms_family="true")
    for organisation in ("caff", "arctic-council"):
        found = rows_where(birds, organisation=ID + "organisation/" + organisation, via=unit, role="party")
        assert {r["through"] for r in found} == arrangements, organisation
    network = run(server, "partner-network", organisation="CAFF")
    (aewa,) = rows_where(network, partner=ID + "organisation/aewa-secretariat")
    assert split(aewa["via"]) == {"CAFF International Secretariat"}


def test_c3_every_units_work_reaches_its_organisations(server, graph):
    """Class 3, paragraphs 7, 20(c), 20(g), 25, 26, 34, 37-40 and 42: for every unit (org:unitOf, at any
    depth) with a role in an arrangement or activity, that funds something or is a member of a
    collaboration, each organisation above it has that item in its profile, with the unit in `via`."""
    parents: dict[URIRef, set[URIRef]] = {}
    for unit in set(graph.subjects(ORG.unitOf, None)):
        todo, seen = [unit], set()
        while todo:
            for parent in graph.objects(todo.pop(), ORG.unitOf):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        parents[unit] = seen  # type: ignore[index]
    relation = {
        CMS.party: "party to",
        CMS.organiser: "organiser of",
        CMS.participant: "participant in",
        CMS.supporter: "supporter of",
    }
    expected: dict[URIRef, set[tuple[str, str, str]]] = {}
    for unit, above in parents.items():
        for prop, name in relation.items():
            for item in graph.subjects(prop, unit):
                for parent in above:
                    expected.setdefault(parent, set()).add((name, str(item), str(unit)))
        funded = {i for f in graph.subjects(CMS.funder, unit) for i in graph.objects(f, CMS.funded)}
        joined = {c for m in graph.subjects(ORG.member, unit) for c in graph.objects(m, ORG.organization)}
        for parent in above:
            expected.setdefault(parent, set()).update(
                {("funder of", str(i), str(unit)) for i in funded}
                | {("member of", str(c), str(unit)) for c in joined}
            )
    assert len(expected) >= 4  # IFAW, CAFF, the Arctic Council, UNEP at least
    for parent, wanted in sorted(expected.items()):
        profile = run(server, "organisation-profile", organisation=str(parent))
        got = {(r["relation"], r["item"], r["via"]) for r in profile["rows"]}
        assert wanted <= got, (str(parent), sorted(wanted - got))


# ---------------------------------------------------------------------------------------------
# Class 4: dated things on the timeline
# ---------------------------------------------------------------------------------------------


def test_c4_memberships_and_ceasing_organisations_are_on_the_timeline(server):
    """Class 4, paragraphs 29 (CMS a founding member of the CPW, March 2013), 30 (joined the GPO, May
    2013) and 26 (Friends of CMS ceased operations in 2013): all three are on the 2013 timeline."""
    body = run(server, "timeline", **{"from": "2013", "to": "2013"})
    cpw = ID + "membership/collaborative-partnership-on-sustainable-wildlife-management--cms-secretariat"
    (joined_cpw,) = rows_where(body, item=cpw)
    assert joined_cpw["date"] == "2013-03" and joined_cpw["kind"] == "membership"
    assert "29" in split(joined_cpw["paragraphs"])
    (joined_gpo,) = rows_where(body, item=ID + "membership/global-partnership-for-oceans--cms-secretariat")
    assert joined_gpo["date"] == "2013-05" and "30" in split(joined_gpo["paragraphs"])
    (friends,) = rows_where(body, item=ID + "organisation/friends-of-cms")
    assert friends["date"] == "2013" and friends["kind"].endswith(", ceased")
    assert "26" in split(friends["paragraphs"])
    before = run(server, "timeline", **{"from": "2012", "to": "2012"})
    assert cpw not in values(before, "item")  # on the timeline at its date, not earlier


# ---------------------------------------------------------------------------------------------
# Class 5: a topic on whoever brought it, not on the whole event
# ---------------------------------------------------------------------------------------------


def test_c5_pre_cop_workshops_do_not_make_every_supporter_a_shark_partner(server, graph):
    """Class 5, paragraphs 20(a) and 22: Pew gave the expert input on sharks to the 2014 Pre-COP
    workshops; the workshops themselves are not about sharks, so Wild Migration, which helped deliver
    them, is no shark partner, and no shark row goes through a workshop."""
    shark_things = {SG.sharks, URIRef(ID + "topic/shark-conservation")} | below(graph, SG.sharks)
    for workshop in PRE_COP_WORKSHOPS:
        said = set(graph.objects(workshop, CMS.concernsSpecies)) | set(graph.objects(workshop, DCT.subject))
        assert not said & shark_things, str(workshop)
    body = run(server, "partners-covering", subject="sharks", detail="true", include_cms_family="true")
    assert not values(body, "through") & {str(w) for w in PRE_COP_WORKSHOPS}
    assert ID + "organisation/wild-migration" not in values(body, "organisation")
    pew_input = ID + "activity/pew-pre-cop-shark-input"
    (pew,) = rows_where(body, organisation=ID + "organisation/pew-environment-group", through=pew_input)
    assert pew["role"] == "organiser" and "22" in split(pew["paragraphs"])


# ---------------------------------------------------------------------------------------------
# Class 6: citations name what the paragraph names; dates are those the report gives
# ---------------------------------------------------------------------------------------------

# (paragraph, resource) pairs issue #16 found cited where the paragraph does not name the resource.
WRONG_CITATIONS = [
    ("p10", OG["cbd-secretariat"]),
    ("p10", OG["cites-secretariat"]),
    ("p10", OG["ramsar-secretariat"]),
    ("p10", INS.cbd),
    ("p10", INS.cites),
    ("p10", INS["ramsar-convention"]),
    ("p34", OG["cbd-secretariat"]),
    ("p34", INS.cbd),
    ("p13", OG.unep),
    ("p20c", OG["cites-secretariat"]),
]


def test_c6_paragraphs_are_not_cited_for_what_they_do_not_name(graph: rdflib.Graph, parts):
    """Class 6, paragraphs 10 (CBD, CITES, Ramsar), 34 (CBD), 13 (UNEP) and 20(c) (the CITES
    Secretariat): none of these resources cites, or is said to be mentioned in, those paragraphs, and
    indeed none of their names occurs there."""
    for local, resource in WRONG_CITATIONS:
        part = REP[local]
        for prop in (PROV.wasDerivedFrom, CMS.mentionedIn):
            assert (resource, prop, part) not in graph, (str(resource), str(prop), local)
        number = str(graph.value(part, CMS.number))
        text = parts[number].heading + " " + parts[number].text
        names = {str(o) for p in NAMES for o in graph.objects(resource, p)}
        assert not [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)], (
            str(resource),
            number,
        )


def test_c6_no_date_the_report_does_not_give(graph: rdflib.Graph):
    """Class 6, paragraphs 17 and 21: the UNCCD cooperation was revitalised in the triennium, which does
    not date its start; the CMS/FAO task force first met on 29 January 2013, which is the meeting's date,
    not the task force's start."""
    dates = (CMS.startDate, CMS.endDate, DCT.date, CMS.signedOn)
    unccd = ARR["cms-unccd-cooperation"]
    assert [p for p in dates if graph.value(unccd, p) is not None] == []
    task_force = ARR["cms-fao-task-force-on-wildlife-and-ecosystem-health"]
    assert [p for p in dates if graph.value(task_force, p) is not None] == []
    meeting = EV["cms-first-fao-task-force-meeting-2013"]
    assert graph.value(meeting, DCT.date) == Literal("2013-01-29", datatype=XSD_DATE)
    assert (meeting, CMS.partOfArrangement, task_force) in graph


def test_c6_undated_arrangements_stay_off_the_timeline(server):
    """Class 6, paragraphs 17 and 21: neither the UNCCD cooperation nor the FAO task force is on the
    timeline; the task force's first meeting is, on 29 January 2013."""
    body = run(server, "timeline")
    items = values(body, "item")
    assert ID + "arrangement/cms-unccd-cooperation" not in items
    assert ID + "arrangement/cms-fao-task-force-on-wildlife-and-ecosystem-health" not in items
    (meeting,) = rows_where(body, item=ID + "event/cms-first-fao-task-force-meeting-2013")
    assert meeting["date"] == "2013-01-29" and "21" in split(meeting["paragraphs"])


# ---------------------------------------------------------------------------------------------
# Class 7: roles and kinds not overstated
# ---------------------------------------------------------------------------------------------


def test_c7_only_secretariats_administer_instruments(graph: rdflib.Graph, server):
    """Class 7, paragraph 28: WHMSI is where the Framework for Migratory Bird Flyways in the Americas is
    formulated, it does not administer it. Every administering organisation is a secretariat, bar the
    IWC, the body of the whaling convention (paragraph 18)."""
    administering = set(graph.subject_objects(CMS.administers)) | {
        (o, i) for i, o in graph.subject_objects(CMS.administeredBy)
    }
    others = {(str(o), str(i)) for o, i in administering if (o, RDF.type, CMS.Secretariat) not in graph}
    assert others <= {(str(OG.iwc), str(INS.icrw))}
    framework = INS["framework-for-migratory-bird-flyways-in-the-americas"]
    assert (None, CMS.administers, framework) not in graph
    assert (framework, CMS.administeredBy, None) not in graph
    whmsi = COLL["western-hemisphere-migratory-species-initiative"]
    profile = run(server, "organisation-profile", organisation=str(whmsi))
    assert rows_where(profile, relation="administers") == []
    assert rows_where(
        profile, relation="organiser of", item=ID + "activity/americas-flyways-framework-formulation"
    )


def test_c7_a_funder_is_not_a_participant(graph: rdflib.Graph):
    """Class 7, paragraphs 20(b), 20(e), 20(f), 28, 34, 37, footnote 2: whoever funds an activity or
    event is recorded as its funder, not as a participant in it or its organiser (WDC, which also gave
    technical and logistical help, is a supporter)."""
    overstated = [
        (str(funder), str(item), str(prop))
        for funding in graph.subjects(RDF.type, CMS.Funding)
        for funder in graph.objects(funding, CMS.funder)
        for item in graph.objects(funding, CMS.funded)
        for prop in (CMS.participant, CMS.organiser, CMS.party)
        if (item, prop, funder) in graph
    ]
    assert overstated == []


def test_c7_formalised_cooperation_and_irena_project_as_the_report_says(graph: rdflib.Graph, server):
    """Class 7, paragraphs 25 and 24: the CAFF cooperation was formalised, the report does not say as a
    partnership agreement; the IRENA project concerns migratory species and renewable energy, not only
    birds."""
    caff = ARR["cms-caff-cooperation"]
    assert graph.value(caff, CMS.arrangementType) == ATYPE["formalised-cooperation"]
    assert ATYPE["partnership-agreement"] not in set(graph.objects(caff, CMS.arrangementType))
    irena = ARR["irena-renewable-energy-joint-project"]
    birds = {SG.birds, TX.aves} | below(graph, SG.birds)
    assert not set(graph.objects(irena, CMS.concernsSpecies)) & birds
    assert (irena, DCT.subject, URIRef(ID + "topic/renewable-energy")) in graph
    partners = run(server, "partners-covering", subject="birds", detail="true", include_cms_family="true")
    assert str(irena) not in values(partners, "through")
    assert ID + "organisation/irena" not in values(partners, "organisation")


# ---------------------------------------------------------------------------------------------
# Class 8: periods
# ---------------------------------------------------------------------------------------------


def test_c8_blg_as_at_the_report_leaves_out_later_members(server):
    """Class 8, paragraphs 10-11 and the summary ("as at July 2014"): the BLG as at July 2014 has the
    members of the 2011 modus operandi, not the IPPC (joined 16 August 2014) nor the IWC (invited 2016),
    which the unfiltered list and later dates do have."""
    blg = "Biodiversity Liaison Group"
    as_at_report = values(run(server, "members", collaboration=blg, as_at="2014-07"), "member")
    members = ("cbd", "cites", "ramsar", "cms", "itpgrfa")
    for slug in (*(m + "-secretariat" for m in members), "world-heritage-centre"):
        assert ID + "organisation/" + slug in as_at_report, slug
    later = {ID + "organisation/ippc-secretariat", ID + "organisation/iwc"}
    assert not as_at_report & later
    assert later <= values(run(server, "members", collaboration=blg), "member")
    august = values(run(server, "members", collaboration=blg, as_at="2014-08-16"), "member")
    assert ID + "organisation/ippc-secretariat" in august and ID + "organisation/iwc" not in august


# ---------------------------------------------------------------------------------------------
# Class 9 (and 6): our own words; the audit catches copies, wrong citations and invented dates
# ---------------------------------------------------------------------------------------------


def test_c9_no_description_copies_the_report(graph: rdflib.Graph, parts):
    """Class 9, every part of the report: no description, definition, comment, scope note or reason
    shares a run of 12 or more words with any part (whatever the audit baseline says)."""
    describing = (DCT.description, SKOS.definition, rdflib.RDFS.comment, SKOS.scopeNote, CMS.reason)
    texts = {(str(s), str(p), str(o)) for p in describing for s, o in graph.subject_objects(p)}
    copies = [
        (subject, number, run_)
        for subject, _, text in sorted(texts)
        for number, part in parts.items()
        if (run_ := shared_run(text, part.text))
    ]
    assert copies == []


@pytest.fixture(scope="module")
def copied(parts) -> tuple[str, str]:
    """Fifteen consecutive words of paragraph 22, read from the report at test time."""
    tokens = parts["22"].text.split()[3:18]
    text = " ".join(tokens)
    assert len(words(text)) >= COPY_RUN + 1
    return "22", text


@pytest.fixture(scope="module")
def mutated_audit(tmp_path_factory: pytest.TempPathFactory, parts, copied) -> list[dict]:
    """`cmskg audit` on a copy of the data with the mutants of classes 6 and 9 added, against the
    reviewed baseline: the findings it reports as new."""
    tree = copy_tree(tmp_path_factory.mktemp("audit"))
    g = rdflib.Graph()
    # Class 9: a description that copies the report.
    mutant = ACT["mutant-copied-wording"]
    g.add((mutant, RDF.type, CMS.Activity))
    g.add((mutant, SKOS.prefLabel, Literal("Mutant with copied wording", lang="en")))
    g.add((mutant, DCT.description, Literal(copied[1], lang="en")))
    # Class 6: the citations of issue #16 put back.
    for local, resource in WRONG_CITATIONS:
        g.add((resource, PROV.wasDerivedFrom, REP[local]))
    # Class 6: dates the cited paragraphs do not give.
    g.add((ARR["cms-unccd-cooperation"], CMS.startDate, Literal("2011", datatype=XSD_YEAR)))
    task_force = ARR["cms-fao-task-force-on-wildlife-and-ecosystem-health"]
    g.add((task_force, CMS.startDate, Literal("2013-01-28", datatype=XSD_DATE)))
    # Class 6: a stated party the paragraph does not name.
    g.add((ARR["cms-fao-collaboration"], CMS.party, OG.unep))
    g.serialize(tree / MUTANTS, format="turtle")
    result = cmskg(
        "audit", "--report", str(REPORT), "--root", str(tree), "--baseline", str(BASELINE), "--format", "json"
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    body = json.loads(result.stdout)
    found = [f for p in body["parts"] for f in p["findings"]] + body["grading"]
    return [f for f in found if f["review"] is None]


def keys(findings: list[dict]) -> set[tuple[str, str, str]]:
    return {(f["kind"], f["part"], f["subject"]) for f in findings}


@needs_report
def test_c9_audit_catches_copied_wording(mutated_audit, copied):
    """Class 9, paragraph 22 (mutation): a description made of 15 consecutive words of the paragraph is
    a new `copied-wording` finding on that paragraph."""
    number, _ = copied
    hits = [
        f
        for f in mutated_audit
        if f["kind"] == "copied-wording" and f["subject"] == str(ACT["mutant-copied-wording"])
    ]
    assert [f["part"] for f in hits] == [number], mutated_audit
    assert len(hits[0]["value"].split()) >= COPY_RUN


@needs_report
@pytest.mark.parametrize(("local", "resource"), WRONG_CITATIONS, ids=lambda x: str(x).rsplit("/", 1)[-1])
def test_c6_audit_catches_a_citation_of_a_paragraph_that_does_not_name_it(
    mutated_audit, graph, local, resource
):
    """Class 6, paragraphs 10, 13, 34 and 20(c) (mutation): citing a paragraph for a resource none of
    whose names it prints is a new `not-named` finding."""
    number = str(graph.value(REP[local], CMS.number))
    assert ("not-named", number, str(resource)) in keys(mutated_audit)


@needs_report
def test_c6_audit_catches_dates_the_report_does_not_give(mutated_audit, parts):
    """Class 6, paragraphs 16-17 and 21 (mutation): a start year the cited paragraphs do not print, and a
    day one off the printed one, are new `date-not-in-text` findings."""
    assert "2011" not in parts["16"].text + parts["17"].text
    assert not re.search(r"(?<!\d)28(?!\d)", parts["21"].text)
    dated = {(f["part"], f["subject"], f["value"]) for f in mutated_audit if f["kind"] == "date-not-in-text"}
    assert ("16; 17", str(ARR["cms-unccd-cooperation"]), "2011") in dated
    assert ("21", str(ARR["cms-fao-task-force-on-wildlife-and-ecosystem-health"]), "2013-01-28") in dated


@needs_report
def test_c6_audit_catches_a_stated_party_the_paragraph_does_not_name(mutated_audit):
    """Class 6, paragraph 21 (mutation): making UNEP a stated party of the FAO collaboration, which the
    paragraph does not name, is a new `claim-not-named` finding."""
    hits = [
        f
        for f in mutated_audit
        if f["kind"] == "claim-not-named" and f["subject"] == str(ARR["cms-fao-collaboration"])
    ]
    assert [(f["part"], f["predicate"], f["value"]) for f in hits] == [("21", str(CMS.party), str(OG.unep))]


@needs_report
def test_c6_c9_mutants_are_the_only_new_findings(mutated_audit, graph, copied):
    """Classes 6 and 9: the curated graph itself has no finding the curators have not reviewed; every
    new finding of the mutated copy comes from a mutant."""
    expected = {("copied-wording", copied[0], str(ACT["mutant-copied-wording"]))}
    expected |= {("not-named", str(graph.value(REP[p], CMS.number)), str(r)) for p, r in WRONG_CITATIONS}
    expected |= {
        ("date-not-in-text", "16; 17", str(ARR["cms-unccd-cooperation"])),
        ("date-not-in-text", "21", str(ARR["cms-fao-task-force-on-wildlife-and-ecosystem-health"])),
        ("claim-not-named", "21", str(ARR["cms-fao-collaboration"])),
    }
    assert keys(mutated_audit) == expected


# ---------------------------------------------------------------------------------------------
# Class 10: no unreachable facts
# ---------------------------------------------------------------------------------------------


def test_c10_unep_regional_offices_support_mous(server):
    """Class 10, paragraph 38: UNEP ROWA took part in the work of the Raptors, Dugong and Sharks MOUs;
    `instruments-supported` returns the three for ROWA and, through ROWA, for UNEP."""
    mous = {ID + "instrument/" + m for m in ("raptors-mou", "dugong-mou", "sharks-mou")}
    support = ID + "activity/rowa-mou-support"
    rowa = run(server, "instruments-supported", organisation=ID + "organisation/unep-rowa", detail="true")
    assert {r["instrument"] for r in rows_where(rowa, through=support, via=None)} == mous
    unep = run(server, "instruments-supported", organisation="UNEP", detail="true")
    found = rows_where(unep, through=support, via=ID + "organisation/unep-rowa")
    assert {r["instrument"] for r in found} == mous
    assert all(r["role"] == "organiser" and "38" in split(r["paragraphs"]) for r in found)


def supports(graph: rdflib.Graph) -> list[tuple[URIRef, URIRef]]:
    return sorted(graph.subject_objects(CMS.supportsInstrument))  # type: ignore[arg-type]


def test_c10_every_supported_instrument_is_read_through_its_actors(server, graph):
    """Class 10, paragraphs 13, 20(a)-(e), 22, 27, 34, 37-39, 41, 42, the summary: every arrangement or
    activity that supports an instrument is returned by `instruments-supported` for each organisation
    with a role in it (party, organiser, participant, supporter), with that arrangement or activity in
    `through`."""
    wanted: dict[str, set[tuple[str, str]]] = {}
    for holder, instrument in supports(graph):
        for prop in ROLES:
            for actor in graph.objects(holder, prop):
                wanted.setdefault(str(actor), set()).add((str(instrument), str(holder)))
    assert len(wanted) >= 10
    for actor, pairs in sorted(wanted.items()):
        body = run(server, "instruments-supported", organisation=actor, detail="true")
        got = {(r["instrument"], r["through"]) for r in rows_where(body, via=None)}
        assert pairs <= got, (actor, sorted(pairs - got))


def test_c10_an_organisations_own_support_is_read(server, graph):
    """Class 10, paragraph 13: where an organisation or collaboration itself supports an instrument (no
    arrangement or activity between them), a canned query returns that claim: `instruments-supported`
    for it with the organisation itself in `through`, or its profile with the instrument under
    "supports instrument" and no arrangement or activity in `through`."""
    own = [(h, i) for h, i in supports(graph) if (h, RDF.type, CMS.Organisation) in graph]
    own += [(h, i) for h, i in supports(graph) if (h, RDF.type, CMS.Collaboration) in graph]
    unread = []
    for holder, instrument in sorted(set(own)):
        supported = run(server, "instruments-supported", organisation=str(holder), detail="true")
        profile = run(server, "organisation-profile", organisation=str(holder))
        if not rows_where(supported, instrument=str(instrument), through=str(holder)) and not rows_where(
            profile, relation="supports instrument", item=str(instrument), through=None
        ):
            unread.append((str(holder), str(instrument)))
    assert unread == []


GRADED_EXAMPLES = load_catalogue(REPO_ROOT / "queries")


@pytest.mark.parametrize("name", GRADED_EXAMPLES.names)
def test_grades_every_row_and_stated_only_keeps_the_stated(server, name: str):
    """Graded provenance in every canned answer: each row's grade is stated, inferred or reference
    (search leaves it empty for the reference sources, which make no claims), and `stated_only=true`
    answers the same question with rows graded stated only, about things the full answer lists (a
    row's cells may be fewer: they keep only stated claims)."""
    query = GRADED_EXAMPLES.get(name)
    example = {k: str(v) for k, v in query.example.items()}
    everything = run(server, name, **example)
    stated = run(server, name, **example, stated_only="true")
    allowed = {"stated", "inferred", "reference"} | ({None} if name == "search" else set())
    assert {r["grade"] for r in everything["rows"]} <= allowed
    assert {r["grade"] for r in stated["rows"]} <= {"stated"}
    key = query.output_columns[0].name
    assert {r[key] for r in stated["rows"]} <= {r[key] for r in everything["rows"]}
    # A row all of whose claims are stated is the same row under stated_only (partner-network grades a
    # partner by its best link, so its stated rows may lose inferred links: only their keys are kept).
    if name == "partner-network":
        return
    same = {json.dumps(r, sort_keys=True) for r in stated["rows"]}
    graded_stated = [r for r in everything["rows"] if r["grade"] == "stated"]
    lost = [r for r in graded_stated if json.dumps(r, sort_keys=True) not in same]
    assert lost == [], lost[:3]


def test_stated_only_leaves_out_inferred_rows_somewhere(server):
    """The provenance of the Fiji meeting has inferred rows that stated_only drops (paragraph 41: the
    meeting's date is the workshop's)."""
    fiji = ID + "event/fiji-meeting-with-cbd-and-ramsar-2014"
    body = run(server, "provenance", resource=fiji)
    dates = rows_where(body, property="http://purl.org/dc/terms/date")
    assert dates and {r["grade"] for r in dates} == {"inferred"} and all(r["reason"] for r in dates)
    stated = run(server, "provenance", resource=fiji, stated_only="true")
    assert not rows_where(stated, property="http://purl.org/dc/terms/date")


def test_stated_only_keeps_the_stated_cells_of_a_row(server):
    """Paragraph 16: the CMS-IFAW joint work plan's parties are stated, so stated_only keeps them in
    its row (a grade computed inside an OPTIONAL without the resource's own grade emptied them)."""
    body = run(server, "arrangements", stated_only="true")
    (row,) = rows_where(body, arrangement=ID + "arrangement/cms-ifaw-joint-work-plan")
    assert "International Fund for Animal Welfare" in (row["parties"] or "")
