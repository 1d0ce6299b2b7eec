"""Packaging metadata: the version is written once, in app/__init__.py."""

from __future__ import annotations

import ast
import tomllib

from app.settings import REPO_ROOT


def test_the_version_is_written_once_and_pyproject_reads_it():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"], "pyproject.toml writes a second version"
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}


def test_the_version_is_a_literal_setuptools_reads_without_importing_the_package():
    """setuptools reads `attr` statically only from a plain assignment; otherwise it imports app,
    whose dependencies a build environment does not have."""
    tree = ast.parse((REPO_ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    assignments = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets)
    ]
    assert len(assignments) == 1 and isinstance(assignments[0], ast.Constant)
    assert isinstance(assignments[0].value, str)
