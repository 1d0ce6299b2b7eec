"""The core shapes compiled to SPARQL (app.graph.core_shapes) find exactly what pySHACL finds with
the same shapes: the same focus nodes, paths, values and constraint components, on the curated
data, on every broken and planted fixture, and on graphs with random faults; and a shape the
compiler does not translate is still checked, by pySHACL."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib.namespace import SH

from app.graph import core_shapes, sparql_shapes
from app.graph.sources import Sources, load_sources
from app.graph.validation import merge, pyshacl_findings, validate
from tests.conftest import FIXTURES, make_tree

REPO = Path(__file__).resolve().parent.parent
Result = tuple[str, str | None, str | None, str]


def _blank(text: str | None) -> str | None:
    """Blank nodes have different names in the two stores: compare them as "some blank node"."""
    return "_:" if text is not None and text.startswith("_:") else text


def _ours(sources: Sources) -> Counter[Result]:
    core, _ = sparql_shapes.split(merge(sources.shapes))
    store = sparql_shapes.data_store((s.content, s.path.as_uri()) for s in sources.data)
    return Counter(
        (_blank(f.focus) or "", f.path, _blank(f.value), f.component) for f in core_shapes.check(store, core)
    )


def _pyshacl(sources: Sources) -> Counter[Result]:
    core, _ = sparql_shapes.split(merge(sources.shapes))
    return Counter(
        (_blank(f.focus) or "", f.path, _blank(f.value), f.component) for f in pyshacl_findings(sources, core)
    )


def _tree(tmp_path: Path, *extra: Path) -> Path:
    root = make_tree(tmp_path / "data", sorted((REPO / "graph").glob("*.ttl")))
    for path in extra:
        shutil.copy(path, root / "graph" / f"zz-{path.name}")
    return root


def test_the_curated_data_conforms_for_both():
    sources = load_sources(REPO)
    assert _ours(sources) == _pyshacl(sources) == Counter()


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "broken").glob("*.ttl")), ids=lambda p: p.stem)
def test_each_broken_fixture_gives_pyshacls_violations(tmp_path, fixture):
    sources = load_sources(_tree(tmp_path, fixture))
    ours = _ours(sources)
    assert ours, "a broken fixture must break a rule"
    assert ours == _pyshacl(sources)


def test_every_compiled_constraint_kind_is_planted_and_agrees(tmp_path):
    """The planted file breaks every kind of constraint the shapes use at least once."""
    sources = load_sources(_tree(tmp_path, FIXTURES / "planted" / "every_core_constraint.ttl"))
    ours = _ours(sources)
    assert ours == _pyshacl(sources)
    core, _ = sparql_shapes.split(merge(sources.shapes))
    store = sparql_shapes.data_store((s.content, s.path.as_uri()) for s in sources.data)
    context = core_shapes.Context(core_shapes._subclasses(store), core_shapes._ill_typed(store))
    compiled = {c.component for c in core_shapes.compile_shapes(core, context)}
    assert compiled - {component for *_, component in ours} == set()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_faults_give_pyshacls_violations(tmp_path, seed):
    """Delete some triples and move objects between others: missing values, wrong classes,
    datatypes, languages, codes and counts, in combinations nobody wrote by hand."""
    data = merge(s for s in load_sources(REPO).data if s.name.startswith("graph/"))
    triples = sorted(data, key=lambda t: tuple(str(x) for x in t))
    rng = random.Random(seed)
    for triple in rng.sample(triples, 40):
        data.remove(triple)
    objects = [o for _, _, o in triples]
    for subject, predicate, obj in rng.sample(triples, 40):
        data.remove((subject, predicate, obj))
        data.add((subject, predicate, rng.choice(objects)))
    root = make_tree(tmp_path / "data", [])
    (root / "graph" / "mutated.ttl").write_text(data.serialize(format="turtle"))
    sources = load_sources(root)
    ours = _ours(sources)
    assert len(ours) >= 10
    assert ours == _pyshacl(sources)


def test_an_ill_typed_literal_fails_its_datatype_but_a_valid_one_of_another_type_does_not(tmp_path):
    sources = load_sources(_tree(tmp_path, FIXTURES / "broken" / "invalid_date.ttl"))
    ours = _ours(sources)
    values = {value for _, _, value, component in ours if component == str(SH.OrConstraintComponent)}
    assert values == {"2013-02-30"}


def test_a_shape_the_compiler_does_not_translate_is_checked_by_pyshacl(tmp_path):
    root = _tree(tmp_path)
    (root / "shapes" / "closed.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix cms: <https://w3id.org/cms-kg/ontology#> .
        <https://example.org/ClosedGrade> a sh:NodeShape ; sh:targetClass cms:Grade ;
            sh:closed true ; sh:ignoredProperties ( ) ."""
    )
    with pytest.raises(core_shapes.Unsupported):
        _ours(load_sources(root))
    report = validate(load_sources(root))
    assert not report.conforms
    assert any(v.focus == "https://w3id.org/cms-kg/ontology#stated" for v in report.violations)


def test_targets_include_instances_of_subclasses_declared_in_the_ontology(tmp_path):
    """shapes:Organisation targets cms:Organisation; an NGO (a subclass) without provenance is caught."""
    root = _tree(tmp_path)
    (root / "graph" / "zz-ngo.ttl").write_text(
        """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/cms-kg/id/organisation/unsourced> a cms:NonGovernmentalOrganisation ;
            skos:prefLabel "Unsourced"@en ; cms:grade cms:stated ."""
    )
    sources = load_sources(root)
    ours = _ours(sources)
    assert ("https://w3id.org/cms-kg/id/organisation/unsourced", "http://www.w3.org/ns/prov#wasDerivedFrom",
            None, str(SH.MinCountConstraintComponent)) in ours  # fmt: skip
    assert ours == _pyshacl(sources)


def test_compiled_queries_carry_no_text_from_the_data_but_its_ill_typed_literals(tmp_path):
    """The only data-derived text in a query is a literal Oxigraph itself wrote (N-Triples, escaped)."""
    root = _tree(tmp_path)
    (root / "graph" / "zz-quote.ttl").write_text(
        """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/cms-kg/id/aichi-target/odd> cms:targetNumber "1\\" } DROP ALL #"^^xsd:integer ."""
    )
    sources = load_sources(root)
    assert _ours(sources) == _pyshacl(sources)  # a broken escape would be a syntax error here
