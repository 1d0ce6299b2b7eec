"""Fuzzing, bounded for CI: schemathesis over our OpenAPI document (every canned query, every
endpoint) and hypothesis-made SPARQL. No 500s, no hangs; every error a 4xx with a message.

A longer run is a command: `CMSKG_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import os

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

EXAMPLES = int(os.environ.get("CMSKG_FUZZ_EXAMPLES", "12"))


def test_no_operation_answers_a_server_error(server):
    """Every operation of /openapi.json, with schemathesis-made requests (their pytest plugin is
    not used: hypothesis runs here directly, one property per operation)."""
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case) -> None:
            response = case.call(base_url=server.url, timeout=60)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400 and case.method.upper() != "HEAD":
                assert response.content, f"{case.method} {case.path}: an error without a message"

        no_server_error()


FRAGMENTS = st.sampled_from(
    [
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "{",
        "}",
        "(",
        ")",
        "?s",
        "?p",
        "?o",
        "*",
        "<https://w3id.org/cms-kg/id/organisation/ifaw>",
        "a",
        ".",
        ";",
        ",",
        "FILTER",
        "OPTIONAL",
        "UNION",
        "MINUS",
        "GRAPH",
        "SERVICE",
        "SILENT",
        "FROM",
        "NAMED",
        "BIND",
        "AS",
        "VALUES",
        "LIMIT 5",
        "OFFSET 1",
        "ORDER BY",
        "GROUP BY",
        "COUNT(*)",
        '"x"@en',
        "1",
        "2.5",
        "true",
        "PREFIX cms: <https://w3id.org/cms-kg/ontology#>",
        "cms:party",
        "skos:prefLabel",
        "^",
        "|",
        "/",
        "+",
        "?",
        'REGEX(?o, "(a+)+$")',
        "\\u0053ERVICE",
        "'''",
        "#",
        "\n",
        "<>",
        "<http://",
        "INSERT DATA",
        "LOAD",
        "CLEAR ALL",
        "DROP",
        'STRSTARTS(STR(?o), "x")',
        "EXISTS",
    ]
)


@given(st.lists(FRAGMENTS, min_size=1, max_size=14).map(" ".join) | st.text(max_size=200))
@settings(max_examples=EXAMPLES * 8, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_sparql_never_breaks_the_server(server, query):
    response = httpx.post(server.url + "/sparql", data={"query": query, "timeout": "5"}, timeout=30)
    assert response.status_code in (200, 400, 403, 406, 413, 503), (
        query,
        response.status_code,
        response.text,
    )
    if response.status_code != 200:
        assert response.text.strip(), query
