"""Which queries are lookups: small by construction, so they may skip the queue of heavy ones.

A lookup is one basic graph pattern in which every triple pattern has a constant subject or a
constant object (an IRI or a literal), with no property paths, no nested groups (OPTIONAL, UNION,
subqueries, GRAPH, SERVICE, EXISTS), no aggregates or ordering. Each of its patterns reads an index
range bounded by the degree of a node, the way crawlers, Linked Data clients and federation
engines ask (`SELECT ?p ?o { <iri> ?p ?o }`). The rule is decided on the lexer's tokens, before
anything runs, and errs towards "not a lookup".

A wrong answer here can cost only the fast lane's short deadline: a lookup that runs longer there
is stopped and sent on to the ordinary workers with the rest of its own deadline (see
`app.engine.service`), and the same text does not come back to the lane.
"""

from __future__ import annotations

from app.sparql_text.tokens import Token

FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
HEAVY_WORDS = {
    "ORDER", "GROUP", "HAVING", "SERVICE", "FROM", "OPTIONAL", "UNION", "MINUS", "GRAPH",
    "EXISTS", "NOT", "VALUES", "COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE", "GROUP_CONCAT",
}  # fmt: skip
CONSTANTS = {"iri", "pname", "string", "number"}
TERMS = CONSTANTS | {"var", "bnode"}


def is_lookup(significant: list[Token]) -> bool:
    """Whether the query (its tokens, comments left out) is a lookup as defined above."""
    forms = [i for i, t in enumerate(significant) if t.keyword in FORMS]
    if not forms or any(t.keyword in HEAVY_WORDS for t in significant):
        return False
    groups = [i for i, t in enumerate(significant) if t.kind == "open" and t.depth == 0]
    if any(t.kind == "open" and t.depth > 0 for t in significant) or not groups:
        return False  # nested groups
    opened = groups[-1]  # the WHERE group (a CONSTRUCT template comes before it)
    closing = next((i for i in range(opened + 1, len(significant)) if significant[i].kind == "close"), None)
    if closing is None:
        return False
    body = significant[opened + 1 : closing]
    if any(t.kind == "op" and t.text in ("/", "|", "^", "*", "+", "?") for t in body):
        return False  # property paths (and arithmetic, which a lookup does not need)
    return bool(body) and all(_bounded(triple) for triple in _triples(body))


def _triples(body: list[Token]) -> list[list[Token]]:
    """The triples-block tokens split at top-level '.', with FILTER(...) and BIND(...) taken out."""
    triples: list[list[Token]] = [[]]
    depth, skipping = 0, False
    for token in body:
        if token.keyword in ("FILTER", "BIND"):
            skipping = True
            continue
        if token.kind == "bracket":
            depth += 1
        elif token.kind == "unbracket":
            depth -= 1
            if depth == 0 and skipping:
                skipping = False
                continue
        if skipping or depth > 0:
            if not skipping:  # a collection or a blank-node property list: not a plain pattern
                triples[-1].append(token)
            continue
        if token.kind == "punct" and token.text == ".":
            triples.append([])
        else:
            triples[-1].append(token)
    return [t for t in triples if t]


def _bounded(triple: list[Token]) -> bool:
    """Every (subject, predicate, object) in `s p o ; p o , o` has a constant subject or object."""
    terms = [t for t in triple if not (t.kind == "langtag" or (t.kind == "op" and t.text == "^^"))]
    if any(t.kind in ("bracket", "unbracket") for t in terms) or len(terms) < 3:
        return False
    subject, rest = terms[0], terms[1:]
    if subject.kind not in TERMS:
        return False
    expect_predicate, predicate_seen = True, False
    for token in rest:
        if token.kind == "punct" and token.text == ";":
            expect_predicate, predicate_seen = True, False
        elif token.kind == "punct" and token.text == ",":
            continue
        elif expect_predicate:
            if token.kind not in TERMS and token.keyword != "A":
                return False
            expect_predicate, predicate_seen = False, True
        elif predicate_seen:
            if token.kind not in TERMS and token.keyword not in ("TRUE", "FALSE"):
                return False
            constant = token.kind in CONSTANTS or token.keyword in ("TRUE", "FALSE")
            if subject.kind not in CONSTANTS and not constant:
                return False
    return not expect_predicate
