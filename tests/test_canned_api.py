"""The catalogue's HTTP and shell surface: the list, the OpenAPI document (one operation per query,
typed parameters, examples, SPARQL), the formats (CSV, TSV, HTML, SPARQL JSON) and `cmskg query --canned`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from app.canned.catalogue import load_catalogue
from app.settings import REPO_ROOT
from tests.conftest import RunningServer, cmskg, start_server, stop_server

CATALOGUE = load_catalogue(REPO_ROOT / "queries")
ID = "https://w3id.org/cms-kg/id/"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """A real server of our own: its log is drained, so many requests cannot fill the pipe."""
    running = start_server()
    yield running
    stop_server(running)


def test_catalogue_lists_every_query(server):
    entries = httpx.get(server.url + "/api/queries").json()
    assert [e["name"] for e in entries] == CATALOGUE.names
    for entry in entries:
        assert {"name", "title", "description", "parameters", "sparql", "url", "columns"} <= set(entry)
        assert entry["url"] == f"{server.url}/api/queries/{entry['name']}"
        assert "SELECT" in entry["sparql"] and "#+" not in entry["sparql"]
        assert httpx.get(entry["example_url"]).status_code == 200
    (partners,) = [e for e in entries if e["name"] == "partners-covering"]
    subject, stated_only, family, detail = partners["parameters"]
    assert (family["name"], detail["name"]) == ("include_cms_family", "detail")
    assert partners["rollup"] == "one row per organisation"
    assert [c["name"] for c in partners["columns"]][:4] == [
        "organisation",
        "organisation_label",
        "short_name",
        "roles",
    ]
    assert "role" in [c["name"] for c in partners["detail_columns"]]
    assert subject["name"] == "subject" and subject["type"] == "label" and subject["required"] is True
    assert subject["kind"] == "subject" and subject["example"] == "sharks"
    # Every canned query says the grade of its rows and can keep to what the report states (issue #16).
    assert stated_only["name"] == "stated_only" and stated_only["values"] == ["false", "true"]
    for entry in entries:
        assert "stated_only" in [p["name"] for p in entry["parameters"]], entry["name"]
        assert "grade" in [c["name"] for c in entry["columns"]], entry["name"]


def test_openapi_has_one_typed_operation_per_query(server):
    document = httpx.get(server.url + "/openapi.json").json()
    for query in CATALOGUE:
        operation = document["paths"][f"/api/queries/{query.name}"]["get"]
        assert operation["operationId"] == "canned_" + query.name.replace("-", "_")
        assert operation["summary"] == query.title
        assert query.sparql.strip() in operation["description"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == {p.name for p in query.parameters} | {"format", "data_version"}
        for parameter in query.parameters:
            assert params[parameter.name]["required"] == parameter.required
            assert "schema" in params[parameter.name] and params[parameter.name]["description"]
        assert set(operation["responses"]["200"]["content"]) >= {"application/json", "text/csv"}
    timeline = {p["name"]: p for p in document["paths"]["/api/queries/timeline"]["get"]["parameters"]}
    assert timeline["from"]["schema"]["pattern"] and timeline["from"]["example"] == "2013"
    assert "/api/queries/{name}" not in document["paths"]
    assert httpx.get(server.url + "/docs").status_code == 200


def test_csv_carries_the_json_columns_under_headers_people_read(server):
    """Paragraph 29: the CPW members, as CSV for a spreadsheet. Its headers are the columns'
    titles (an IRI column is "<title> IRI" beside its label column); JSON and TSV keep the names."""
    url = server.url + "/api/queries/members"
    as_json = httpx.get(url, params={"collaboration": "CPW"}).json()
    response = httpx.get(url, params={"collaboration": "CPW", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    header, *cells = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:4] == ["Collaboration IRI", "Collaboration", "Member IRI", "Member"]
    assert len(header) == len(as_json["columns"]) and header[1] == as_json["titles"]["collaboration_label"]
    rows = [dict(zip(as_json["columns"], row, strict=True)) for row in cells]
    assert len(rows) == as_json["count"] == int(response.headers["x-result-count"])
    (cms,) = [r for r in rows if r["member"] == ID + "organisation/cms-secretariat"]
    assert cms["role"] == "founding member" and cms["start"] == "2013-03"
    assert (
        cms["member_label"]
        == "Secretariat of the Convention on the Conservation of Migratory Species of Wild Animals"
    )
    by_accept = httpx.get(url, params={"collaboration": "CPW"}, headers={"Accept": "text/csv"})
    assert by_accept.text == response.text


def test_csv_opens_in_excel_with_accents_and_a_name_that_says_what_it_holds(server):
    """Excel reads a CSV without a byte-order mark in the legacy code page ("Förening" became
    "FÃ¶rening"): canned CSV starts with the UTF-8 BOM. Every download was called `search.csv`:
    the file name carries the question and its parameters, made safe for any file system."""
    url = server.url + "/api/queries/search"
    response = httpx.get(url, params={"text": "Förening", "format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbfResource IRI,Resource,")
    assert "Sveriges Ornitologiska Förening".encode() in response.content
    disposition = response.headers["content-disposition"]
    assert disposition == 'inline; filename="search_text-forening.csv"'
    partners = httpx.get(
        server.url + "/api/queries/partners-covering",
        params={"subject": "sharks", "stated_only": "false", "format": "csv"},  # the default: left out
    )
    assert partners.headers["content-disposition"].endswith('filename="partners-covering_subject-sharks.csv"')
    stated = httpx.get(
        server.url + "/api/queries/partners-covering",
        params={"stated_only": "true", "subject": "Whale Shark"},
        headers={"Accept": "text/tab-separated-values"},
    )
    assert stated.headers["content-disposition"].endswith(
        'filename="partners-covering_stated-only-true_subject-whale-shark.tsv"'
    )
    assert not stated.content.startswith(b"\xef\xbb\xbf")  # TSV as before


def test_every_format_of_an_answer_is_named_as_its_csv_is(server):
    """The JSON (and TSV, HTML, SPARQL JSON) of an answer had no file name: saved, it was
    `partners-covering.json` or worse. Each carries the CSV's name with its own extension."""
    url = server.url + "/api/queries/partners-covering"
    params = {"subject": "Whale Shark", "stated_only": "true", "detail": "false"}  # the default: left out
    stem = "partners-covering_stated-only-true_subject-whale-shark"
    for output, extension in (("csv", "csv"), ("json", "json"), ("tsv", "tsv"), ("html", "html")):
        response = httpx.get(url, params={**params, "format": output})
        assert response.headers["content-disposition"] == f'inline; filename="{stem}.{extension}"', output
    by_accept = httpx.get(url, params=params, headers={"Accept": "application/sparql-results+json"})
    assert by_accept.headers["content-disposition"] == f'inline; filename="{stem}.srj"'
    example = httpx.get(server.url + "/api/queries/arrangements")  # no parameters: the query's name
    assert example.headers["content-disposition"] == 'inline; filename="arrangements.json"'


def test_csv_quotes_values_with_separators(server):
    """A label holding a comma is quoted, so it stays one cell."""
    response = httpx.get(
        server.url + "/api/queries/search", params={"text": "Raptors, Dugong", "format": "csv"}
    )
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["Resource"] == "UNEP ROWA support to the Raptors, Dugong and Sharks MOUs"


def test_tsv_html_and_sparql_json(server):
    url = server.url + "/api/queries/aichi-target-contributors"
    tsv = httpx.get(url, params={"target": "12"}, headers={"Accept": "text/tab-separated-values"})
    header, first = tsv.text.splitlines()[:2]
    assert header.split("\t") == [
        "target",
        "target_label",
        "contributor",
        "contributor_label",
        "kind",
        "contribution",
        "grade",
        "paragraphs",
    ]
    assert first.split("\t")[2] == ID + "collaboration/friends-of-target-12"
    page = httpx.get(url, params={"target": "12"}, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<th scope="col">Contributor</th>' in page.text and "<caption>" in page.text
    assert f'<a href="{ID}collaboration/friends-of-target-12">Friends of Target 12</a>' in page.text
    results = httpx.get(url, params={"target": "12", "format": "sparql-json"}).json()
    assert results["head"]["vars"][:2] == ["target", "target_label"]
    binding = results["results"]["bindings"][0]
    assert binding["contributor"] == {"type": "uri", "value": ID + "collaboration/friends-of-target-12"}


def test_html_escapes_what_it_shows(server):
    page = httpx.get(server.url + "/api/queries/search", params={"text": "<script>", "format": "html"})
    assert page.status_code == 200 and "<script>" not in page.text and "&lt;script&gt;" in page.text


def test_json_reports_resolved_parameters(server):
    body = httpx.get(
        server.url + "/api/queries/arrangements", params={"party": "ifaw", "from": "2012"}
    ).json()
    assert body["parameters"]["party"]["value"] == "ifaw"
    assert body["parameters"]["party"]["iri"] == ID + "organisation/ifaw"
    assert body["parameters"]["party"]["label"] == "International Fund for Animal Welfare"
    assert body["parameters"]["from"] == "2012" and "to" not in body["parameters"]


def test_errors_name_the_parameter_and_say_what_is_wrong_without_it(server):
    """The page says an error in words by the field's label: `message` is the reason alone."""
    bad_date = httpx.get(server.url + "/api/queries/timeline", params={"from": "20x"}).json()
    assert bad_date["parameter"] == "from"
    assert bad_date["message"] == "'20x' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    assert bad_date["detail"] == "parameter 'from': " + bad_date["message"]
    unknown = httpx.get(server.url + "/api/queries/members", params={"collaboration": "BLX"})
    body = unknown.json()
    assert unknown.status_code == 404 and body["message"] == "no collaboration is labelled 'BLX'"
    assert "BLG" in body["suggestions"]
    twice = httpx.get(server.url + "/api/queries/members?collaboration=CPW&collaboration=BLG").json()
    assert twice["message"] == "is given more than once: give it once"


def test_every_answer_names_its_permalink_to_cite(server):
    """A canned answer in any format carries `Link: <permalink>; rel="cite-as"`: the question, its
    parameters sorted (defaults left out) and the data version it was answered from."""
    url = server.url + "/api/queries/partners-covering"
    for output in ("json", "csv", "tsv", "html", "sparql-json"):
        response = httpx.get(url, params={"subject": "sharks", "stated_only": "false", "format": output})
        version = response.headers["x-data-version"]
        wanted = f"<{server.url}/api/queries/partners-covering?subject=sharks&data_version={version}>"
        assert response.headers["link"] == f'{wanted}; rel="cite-as"', output
    sorted_params = httpx.get(server.url + "/api/queries/timeline", params={"to": "2013", "from": "2012"})
    assert sorted_params.headers["link"].startswith(f"<{server.url}/api/queries/timeline?from=2012&to=2013&")
    csv_body = httpx.get(url, params={"subject": "sharks", "format": "csv"}).content.decode("utf-8-sig")
    assert "cite" not in csv_body.lower() and "data_version" not in csv_body  # the CSV stays data only


def test_json_answers_carry_a_citation_and_the_permalink_answers_it(server):
    """The JSON answer's `citation`: title, data version, the date of that version (the dataset's
    release date, the VoID's dct:modified), permalink and a line to cite. Paragraph 20(c) is cited
    as a citation writes it. The permalink answers the same rows while its version is served."""
    body = httpx.get(server.url + "/api/queries/paragraph-contents", params={"paragraph": "20(c)"}).json()
    citation = body["citation"]
    version = httpx.get(server.url + "/health").json()["data_version"]
    void = httpx.get(server.url + "/void", headers={"Accept": "application/ld+json"}).text
    assert citation["data_version"] == version and citation["date"] in void  # 2026-12-02
    title = "What does the graph take from a paragraph? (paragraph: UNEP/CMS/COP11/Doc.21.1, para. 20(c))"
    assert citation["title"] == title
    link = f"{server.url}/api/queries/paragraph-contents?paragraph=20%28c%29&data_version={version}"
    assert citation["permalink"] == link
    assert citation["text"] == (
        f'CMS Synergies Knowledge Graph, "{title}", {len(body["rows"])} rows, data version {version} of '
        f"{citation['date']}, {link}"
    )
    assert citation["rows"] == len(body["rows"]) > 1
    again = httpx.get(citation["permalink"]).json()
    assert again["rows"] == body["rows"] and again["citation"] == citation


def test_a_permalink_of_a_data_version_no_longer_served_says_so(server):
    asked = {"collaboration": "CPW", "data_version": "0123456789abcdef"}
    response = httpx.get(server.url + "/api/queries/members", params=asked)
    assert response.status_code == 404
    body = response.json()
    assert body["parameter"] == "data_version" and "0123456789abcdef" in body["message"]
    latest = f"{server.url}/api/queries/members?collaboration=CPW"
    assert response.headers["link"] == f'<{latest}>; rel="latest-version"'
    assert httpx.get(latest).status_code == 200


def test_no_acceptable_format_is_406(server):
    response = httpx.get(
        server.url + "/api/queries/search", params={"text": "shark"}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406 and "text/csv" in response.json()["detail"]


def test_cli_runs_a_canned_query():
    """Paragraph 31: Friends of Target 12, from the shell."""
    result = cmskg("query", "--canned", "aichi-target-contributors", "--param", "target=12")
    assert result.returncode == 0, result.stderr
    assert "Friends of Target 12" in result.stdout and "stated" in result.stdout
    as_json = cmskg("query", "--canned", "members", "--param", "collaboration=CPW", "--format", "json")
    assert json.loads(as_json.stdout)["count"] >= 13
    as_csv = cmskg("query", "--canned", "search", "--param", "text=dugong", "--format", "csv")
    assert as_csv.stdout.splitlines()[0] == "Resource IRI,Resource,Kind,Matched,Grade,Score"


def test_cli_reports_bad_canned_use():
    unknown_label = cmskg("query", "--canned", "members", "--param", "collaboration=BLX")
    assert unknown_label.returncode == 1 and "BLG" in unknown_label.stderr
    unknown_query = cmskg("query", "--canned", "nope")
    assert unknown_query.returncode == 1 and "no canned query" in unknown_query.stderr
    not_a_pair = cmskg("query", "--canned", "members", "--param", "collaboration")
    assert not_a_pair.returncode == 2
    both = cmskg("query", "SELECT * WHERE { ?s ?p ?o }", "--canned", "members")
    assert both.returncode == 2
