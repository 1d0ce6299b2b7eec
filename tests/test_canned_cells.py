"""Multi-valued canned cells come in one order whatever order the engine concatenated them in."""

from __future__ import annotations

from pyoxigraph import Store

from app.canned.catalogue import load_catalogue, queries_dir
from app.canned.cells import in_order
from app.canned.label_index import LabelIndex
from app.canned.runner import Bound, Runner
from app.engine.rows import Rows
from app.engine.terms import PlainTerm
from app.settings import Settings


def test_paragraphs_come_in_report_order():
    assert in_order("34; 20(c); 9; 20(a); 10") == "9; 10; 20(a); 20(c); 34"


def test_text_values_sort_by_their_letters_and_each_comes_once():
    assert in_order("sharks; Birds; cetaceans; sharks") == "Birds; cetaceans; sharks"


def test_a_single_value_is_left_as_it_is():
    assert in_order("Convention on Migratory Species") == "Convention on Migratory Species"


def test_a_canned_answer_is_the_same_whatever_order_the_engine_concatenated():
    runner = Runner(load_catalogue(queries_dir(Settings())), LabelIndex.from_store(Store()))
    query = next(q for q in runner.catalogue if any(c.name == "paragraphs" for c in q.output_columns))
    cells = set()
    for value in ("16; 20(c); 9", "20(c); 9; 16", "9; 16; 20(c)"):
        results = Rows(("paragraphs",), ({"paragraphs": PlainTerm("literal", value)},), capped=False)
        table = runner.reshape(Bound(query, query.sparql, {}), results)
        cells.add(table.rows[0]["paragraphs"].value)
    assert cells == {"9; 16; 20(c)"}
