"""Linked Data pieces on their own: negotiation, the base-IRI map, labels, and `cmskg export`
writing the very bytes the server serves (over the small fixture graph)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from app.formats import NotAcceptable, UnknownFormat
from app.linkeddata import catalogue, void
from app.linkeddata.iris import IriSpace, split_suffix
from app.linkeddata.names import humanise
from app.linkeddata.negotiation import choose
from app.main import create_app
from app.namespaces import CMS, DCT, PROV, RDF
from app.settings import Settings
from tests.conftest import cmskg

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "wanted", "expected"),
    [
        (None, None, "html"),
        ("*/*", None, "html"),
        (BROWSER, None, "html"),
        ("text/turtle", None, "turtle"),
        ("text/turtle;q=0.9, application/ld+json", None, "jsonld"),
        ("application/json", None, "jsonld"),
        ("application/n-triples, text/html;q=0.1", None, "ntriples"),
        ("application/rdf+xml", None, "rdfxml"),
        ("text/*", None, "html"),
        (BROWSER, "ttl", "turtle"),
        ("text/turtle", "html", "html"),
        ("text/turtle, this is not a media type", None, "turtle"),
    ],
)
def test_choose_between_a_page_and_rdf(accept, wanted, expected):
    assert choose(accept, wanted).name == expected


def test_nothing_acceptable_or_unknown_format():
    with pytest.raises(NotAcceptable):
        choose("image/png")
    with pytest.raises(NotAcceptable):
        choose(None, "nquads")  # a format we have, but not for a resource description
    with pytest.raises(UnknownFormat):
        choose(None, "docx")


def test_base_iri_maps_to_server_paths():
    w3id = IriSpace("https://w3id.org/cms-kg/")
    assert w3id.base_path == "/cms-kg/"
    assert w3id.iri("/id/organisation/ifaw") == "https://w3id.org/cms-kg/id/organisation/ifaw"
    assert w3id.iri("/cms-kg/id/organisation/ifaw") == "https://w3id.org/cms-kg/id/organisation/ifaw"
    assert w3id.href("https://w3id.org/cms-kg/ontology#Taxon") == "/ontology#Taxon"
    assert w3id.href("http://www.wikidata.org/entity/Q1") == "http://www.wikidata.org/entity/Q1"
    own = IriSpace("http://127.0.0.1:8000/")
    assert own.base_path == "/"
    assert own.iri("/id/x/y") == "http://127.0.0.1:8000/id/x/y"
    assert split_suffix("/id/x/y.jsonld") == ("/id/x/y", "jsonld")
    assert split_suffix("/id/x/y") == ("/id/x/y", None)


def test_readable_property_names():
    assert humanise("concernsSpecies") == "concerns species"
    assert humanise("unitOf") == "unit of"
    assert humanise("UNBody") == "UNBody"


def test_fixture_graph_resources_pages_and_base_path(client):
    """The small graph: a page, RDF by suffix, the base path kept by a redirect, a 404."""
    page = client.get("/id/organisation/noaa", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert "National Oceanic and Atmospheric Administration" in page.text
    assert "Letter of Cooperation (renewed 2013)" in page.text  # incoming: party
    assert "Test report paragraph 2" in page.text  # provenance
    turtle = client.get("/cms-kg/id/organisation/noaa.ttl")
    assert turtle.status_code == 200
    assert turtle.content == client.get("/id/organisation/noaa.ttl").content
    paragraph = client.get("/id/document/test-report/p2")
    assert "Facts stated here" in paragraph.text
    assert "/id/arrangement/cms-noaa-loc-2013" in paragraph.text
    assert client.get("/id/organisation/nobody", headers={"accept": "text/turtle"}).status_code == 404
    assert client.get("/static/site.css").status_code == 200
    head = client.head("/id/organisation/noaa", headers={"accept": "text/turtle"})
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/turtle")


def test_export_writes_the_served_dumps(client, mini_root: Path, tmp_path: Path):
    for fmt, name in (("nquads", "cms-kg.nq"), ("jsonld", "cms-kg.jsonld"), ("ttl", "cms-kg.ttl")):
        out = tmp_path / name
        result = cmskg("export", "--root", str(mini_root), "--format", fmt, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes() == client.get(f"/dumps/{name}").content
    quads = list(parse((tmp_path / "cms-kg.nq").read_bytes(), format=RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} >= {
        "https://w3id.org/cms-kg/graph/cms-kg",
        "https://w3id.org/cms-kg/graph/mini",
    }
    bad = cmskg("export", "--root", str(mini_root), "--format", "docx", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2
    assert "unknown format" in bad.stderr


TOKEN = "units-update-token"
NOAA = "https://w3id.org/cms-kg/id/organisation/noaa"
SAYS = "http://example.org/says"


def test_a_resource_with_a_triple_term_from_a_graph_store_upload_keeps_its_page_and_json_ld(mini_root: Path):
    """RDF 1.2 lets a statement's object be a triple term; an upload may hold one about our resources.
    The page shows it as Turtle writes it; JSON-LD 1.1, which cannot write one, leaves it out."""
    upload = f'<{NOAA}> <{SAYS}> <<( <http://example.org/a> <http://example.org/b> "c" )>> .'
    with TestClient(create_app(Settings(root=mini_root, update_token=TOKEN))) as client:
        stored = client.post(
            "/store?graph=http://example.org/uploaded",
            content=upload.encode(),
            headers={"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"},
        )
        assert stored.status_code == 201
        page = client.get("/id/organisation/noaa", headers={"accept": BROWSER})
        document = client.get("/id/organisation/noaa.jsonld")
        turtle = client.get("/id/organisation/noaa.ttl")
    assert page.status_code == 200
    shown = "&lt;&lt;( &lt;http://example.org/a&gt; &lt;http://example.org/b&gt; &#34;c&#34; )&gt;&gt;"
    assert shown in page.text
    assert document.status_code == 200
    assert SAYS not in document.text and json.loads(document.text)["id"] == NOAA
    assert turtle.status_code == 200 and SAYS in turtle.text


def test_void_sources_follow_the_iri_a_part_belongs_to_past_a_literal_one():
    """A cited part that is also 'part of' a literal still leads to its document (not a crash)."""
    space = IriSpace("https://w3id.org/cms-kg/")
    graph = NamedNode(space.base + "graph/mini")
    fact, part = NamedNode(space.base + "id/arrangement/x"), NamedNode(space.base + "id/document/d/p1")
    document = NamedNode(space.base + "id/document/d")
    store = Store()
    for s, p, o in (
        (fact, PROV + "wasDerivedFrom", part),
        (part, DCT + "isPartOf", document),
        (part, DCT + "isPartOf", Literal("Annex 1")),
        (document, RDF + "type", NamedNode(CMS + "Document")),
    ):
        store.add(Quad(s, NamedNode(p), o, graph))
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    stats = void.compute(store, "v", catalogue.build(store, space), space, dumps=[])
    assert stats.sources == [document.value]
