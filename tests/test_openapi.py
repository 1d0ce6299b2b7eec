"""The OpenAPI document (/openapi.json) of the real server: valid OpenAPI 3.1 by
openapi-spec-validator, and good enough for a client generated from it (openapi-python-client,
offline) to call a canned query with typed parameters and read a typed answer.

Failures caused by the document are in KNOWN_FAILURES with their cause (xfail; an entry that passes
fails the run, so the table empties as the document is fixed).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from tests.conftest import RunningServer

METHODS = ("get", "put", "post", "delete", "head", "patch", "options")
PACKAGE = "cmskg_generated_client"

DUPLICATE_IDS = (
    "8 duplicate operationIds: the Linked Data routes declared with api_route(methods=['GET', "
    "'HEAD']) (/id/, /id/{kind}/, /id/{path}, /ontology, /void, /.well-known/void, /dumps/, "
    "/dumps/{name}) are two operations each, and FastAPI's generate_unique_id names both after one "
    "method, so GET and HEAD share an id"
)
# Failures caused by the document, each with its cause (none left: the GET/HEAD routes that shared
# an operationId are documented once, and canned answers and errors are typed).
KNOWN_FAILURES: dict[str, str] = {}


def known(name: str, problem: str | None) -> None:
    """Pass, xfail with the known cause, or fail; a known failure that passes fails the run."""
    cause = KNOWN_FAILURES.get(name)
    if problem is None:
        assert cause is None, f"{name!r} holds now: remove it from KNOWN_FAILURES ({cause})"
    elif cause is not None:
        pytest.xfail(cause)
    else:
        pytest.fail(f"{name}: {problem}")


@pytest.fixture(scope="module")
def document(server: RunningServer) -> dict:
    response = httpx.get(server.url + "/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.json()


def test_the_document_is_valid_openapi(document: dict):
    errors = [str(e).splitlines()[0] for e in OpenAPIV31SpecValidator(document).iter_errors()]
    known("the document is valid OpenAPI", "; ".join(errors) if errors else None)


@pytest.fixture(scope="module")
def generated(document: dict, tmp_path_factory) -> Iterator[Path]:
    """A Python client generated from the document by openapi-python-client, importable as PACKAGE."""
    folder = tmp_path_factory.mktemp("openapi-client")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(document))
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatting pass: nothing but the generator runs
    command = ["generate", "--path", str(spec), "--meta", "none", "--config", str(config)]
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", *command, "--output-path", str(folder / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (folder / "generator.log").write_text(result.stdout + result.stderr)
    sys.path.insert(0, str(folder))
    try:
        yield folder / PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_generated_client_has_one_function_per_operation(document: dict, generated: Path):
    operations = sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    )
    modules = [p for p in (generated / "api").glob("*/*.py") if p.name != "__init__.py"]
    log = (generated.parent / "generator.log").read_text()
    problem = None
    if len(modules) != len(operations):
        problem = f"{len(operations)} operations in the document, {len(modules)} generated"
    elif "Warning" in log:
        problem = f"the generator warned: {log}"
    known("one generated function per operation", problem)


def _canned(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.canned_queries.canned_{name.replace('-', '_')}")


@pytest.fixture
def api_client(generated: Path, server: RunningServer) -> Iterator[object]:
    """The generated package's client, closed after the test (its httpx connection pool would
    otherwise be left to the garbage collector, whose ResourceWarning fails a later test)."""
    with importlib.import_module(PACKAGE).Client(base_url=server.url, timeout=httpx.Timeout(30)) as client:
        yield client


def test_the_generated_client_runs_a_canned_query(api_client: object):
    members = _canned("members")
    formats = importlib.import_module(f"{PACKAGE}.models.canned_members_format")
    response = members.sync_detailed(
        client=api_client, collaboration="CPW", format_=formats.CannedMembersFormat.JSON
    )
    assert response.status_code == 200, response.content[:300]
    body = httpx.Response(200, content=response.content).json()
    assert body["name"] == "members" and body["count"] == len(body["rows"]) > 0
    assert body["parameters"]["collaboration"]["iri"].endswith(
        "/collaborative-partnership-on-sustainable-wildlife-management"
    )


def test_the_generated_client_reads_a_typed_canned_answer(api_client: object):
    response = _canned("members").sync_detailed(client=api_client, collaboration="CPW")
    assert response.status_code == 200
    parsed = response.parsed
    rows = getattr(parsed, "rows", None)
    problem = None
    if not isinstance(rows, list) or not rows or getattr(parsed, "count", None) != len(rows):
        problem = f"the generated client parsed the answer to {parsed!r}"
    known("a typed canned answer", problem)
