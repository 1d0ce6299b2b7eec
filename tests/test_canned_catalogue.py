"""The catalogue is checked before anything is served: every file of queries/ loads, and each kind
of broken file is refused with its file named, by the loader, `cmskg serve` and `cmskg validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from app.canned.catalogue import load_catalogue, split_header
from app.canned.errors import CatalogueError
from app.settings import REPO_ROOT
from app.sparql_text.values import bind
from app.sparql_text.where import NoWhereClause, where_body
from tests.conftest import FIXTURES, cmskg, free_port, make_tree

CONTRACT = {
    "partners-covering",
    "instruments-covering",
    "arrangements",
    "organisation-profile",
    "members",
    "aichi-target-contributors",
    "activities-in-place",
    "timeline",
    "funding",
    "provenance",
    "meetings",
    "search",
}

GOOD = """#+ name = "good"
#+ title = "Good"
#+ description = "A query that passes every check."
#+ [[parameters]]
#+ name = "thing"
#+ type = "label"
#+ kind = "organisation"
#+ required = true
#+ description = "Something."
#+ [[columns]]
#+ name = "label"
#+ type = "text"
#+ description = "Its label."
#+ [example]
#+ thing = "IFAW"
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { ?_thing skos:prefLabel ?label }
"""

DESCRIPTION = '#+ description = "A query that passes every check."\n'


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.rq"
    path.write_text(text)
    return path


def test_repository_catalogue_loads_with_the_contract_names():
    catalogue = load_catalogue(REPO_ROOT / "queries")
    assert set(catalogue.names) >= CONTRACT
    assert len(catalogue) >= len(CONTRACT) + 3  # and the ones analysts ask for next
    for query in catalogue:
        assert query.file == f"{query.name}.rq"
        assert query.sparql.lstrip().upper().startswith("PREFIX")  # the header is not in the SPARQL


def test_a_good_file_loads(tmp_path: Path):
    write(tmp_path, "good", GOOD)
    (query,) = load_catalogue(tmp_path)
    assert query.parameters[0].variable == "_thing"
    assert [c.name for c in query.output_columns] == ["label"]
    assert [str(v) for v in query.views] == ["table"]  # a query that names no views has the table


# Answers with a date column that do not offer the timeline, and why.
UNTIMED = {"funding": "one of its eight fundings has a date: a timeline would be a single dot"}


def test_every_query_names_the_views_that_fit_it_the_table_among_them():
    """A picture draws the default answer (the rolled-up one when there is a rollup), so the
    column it needs must be among those; and an answer with a date column offers the timeline
    unless UNTIMED says why not ("Activities in a place" has dated workshops, and did not)."""
    for query in load_catalogue(REPO_ROOT / "queries"):
        views = [str(v) for v in query.views]
        assert "table" in views and len(set(views)) == len(views), query.name
        dated = any(str(c.type) == "date" for c in query.output_columns)
        assert ("timeline" in views) == (dated and query.name not in UNTIMED), query.name
    catalogue = load_catalogue(REPO_ROOT / "queries")
    assert str(catalogue.get("timeline").views[0]) == "timeline"  # the timeline opens as one
    assert {"map", "timeline"} <= {str(v) for v in catalogue.get("activities-in-place").views}


DETAIL = """#+ [[parameters]]
#+ name = "detail"
#+ type = "enum"
#+ values = ["false", "true"]
#+ default = "false"
#+ description = "One row per link."
"""
ROLLUP = """#+ [rollup]
#+ by = "label"
#+ row = "one row per label"
#+ [[rollup.columns]]
#+ name = "n"
#+ of = "label"
#+ how = "count"
#+ description = "How many."
"""


def test_a_rollup_and_its_detail_switch_load_together(tmp_path: Path):
    """The detail switch is read by the runner, never bound: the SPARQL need not use ?_detail."""
    text = GOOD.replace("#+ [[columns]]", DETAIL + "#+ [[columns]]").replace(
        "#+ [example]", ROLLUP + "#+ [example]"
    )
    write(tmp_path, "good", text)
    (query,) = load_catalogue(tmp_path)
    assert [c.name for c in query.output_columns] == ["label", "n"]
    assert [c.name for c in query.detail_columns] == ["label"]
    assert [p.name for p in query.bound_parameters] == ["thing"]


BROKEN = {
    "no-header": (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ?x WHERE { ?x ?p ?o }\n",
        "header",
    ),
    "bad-toml": (GOOD.replace('#+ title = "Good"', "#+ title = Good"), "TOML"),
    "wrong-name": (GOOD, "must be good.rq"),
    "syntax": (GOOD.replace("SELECT ?label WHERE {", "SELECT ?label WHERE {{"), "does not parse"),
    "unused": (GOOD.replace("?_thing skos:prefLabel", "?x skos:prefLabel"), "not used"),
    "columns": (GOOD.replace("SELECT ?label", "SELECT ?label ?other"), "declares the columns"),
    "kind": (GOOD.replace('kind = "organisation"', 'kind = "planet"'), "kind"),
    "construct": (
        GOOD.replace("SELECT ?label WHERE {", "CONSTRUCT { ?_thing skos:prefLabel ?label } WHERE {"),
        "SELECT",
    ),
    "no-where": (GOOD.replace("SELECT ?label WHERE {", "SELECT ?label {"), "WHERE"),
    "bad-default": (
        GOOD.replace(
            '#+ type = "label"\n#+ kind = "organisation"\n#+ required = true',
            '#+ type = "date"\n#+ default = "2012-13"',
        ),
        "default",
    ),
    "missing-example": (GOOD.replace('#+ thing = "IFAW"', ""), "example"),
    "unknown-view": (GOOD.replace(DESCRIPTION, DESCRIPTION + '#+ views = ["table", "pie"]\n'), "views"),
    "repeated-view": (
        GOOD.replace(DESCRIPTION, DESCRIPTION + '#+ views = ["table", "table"]\n'),
        "more than once",
    ),
    "no-table-view": (GOOD.replace(DESCRIPTION, DESCRIPTION + '#+ views = ["bar"]\n'), "the table"),
    "timeline-without-dates": (
        GOOD.replace(DESCRIPTION, DESCRIPTION + '#+ views = ["table", "timeline"]\n'),
        "timeline view needs a date column",
    ),
    "label-column": (
        GOOD.replace('name = "label"', 'name = "x_label"').replace("?label", "?x_label"),
        "label",
    ),
    "rollup-without-detail": (GOOD.replace("#+ [example]", ROLLUP + "#+ [example]"), "if and only if"),
    "detail-without-rollup": (GOOD.replace("#+ [[columns]]", DETAIL + "#+ [[columns]]"), "if and only if"),
    "rollup-of-no-column": (
        GOOD.replace("#+ [[columns]]", DETAIL + "#+ [[columns]]").replace(
            "#+ [example]", ROLLUP.replace('of = "label"', 'of = "nothing"') + "#+ [example]"
        ),
        "not a column",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_refused_with_its_name(tmp_path: Path, case: str):
    text, reason = BROKEN[case]
    name = "good" if case != "wrong-name" else "other"
    if case not in ("wrong-name",):
        text = text.replace('#+ name = "good"', f'#+ name = "{case}"')
        name = case
    write(tmp_path, "a-fine-one", GOOD.replace('"good"', '"a-fine-one"'))
    write(tmp_path, name, text)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert caught.value.file == f"{name}.rq"
    assert reason in str(caught.value), str(caught.value)


@pytest.fixture
def broken_tree(tmp_path: Path) -> Path:
    tree = make_tree(tmp_path / "data", sorted((FIXTURES / "mini").glob("*.ttl")))
    write(tree / "queries", "unused", GOOD.replace('"good"', '"unused"').replace("?_thing skos", "?x skos"))
    return tree


def test_server_refuses_to_start_on_a_broken_canned_query(broken_tree: Path):
    result = cmskg("serve", "--root", str(broken_tree), "--port", str(free_port()), timeout=60)
    assert result.returncode == 1
    assert "unused.rq" in result.stderr and "not used" in result.stderr


def test_validate_reports_a_broken_canned_query(broken_tree: Path):
    result = cmskg("validate", "--root", str(broken_tree), timeout=60)
    assert result.returncode == 1
    assert "unused.rq" in result.stdout


def test_header_is_split_from_the_sparql():
    header, sparql = split_header(GOOD)
    assert header.startswith('name = "good"') and "#+" not in header
    assert sparql.startswith("PREFIX") and "#+" not in sparql


def test_values_go_at_the_head_of_the_outer_where():
    text = (
        "# a comment that says where { things go\nPREFIX w: <http://x/where#>\n"
        'SELECT ?where (":where {" AS ?s) WHERE { ?where w:p ?o { SELECT ?x WHERE { ?x ?y ?z } } }'
    )
    at = where_body(text)
    assert text[:at].endswith("WHERE {") and text[at:].startswith(" ?where w:p")
    with pytest.raises(NoWhereClause):
        where_body("SELECT * { ?s ?p ?o }")


def test_values_for_a_parameter_used_only_in_a_subquery_go_into_that_subquery():
    """A subquery is evaluated on its own: bound in the outer WHERE, its parameter would bind nothing."""
    text = (
        "SELECT ?r ?k WHERE { { SELECT ?r WHERE { ?r ?p ?l FILTER(CONTAINS(?l, ?_text)) } LIMIT 5 }"
        " OPTIONAL { ?r a ?k } }"
    )
    at = where_body(text, ["_text"])
    assert text[:at].endswith("SELECT ?r WHERE {") and text[at:].startswith(" ?r ?p ?l")
    outer = text.index("{") + 1
    assert where_body(text, ["r"]) == where_body(text, []) == where_body(text, ["absent"]) == outer
    store = Store()
    store.add(Quad(NamedNode("http://x/a"), NamedNode("http://x/p"), Literal("a shark")))
    rows = list(store.query(bind(text, ["_text"], [[Literal("shark")]])))
    assert [row["r"].value for row in rows] == ["http://x/a"]
    assert list(store.query(bind(text, ["_text"], [[Literal("whale")]]))) == []


def test_bound_values_cannot_break_out_of_their_literal():
    """Literals are printed by pyoxigraph, so quotes, braces and escapes stay inside the value."""
    store = Store()
    for nasty in ['x"} ?s ?p ?o {', "a\\u0022b", 'tab\t"nl\n', "}}>'''\"\"\""]:
        text = bind("SELECT ?v WHERE { }", ["v"], [[Literal(nasty)]])
        (row,) = list(store.query(text))
        assert row["v"].value == nasty
    text = bind(
        "SELECT ?v ?w WHERE { }", ["v", "w"], [[NamedNode("https://a/1"), NamedNode("https://a/2")], []]
    )
    assert len(list(store.query(text))) == 2
