"""What is measured: the same SPARQL queries on every server, plus our canned queries and Linked
Data pages when the server has those routes.

SPARQL scenarios (identical text everywhere, sent by GET with Accept: SPARQL JSON results):

- `partners`: partners by species group, a join behind a property path over the species-group
  and taxon hierarchies, written with the closure in a sub-select (how the engine wants it);
- `partners-naive`: the same question with the path inline, as most people write it;
- `timeline`: dated arrangements, newest first (ORDER BY over every dated arrangement, LIMIT 100);
- `search`: a label search (CONTAINS over every label, shortest first, LIMIT 20);
- `lookup`: everything about one resource, rotating over resources of every copy.

Canned queries come from queries/*.rq (their `[example]` parameters); the peers get the same
SPARQL with the parameters bound by a VALUES block, so `canned-sparql` runs everywhere and
`canned-api` runs on our /api/queries route once it exists. `page-html` / `page-turtle` fetch
Linked Data pages (/id/...) once that route exists.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from app.sparql_text.where import where_body
from bench.load import Request

REPO_ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/cms-kg/id/"
PREFIXES = """PREFIX cms: <https://w3id.org/cms-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
COVERED = "(skos:narrower|^skos:broader|cms:includesTaxon|^cms:parentTaxon)*"
GROUPS = ("sharks", "cetaceans", "marine-turtles", "birds", "bats", "marine-mammals")
SEARCH_TERMS = ("shark", "whale", "turtle", "secretariat", "bird", "wildlife")
JSON = "application/sparql-results+json"


def partners(group: str) -> str:
    return (
        PREFIXES
        + f"""SELECT DISTINCT ?organisation ?organisation_label ?arrangement ?arrangement_label WHERE {{
  {{ SELECT DISTINCT ?covered WHERE {{ <{ID}species-group/{group}> {COVERED} ?covered }} }}
  ?arrangement cms:concernsSpecies ?covered ; a cms:Arrangement ;
      cms:party ?organisation ; skos:prefLabel ?arrangement_label .
  ?organisation skos:prefLabel ?organisation_label .
}}"""
    )


def partners_naive(group: str) -> str:
    return (
        PREFIXES
        + f"""SELECT DISTINCT ?organisation ?organisation_label ?arrangement ?arrangement_label WHERE {{
  <{ID}species-group/{group}> {COVERED} ?covered .
  ?arrangement cms:concernsSpecies ?covered ; a cms:Arrangement ;
      cms:party ?organisation ; skos:prefLabel ?arrangement_label .
  ?organisation skos:prefLabel ?organisation_label .
}}"""
    )


TIMELINE = (
    PREFIXES
    + """SELECT ?arrangement ?label ?date WHERE {
  ?arrangement a cms:Arrangement ; cms:startDate ?date ; skos:prefLabel ?label .
} ORDER BY DESC(?date) ?label LIMIT 100"""
)


def search(term: str) -> str:
    return (
        PREFIXES
        + f"""SELECT ?resource ?label WHERE {{
  ?resource skos:prefLabel|skos:altLabel ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "{term}"))
}} ORDER BY STRLEN(STR(?label)) ?label LIMIT 20"""
    )


def lookup(iri: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


@dataclass
class Scenario:
    name: str
    title: str
    requests: dict[str, list[Request]]  # server name -> requests to rotate over
    note: str = ""

    def for_server(self, server: str) -> list[Request] | None:
        return self.requests.get(server) or self.requests.get("*")


GET_LIMIT = 2048  # longer query strings go by POST: Oxigraph's server refuses a URL past 8 KiB


def sparql_requests(sparql_path: str, queries: list[str]) -> list[Request]:
    """A GET per query, or a form POST (SPARQL 1.1 Protocol 2.1.2) for one whose URL would be
    long: the rolled-up canned queries run to 10 KB, and one server's 400 on a long URL is not
    a measure of its engine."""
    out = []
    for q in queries:
        form = f"query={quote(q)}"
        long = len(form) > GET_LIMIT
        out.append(Request(sparql_path, JSON, form) if long else Request(f"{sparql_path}?{form}", JSON))
    return out


def lookup_iris(replicas: int, files: dict, count: int = 24) -> list[str]:
    """Organisations and arrangements, spread over the copies (0 is the curated original)."""
    from bench.generate import kind_of

    originals = sorted(
        {
            t.subject.value
            for ts in files.values()
            for t in ts
            if kind_of(t.subject) in ("organisation", "arrangement")
        }
    )
    step = max(1, len(originals) // count)
    picked = originals[::step][:count]
    out = []
    for i, iri in enumerate(picked):
        k = (i * 7919) % (replicas + 1)
        out.append(iri if k == 0 else f"{iri}-r{k}")
    return out


# -- canned queries -----------------------------------------------------------------------------


@dataclass
class Canned:
    name: str
    sparql: str
    example: dict[str, str | int]
    parameters: list[dict] = field(default_factory=list)


def load_canned(folder: Path = REPO_ROOT / "queries") -> list[Canned]:
    out = []
    for path in sorted(folder.glob("*.rq")):
        header, body = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#+"):
                header.append(line[3:] if line.startswith("#+ ") else line[2:])
            else:
                body.append(line)
        try:
            meta = tomllib.loads("\n".join(header))
        except tomllib.TOMLDecodeError:
            continue
        example = meta.get("example") or {
            p["name"]: p["example"] for p in meta.get("parameters", []) if "example" in p
        }
        out.append(Canned(meta.get("name", path.stem), "\n".join(body), example, meta.get("parameters", [])))
    return out


def bind_values(sparql: str, values: dict[str, list[str]]) -> str:
    """Insert `VALUES ?_name { terms }` where the canned runner puts its values (the WHERE clause
    that holds the parameters' uses: app.sparql_text.where.where_body), so every engine evaluates
    the query our API runs."""
    if not values:
        return sparql
    at = where_body(sparql, [f"_{name}" for name in values])
    block = "".join(f"\n  VALUES ?_{name} {{ {' '.join(terms)} }}" for name, terms in values.items())
    return sparql[:at] + block + sparql[at:]


def canned_path(canned: Canned) -> str:
    return f"/api/queries/{canned.name}?{urlencode(canned.example)}"


def sparql_literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
