"""Each SHACL rule of the curated graph is proved to bite: a small broken fixture is added, as
graph/broken.ttl, to a copy of the real ontology, shapes and graph, and validation must fail on
exactly that resource, in that file, with that rule's message.

Every case runs the app's own validator (app.graph.validation.validate_tree) over the full curated
graph, so each case costs one full validation (several seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.graph.validation import validate_tree

REPO = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken"
ID = "https://w3id.org/cms-kg/id/"
PREFIXES = {
    "cms": "https://w3id.org/cms-kg/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "dct": "http://purl.org/dc/terms/",
    "dwc": "http://rs.tdwg.org/dwc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def full_iri(path: str | None) -> str | None:
    """The validator prints a path as a CURIE when the prefix is bound, else as <IRI>: expand both."""
    if path is None:
        return None
    if path.startswith("<") and path.endswith(">"):
        return path[1:-1]
    prefix, _, local = path.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else path


# fixture file -> (focus node, path as the validator prints it or None, words the message must contain)
CASES = {
    "arrangement_one_party": (ID + "arrangement/broken-one-party", "cms:party", "at least two parties"),
    "missing_provenance": (
        ID + "organisation/broken-no-provenance",
        "prov:wasDerivedFrom",
        "needs provenance",
    ),
    "invalid_date": (ID + "activity/broken-invalid-date", "dcterms:date", "valid xsd:date"),
    "taxon_without_scientific_name": (
        ID + "taxon/broken-no-scientific-name",
        "dwc:scientificName",
        "exactly one scientific name",
    ),
    "target_number_out_of_range": (ID + "aichi-target/broken-21", "cms:targetNumber", "number from 1 to 20"),
    "no_preferred_label": (
        ID + "organisation/broken-no-label",
        "skos:prefLabel",
        "exactly one English preferred label",
    ),
    "two_preferred_labels": (
        ID + "organisation/broken-two-labels",
        "skos:prefLabel",
        "exactly one English preferred label",
    ),
    "two_definitions": (
        ID + "organisation/broken-two-definitions",
        "skos:definition",
        "at most one English definition",
    ),
    "dangling_link": (
        ID + "organisation/broken-dangling-link",
        "dcterms:relation",
        "which no file describes",
    ),
}


@pytest.fixture(scope="module")
def clean_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the repository's ontology, shapes and graph for the whole module."""
    root = tmp_path_factory.mktemp("clean")
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def tree_with(clean: Path, target: Path, fixture: str) -> Path:
    shutil.copytree(clean, target)
    shutil.copy(BROKEN / f"{fixture}.ttl", target / "graph" / "broken.ttl")
    return target


def test_every_fixture_has_a_case() -> None:
    assert sorted(p.stem for p in BROKEN.glob("*.ttl")) == sorted(CASES)


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_shapes_catch_broken_fixture(fixture: str, clean_tree: Path, tmp_path: Path) -> None:
    focus, path, words = CASES[fixture]
    report = validate_tree(tree_with(clean_tree, tmp_path / "data", fixture))

    assert not report.conforms, f"{fixture}: SHACL accepted a broken graph"
    described = "\n".join(v.describe() for v in report.violations)
    hits = [v for v in report.violations if v.focus == focus and words in v.message]
    assert hits, f"{fixture}: no violation on <{focus}> mentioning {words!r}; got:\n{described}"
    assert all(v.file == "graph/broken.ttl" for v in hits), described
    assert any(full_iri(v.path) == full_iri(path) for v in hits), (
        f"{fixture}: expected path {path}; got:\n{described}"
    )
    # The curated graph itself is clean: every violation comes from the broken file.
    assert {v.file for v in report.violations} == {"graph/broken.ttl"}, described
