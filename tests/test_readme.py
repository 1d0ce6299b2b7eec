"""The README's reference tables are what scripts/readme.py writes from the code (`make lint`
checks the same); the check fails on a drifted table and the generator puts it right."""

from __future__ import annotations

import difflib
import multiprocessing
import re
from pathlib import Path

import pytest

from app.settings import REPO_ROOT, Settings
from scripts import readme

README = REPO_ROOT / "README.md"


def test_the_readme_tables_are_what_the_code_writes():
    current = README.read_text(encoding="utf-8")
    wanted = readme.render(current)
    diff = "".join(
        difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), "README.md", "from the code")
    )
    assert wanted == current, f"run `make readme`:\n{diff}"


def test_the_check_fails_on_a_drifted_table_and_the_generator_restores_it(tmp_path: Path, capsys):
    current = README.read_text(encoding="utf-8")
    row = "| `CMSKG_PORT` | `8000` |"
    assert row in current
    copy = tmp_path / "README.md"
    copy.write_text(current.replace(row, "| `CMSKG_PORT` | `8080` |"), encoding="utf-8")
    assert readme.main(["--check", "--readme", str(copy)]) == 1
    assert (
        "+| The port to listen on. | `--port PORT` (serve) | `CMSKG_PORT` | `8000` |"
        in capsys.readouterr().out
    )
    assert readme.main(["--readme", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == current
    assert readme.main(["--check", "--readme", str(copy)]) == 0


def test_every_setting_flag_command_route_and_canned_query_is_in_the_readme():
    """Not a copy of the generator: names read straight from the objects, found in the README."""
    from app.canned.catalogue import load_catalogue, queries_dir
    from app.cli import build_parser

    text = README.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`CMSKG_{name.upper()}`" in text, name
    for name in readme.subcommands(build_parser()):
        assert f"| `cmskg {name}" in text, name
    for query in load_catalogue(queries_dir(Settings(root=REPO_ROOT))):
        assert f"| `{query.name}` |" in text, query.name
    document, _ = readme.openapi_document()
    for path, operations in document["paths"].items():
        if not path.startswith("/api/queries/"):
            for method in operations:
                assert f"| `{method.upper()} {path}` |" in text, (method, path)


def test_building_the_routes_table_starts_no_process():
    before = set(multiprocessing.active_children())  # other tests' servers may be running
    readme.routes_table()
    assert set(multiprocessing.active_children()) - before == set()


def test_a_block_without_its_end_marker_or_generator_is_refused():
    begin = "<!-- generated: settings (x) -->"
    with pytest.raises(ValueError, match="no end marker"):
        readme.render(f"a\n{begin}\nold\n", {"settings": lambda: "new"})
    with pytest.raises(ValueError, match="no generator"):
        readme.render("<!-- generated: other (x) -->\n<!-- end generated: other -->\n", {})
    with pytest.raises(ValueError, match="no block for settings"):
        readme.render("no markers\n", {"settings": lambda: "new"})
    done = readme.render(f"a\n{begin}\nold\n<!-- end generated: settings -->\nb", {"settings": lambda: "new"})
    assert done == f"a\n{begin}\n\nnew\n\n<!-- end generated: settings -->\nb"


def test_table_cells_escape_pipes_and_html_outside_code():
    assert readme.cell("Bearer <token> | `a|b <c>`") == r"Bearer &lt;token> \| `a\|b <c>`"


def test_every_screenshot_the_tool_takes_is_in_the_readme_with_words_for_it():
    """app.web.screenshots writes docs/web-*.png for the README: each is shown there (three were
    taken and never embedded), with alt text a reader without the picture can follow."""
    text = README.read_text(encoding="utf-8")
    markdown = re.findall(r"!\[([^\]]*)\]\((docs/web-[a-z-]+\.png)\)", text)  # (alt, path)
    html = re.findall(r'<img src="(docs/web-[a-z-]+\.png)" alt="([^"]*)"', text)  # (path, alt)
    shown = {path: alt for alt, path in markdown} | dict(html)
    for path in sorted((REPO_ROOT / "docs").glob("web-*.png")):
        name = f"docs/{path.name}"
        assert name in shown, f"{name} is not embedded in the README"
        assert len(shown[name].split()) >= 5, f"{name}: say what it shows"
