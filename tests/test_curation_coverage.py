"""The curated graph covers the whole report UNEP/CMS/COP11/Doc.21.1 and the reference data it assumes.

Parses graph/*.ttl with rdflib (no validation) and checks that every part of the report exists, that
every fact-bearing paragraph still has facts traced to it, and that key reference data is complete."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, Literal, Namespace, URIRef

GRAPH = Path(__file__).resolve().parent.parent / "graph"
ID = "https://w3id.org/cms-kg/id/"
REPORT = ID + "document/cop11-doc-21-1"
CMS = Namespace("https://w3id.org/cms-kg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")

PARAGRAPHS = [str(n) for n in range(1, 46)] + [f"20({c})" for c in "abcdefg"]
FOOTNOTES = ["footnote 1", "footnote 2"]

# Parts that state no fact of their own, each with the reason. Paragraph 20 was one until the
# re-reading of issue #16: it is the part that calls items (a) to (g) current collaborations with NGO
# partners, so those arrangements now cite it too.
FACT_FREE: dict[str, str] = {}

AGREEMENTS = [
    "wadden-sea-seals-agreement",
    "eurobats",
    "ascobans",
    "aewa",
    "accobams",
    "acap",
    "gorilla-agreement",
]
MOUS = [
    "siberian-crane-mou",
    "slender-billed-curlew-mou",
    "atlantic-turtles-mou",
    "iosea-marine-turtles-mou",
    "great-bustard-mou",
    "bukhara-deer-mou",
    "aquatic-warbler-mou",
    "west-african-elephants-mou",
    "saiga-mou",
    "pacific-islands-cetaceans-mou",
    "ruddy-headed-goose-mou",
    "grassland-birds-mou",
    "atlantic-monk-seal-mou",
    "dugong-mou",
    "western-african-aquatic-mammals-mou",
    "raptors-mou",
    "high-andean-flamingos-mou",
    "sharks-mou",
    "south-andean-huemul-mou",
]

# Members of the CPW named in paragraph 29.
CPW_MEMBERS = [
    "cbd-secretariat",
    "cms-secretariat",
    "cites-secretariat",
    "oie",
    "fao",
    "unep",
    "iucn",
    "iifb",
    "traffic",
    "iufro",
    "cifor",
    "itc",
    "cic",
]


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    g = rdflib.Graph()
    files = sorted(GRAPH.glob("*.ttl"))
    assert files, "graph/ holds no Turtle files"
    for path in files:
        g.parse(path)
    return g


def part_by_number(g: rdflib.Graph, number: str) -> URIRef | None:
    for part in g.subjects(CMS.number, Literal(number)):
        if (part, RDF.type, CMS.Paragraph) in g or (part, RDF.type, CMS.Footnote) in g:
            return part
    return None


def test_every_paragraph_item_and_footnote_exists(graph: rdflib.Graph) -> None:
    missing = [n for n in PARAGRAPHS + FOOTNOTES if part_by_number(graph, n) is None]
    assert not missing, f"report parts missing from graph/: {missing}"
    for n in PARAGRAPHS:
        part = part_by_number(graph, n)
        label = f"UNEP/CMS/COP11/Doc.21.1 paragraph {n}"
        assert (part, SKOS.prefLabel, Literal(label, lang="en")) in graph, (
            f"{part} should be labelled {label!r}"
        )
        assert graph.value(part, CMS.order) is not None, f"{part} has no cms:order"
        parent = URIRef(REPORT + "/p20") if "(" in n else URIRef(REPORT)
        assert (part, DCT.isPartOf, parent) in graph, f"{part} should be dct:isPartOf {parent}"


def test_summary_action_requested_and_sections_exist(graph: rdflib.Graph) -> None:
    for slug in ("summary", "action-requested", "introduction", "conclusions-and-way-forward"):
        assert (URIRef(f"{REPORT}/{slug}"), RDF.type, CMS.Section) in graph, f"section {slug} missing"
    sections = set(graph.subjects(RDF.type, CMS.Section))
    assert len(sections) >= 20, f"only {len(sections)} sections"
    # every numbered paragraph sits in some section
    in_section = {p for s in sections for p in graph.objects(s, DCT.hasPart)}
    orphans = [n for n in PARAGRAPHS if "(" not in n and part_by_number(graph, n) not in in_section]
    assert not orphans, f"paragraphs not linked from any section with dct:hasPart: {orphans}"


def test_every_fact_bearing_part_keeps_its_facts(graph: rdflib.Graph) -> None:
    lost = []
    for n in PARAGRAPHS + FOOTNOTES:
        if n in FACT_FREE:
            continue
        part = part_by_number(graph, n)
        if part is None or not any(graph.subjects(PROV.wasDerivedFrom, part)):
            lost.append(n)
    assert not lost, f"paragraphs that lost their facts (nothing is prov:wasDerivedFrom them): {lost}"


def test_fact_free_parts_are_really_fact_free(graph: rdflib.Graph) -> None:
    """If a part listed as fact-free gains facts, take it off the list."""
    stale = [n for n in FACT_FREE if any(graph.subjects(PROV.wasDerivedFrom, part_by_number(graph, n)))]
    assert not stale, f"listed as fact-free but facts are derived from them: {stale}"


@pytest.mark.parametrize(
    "slug,kind", [(s, CMS.Agreement) for s in AGREEMENTS] + [(s, CMS.MemorandumOfUnderstanding) for s in MOUS]
)
def test_cms_agreements_and_mous_present_with_dates(graph: rdflib.Graph, slug: str, kind: URIRef) -> None:
    instrument = URIRef(ID + "instrument/" + slug)
    assert (instrument, RDF.type, kind) in graph, f"{slug} is not a {kind}"
    assert graph.value(instrument, CMS.inForceFrom) is not None, f"{slug} has no cms:inForceFrom"
    assert (instrument, CMS.concludedUnder, URIRef(ID + "instrument/cms")) in graph
    assert graph.value(instrument, CMS.administeredBy) is not None, f"{slug} names no administering body"


def test_family_counts(graph: rdflib.Graph) -> None:
    assert len(set(graph.subjects(RDF.type, CMS.Agreement))) == 7
    assert len(set(graph.subjects(RDF.type, CMS.MemorandumOfUnderstanding))) == 19


def test_twenty_aichi_targets_under_five_goals(graph: rdflib.Graph) -> None:
    targets = set(graph.subjects(RDF.type, CMS.AichiTarget))
    numbers = sorted(int(graph.value(t, CMS.targetNumber)) for t in targets)
    assert numbers == list(range(1, 21)), f"Aichi target numbers: {numbers}"
    for n in range(1, 21):
        target = URIRef(f"{ID}aichi-target/{n}")
        assert (target, SKOS.notation, Literal(f"AICHI-TARGET-{n:02d}")) in graph
        goal = graph.value(target, SKOS.broader)
        assert (goal, RDF.type, CMS.AichiStrategicGoal) in graph, f"target {n} has no goal"
    goals = {str(graph.value(g, SKOS.notation)) for g in graph.subjects(RDF.type, CMS.AichiStrategicGoal)}
    assert goals == set("ABCDE")


def test_cpw_has_every_member_named_in_paragraph_29(graph: rdflib.Graph) -> None:
    cpw = URIRef(ID + "collaboration/collaborative-partnership-on-sustainable-wildlife-management")
    members = {
        str(graph.value(m, ORG.member)).removeprefix(ID + "organisation/")
        for m in graph.subjects(ORG.organization, cpw)
        if (m, RDF.type, CMS.Membership) in graph
    }
    missing = sorted(set(CPW_MEMBERS) - members)
    assert not missing, f"CPW members named in paragraph 29 without a membership: {missing}"
    founding = URIRef(
        ID + "membership/collaborative-partnership-on-sustainable-wildlife-management--cms-secretariat"
    )
    assert graph.value(founding, CMS.role) == Literal("founding member")
    assert str(graph.value(founding, CMS.startDate)) == "2013-03"


def test_blg_membership_dates(graph: rdflib.Graph) -> None:
    ippc = URIRef(ID + "membership/biodiversity-liaison-group--ippc-secretariat")
    assert str(graph.value(ippc, CMS.startDate)) == "2014-08-16"


GROUP_REACHES = """
PREFIX cms:  <https://w3id.org/cms-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dwc:  <http://rs.tdwg.org/dwc/terms/>
SELECT DISTINCT ?name WHERE {
    ?group skos:narrower* ?sub .
    ?sub cms:includesTaxon ?top .
    ?taxon cms:parentTaxon* ?top .
    ?taxon dwc:scientificName ?name .
}"""


@pytest.mark.parametrize(
    "group,species",
    [
        ("sharks", "Rhincodon typus"),
        ("cetaceans", "Balaenoptera musculus"),
        ("marine-mammals", "Balaenoptera musculus"),
        ("marine-mammals", "Dugong dugon"),
        ("gorillas", "Gorilla gorilla diehli"),
        ("raptors", "Falco cherrug"),
        ("marine-species", "Rhincodon typus"),
    ],
)
def test_species_group_reaches_species(graph: rdflib.Graph, group: str, species: str) -> None:
    rows = graph.query(GROUP_REACHES, initBindings={"group": URIRef(ID + "species-group/" + group)})
    names = {str(row.name) for row in rows}
    assert species in names, f"group {group!r} does not reach {species}; it reaches {sorted(names)}"


def test_only_the_confirmed_wikidata_identifier(graph: rdflib.Graph) -> None:
    wikidata = {str(o) for o in graph.objects() if isinstance(o, URIRef) and "wikidata.org/entity/" in str(o)}
    assert wikidata == {"http://www.wikidata.org/entity/Q42196"}
    assert (
        URIRef(ID + "taxon/balaenoptera-musculus"),
        rdflib.OWL.sameAs,
        URIRef("http://www.wikidata.org/entity/Q42196"),
    ) in graph
