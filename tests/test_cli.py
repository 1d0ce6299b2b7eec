"""The cmskg command line, run as a user runs it: exit codes and what it prints."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app.cli import build_parser
from app.settings import REPO_ROOT
from tests.conftest import FIXTURES, cmskg, make_tree

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


@pytest.fixture
def invalid_tree(tmp_path: Path) -> Path:
    """A data tree that fails validation (an impossible date), so which tree was read shows."""
    return make_tree(
        tmp_path / "invalid", [FIXTURES / "mini" / "mini.ttl", FIXTURES / "broken" / "invalid_date.ttl"]
    )


NO_ROOT_VARIABLE: dict[str, str | None] = {"CMSKG_ROOT": None}


def test_validate_in_a_data_folder_validates_that_folder(invalid_tree: Path):
    result = cmskg("validate", cwd=invalid_tree, env=NO_ROOT_VARIABLE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "graph/invalid_date.ttl" in result.stdout and "2013-02-30" in result.stdout
    assert f"cmskg: data root {invalid_tree} (the current folder)" in result.stderr


def test_outside_a_data_folder_the_root_is_the_install_checkout(tmp_path: Path):
    (tmp_path / "graph").mkdir()  # two of the three folders are not a data tree
    (tmp_path / "ontology").mkdir()
    result = cmskg("validate", cwd=tmp_path, env=NO_ROOT_VARIABLE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"cmskg: data root {REPO_ROOT} (the install's checkout)" in result.stderr


def test_environment_and_flag_beat_the_current_folder(invalid_tree: Path, mini_root: Path):
    from_env = cmskg("validate", cwd=invalid_tree, env={"CMSKG_ROOT": str(mini_root)})
    assert from_env.returncode == 0, from_env.stdout + from_env.stderr
    assert f"cmskg: data root {mini_root} (CMSKG_ROOT)" in from_env.stderr
    from_flag = cmskg(
        "validate", "--root", str(mini_root), cwd=invalid_tree, env={"CMSKG_ROOT": str(invalid_tree)}
    )
    assert from_flag.returncode == 0, from_flag.stdout + from_flag.stderr
    assert f"cmskg: data root {mini_root} (--root)" in from_flag.stderr


def _data_commands() -> list[str]:
    """The subcommands that read a data tree: those that take --root."""
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    return [
        name
        for name, parser in commands.choices.items()
        if any("--root" in action.option_strings for action in parser._actions)
    ]


# the cheapest arguments that get each command past reading its settings
DATA_COMMAND_ARGS = {
    "validate": [],
    "stats": [],
    "audit": ["--report", "no-such-report.txt"],
    "push": ["--endpoint", "http://127.0.0.1:9/sparql"],
    "serve": ["--port", "0"],
    "query": ["ASK {}"],
    "export": ["--format", "turtle", "--out", "-"],
}


def test_every_data_command_is_covered_here():
    assert sorted(_data_commands()) == sorted(DATA_COMMAND_ARGS)


@pytest.mark.parametrize("command", sorted(DATA_COMMAND_ARGS))
def test_every_data_command_says_which_root_it_read(command: str, invalid_tree: Path):
    """The invalid tree stops each command early (before serving or pushing anything)."""
    result = cmskg(command, *DATA_COMMAND_ARGS[command], cwd=invalid_tree, env=NO_ROOT_VARIABLE, timeout=60)
    assert result.returncode != 0, result.stdout + result.stderr
    assert result.stderr.count("cmskg: data root ") == 1, result.stderr
    assert f"cmskg: data root {invalid_tree} (the current folder)" in result.stderr


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
