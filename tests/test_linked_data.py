"""Linked Data over the repository's graph, on the real server: every minted IRI dereferences in
every format with its own statements; pages, indexes, ontology, VoID/DCAT and dumps agree with the
store (read through /sparql on the same server)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from app.namespaces import CMS, OWL, PROV, RDF, VOID
from app.settings import Settings

BASE = Settings().base_iri
RDF_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
SUFFIX_TYPES = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}


class Page(HTMLParser):
    """The text, links and element ids of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.hrefs: set[str] = set()
        self.ids: set[str] = set()
        self.chunks: list[str] = []
        self.feed(html)
        self.text = re.sub(r"\s+", " ", " ".join(self.chunks))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.add(found["href"] or "")
        if found.get("id"):
            self.ids.add(found["id"] or "")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def href(iri: str) -> str:
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


_CONTEXTS: dict[str, object] = {}


def triples_of(body: bytes, fmt: RdfFormat, base: str | None = None) -> set[Triple]:
    """The triples of a document; a JSON-LD document's @context URL (our published context) is
    fetched and put in place, since pyoxigraph loads no remote context."""
    if fmt == RdfFormat.JSON_LD:
        document = json.loads(body)
        url = document.get("@context") if isinstance(document, dict) else None
        if isinstance(url, str):
            if url not in _CONTEXTS:
                _CONTEXTS[url] = httpx.get(url, timeout=30).json()["@context"]
            document["@context"] = _CONTEXTS[url]
            body = json.dumps(document).encode()
    return {q.triple for q in parse(body, format=fmt, base_iri=base)}


def _drain(server) -> None:
    """Read the server's log as it is written: thousands of requests would fill the pipe that
    the session fixture gives it, and a server blocked on writing its log answers nothing."""
    stream = server.process.stdout
    if stream is not None and not getattr(server, "_drained", False):
        server._drained = True
        threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()


@pytest.fixture(scope="module")
def web(server) -> Iterator[httpx.Client]:
    _drain(server)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def sparql(web: httpx.Client, query: str) -> list[dict]:
    response = web.post(
        "/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


# The graphs that describe the data (served beside it in the endpoint), not the data itself.
ANNEX = f"<{BASE}.well-known/void>, <{BASE}.well-known/sparql-examples>"
CURATED = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({ANNEX}))"


@pytest.fixture(scope="module")
def graph(web: httpx.Client) -> set[Triple]:
    """Every triple of the curated graphs (and their inferences), as the store holds them."""
    response = web.post(
        "/sparql",
        data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {CURATED} }}"},
        headers={"accept": "application/n-triples"},
    )
    assert response.status_code == 200
    return triples_of(response.content, RdfFormat.N_TRIPLES)


@pytest.fixture(scope="module")
def minted(graph: set[Triple]) -> dict[str, set[Triple]]:
    """Each minted subject IRI and its own statements."""
    found: dict[str, set[Triple]] = defaultdict(set)
    for t in graph:
        if isinstance(t.subject, NamedNode) and t.subject.value.startswith(BASE):
            found[t.subject.value].add(t)
    return found


def _fetch_all(web: httpx.Client, paths: list[str], accept: str) -> dict[str, httpx.Response]:
    with ThreadPoolExecutor(4) as pool:
        return dict(
            zip(paths, pool.map(lambda p: web.get(p, headers={"accept": accept}), paths), strict=True)
        )


# -- dereferencing -------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_every_subject_dereferences_with_its_own_statements(web, minted, media_type):
    """Each document parses and holds every statement of each subject it serves (hash IRIs: the
    ontology document)."""
    by_document: dict[str, set[Triple]] = defaultdict(set)
    for iri, own in minted.items():
        by_document[href(iri.split("#", 1)[0])] |= own
    answers = _fetch_all(web, sorted(by_document), media_type)
    for path, response in answers.items():
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media_type), path
        served = triples_of(response.content, RDF_FORMATS[media_type], base=BASE)
        # Blank nodes (the claim derivations that grade a resource's claims) have no identity across
        # documents: compare them by position, one placeholder for every blank node.
        missing = _unlabelled(by_document[path]) - _unlabelled(served)
        assert not missing, f"{path} ({media_type}) lacks {sorted(map(str, missing))[:3]}"


def _unlabelled(triples: set[Triple]) -> set[Triple]:
    blank = BlankNode("b")
    return {
        Triple(
            blank if isinstance(t.subject, BlankNode) else t.subject,
            t.predicate,
            blank if isinstance(t.object, BlankNode) else t.object,
        )
        for t in triples
    }


def test_every_subject_has_a_page_showing_its_statements(web, minted):
    """The HTML page of each /id/ resource shows every literal and links every IRI it states."""
    paths = sorted(href(iri) for iri in minted if "#" not in iri and iri.startswith(BASE + "id/"))
    answers = _fetch_all(web, paths, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    for path, response in answers.items():
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        page = Page(response.text)
        for t in minted[BASE + path[1:]]:
            if isinstance(t.object, BlankNode):
                continue  # a claim derivation: the page shows it as the grades of the claims it covers
            if isinstance(t.object, NamedNode):
                assert href(t.object.value) in page.hrefs, f"{path}: no link to {t.object.value}"
            else:
                assert re.sub(r"\s+", " ", t.object.value).strip() in page.text, f"{path}: {t.object.value!r}"
        for suffix in (".ttl", ".jsonld", ".nt", ".rdf", ".html"):
            assert path + suffix in page.hrefs


def test_suffixes_link_headers_and_format_parameter(web, minted):
    path = href(next(iri for iri in sorted(minted) if iri.startswith(BASE + "id/organisation/")))
    for suffix, media_type in SUFFIX_TYPES.items():
        response = web.get(path + suffix, headers={"accept": "text/html"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["content-location"] == path + suffix
    assert (
        web.get(path + ".html", headers={"accept": "text/turtle"})
        .headers["content-type"]
        .startswith("text/html")
    )
    response = web.get(path, headers={"accept": "text/turtle"})
    links = response.headers["link"]
    for suffix, media_type in SUFFIX_TYPES.items():
        assert f'<{path}{suffix}>; rel="alternate"; type="{media_type}"' in links
    assert "Accept" in response.headers["vary"]
    assert (
        web.get(path, params={"format": "jsonld"}).headers["content-type"].startswith("application/ld+json")
    )
    assert web.get(path, headers={"accept": "*/*"}).headers["content-type"].startswith("text/html")
    assert web.get(path).headers["content-type"].startswith("text/html")
    assert (
        web.get(path, headers={"accept": "application/json"})
        .headers["content-type"]
        .startswith("application/ld+json")
    )
    choice = web.get(path, headers={"accept": "text/html;q=0.5, text/turtle"})
    assert choice.headers["content-type"].startswith("text/turtle")
    assert web.get(path, headers={"accept": "image/png"}).status_code == 406
    etag = response.headers["etag"]
    again = web.get(path, headers={"accept": "text/turtle", "if-none-match": etag})
    assert again.status_code == 304


def test_base_path_of_the_iri_is_mapped_to_the_routes(web, minted):
    """A redirect that keeps the base IRI's path (/cms-kg/id/x) reaches the same resource."""
    prefix = "/" + BASE.split("://", 1)[1].split("/", 1)[1]
    path = href(next(iri for iri in sorted(minted) if iri.startswith(BASE + "id/")))
    direct = web.get(path + ".nt")
    mapped = web.get(prefix.rstrip("/") + path + ".nt")
    assert mapped.status_code == 200
    assert mapped.content == direct.content


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
    ],
)
def test_unknown_iri_is_404_in_the_negotiated_format(web, accept, media_type):
    response = web.get("/id/organisation/no-such-organisation-anywhere", headers={"accept": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(media_type)
    if media_type == "text/html":
        assert "Not found" in response.text
    else:
        assert triples_of(response.content, RDF_FORMATS[media_type]) == set()
    assert web.get("/id/organisation/no-such-organisation-anywhere.ttl").status_code == 404
    assert web.get("/id/no-such-kind/").status_code == 404


# -- what a description holds -------------------------------------------------------------------


def test_description_holds_labels_incoming_links_and_provenance(web, graph, minted):
    labels = {(t.subject.value) for t in graph if t.predicate.value.endswith(("#prefLabel", "#label"))}
    checked = 0
    for iri in sorted(minted):
        if not iri.startswith(BASE + "id/organisation/"):
            continue
        incoming = {t for t in graph if t.object == NamedNode(iri)}
        sources = {t.object for t in minted[iri] if t.predicate.value == PROV + "wasDerivedFrom"}
        if not incoming or not sources:
            continue
        served = triples_of(web.get(href(iri) + ".nt").content, RdfFormat.N_TRIPLES)
        assert incoming <= served, iri
        for t in minted[iri]:
            if isinstance(t.object, NamedNode) and t.object.value in labels:
                assert any(s.subject == t.object and isinstance(s.object, Literal) for s in served), t
        for source in sources:
            numbers = [t for t in graph if t.subject == source and t.predicate.value == CMS + "number"]
            assert set(numbers) <= served
        checked += 1
        if checked == 10:
            break
    assert checked


def test_paragraph_and_document_pages_list_the_facts_derived_from_them(web, graph):
    derived = defaultdict(set)
    for t in graph:
        if t.predicate.value == PROV + "wasDerivedFrom" and t.object.value.startswith(BASE):
            derived[t.object.value].add(t.subject.value)
    paragraphs = {
        t.subject.value
        for t in graph
        if t.predicate == NamedNode(RDF + "type") and t.object.value == CMS + "Paragraph"
    }
    paragraph = max(paragraphs & set(derived), key=lambda p: len(derived[p]))
    page = Page(web.get(href(paragraph)).text)
    assert "Facts stated here" in page.text
    assert {href(f) for f in derived[paragraph]} <= page.hrefs

    part_of = {t.subject.value: t.object.value for t in graph if t.predicate.value.endswith("/isPartOf")}

    def document_of(iri: str) -> str:
        while iri in part_of:
            iri = part_of[iri]
        return iri

    document = document_of(paragraph)
    expected = {
        href(f)
        for p, facts in derived.items()
        if document_of(p) == document and p != document
        for f in facts
        if f != document
    }
    page = Page(web.get(href(document)).text)
    assert expected <= page.hrefs


# -- index pages --------------------------------------------------------------------------------


def test_index_pages_count_and_list_every_resource_of_each_kind(web, minted):
    kinds: dict[str, set[str]] = defaultdict(set)
    for iri in minted:
        if iri.startswith(BASE + "id/"):
            kinds[iri[len(BASE + "id/") :].split("/", 1)[0]].add(iri)
    top = Page(web.get("/id/").text)
    for kind, members in kinds.items():
        assert f"/id/{kind}/" in top.hrefs
        response = web.get(f"/id/{kind}/")
        assert response.status_code == 200
        page = Page(response.text)
        assert f"({len(members)})" in page.text
        assert {href(m) for m in members} <= page.hrefs


# -- ontology -----------------------------------------------------------------------------------


def test_ontology_is_served_as_rdf_and_documented(web, graph):
    terms = {
        t.subject.value
        for t in graph
        if t.subject.value.startswith(CMS)
        and t.predicate.value == RDF + "type"
        and t.object.value in (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty")
    }
    ontology_statements = {
        t for t in graph if t.subject.value.startswith(CMS) or t.subject.value == BASE + "ontology"
    }
    for media_type, fmt in RDF_FORMATS.items():
        response = web.get("/ontology", headers={"accept": media_type})
        assert response.status_code == 200
        assert ontology_statements <= triples_of(response.content, fmt)
    page = Page(web.get("/ontology", headers={"accept": "text/html"}).text)
    for term in terms:
        assert term.split("#", 1)[1] in page.ids, term
    for t in graph:
        if t.subject.value in terms and t.predicate.value.endswith("#definition"):
            assert re.sub(r"\s+", " ", t.object.value) in page.text
    assert web.get("/ontology.ttl").headers["content-type"].startswith("text/turtle")
    assert web.get("/ontology.xyz").status_code == 404


# -- VoID, DCAT, dumps --------------------------------------------------------------------------


def _value(triples: set[Triple], subject: NamedNode, predicate: str) -> str:
    values = [t.object.value for t in triples if t.subject == subject and t.predicate.value == predicate]
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_void_counts_equal_the_store(web, graph, minted):
    void = triples_of(web.get("/void", headers={"accept": "text/turtle"}).content, RdfFormat.TURTLE)
    well_known = triples_of(
        web.get("/.well-known/void", headers={"accept": "text/turtle"}).content, RdfFormat.TURTLE
    )
    assert void == well_known
    dataset = NamedNode(BASE + "void#dataset")
    assert int(_value(void, dataset, VOID + "triples")) == len(graph)
    assert int(_value(void, dataset, VOID + "entities")) == len(
        [i for i in minted if i.startswith(BASE + "id/")]
    )
    assert _value(void, dataset, VOID + "sparqlEndpoint") == str(web.base_url.join("/sparql"))
    health = web.get("/health").json()
    assert _value(void, dataset, "http://www.w3.org/ns/dcat#version") == health["data_version"]
    classes = Counter(t.object.value for t in graph if t.predicate.value == RDF + "type")
    partitions = [
        t.object for t in void if t.subject == dataset and t.predicate.value == VOID + "classPartition"
    ]
    assert len(partitions) == len(classes)
    for partition in partitions:
        cls = _value(void, partition, VOID + "class")
        assert int(_value(void, partition, VOID + "entities")) == classes[cls], cls
    assert any(t.predicate.value == "http://purl.org/dc/terms/license" for t in void if t.subject == dataset)
    assert any(t.predicate.value == VOID + "vocabulary" and t.object.value == CMS for t in void)
    # a linkset for each link to another dataset (e.g. owl:sameAs to Wikidata)
    same_as = {
        t for t in graph if t.predicate.value == OWL + "sameAs" and not t.object.value.startswith(BASE)
    }
    if same_as:
        linksets = [
            t.subject
            for t in void
            if t.predicate.value == VOID + "linkPredicate" and t.object.value == OWL + "sameAs"
        ]
        assert sum(int(_value(void, ls, VOID + "triples")) for ls in linksets) == len(same_as)


def test_dumps_parse_hold_the_store_and_match_their_checksums(web, graph):
    void = triples_of(web.get("/void.ttl").content, RdfFormat.TURTLE)
    dataset = NamedNode(BASE + "void#dataset")
    dumps = [t.object.value for t in void if t.subject == dataset and t.predicate.value == VOID + "dataDump"]
    assert len(dumps) == 4
    quads_in_store = int(sparql(web, f"SELECT (COUNT(*) AS ?n) WHERE {{ {CURATED} }}")[0]["n"]["value"])
    graphs = {b["g"]["value"] for b in sparql(web, f"SELECT DISTINCT ?g WHERE {{ {CURATED} }}")}
    listing = Page(web.get("/dumps/").text)
    for url in dumps:
        assert url.startswith(str(web.base_url))  # the deployment's address, not the IRI base
        path = urlsplit(url).path
        assert path in listing.hrefs
        response = web.get(path)
        assert response.status_code == 200
        body = response.content
        distribution = next(
            t.subject for t in void if t.predicate.value.endswith("#downloadURL") and t.object.value == url
        )
        assert int(_value(void, distribution, "http://www.w3.org/ns/dcat#byteSize")) == len(body)
        checksum = NamedNode(_value(void, distribution, "http://spdx.org/rdf/terms#checksum"))
        assert (
            _value(void, checksum, "http://spdx.org/rdf/terms#checksumValue")
            == hashlib.sha256(body).hexdigest()
        )
        if path.endswith(".nq"):
            quads = list(parse(body, format=RdfFormat.N_QUADS))
            assert len(set(quads)) == quads_in_store
            assert {q.graph_name.value for q in quads} == graphs
        else:
            fmt = {".ttl": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES, ".jsonld": RdfFormat.JSON_LD}[
                path[path.rfind(".") :]
            ]
            dumped = triples_of(body, fmt)
            # blank nodes (claim derivations) get new labels when written: compare them by position
            assert len(dumped) == len(graph) and _unlabelled(dumped) == _unlabelled(graph)
    assert web.get("/dumps/nothing.ttl").status_code == 404


def test_quads_of_a_dump_are_in_their_files_graph(web):
    body = web.get("/dumps/cms-kg.nq").content
    by_graph = Counter(
        q.graph_name.value for q in parse(body, format=RdfFormat.N_QUADS) if isinstance(q, Quad)
    )
    for binding in sparql(web, f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {CURATED} }} GROUP BY ?g"):
        assert by_graph[binding["g"]["value"]] == int(binding["n"]["value"])
