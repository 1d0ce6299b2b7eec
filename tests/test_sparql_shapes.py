"""The SPARQL-based shapes run on Oxigraph (app.graph.sparql_shapes) and must find what pySHACL
finds with the same shapes: same focus nodes, paths, values and messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import SH

from app.graph import sparql_shapes
from app.graph.sources import load_sources
from app.graph.validation import merge, validate
from tests.conftest import FIXTURES, make_tree

REPO = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken"
EX = "http://example.org/"


@pytest.fixture(scope="module")
def dangling_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dangling")
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(BROKEN / "dangling_link.ttl", root / "graph" / "broken.ttl")
    extra = (root / "graph" / "broken.ttl").read_text() + (
        "og:broken-dangling-link dct:relation og:another-missing , og:no-such-organisation .\n"
    )
    (root / "graph" / "broken.ttl").write_text(extra)
    return root


def _pyshacl_findings(root: Path) -> set[tuple[str, str, str, str]]:
    """What pySHACL itself reports for the SPARQL-based shapes (run with the whole shapes file)."""
    sources = load_sources(root)
    _, results, _ = pyshacl.validate(
        merge(sources.data),
        shacl_graph=merge(sources.shapes),
        ont_graph=merge(sources.ontology),
        advanced=True,
        allow_warnings=True,
    )
    found = set()
    for result in results.subjects(SH.focusNode):
        if (result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent) in results:
            found.add(
                (
                    str(results.value(result, SH.focusNode)),
                    str(results.value(result, SH.resultPath)),
                    str(results.value(result, SH.value)),
                    str(results.value(result, SH.resultMessage)),
                )
            )
    return found


SMALL_BREAKS = """
@prefix cms: <https://w3id.org/cms-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/cms-kg/id/organisation/broken-dangling-link> a cms:NonGovernmentalOrganisation ;
    skos:prefLabel "Broken dangling"@en ; cms:grade cms:stated ;
    dct:relation <https://w3id.org/cms-kg/id/organisation/no-such-organisation> ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report/p1> .
<https://w3id.org/cms-kg/id/topic/one> a cms:Topic ; skos:prefLabel "Same words"@en .
<https://w3id.org/cms-kg/id/topic/two> a cms:Topic ;
    skos:prefLabel "Other"@en ; skos:altLabel "same words"@en .
<https://w3id.org/cms-kg/id/organisation/stated-without-a-part> a cms:NonGovernmentalOrganisation ;
    skos:prefLabel "Stated without a part"@en ; cms:grade cms:inferred ;
    prov:wasDerivedFrom <https://w3id.org/cms-kg/id/document/test-report> .
"""


@pytest.fixture(scope="module")
def small_broken_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini graph with one break of each kind the SPARQL-based shapes catch (a dangling link, a
    label naming two concepts, an inference without a reason): small, so pySHACL's slow SPARQL
    engine can run every SPARQL-based shape on it (on the whole curated graph it takes 13 minutes)."""
    root = make_tree(tmp_path_factory.mktemp("small"), sorted((FIXTURES / "mini").glob("*.ttl")))
    (root / "graph" / "broken.ttl").write_text(SMALL_BREAKS)
    return root


def test_oxigraph_finds_exactly_what_pyshacl_finds(small_broken_tree: Path):
    sources = load_sources(small_broken_tree)
    _, shapes = sparql_shapes.split(merge(sources.shapes))
    store = sparql_shapes.data_store((s.content, s.path.as_uri()) for s in sources.data)
    ours = {(f.focus, f.path, f.value, f.message) for f in sparql_shapes.check(store, shapes)}
    theirs = _pyshacl_findings(small_broken_tree)
    messages = " ".join(m for *_, m in ours)
    for words in ("which no file describes", "also names", "gives no reason"):
        assert words in messages
    assert ours == theirs


def test_dangling_links_fail_validation_and_name_the_file(dangling_tree: Path):
    report = validate(load_sources(dangling_tree))
    assert not report.conforms
    hits = [v for v in report.violations if "which no file describes" in v.message]
    assert {v.value for v in hits} == {
        "https://w3id.org/cms-kg/id/organisation/no-such-organisation",
        "https://w3id.org/cms-kg/id/organisation/another-missing",
    }
    assert {v.file for v in hits} == {"graph/broken.ttl"} and {v.path for v in hits} == {"dcterms:relation"}


def test_core_shapes_go_to_pyshacl_and_sparql_shapes_are_taken_out():
    sources = load_sources(REPO)
    shapes = merge(sources.shapes)
    core, sparql_based = sparql_shapes.split(shapes)
    local_links = rdflib.URIRef("https://w3id.org/cms-kg/shapes#LocalLinks")
    named = ("ClaimDerivationEvidence", "GradeEvidence", "LocalLinks", "OneConceptPerLabel")
    assert sorted(s.shape for s in sparql_based) == [f"https://w3id.org/cms-kg/shapes#{n}" for n in named]
    assert not list(core.triples((local_links, None, None)))
    assert not list(core.subjects(SH.select, None))
    assert len(core) < len(shapes) and (None, SH.targetClass, None) in core


SHAPES_HEAD = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "{EX}" ] .
"""


def _shapes(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=SHAPES_HEAD + text, format="turtle")


def test_class_targets_prefixes_messages_and_severity():
    shapes = _shapes(
        """ex:NoSelfLinks a sh:NodeShape ; sh:targetClass ex:Thing ; sh:severity sh:Warning ;
          sh:sparql [ sh:prefixes ex: ; sh:message "{$this} links to itself by {?path}" ;
            sh:select "SELECT $this ?path WHERE { $this ?path $this FILTER(?path != ex:ok) }" ] ."""
    )
    _, (shape,) = sparql_shapes.split(shapes)
    data = f"""@prefix ex: <{EX}> . ex:Sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:Thing .
      ex:a a ex:Sub ; ex:self ex:a ; ex:ok ex:a . ex:b ex:self ex:b ."""
    store = sparql_shapes.data_store([(data.encode(), EX)])
    (finding,) = sparql_shapes.check(store, [shape])
    assert finding.focus == EX + "a" and finding.path == EX + "self"
    assert finding.message == f"{EX}a links to itself by {EX}self"
    assert finding.severity == str(SH.Warning)


def test_node_subjects_of_and_objects_of_targets_and_deactivation():
    shapes = _shapes(
        """ex:Named a sh:NodeShape ; sh:targetNode ex:a ; sh:targetSubjectsOf ex:s ; sh:targetObjectsOf ex:o ;
          sh:sparql [ sh:message "{$this}" ; sh:select "SELECT $this WHERE { FILTER(isIRI($this)) }" ] .
        ex:Off a sh:NodeShape ; sh:targetNode ex:a ; sh:deactivated true ;
          sh:sparql [ sh:select "SELECT $this WHERE { }" ] ."""
    )
    core, found = sparql_shapes.split(shapes)
    assert [s.shape for s in found] == [EX + "Named"] and not list(core.subjects(SH.sparql, None))
    data = f"@prefix ex: <{EX}> . ex:b ex:s ex:x . ex:y ex:o ex:c ."
    store = sparql_shapes.data_store([(data.encode(), EX)])
    assert sorted(f.message for f in sparql_shapes.check(store, found)) == [EX + n for n in "abc"]


@pytest.mark.parametrize(
    "text, words",
    [
        (
            """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
               sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .""",
            "mixes SPARQL constraints with core ones",
        ),
        (
            """ex:S a sh:NodeShape ;
               sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this { ?this ?p ?o }" ] ;
               sh:property [ sh:path ex:p ; sh:minCount 1 ] .""",
            "has a SPARQL target but no SPARQL constraint",
        ),
    ],
)
def test_shapes_it_cannot_split_are_refused_with_a_reason(text: str, words: str):
    with pytest.raises(sparql_shapes.UnsupportedShape, match=words):
        sparql_shapes.split(_shapes(text))


@pytest.mark.parametrize(
    "shape",
    [
        """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
           sh:sparql [ sh:select "ASK WHERE { $this ?p ?o }" ] .""",
        """ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select "ASK { ?this ?p ?o }" ] ;
           sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .""",
    ],
    ids=["constraint", "target"],
)
def test_a_sparql_constraint_or_target_that_is_not_a_select_is_refused_with_a_reason(shape: str):
    _, found = sparql_shapes.split(_shapes(shape))
    store = sparql_shapes.data_store([(f"@prefix ex: <{EX}> . ex:a ex:p ex:b .".encode(), EX)])
    with pytest.raises(sparql_shapes.UnsupportedShape, match="must be a SELECT query"):
        list(sparql_shapes.check(store, found))


def test_label_collisions_are_found_through_subclasses_once_each():
    """The OneConceptPerLabel target finds the classes first, then their members: a member of a
    sub-subclass, or of two matching classes, is still a focus node; a node of no such class is not."""
    _, shapes = sparql_shapes.split(merge(load_sources(REPO).shapes))
    (shape,) = [s for s in shapes if s.shape.endswith("#OneConceptPerLabel")]
    data = f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <{EX}> .
      @prefix cms: <https://w3id.org/cms-kg/ontology#> .
      @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
      ex:Sub rdfs:subClassOf skos:Concept . ex:SubSub rdfs:subClassOf ex:Sub .
      ex:a a ex:SubSub , skos:Concept ; skos:prefLabel "Saiga"@en .
      ex:b a cms:Taxon ; skos:altLabel "saiga"@en .
      ex:c a ex:Other ; skos:prefLabel "saiga"@en ."""
    store = sparql_shapes.data_store([(data.encode(), EX)])
    found = {(f.focus, f.value) for f in sparql_shapes.check(store, [shape])}
    assert found == {(EX + "a", "saiga"), (EX + "b", "saiga")}
