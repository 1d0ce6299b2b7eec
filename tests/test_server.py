"""A real `cmskg serve` on 127.0.0.1: it starts, answers pasted curl-style queries, and refuses
to start on invalid data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from app.settings import REPO_ROOT
from tests.conftest import cmskg, free_port, start_server, stop_server


def test_server_answers_health_and_sparql(server):
    health = httpx.get(server.url + "/health").json()
    assert health["status"] == "ok" and health["triples"] > 1000
    response = httpx.post(
        server.url + "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert int(response.text.splitlines()[1]) > 100


def test_readme_curl_example_answers(server):
    readme = (REPO_ROOT / "README.md").read_text()
    start = readme.index("curl ", readme.index("<!-- first-query -->"))
    command = readme[start : readme.index("\n```", start)].replace("\\\n", " ")
    command = command.replace("http://127.0.0.1:8000", server.url)
    result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") >= 2, result.stdout


def test_server_refuses_to_start_on_invalid_data(mini_root: Path):
    (mini_root / "graph" / "bad.ttl").write_text(
        "<https://w3id.org/cms-kg/id/taxon/x> a <https://w3id.org/cms-kg/ontology#Taxon> ."
    )
    result = cmskg("serve", "--root", str(mini_root), "--port", str(free_port()), timeout=60)
    assert result.returncode == 1
    assert "graph/bad.ttl" in result.stderr


def test_server_with_on_disk_store_serves_and_restarts_from_it(mini_root: Path, tmp_path: Path):
    store = tmp_path / "store"
    first = start_server("--root", str(mini_root), "--store", str(store))
    try:
        version = httpx.get(first.url + "/health").json()["data_version"]
    finally:
        stop_server(first)
    # the build is named by the data version (and the key of the examples and VoID graphs it holds)
    assert (store / "current").resolve().name.startswith(f"v-{version}")
    second = start_server("--root", str(mini_root), "--store", str(store))
    try:
        assert httpx.get(second.url + "/health").json()["data_version"] == version
        ask = httpx.get(second.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()
        assert ask["boolean"] is True
    finally:
        stop_server(second)


def test_readme_federation_recipe_runs_as_pasted(server):
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Federating with us") :]
    start = section.index("```sh\n") + len("```sh\n")
    script = section[start : section.index("\n```", start)].replace("http://127.0.0.1:8000", server.url)
    result = subprocess.run(
        ["bash", "-c", script.replace(".venv/bin/python", sys.executable)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Rhincodon typus | ") and "Shark" in line for line in lines), lines
    assert any(line.startswith("Balaenoptera musculus | ") for line in lines), lines
