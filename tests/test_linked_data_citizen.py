"""A good citizen of the web of data, on a real server deployed behind a public URL: the VoID/DCAT
names the deployment's addresses while IRIs stay under the base IRI; it passes the DCAT-AP 3.0.0
shapes; the SPARQL examples and the VoID partitions are in the endpoint itself; dumps come
gzipped with a SHA256SUMS file that `sha256sum -c` accepts; pages name their canonical IRI."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyshacl
import pytest
import rdflib
import rdflib.compare
from pyoxigraph import NamedNode, RdfFormat, parse

from app.linkeddata.void import DEFAULT_LICENCE
from app.namespaces import DCAT, DCT, FOAF, VOID
from app.settings import REPO_ROOT, Settings
from tests.conftest import RunningServer, start_server, stop_server

BASE = Settings().base_iri
PUBLIC = "https://kg.example.org/cms/"
DCAT_AP = REPO_ROOT.parent / "shared" / "validators" / "dcat-ap-3.0.0-SHACL.ttl"
SH = "http://www.w3.org/ns/shacl#"
EXAMPLES = f"{BASE}.well-known/sparql-examples"
VOID_GRAPH = f"{BASE}.well-known/void"


@pytest.fixture(scope="module")
def deployed() -> Iterator[RunningServer]:
    """Our server on loopback, told that the public reaches it at PUBLIC (behind a proxy)."""
    server = start_server("--public-url", PUBLIC)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def web(deployed) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=deployed.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def void_ttl(web) -> bytes:
    response = web.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return response.content


def objects(body: bytes, subject: str, predicate: str) -> list[str]:
    return [
        t.object.value
        for t in (q.triple for q in parse(body, format=RdfFormat.TURTLE))
        if t.subject == NamedNode(subject) and t.predicate.value == predicate
    ]


def select(web: httpx.Client, query: str) -> list[dict]:
    response = web.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_void_names_the_deployment_and_keeps_iris_under_the_base(void_ttl):
    dataset = BASE + "void#dataset"
    assert objects(void_ttl, dataset, VOID + "sparqlEndpoint") == [PUBLIC + "sparql"]
    assert objects(void_ttl, dataset, DCAT + "landingPage") == [PUBLIC]
    dumps = objects(void_ttl, dataset, VOID + "dataDump")
    assert dumps and all(url.startswith(PUBLIC + "dumps/") for url in dumps)
    downloads = [
        t.object.value
        for t in (q.triple for q in parse(void_ttl, format=RdfFormat.TURTLE))
        if t.predicate.value == DCAT + "downloadURL"
    ]
    assert len(downloads) == 8 and all(u.startswith(PUBLIC) for u in downloads)  # 4 formats, plain and .gz
    assert objects(void_ttl, dataset, VOID + "uriSpace") == [BASE + "id/"]
    assert "127.0.0.1" not in void_ttl.decode()


def test_void_says_who_what_when_where_from_and_under_which_licence(void_ttl):
    dataset = BASE + "void#dataset"
    assert objects(void_ttl, dataset, DCT + "license") == [DEFAULT_LICENCE]
    publisher = objects(void_ttl, dataset, DCT + "publisher")
    assert publisher and objects(void_ttl, publisher[0], FOAF + "name")
    assert objects(void_ttl, dataset, DCT + "creator") == publisher
    assert objects(void_ttl, dataset, DCT + "issued") and objects(void_ttl, dataset, DCT + "modified")
    sources = objects(void_ttl, dataset, "http://www.w3.org/ns/prov#wasDerivedFrom")
    assert BASE + "id/document/cop11-doc-21-1" in sources
    assert objects(void_ttl, dataset, DCT + "provenance")


def test_the_ontology_states_the_licence_the_pages_and_void_state():
    ontology = rdflib.Graph().parse(REPO_ROOT / "ontology" / "cms-kg.ttl")
    assert {str(o) for o in ontology.objects(None, rdflib.DCTERMS.license)} == {DEFAULT_LICENCE}


def test_void_and_dcat_pass_the_dcat_ap_3_shapes(void_ttl):
    data = rdflib.Graph().parse(data=void_ttl, format="turtle")
    shapes = rdflib.Graph().parse(DCAT_AP)
    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs")
    assert conforms, text
    published = {str(c) for c in data.objects(None, rdflib.RDF.type)}
    for cls in ("Catalog", "Dataset", "DataService", "Distribution"):
        assert DCAT + cls in published  # the report is clean on what we publish


def test_dumps_come_gzipped_with_checksums_sha256sum_accepts(web, tmp_path: Path):
    listing = web.get("/dumps/").text
    sums = web.get("/dumps/SHA256SUMS")
    assert sums.status_code == 200 and sums.headers["content-type"].startswith("text/plain")
    names = [line.split("  ", 1)[1] for line in sums.text.splitlines()]
    assert len(names) == 8 and "cms-kg.ttl.gz" in names
    for name in names:
        assert f"/dumps/{name}" in listing
        response = web.get(f"/dumps/{name}")
        assert response.status_code == 200
        (tmp_path / name).write_bytes(response.content)
        if name.endswith(".gz"):
            assert response.headers["content-type"] == "application/gzip"
            assert "content-encoding" not in response.headers
            assert gzip.decompress(response.content) == (tmp_path / name.removesuffix(".gz")).read_bytes()
    (tmp_path / "SHA256SUMS").write_bytes(sums.content)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == 8
    # a corrupted download is caught
    (tmp_path / "cms-kg.nt").write_bytes(b"<x:a> <x:b> <x:c> .\n")
    assert (
        subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True).returncode != 0
    )
    # and the VoID names the same checksums
    void = web.get("/void.nt").content
    for line in sums.text.splitlines():
        digest = line.split("  ", 1)[0]
        assert digest.encode() in void
    assert hashlib.sha256((tmp_path / "cms-kg.ttl").read_bytes()).hexdigest() in sums.text


def test_every_canned_query_is_an_executable_example_in_the_endpoint(web):
    rows = select(
        web,
        f"""PREFIX sh: <{SH}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX schema: <https://schema.org/>
        SELECT ?ex ?comment ?query ?target WHERE {{ GRAPH <{EXAMPLES}> {{
          ?ex a sh:SPARQLExecutable ; rdfs:comment ?comment ; sh:select|sh:construct ?query ;
              schema:target ?target ; sh:prefixes ?prefixes ; schema:keywords ?kw .
          ?prefixes sh:declare [ sh:prefix "cms" ; sh:namespace ?ns ] }} }}""",
    )
    found = {r["ex"]["value"].rsplit("#", 1)[-1]: r for r in rows}
    canned = {p.stem for p in (REPO_ROOT / "queries").glob("*.rq")}
    assert canned <= set(found), canned - set(found)
    assert {r["target"]["value"] for r in rows} == {PUBLIC + "sparql"}
    # each runs as written on the endpoint and answers rows (the canned ones have their example bound)
    for name in sorted(canned):
        text = found[name]["query"]["value"]
        assert "VALUES" in text or name in (
            "documents-cited",
            "timeline",
            "arrangements",
            "funding",
            "meetings",
        )
        assert select(web, text), name
    examples = f"PREFIX sh: <{SH}> SELECT ?ex FROM <{EXAMPLES}> WHERE {{ ?ex a sh:SPARQLSelectExecutable }}"
    selects = select(web, examples)
    assert len(selects) >= len(canned)


def test_sparql_examples_document_matches_the_endpoint_graph(web):
    served = {
        q.triple for q in parse(web.get("/.well-known/sparql-examples.ttl").content, format=RdfFormat.TURTLE)
    }
    graph = web.post(
        "/sparql",
        data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EXAMPLES}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/n-triples"},
    )
    assert served == {q.triple for q in parse(graph.content, format=RdfFormat.N_TRIPLES)}
    page = web.get("/.well-known/sparql-examples", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Which partners work on a species or topic?" in page.text
    assert f'<link rel="canonical" href="{EXAMPLES}">' in page.text


def test_void_partitions_are_in_the_endpoint_as_sib_reads_them(web):
    """SIB's query for the class schema (sib-swiss/sparql-guidelines), run on our endpoint with the
    VoID graph as its dataset (the VoID is a named graph, outside the union of the data)."""
    rows = select(
        web,
        f"""PREFIX void: <http://rdfs.org/ns/void#> PREFIX void-ext: <http://ldf.fi/void-ext#>
        SELECT DISTINCT ?subjectClass ?prop ?objectClass ?objectDatatype
        FROM <{VOID_GRAPH}> WHERE {{
          ?cp void:class ?subjectClass ; void:propertyPartition ?pp .
          ?pp void:property ?prop .
          OPTIONAL {{ {{ ?pp void:classPartition [ void:class ?objectClass ] }}
                     UNION {{ ?pp void-ext:datatypePartition [ void-ext:datatype ?objectDatatype ] }}
          }} }}""",
    )
    cms = "https://w3id.org/cms-kg/ontology#"
    links = {
        (r["subjectClass"]["value"], r["prop"]["value"], r.get("objectClass", {}).get("value")) for r in rows
    }
    assert (cms + "Arrangement", cms + "party", cms + "Secretariat") in links
    # and the counts agree with the data
    counted = select(
        web,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?o WHERE {{
          GRAPH ?g {{ ?a a <{cms}Arrangement> }} FILTER(?g != <{BASE}graph/inferred>)
          ?a <{cms}party> ?o .
          GRAPH ?h {{ ?o a <{cms}Secretariat> }} FILTER(?h != <{BASE}graph/inferred>) }} }}""",
    )
    stated = select(
        web,
        f"""PREFIX void: <http://rdfs.org/ns/void#> SELECT ?n FROM <{VOID_GRAPH}> WHERE {{
          ?cp void:class <{cms}Arrangement> ; void:propertyPartition ?pp .
          ?pp void:property <{cms}party> ; void:classPartition ?leaf .
          ?leaf void:class <{cms}Secretariat> ; void:triples ?n }}""",
    )
    assert [r["n"]["value"] for r in stated] == [counted[0]["n"]["value"]]


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/id/organisation/ifaw", BASE + "id/organisation/ifaw"),
        ("/id/", BASE + "id/"),
        ("/id/organisation/", BASE + "id/organisation/"),
        ("/ontology", BASE + "ontology"),
        ("/void", BASE + "void"),
        ("/dumps/", BASE + "dumps/"),
    ],
)
def test_html_pages_name_their_canonical_iri_and_the_licence(web, path, canonical):
    page = web.get(path, headers={"Accept": "text/html"}).text
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert f'rel="license" href="{DEFAULT_LICENCE}"' in page


def test_service_description_names_the_deployment(web):
    body = web.get("/sparql", headers={"Accept": "text/turtle"}).content
    assert f"<{PUBLIC}sparql>".encode() in body
    assert urlsplit(PUBLIC).netloc.encode() in body and b"127.0.0.1" not in body


# -- JSON-LD a web developer can use ---------------------------------------------------------------

IFAW = BASE + "id/organisation/ifaw"


@pytest.fixture(scope="module")
def context(web) -> dict:
    response = web.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    return response.json()


def inline(document: dict, context: dict) -> str:
    return json.dumps({**document, "@context": context["@context"]})


def test_context_has_plain_keys_for_our_terms_and_the_standard_vocabularies(context):
    terms = context["@context"]
    cms = "https://w3id.org/cms-kg/ontology#"
    assert terms["party"] == {"@id": "cms:party", "@type": "@id", "@container": "@set"}
    assert terms["prefLabel"]["@id"] == "skos:prefLabel" and terms["prefLabel"]["@language"] == "en"
    assert terms["wasDerivedFrom"]["@id"] == "prov:wasDerivedFrom"
    assert terms["Organisation"] == "cms:Organisation" and terms["cms"] == cms
    assert terms["id"] == "@id" and terms["type"]["@id"] == "@type"


def test_resource_json_ld_is_compact_with_the_resource_at_the_top(web, context):
    response = web.get("/id/organisation/ifaw", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    document = response.json()
    assert document["@context"] == PUBLIC + "context.jsonld"
    assert document["id"] == IFAW and "Organisation" in " ".join(document["type"])
    assert isinstance(document["prefLabel"], str)
    # the same statements as the Turtle, read as RDF by a third-party parser (rdflib)
    as_jsonld = rdflib.Graph().parse(data=inline(document, context), format="json-ld")
    as_turtle = rdflib.Graph().parse(data=web.get("/id/organisation/ifaw.ttl").text, format="turtle")
    topic = rdflib.URIRef("http://xmlns.com/foaf/0.1/primaryTopic")
    assert (None, topic, rdflib.URIRef(IFAW)) in as_jsonld and (None, topic, rdflib.URIRef(IFAW)) in as_turtle
    assert set(as_jsonld.triples((None, topic, None))) != set(as_turtle.triples((None, topic, None)))
    as_jsonld.remove((None, topic, None))
    as_turtle.remove((None, topic, None))
    assert rdflib.compare.isomorphic(as_jsonld, as_turtle)


def _keys_with_values(value, found: list) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((key, inner))
            _keys_with_values(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _keys_with_values(inner, found)


@pytest.mark.parametrize(
    "path", ["/id/organisation/ifaw", "/id/instrument/sharks-mou", "/id/document/cop11-doc-21-1/p20c"]
)
def test_multi_valued_properties_are_always_arrays(web, context, path):
    sets = {
        k for k, v in context["@context"].items() if isinstance(v, dict) and v.get("@container") == "@set"
    }
    document = web.get(path + ".jsonld").json()
    found: list = []
    _keys_with_values(document, found)
    used = [(k, v) for k, v in found if k in sets]
    assert used, path
    assert all(isinstance(v, list) for _k, v in used), [k for k, v in used if not isinstance(v, list)]
    assert all(isinstance(v, list) for k, v in found if k == "type")


# -- crawlers ----------------------------------------------------------------------------------------

HYDRA = "http://www.w3.org/ns/hydra/core#"


def _walk(web: httpx.Client, path: str) -> tuple[int, set[str]]:
    """Follow hydra:next from the first page; the total and every member seen."""
    members: set[str] = set()
    url, total, seen_pages = path, None, 0
    while url:
        graph = rdflib.Graph().parse(
            data=web.get(url, headers={"Accept": "text/turtle"}).text, format="turtle"
        )
        collection = rdflib.URIRef(BASE + path.lstrip("/"))
        total = int(graph.value(collection, rdflib.URIRef(HYDRA + "totalItems")))
        members |= {str(m) for m in graph.objects(collection, rdflib.URIRef(HYDRA + "member"))}
        following = next(iter(graph.objects(None, rdflib.URIRef(HYDRA + "next"))), None)
        url = urlsplit(str(following)).path + "?" + urlsplit(str(following)).query if following else None
        seen_pages += 1
        assert seen_pages < 100
    return total, members


def test_indexes_list_every_resource_in_rdf_page_by_page(web):
    total, members = _walk(web, "/id/")
    assert total == len(members) > 200  # more than one page
    organisations_total, organisations = _walk(web, "/id/organisation/")
    assert organisations == {m for m in members if m.startswith(BASE + "id/organisation/")}
    assert organisations_total == len(organisations) and IFAW in organisations
    assert web.get("/id/organisation/?page=999", headers={"Accept": "text/turtle"}).status_code == 404
    refused = web.get("/id/organisation/?page=0", headers={"Accept": "text/turtle"})
    assert refused.status_code == 400 and refused.json()["parameter"] == "page"


def test_a_kind_without_its_slash_redirects_to_its_index(web):
    response = web.get("/id/organisation", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == PUBLIC + "id/organisation/"


def _links(response: httpx.Response) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for link in response.headers.get("link", "").split(", <"):
        target = link.strip().lstrip("<").split(">", 1)[0]
        for rel in link.split('rel="', 1)[1].split('"', 1)[0].split() if 'rel="' in link else []:
            found.setdefault(rel, set()).add(target)
    return found


def test_resources_carry_fair_signposting(web):
    for accept in ("text/html", "text/turtle"):
        links = _links(web.get("/id/organisation/ifaw", headers={"Accept": accept}))
        assert links["cite-as"] == {IFAW}
        assert links["describedby"] == {
            PUBLIC + "id/organisation/ifaw.ttl",
            PUBLIC + "id/organisation/ifaw.jsonld",
        }
        assert links["license"] == {DEFAULT_LICENCE}
        assert (
            "https://w3id.org/cms-kg/ontology#NonGovernmentalOrganisation" in links["type"] or links["type"]
        )
    turtle = rdflib.Graph().parse(data=web.get("/id/organisation/ifaw.ttl").text, format="turtle")
    document = rdflib.URIRef(PUBLIC + "id/organisation/ifaw.ttl")
    assert turtle.value(document, rdflib.FOAF.primaryTopic) == rdflib.URIRef(IFAW)


@pytest.mark.parametrize("path", ["/", "/void"])
def test_landing_pages_carry_signposting_and_schema_org_dataset(web, path):
    response = web.get(path, headers={"Accept": "text/html"})
    links = _links(response)
    assert links["cite-as"] == {BASE}
    assert PUBLIC + "void.ttl" in links["describedby"] and links["license"] == {DEFAULT_LICENCE}
    assert "https://schema.org/Dataset" in links["type"]
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S)
    assert len(scripts) == 1
    markup = json.loads(scripts[0])
    assert markup["@context"] == "https://schema.org/"
    # read as RDF (with schema.org's context reduced to its vocabulary: no network in tests)
    graph = rdflib.Graph().parse(
        data=json.dumps({**markup, "@context": {"@vocab": "https://schema.org/"}}), format="json-ld"
    )
    schema = rdflib.Namespace("https://schema.org/")
    dataset = rdflib.URIRef(BASE + "void#dataset")
    assert (dataset, rdflib.RDF.type, schema.Dataset) in graph
    assert str(graph.value(dataset, schema.license)) == DEFAULT_LICENCE
    assert str(graph.value(dataset, schema.name)) == "CMS Synergies Knowledge Graph"
    for field in ("description", "creator", "temporalCoverage", "spatialCoverage", "distribution"):
        assert graph.value(dataset, schema[field]) is not None, field
    downloads = {str(graph.value(d, schema.contentUrl)) for d in graph.objects(dataset, schema.distribution)}
    assert PUBLIC + "dumps/cms-kg.ttl" in downloads and len(downloads) == 8
    assert PUBLIC + "sparql" in json.dumps(markup)


def test_every_nested_partition_counts_what_sparql_counts(web):
    """The VoID's property, class-to-class and datatype partitions equal GROUP BY queries over the
    curated graphs (types as the curated files state them)."""
    inferred = f"<{BASE}graph/inferred>"
    annex = f"<{BASE}.well-known/void>, <{BASE}.well-known/sparql-examples>"
    data = f"GRAPH ?d {{ ?s ?p ?o }} FILTER(?d NOT IN ({annex}))"
    typed = f"GRAPH ?g {{ ?s a ?c }} FILTER(?g NOT IN ({inferred}, {annex}))"
    object_typed = f"GRAPH ?h {{ ?o a ?oc }} FILTER(?h NOT IN ({inferred}, {annex}))"
    expected = {
        (r["c"]["value"], r["p"]["value"], r.get("oc", {}).get("value"), r["n"]["value"])
        for r in select(
            web,
            f"""SELECT ?c ?p ?oc (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o ?c ?oc WHERE {{
              {typed} {data} {object_typed} }} }} GROUP BY ?c ?p ?oc""",
        )
    } | {
        (r["c"]["value"], r["p"]["value"], None, r["n"]["value"])
        for r in select(
            web,
            f"""SELECT ?c ?p (COUNT(*) AS ?n) WHERE {{
              SELECT DISTINCT ?s ?p ?o ?c WHERE {{ {typed} {data} }} }} GROUP BY ?c ?p""",
        )
    }
    stated = {
        (r["c"]["value"], r["p"]["value"], r.get("oc", {}).get("value"), r["n"]["value"])
        for r in select(
            web,
            f"""PREFIX void: <http://rdfs.org/ns/void#> SELECT ?c ?p ?oc ?n WHERE {{
              GRAPH <{BASE}.well-known/void> {{
              ?cp void:class ?c ; void:propertyPartition ?pp . ?pp void:property ?p .
              {{ ?pp void:triples ?n }}
              UNION {{ ?pp void:classPartition [ void:class ?oc ; void:triples ?n ] }}
              }} }}""",
        )
    }
    assert stated == expected
