"""Files -> validation -> store: what loads, what is refused, and how the store is laid out."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from app.graph import store as stores
from app.graph.build import InvalidData, build_dataset
from app.graph.sources import TurtleSyntaxError, load_sources
from app.graph.validation import merge, validate, validate_tree
from app.settings import REPO_ROOT, Settings

BASE = "https://w3id.org/cms-kg/"
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def test_repository_curated_graph_conforms_to_shapes():
    report = validate_tree(REPO_ROOT)
    assert report.conforms, report.describe()


def test_every_ontology_class_has_a_shape_targeting_it():
    sources = load_sources(REPO_ROOT)
    query = """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?class WHERE {
            ?class a owl:Class .
            FILTER STRSTARTS(STR(?class), "https://w3id.org/cms-kg/ontology#")
            FILTER NOT EXISTS { ?shape sh:targetClass ?class }
        }"""
    union = merge([*sources.data, *sources.shapes])
    missing = sorted(str(row[0]) for row in union.query(query))
    assert missing == [], f"classes without a shape: {missing}"


def test_every_ontology_term_has_label_and_definition():
    sources = load_sources(REPO_ROOT)
    query = """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?term WHERE {
            VALUES ?type { owl:Class owl:ObjectProperty owl:DatatypeProperty }
            ?term a ?type .
            FILTER (NOT EXISTS { ?term rdfs:label ?l } || NOT EXISTS { ?term skos:definition ?d })
        }"""
    for ontology in sources.ontology:
        assert list(ontology.graph.query(query)) == []


def test_valid_data_loads_each_file_as_named_graph_and_union_as_default(mini_root: Path):
    dataset = build_dataset(Settings(root=mini_root))
    graph_iri = NamedNode(BASE + "graph/mini")
    assert graph_iri in set(dataset.store.named_graphs())
    assert NamedNode(BASE + "graph/cms-kg") in set(dataset.store.named_graphs())
    in_file = len(list(dataset.store.quads_for_pattern(None, None, None, graph_iri)))
    union = dataset.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    distinct = dataset.store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert in_file > 0
    # The default graph is the union of the files, each triple once.
    assert int(next(union)["n"].value) == dataset.triples == int(next(distinct)["n"].value)


def test_shacl_violation_refuses_to_load_and_names_the_file(mini_root: Path):
    (mini_root / "graph" / "broken.ttl").write_text(
        """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
        <https://w3id.org/cms-kg/id/organisation/nameless> a cms:NonGovernmentalOrganisation ."""
    )
    with pytest.raises(InvalidData) as refused:
        build_dataset(Settings(root=mini_root))
    files = {v.file for v in refused.value.report.violations}
    assert files == {"graph/broken.ttl"}
    assert any("preferred label" in v.message for v in refused.value.report.violations)


BROKEN = """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
<https://w3id.org/cms-kg/id/organisation/nameless> a cms:NonGovernmentalOrganisation ."""


def test_validation_reads_the_store_that_will_serve_not_a_copy(
    mini_root: Path, monkeypatch: pytest.MonkeyPatch
):
    """build_dataset checks the files' graphs of the in-memory store it fills (one load of the
    data, not one to validate and one to serve); invalid data is still refused, naming its file.
    (An on-disk build is checked in memory first: RocksDB answers the checks far slower.)"""
    from app.graph import build

    checked = []

    def validate_recorded(sources, data=None):
        checked.append(data)
        return validate(sources, data)

    monkeypatch.setattr(build, "validate", validate_recorded)
    settings = Settings(root=mini_root)
    dataset = build_dataset(settings)
    (data,) = checked
    assert data is not None, "validation loaded the data into a store of its own"
    assert sorted(data.files.values()) == sorted(dataset.files)
    assert data.store is dataset.store
    (mini_root / "graph" / "broken.ttl").write_text(BROKEN)
    with pytest.raises(InvalidData) as refused:
        build_dataset(settings)
    assert {v.file for v in refused.value.report.violations} == {"graph/broken.ttl"}


def test_an_invalid_on_disk_build_is_removed_and_the_previous_build_stays_current(
    mini_root: Path, tmp_path: Path
):
    store_path = tmp_path / "store"
    settings = Settings(root=mini_root, store=store_path)
    good = build_dataset(settings).version
    (mini_root / "graph" / "broken.ttl").write_text(BROKEN)
    with pytest.raises(InvalidData):
        build_dataset(settings)
    assert stores.current_version(store_path) == good
    assert sorted(p.name for p in store_path.iterdir()) == sorted([stores.CURRENT, f"v-{good}"])


def test_turtle_syntax_error_names_file_line_and_column(mini_root: Path):
    (mini_root / "graph" / "typo.ttl").write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open string .\n'
    )
    with pytest.raises(TurtleSyntaxError) as error:
        load_sources(mini_root)
    assert error.value.file == "graph/typo.ttl"
    assert error.value.line == 3
    assert "graph/typo.ttl:3:" in str(error.value)


def test_data_version_changes_with_file_content(mini_root: Path):
    before = load_sources(mini_root).version
    path = mini_root / "graph" / "mini.ttl"
    path.write_text(path.read_text() + "\n# a comment changes the bytes\n")
    assert load_sources(mini_root).version != before


def test_on_disk_store_is_reused_then_rebuilt_when_files_change(mini_root: Path, tmp_path: Path):
    store_path = tmp_path / "store"
    settings = Settings(root=mini_root, store=store_path)
    first = build_dataset(settings)
    assert first.store_path == stores.version_dir(store_path, first.version)
    assert stores.current_version(store_path) == first.version
    again = build_dataset(settings)
    assert again.version == first.version and again.triples == first.triples
    version = first.version
    del first, again

    extra = mini_root / "graph" / "mini.ttl"
    extra.write_text(
        extra.read_text() + "\n<https://w3id.org/cms-kg/id/organisation/noaa> "
        '<http://www.w3.org/2004/02/skos/core#altLabel> "US NOAA"@en .\n'
    )
    rebuilt = build_dataset(settings)
    assert rebuilt.version != stores.version_dir(store_path, "x").name
    assert stores.current_version(store_path) == rebuilt.version
    builds = sorted(p.name for p in store_path.iterdir() if p.name.startswith("v-"))
    assert builds == sorted([f"v-{rebuilt.version}", f"v-{version}"])  # the one replaced is kept once


def test_validate_reports_every_violation_with_its_file(mini_root: Path):
    (mini_root / "graph" / "two.ttl").write_text(
        """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/cms-kg/id/taxon/nameless> a cms:Taxon ; skos:prefLabel "x"@en ."""
    )
    report = validate(load_sources(mini_root))
    assert not report.conforms
    messages = " | ".join(v.message for v in report.violations)
    assert "scientific name" in messages and "provenance" in messages
    assert all(v.file == "graph/two.ttl" for v in report.violations)


def test_subclass_and_subproperty_entailments_are_queryable(mini_root: Path):
    dataset = build_dataset(Settings(root=mini_root))

    def ask(query: str) -> bool:
        prefixes = (
            "PREFIX cms: <https://w3id.org/cms-kg/ontology#> PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        )
        return bool(dataset.store.query(prefixes + query))

    assert ask("ASK { <https://w3id.org/cms-kg/id/organisation/cms-secretariat> a cms:Organisation }")
    assert ask("ASK { <https://w3id.org/cms-kg/id/organisation/cms-secretariat> a org:Organization }")
    assert ask('ASK { <https://w3id.org/cms-kg/id/organisation/noaa> skos:altLabel "NOAA"@en }')
    inferred = NamedNode(BASE + "graph/inferred")
    assert inferred in set(dataset.store.named_graphs())
    mini = NamedNode(BASE + "graph/mini")
    assert not list(
        dataset.store.quads_for_pattern(
            None, None, NamedNode(BASE.replace("cms-kg/", "cms-kg/ontology#") + "Organisation"), mini
        )
    )


def test_no_in_process_query_asks_for_the_union_default_graph():
    """The store's default graph is the union, each triple once; pyoxigraph's own union option
    would repeat a triple once per graph holding it (and override a query's FROM). Only validation
    asks for it (shape_data), on a store holding the files' graphs only, and counts each finding
    once."""
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / "app").rglob("*.py")
        if "use_default_graph_as_union=" in path.read_text() and path.name != "shape_data.py"
    ]
    assert not offenders
