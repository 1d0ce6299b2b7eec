"""The red-team findings of the security review, each replayed as the attack it was: a request
anyone (or a token holder, where noted) could send, against real servers on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import FIXTURES, make_tree, start_server, stop_server


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """A server that knows the address its clients use (--public-url)."""
    root = make_tree(tmp_path_factory.mktemp("public") / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    running = start_server("--root", str(root), "--public-url", "https://kg.example.org/")
    yield running
    stop_server(running)


@pytest.mark.parametrize("path", ["/api/queries/", "/dumps", "/id"])
def test_a_spoofed_host_header_never_reaches_a_redirect(server, path):
    response = httpx.get(server.url + path, headers={"Host": "evil.example"})
    assert response.status_code in (307, 308)
    assert "evil.example" not in response.headers["location"]
    assert response.headers["location"].startswith(server.url)


def test_a_spoofed_host_header_never_reaches_the_service_description(server):
    response = httpx.get(server.url + "/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert f"<{server.url}/sparql>" in response.text


def test_absolute_urls_come_from_the_public_url(public):
    response = httpx.get(public.url + "/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert "<https://kg.example.org/sparql>" in response.text and "evil.example" not in response.text
    redirect = httpx.get(public.url + "/id", headers={"Host": "evil.example"})
    assert redirect.headers["location"] == "https://kg.example.org/id/"
