"""The fast lane's admission rule: which texts are lookups (small by construction)."""

from __future__ import annotations

import pytest

from app.engine.guard import plan_query

LOOKUPS = [
    "SELECT ?p ?o { <http://x/a> ?p ?o }",
    "SELECT ?s ?p { ?s ?p <http://x/a> }",
    'PREFIX s: <http://s/> SELECT ?l { s:x s:label ?l FILTER(lang(?l) = "en") }',
    'ASK { <http://x/a> ?p "x"@en }',
    'SELECT * { ?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    "SELECT * { <http://x/a> ?p ?o ; ?q ?r , ?t }",
    "CONSTRUCT { <http://x/a> ?p ?o } WHERE { <http://x/a> ?p ?o }",
    "SELECT DISTINCT ?o { <http://x/a> a ?o } LIMIT 10",
]
NOT_LOOKUPS = [
    "SELECT * { ?s ?p ?o }",
    "SELECT * { <http://x/a> ?p ?o . ?o ?q ?r }",
    "SELECT * { ?s a <http://x/C> ; <http://x/label> ?label }",
    "SELECT (COUNT(*) AS ?n) { <http://x/a> ?p ?o }",
    "SELECT * { <http://x/a> ?p ?o } ORDER BY ?o",
    "SELECT * { <http://x/a> <http://x/p>/<http://x/q> ?o }",
    "SELECT * { <http://x/a> <http://x/p>* ?o }",
    "SELECT * { <http://x/a> ^<http://x/p> ?o }",
    "SELECT * { <http://x/a> ?p ?o OPTIONAL { ?o ?q ?r } }",
    "SELECT * { { <http://x/a> ?p ?o } UNION { ?s ?p ?o } }",
    "SELECT * { <http://x/a> ?p [ ?q ?r ] }",
    "SELECT * { <http://x/a> ?p ?o FILTER EXISTS { ?o ?q ?r } }",
    "SELECT * { GRAPH ?g { <http://x/a> ?p ?o } }",
    "SELECT * { <http://x/a> ?p ?o VALUES ?o { 1 2 } }",
    "SELECT * { <http://x/a> ?p ?o FILTER(?o > 1 + 2) }",
    "SELECT * { <http://x/a> ?p ?o . { SELECT * { ?s ?p ?o } } }",
    "ASK {}",
    "DESCRIBE <http://x/a>",
]


@pytest.mark.parametrize("query", LOOKUPS)
def test_patterns_bound_by_a_constant_are_lookups(query):
    assert plan_query(query).lookup


@pytest.mark.parametrize("query", NOT_LOOKUPS)
def test_anything_that_could_run_away_is_not_a_lookup(query):
    assert not plan_query(query).lookup
