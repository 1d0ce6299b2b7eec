"""The packages form layers and every import runs down them (docs/architecture.md draws them):
files -> validation -> snapshot -> engine -> routes, never back up."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from app.settings import REPO_ROOT

APP = REPO_ROOT / "app"

# Lowest first. A module may import its own package and anything in a lower layer; packages that
# share a layer do not import each other.
LAYERS: list[set[str]] = [
    {"namespaces", "settings", "formats", "links", "sparql_text", "heap", "http_protocol"},
    {"graph", "service_description", "public_origin", "security_headers"},
    {"engine", "curation"},
    {"canned"},
    {"linkeddata", "web"},
    {"snapshot"},
    {"reload"},
    {"routes"},
    {"main"},
    {"cli"},
]
LAYER_OF = {unit: depth for depth, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str:
    """'app.engine.pool' -> 'engine'; 'app.settings' -> 'settings'; 'app' -> 'app'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def imports(path: Path) -> set[str]:
    """Every app module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "app" or name.startswith("app.")}


def test_every_unit_of_the_application_has_a_layer():
    modules = {p.stem for p in APP.glob("*.py") if p.stem != "__init__"}
    packages = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()}
    assert modules | packages == set(LAYER_OF)


def violations(root: Path) -> list[str]:
    """Imports in the package under `root` (the folder holding `app/`) that run up the layers."""
    wrong: list[str] = []
    for path in sorted((root / "app").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        here = unit_of(module)
        if here not in LAYER_OF:  # app/__init__.py: the version only
            continue
        for imported in sorted(imports(path)):
            there = unit_of(imported)
            if there in (here, "app"):  # its own package; `from app import __version__`
                continue
            if there not in LAYER_OF or LAYER_OF[there] >= LAYER_OF[here]:
                wrong.append(f"{module} imports {imported} ({there} is not below {here})")
    return wrong


def test_imports_run_down_the_layers():
    assert violations(REPO_ROOT) == [], "\n".join(violations(REPO_ROOT))


def test_the_layer_check_catches_an_import_up_the_layers(tmp_path: Path):
    (tmp_path / "app" / "engine").mkdir(parents=True)
    upward = "def f():\n    from app.routes.sparql import router\n"  # inside a function counts too
    (tmp_path / "app" / "engine" / "pool.py").write_text(upward)
    (tmp_path / "app" / "canned").mkdir()
    (tmp_path / "app" / "canned" / "render.py").write_text("from app.web.site import WebSite\n")
    (tmp_path / "app" / "web").mkdir()
    (tmp_path / "app" / "web" / "site.py").write_text("from app.engine.pool import WorkerPool\n")
    assert violations(tmp_path) == [
        "app.canned.render imports app.web.site (web is not below canned)",
        "app.engine.pool imports app.routes.sparql (routes is not below engine)",
    ]


LATE_IMPORTS = ("pyshacl", "pyld", "httpx", "rdflib.plugins.sparql")


def test_the_server_starts_without_importing_what_only_some_requests_need():
    """pySHACL (the validation fallback), pyld (JSON-LD pages), httpx (federation, the remote
    backend) and rdflib's SPARQL parser (updates, in the workers) are imported where used:
    importing them at start-up cost 260 ms of the curated start-up."""
    code = (
        "import sys, uvicorn, app.cli, app.main, app.engine.processes; "
        f"print(sorted(m for m in {LATE_IMPORTS!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
