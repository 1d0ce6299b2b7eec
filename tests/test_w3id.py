"""Our w3id.org rules (docs/w3id/.htaccess) in a real Apache httpd (Debian's apache2, mod_rewrite),
started here on loopback with its own configuration in a temporary folder, in front of our server:
a consumer starting from any of our IRIs reaches the resource in the format it asked for."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from app.settings import REPO_ROOT, Settings
from tests.conftest import RunningServer, free_port, start_server, stop_server

HTTPD = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
RULES = REPO_ROOT / "docs" / "w3id" / ".htaccess"
BASE = Settings().base_iri
IFAW = BASE + "id/organisation/ifaw"
CONFIG = """ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
DefaultRuntimeDir "{root}"
Mutex file:{root} default
ErrorLog "{root}/error.log"
LogLevel warn rewrite:info
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
{user}
DocumentRoot "{root}/htdocs"
<Directory "{root}/htdocs">
    Options FollowSymLinks
    AllowOverride All
    Require all granted
</Directory>
"""


@pytest.fixture(scope="module")
def deployment() -> Iterator[RunningServer]:
    server = start_server()  # its public URL is its own loopback address
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def w3id(deployment) -> Iterator[str]:
    """Apache serving our rules as w3id.org would (a folder cms-kg/ holding the .htaccess),
    redirecting to `deployment`; yields the base, e.g. http://127.0.0.1:PORT/cms-kg/."""
    if not HTTPD.exists():
        pytest.fail("Debian's apache2 is needed (/usr/sbin/apache2): `make test` installs it")
    root = Path(tempfile.mkdtemp(prefix="cmskg-w3id-"))
    root.chmod(0o755)  # Apache started as root reads it as an unprivileged user
    (root / "htdocs" / "cms-kg").mkdir(parents=True)
    rules = RULES.read_text()
    line = "RewriteRule ^ - [E=CMSKG:https://cms-kg.example.org]"
    assert line in rules, "the deployment line of docs/w3id/.htaccess changed: update this test"
    (root / "htdocs" / "cms-kg" / ".htaccess").write_text(
        rules.replace(line, line.replace("https://cms-kg.example.org", deployment.url))
    )
    for path in (root / "htdocs", root / "htdocs" / "cms-kg"):
        path.chmod(0o755)
    port = free_port()
    user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
    (root / "httpd.conf").write_text(CONFIG.format(root=root, port=port, modules=MODULES, user=user))
    process = subprocess.Popen(
        [str(HTTPD), "-X", "-f", str(root / "httpd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                process.kill()
                pytest.fail(f"Apache did not start: {log}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/cms-kg/"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(root, ignore_errors=True)


def curl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["curl", "-sS", "--max-time", "30", *args], capture_output=True, text=True, timeout=60
    )


def redirect(url: str, accept: str | None = None, method: str = "GET") -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.request(method, url, headers=headers, follow_redirects=False, timeout=30)


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("id/organisation/ifaw", "text/turtle", "id/organisation/ifaw.ttl"),
        ("id/organisation/ifaw", "application/ld+json", "id/organisation/ifaw.jsonld"),
        ("id/organisation/ifaw", "text/html,application/xhtml+xml,*/*;q=0.8", "id/organisation/ifaw"),
        ("id/document/cop11-doc-21-1/p20c", "text/turtle", "id/document/cop11-doc-21-1/p20c.ttl"),
        ("id/organisation/", "text/turtle", "id/organisation/?format=turtle"),
        ("ontology", "text/turtle", "ontology.ttl"),
        ("ontology", "application/ld+json", "ontology.jsonld"),
        ("ontology", "text/html", "ontology"),
        ("ontology/0.1.0", "text/turtle", "ontology/0.1.0.ttl"),
        ("void", "text/turtle", "void.ttl"),
        (".well-known/void", "application/ld+json", ".well-known/void.jsonld"),
        (".well-known/sparql-examples", "text/turtle", ".well-known/sparql-examples.ttl"),
        ("dumps/cms-kg.ttl.gz", None, "dumps/cms-kg.ttl.gz"),
        ("dumps/SHA256SUMS", None, "dumps/SHA256SUMS"),
        ("context.jsonld", "application/ld+json", "context.jsonld"),
        ("id/organisation/ifaw.jsonld", "text/html", "id/organisation/ifaw.jsonld"),
        ("", "text/turtle", "void.ttl"),
        ("", "text/html", ""),
    ],
)
def test_rules_redirect_by_content_type_with_303(w3id, deployment, path, accept, target):
    response = redirect(w3id + path, accept)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{deployment.url}/{target}"
    followed = httpx.get(response.headers["location"], headers={"Accept": accept or "*/*"}, timeout=30)
    assert followed.status_code == 200, (path, followed.status_code)


def test_curl_follows_an_iri_to_turtle_that_describes_it(w3id):
    done = curl("-L", "-H", "Accept: text/turtle", w3id + "id/organisation/ifaw")
    assert done.returncode == 0, done.stderr
    graph = rdflib.Graph().parse(data=done.stdout, format="turtle")
    assert (rdflib.URIRef(IFAW), None, None) in graph  # the IRI stays the w3id IRI


def test_rdflib_dereferences_our_iris_through_the_rules(w3id):
    for path, iri in (("id/organisation/ifaw", IFAW), ("ontology", BASE + "ontology")):
        graph = rdflib.Graph().parse(w3id + path)  # rdflib asks for RDF and follows the redirects
        assert (rdflib.URIRef(iri), None, None) in graph, path


def test_a_browser_lands_on_the_page_whose_canonical_is_the_iri(w3id):
    done = curl("-L", "-H", "Accept: text/html", w3id + "id/organisation/ifaw")
    assert f'<link rel="canonical" href="{IFAW}">' in done.stdout


def test_sparql_keeps_post_through_307(w3id, deployment):
    response = redirect(w3id + "sparql", method="POST")
    assert response.status_code == 307
    assert response.headers["location"] == f"{deployment.url}/sparql"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/cms-kg/ontology#Organisation> }"
    posted = curl(
        "-L",
        "-H",
        "Accept: application/sparql-results+json",
        "--data-urlencode",
        f"query={query}",
        w3id + "sparql",
    )
    assert posted.returncode == 0 and '"n"' in posted.stdout, posted.stdout + posted.stderr
    got = curl("-L", "-G", "-H", "Accept: text/csv", "--data-urlencode", f"query={query}", w3id + "sparql")
    assert got.stdout.splitlines()[0] == "n" and int(got.stdout.splitlines()[1]) > 10
