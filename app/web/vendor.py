"""Copy the page's JavaScript libraries from node_modules into app/static/vendor, with licences.

The built files are committed, so `make serve` on a fresh clone needs neither npm nor the network
(the page never loads anything from a CDN). Run this after changing a version in package.json:

    npm install && .venv/bin/python -m app.web.vendor

Each library gets its own folder with the files the page loads, its LICENSE, and a
THIRD-PARTY-LICENSES.txt holding the licence of every package bundled into its build (YASGUI's
build includes CodeMirror, jQuery, DataTables and others). manifest.json records the versions; a
test checks it against package-lock.json.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from app.settings import REPO_ROOT

NODE_MODULES = REPO_ROOT / "node_modules"
VENDOR = REPO_ROOT / "app" / "static" / "vendor"

# folder -> (npm package, files to copy from it)
LIBRARIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "yasgui": ("@zazuko/yasgui", ("build/yasgui.min.js", "build/yasgui.min.css")),
    "cytoscape": ("cytoscape", ("dist/cytoscape.min.js",)),
    "swagger-ui": ("swagger-ui-dist", ("swagger-ui-bundle.js", "swagger-ui.css")),
}
# Libraries whose build lists the licences of what it bundles in a file of its own (their npm
# dependencies are not in the build: swagger-ui-dist depends only on an install-time script).
BUNDLED_LICENCES = {"swagger-ui": "swagger-ui-bundle.js.LICENSE.txt"}

# The @zazuko/yasgui packages ship no LICENSE file; their package.json says "MIT", the author is
# Triply and the contributors Zazuko GmbH (https://github.com/rdfjs/Yasgui).
MIT_TEMPLATE = """MIT License

Copyright (c) {holders}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def package_dir(name: str, near: Path = NODE_MODULES) -> Path:
    """Where npm put a package, looking in nested node_modules first (as Node resolves it)."""
    for base in (near / "node_modules", NODE_MODULES):
        if (base / name / "package.json").exists():
            return base / name
    raise FileNotFoundError(f"{name} is not in node_modules: run `npm install` first")


def manifest(path: Path) -> dict:
    return json.loads((path / "package.json").read_text())


def licence_text(path: Path) -> str | None:
    """The package's own licence file (LICENSE, License.txt, LICENCE.md, COPYING...), if any."""
    for file in sorted(path.iterdir()):
        if file.is_file() and file.name.lower().startswith(("licen", "copying")):
            return file.read_text(errors="replace")
    return None


def dependency_closure(root: Path) -> list[Path]:
    """The package and everything it depends on (its build bundles them), each once."""
    seen: dict[str, Path] = {}
    todo = [root]
    while todo:
        path = todo.pop()
        meta = manifest(path)
        key = f"{meta['name']}@{meta['version']}"
        if key in seen:
            continue
        seen[key] = path
        for dependency in meta.get("dependencies", {}):
            todo.append(package_dir(dependency, path))
    return [seen[key] for key in sorted(seen)]


def own_licence(path: Path) -> str:
    text = licence_text(path)
    if text is not None:
        return text
    meta = manifest(path)
    if meta.get("license") != "MIT":
        raise ValueError(f"{meta['name']} has no LICENSE file and is not MIT: check it by hand")
    holders = [_person(meta.get("author"))] + [_person(c) for c in meta.get("contributors", [])]
    return MIT_TEMPLATE.format(holders=", ".join(h for h in holders if h)) + (
        f"\n(The npm package {meta['name']} {meta['version']} ships no LICENSE file; its package.json\n"
        f'declares "license": "MIT". Source: {meta.get("homepage", "")})\n'
    )


def _person(person: object) -> str:
    if isinstance(person, dict):
        return str(person.get("name", ""))
    return str(person or "").split("<")[0].strip()


def third_party(root: Path) -> str:
    parts = []
    for path in dependency_closure(root):
        meta = manifest(path)
        if meta["name"] == manifest(root)["name"]:
            continue
        text = licence_text(path)
        if text is None:
            text = own_licence(path) if meta.get("license") == "MIT" else f"License: {meta.get('license')}\n"
        rule = "=" * 78
        parts.append(f"{rule}\n{meta['name']} {meta['version']} ({meta.get('license')})\n{rule}\n{text}")
    return "\n".join(parts)


def vendor() -> dict[str, str]:
    versions: dict[str, str] = {}
    for folder, (package, files) in LIBRARIES.items():
        source = package_dir(package)
        target = VENDOR / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for file in files:
            shutil.copyfile(source / file, target / Path(file).name)
        (target / "LICENSE").write_text(own_licence(source))
        listed = BUNDLED_LICENCES.get(folder)
        bundled = (source / listed).read_text() if listed else third_party(source)
        if bundled:
            (target / "THIRD-PARTY-LICENSES.txt").write_text(bundled)
        versions[package] = manifest(source)["version"]
    (VENDOR / "manifest.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    return versions


if __name__ == "__main__":
    for name, version in vendor().items():
        print(f"{name} {version} -> {VENDOR.relative_to(REPO_ROOT)}", file=sys.stderr)
