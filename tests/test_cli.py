"""The cmskg command line, run as a user runs it: exit codes and what it prints."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import cmskg

PARTIES = """PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { ?a cms:party ?p . ?p skos:prefLabel ?label } ORDER BY ?label"""


def test_validate_passes_on_valid_tree(mini_root: Path):
    result = cmskg("validate", "--root", str(mini_root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout


def test_validate_fails_with_file_focus_path_and_message(mini_root: Path):
    (mini_root / "graph" / "bad.ttl").write_text(
        """@prefix cms: <https://w3id.org/cms-kg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/cms-kg/id/aichi-target/21> a cms:AichiTarget ;
            skos:prefLabel "Target twenty-one"@en ; cms:targetNumber 21 ."""
    )
    result = cmskg("validate", "--root", str(mini_root))
    assert result.returncode == 1
    assert "graph/bad.ttl" in result.stdout
    assert "<https://w3id.org/cms-kg/id/aichi-target/21>" in result.stdout
    assert "cms:targetNumber" in result.stdout and "1 to 20" in result.stdout


def test_validate_syntax_error_exits_2_naming_file_and_line(mini_root: Path):
    (mini_root / "graph" / "typo.ttl").write_text("@prefix ex: <http://e/> .\n\nex:a ex:b ;; .\n")
    result = cmskg("validate", "--root", str(mini_root))
    assert result.returncode == 2
    assert "graph/typo.ttl:3:" in result.stderr


def test_root_from_environment_and_flag_beats_environment(mini_root: Path, tmp_path: Path):
    from_env = cmskg("validate", env={"CMSKG_ROOT": str(mini_root)})
    assert from_env.returncode == 0 and "conforms" in from_env.stdout
    flag_wins = cmskg("validate", "--root", str(mini_root), env={"CMSKG_ROOT": str(tmp_path)})
    assert flag_wins.returncode == 0


def test_query_prints_a_table_by_default(mini_root: Path):
    result = cmskg("query", PARTIES, "--root", str(mini_root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "label"
    assert "UNEP/CMS Secretariat" in result.stdout and "(2 rows)" in result.stdout


def test_query_csv_and_json(mini_root: Path):
    as_csv = cmskg("query", PARTIES, "--format", "csv", "--root", str(mini_root))
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["label"] for r in rows] == [
        "National Oceanic and Atmospheric Administration",
        "UNEP/CMS Secretariat",
    ]
    as_json = cmskg("query", PARTIES, "--format", "json", "--root", str(mini_root))
    assert len(json.loads(as_json.stdout)["results"]["bindings"]) == 2


def test_query_syntax_error_exits_1_with_message(mini_root: Path):
    result = cmskg("query", "SELECT * WHERE {", "--root", str(mini_root))
    assert result.returncode == 1
    assert "syntax" in result.stderr.lower()


def test_query_refuses_invalid_data(mini_root: Path):
    (mini_root / "graph" / "bad.ttl").write_text(
        "<https://w3id.org/cms-kg/id/taxon/x> a <https://w3id.org/cms-kg/ontology#Taxon> ."
    )
    result = cmskg("query", "ASK {}", "--root", str(mini_root))
    assert result.returncode == 1
    assert "graph/bad.ttl" in result.stderr


def test_stats_counts_classes_paragraphs_and_files(mini_root: Path):
    result = cmskg("stats", "--format", "json", "--root", str(mini_root))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["per_class"]["Arrangement"] == 1 and stats["per_class"]["Paragraph"] == 2
    assert stats["per_paragraph"]["2"] == {"derived": 2, "mentioned": 0}
    assert stats["per_file"]["mini"] > 0
    table = cmskg("stats", "--root", str(mini_root))
    assert "Resources per class:" in table.stdout and "Triples per file:" in table.stdout
