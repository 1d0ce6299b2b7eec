"""Facets: every canned JSON answer counts the values of its categorical columns (text, IRI, date
by year), a multi-valued cell once per value, in a fixed order; the catalogue names each query's
views; the OpenAPI answer models say so, and real answers validate against them."""

from __future__ import annotations

from collections import Counter

import httpx
import jsonschema
import pytest

from app.canned.catalogue import load_catalogue
from app.canned.facets import facets
from app.canned.spec import ColumnType, OutputColumn
from app.canned.table import Cell, Table
from app.settings import REPO_ROOT
from tests.conftest import RunningServer

CATALOGUE = load_catalogue(REPO_ROOT / "queries")
ID = "https://w3id.org/cms-kg/id/"


def column(name: str, kind: ColumnType, label_of: str | None = None) -> OutputColumn:
    return OutputColumn(name=name, type=kind, description=f"The {name}.", label_of=label_of)


def text(value: str) -> Cell:
    return Cell("literal", value)


def iri(value: str) -> Cell:
    return Cell("iri", ID + value)


COLUMNS = [
    column("thing", ColumnType.IRI),
    column("thing_label", ColumnType.TEXT, "thing"),
    column("kind", ColumnType.IRI),
    column("kind_label", ColumnType.TEXT, "kind"),
    column("topics", ColumnType.TEXT),
    column("start", ColumnType.DATE),
    column("score", ColumnType.INTEGER),
]


def row(thing: str, kind: str, topics: str | None, start: str | None, score: int) -> dict[str, Cell | None]:
    return {
        "thing": iri(thing),
        "thing_label": text(thing.title()),
        "kind": iri(kind),
        "kind_label": text(kind.replace("-", " ")),
        "topics": text(topics) if topics else None,
        "start": Cell("literal", start, "http://www.w3.org/2001/XMLSchema#date") if start else None,
        "score": Cell("literal", str(score), "http://www.w3.org/2001/XMLSchema#integer"),
    }


TABLE = Table(
    "made-up",
    {},
    COLUMNS,
    [
        row("a", "joint-work-plan", "sharks; turtles", "2012-05-01", 3),
        row("b", "letter", "sharks", "2012", 3),
        row("c", "joint-work-plan", None, "2014-01", 3),
        row("d", "campaign", "birds; sharks", None, 1),
    ],
)


def test_facets_count_each_value_of_a_multi_valued_cell_and_dates_by_year():
    counted = facets(TABLE)
    assert list(counted) == ["kind", "topics", "start"]  # the answer's order; no score (a number)
    assert counted["topics"] == {
        "by": "value",
        "values": [
            {"value": "sharks", "count": 3},
            {"value": "birds", "count": 1},
            {"value": "turtles", "count": 1},
        ],
        "missing": 1,
    }
    assert counted["start"]["by"] == "year"
    assert counted["start"]["values"] == [{"value": "2012", "count": 2}, {"value": "2014", "count": 1}]
    assert counted["start"]["missing"] == 1


def test_iri_facets_carry_labels_and_order_by_count_then_label():
    kinds = facets(TABLE)["kind"]["values"]
    assert kinds == [
        {"value": ID + "joint-work-plan", "label": "joint work plan", "count": 2},
        {"value": ID + "campaign", "label": "campaign", "count": 1},
        {"value": ID + "letter", "label": "letter", "count": 1},
    ]


def test_a_column_whose_every_value_occurs_once_is_no_facet():
    assert "thing" not in facets(TABLE)  # the thing each row is about
    one_row = Table("made-up", {}, COLUMNS, TABLE.rows[:1])
    assert facets(one_row) == {}


def test_a_column_that_cannot_narrow_the_rows_is_no_facet():
    same_kind = Table("made-up", {}, COLUMNS, [TABLE.rows[0], TABLE.rows[2], TABLE.rows[0]])
    counted = facets(same_kind)
    assert "kind" not in counted  # every row is a joint work plan
    assert counted["start"]["values"] == [{"value": "2012", "count": 2}, {"value": "2014", "count": 1}]
    # one value, but a row without it: choosing it narrows the answer
    assert facets(Table("made-up", {}, COLUMNS, TABLE.rows[:3]))["topics"]["values"][0]["value"] == "sharks"


def test_a_rolled_up_list_counts_each_item_once_with_its_label():
    """A rolled-up answer's list cell (one row per partner, its funders) counts each IRI it holds
    once, labelled from the label list in the same order."""
    columns = [column("funders", ColumnType.IRI), column("funders_label", ColumnType.TEXT, "funders")]
    ids = (iri("ifaw"), iri("noaa"), iri("ifaw"))
    names = (text("IFAW"), text("NOAA"), text("IFAW"))
    rows = [
        {"funders": ids, "funders_label": names},
        {"funders": ids[:1], "funders_label": names[:1]},
        {"funders": (), "funders_label": ()},
    ]
    counted = facets(Table("made-up", {}, columns, rows))["funders"]
    assert counted["values"] == [
        {"value": ID + "ifaw", "label": "IFAW", "count": 2},
        {"value": ID + "noaa", "label": "NOAA", "count": 1},
    ]
    assert counted["missing"] == 1


def test_facets_do_not_depend_on_the_order_of_the_rows():
    shuffled = Table("made-up", {}, COLUMNS, list(reversed(TABLE.rows)))
    assert facets(shuffled) == facets(TABLE)


def recount(answer: dict, entry: dict) -> dict[str, Counter]:
    """The facet counts recomputed from the answer's rows, independently of app.canned.facets."""
    out: dict[str, Counter] = {}
    for c in entry["columns"]:
        if c["label_of"] or c["type"] not in ("text", "iri", "term", "date"):
            continue
        counts: Counter = Counter()
        for r in answer["rows"]:
            value = r[c["name"]]
            if value in (None, "", []):
                continue
            if isinstance(value, list):  # a rolled-up list: each item once
                counts.update({str(v)[:4] if c["type"] == "date" else str(v) for v in value})
            elif c["type"] == "date":
                counts[str(value)[:4]] += 1
            elif c["type"] == "text":
                counts.update(set(str(value).split("; ")))
            else:
                counts[str(value)] += 1
        empty = sum(1 for r in answer["rows"] if r[c["name"]] in (None, "", []))
        if counts and max(counts.values()) > 1 and (len(counts) > 1 or empty):
            out[c["name"]] = counts
    return out


@pytest.fixture(scope="module")
def entries(server: RunningServer) -> dict[str, dict]:
    return {e["name"]: e for e in httpx.get(server.url + "/api/queries").json()}


@pytest.mark.parametrize("name", CATALOGUE.names)
def test_every_answer_carries_the_counts_of_its_rows(server: RunningServer, entries: dict, name: str):
    entry = entries[name]
    answer = httpx.get(entry["example_url"], timeout=30).json()  # JSON unless told otherwise
    expected = recount(answer, entry)
    assert list(answer["facets"]) == [c for c in expected]  # the columns' order
    for column_name, counts in expected.items():
        facet = answer["facets"][column_name]
        assert {v["value"]: v["count"] for v in facet["values"]} == dict(counts), column_name
        order = [v["count"] for v in facet["values"]]
        if facet["by"] == "value":
            assert order == sorted(order, reverse=True), column_name
        empty = sum(1 for r in answer["rows"] if r[column_name] in (None, ""))
        assert facet["missing"] == empty


def test_the_same_data_gives_the_same_facets_byte_for_byte(server: RunningServer):
    first = httpx.get(server.url + "/api/queries/arrangements").content
    second = httpx.get(server.url + "/api/queries/arrangements").content
    assert first == second
    body = httpx.get(server.url + "/api/queries/arrangements").json()
    assert body["facets"]["kind"]["values"][0]["label"]  # IRI values come with their labels


def test_the_catalogue_names_the_views_that_fit_each_question(entries: dict):
    for name, entry in entries.items():
        query = CATALOGUE.get(name)
        assert entry["views"] == [str(v) for v in query.views]
        assert "table" in entry["views"]
    assert entries["timeline"]["views"][0] == "timeline"
    assert "map" in entries["meetings"]["views"] and "map" in entries["activities-in-place"]["views"]
    assert entries["provenance"]["views"] == ["table"]


def test_answers_validate_against_their_openapi_models(server: RunningServer, entries: dict):
    """The answer model of each operation (app/routes/queries.py) is true of the real answers,
    facets included."""
    document = httpx.get(server.url + "/openapi.json").json()
    for name in ("arrangements", "activities-in-place", "search"):
        operation = document["paths"][f"/api/queries/{name}"]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/")
        model = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        assert "facets" in model["required"] and "facets" in model["properties"]
        answer = httpx.get(entries[name]["example_url"], timeout=30).json()
        validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]})
        errors = [e.message for e in validator.iter_errors(answer)]
        assert not errors, (name, errors[:3])
    facet = document["components"]["schemas"]["Facet"]
    assert set(facet["properties"]) == {"by", "values", "missing"}
