"""Which query texts have a shape whose work the store can bound before anything runs.

A *bounded shape* is the strict core of a lookup (`app.engine.cost`): SELECT, ASK or CONSTRUCT over
one basic graph pattern, every triple pattern with a constant subject or object; FILTERs made only
of comparisons, boolean operators and a few tests that never make a value longer
(`SAFE_FUNCTIONS`); DISTINCT, REDUCED, LIMIT and OFFSET. Nothing else: no property paths, nested
groups, BIND, VALUES, aggregates, ordering, SERVICE, FROM, BASE, expressions in the projection, a
DESCRIBE, a backslash anywhere (so no escape can make us and the engine read a term differently),
or a relative IRI.

The shape keeps each pattern's constants as pyoxigraph terms, so that `app.engine.inline` can ask
the store how much each pattern matches. A constant we cannot read exactly as the engine would (a
number, a typed or language-tagged literal) is kept as a wildcard: a wildcard only makes the count
larger, never smaller. The rule errs towards "not bounded": such text goes to the workers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from app.namespaces import RDF_TYPE
from app.sparql_text.tokens import Token

Term = NamedNode | Literal | None  # None: a variable, a blank node, or a constant we do not read
MAX_PATTERNS = 16
SAFE_FUNCTIONS = {
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL",
    "ISNUMERIC", "SAMETERM", "CONTAINS", "STRSTARTS", "STRENDS", "STRLEN", "LCASE", "UCASE", "IN",
    "TRUE", "FALSE",
}  # fmt: skip
FILTER_OPS = {"=", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "^^"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Pattern:
    subject: Term
    predicate: Term
    object: Term


@dataclass(frozen=True)
class BoundedShape:
    patterns: tuple[Pattern, ...]


class _NotBounded(Exception):
    pass


def bounded_shape(text: str, significant: list[Token]) -> BoundedShape | None:
    """The query's patterns if its text has a bounded shape (see the module), else None."""
    if "\\" in text:
        return None
    try:
        return _Reader(significant).read()
    except (_NotBounded, ValueError, IndexError):  # ValueError: pyoxigraph refused an IRI
        return None


class _Reader:
    """A strict reader of the few forms a bounded shape may take (one pass, no recursion)."""

    def __init__(self, significant: list[Token]) -> None:
        self.tokens, self.at = significant, 0
        self.prefixes: dict[str, str] = {}

    def _peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise _NotBounded
        self.at += 1
        return token

    def _expect(self, kind: str, keyword: str | None = None) -> Token:
        token = self._next()
        if token.kind != kind or (keyword is not None and token.keyword != keyword):
            raise _NotBounded
        return token

    def read(self) -> BoundedShape:
        while (token := self._peek()) is not None and token.keyword == "PREFIX":
            self._prefix()
        form = self._next().keyword
        if form == "SELECT":
            self._projection()
        elif form == "CONSTRUCT":
            if self._peek() is not None and self._peek().kind == "open":  # type: ignore[union-attr]
                self._group(template=True)
        elif form != "ASK":
            raise _NotBounded
        if (token := self._peek()) is not None and token.keyword == "WHERE":
            self.at += 1
        patterns = self._group(template=False)
        self._modifiers()
        if not patterns or len(patterns) > MAX_PATTERNS:
            raise _NotBounded
        return BoundedShape(tuple(patterns))

    def _prefix(self) -> None:
        self.at += 1
        name, iri = self._expect("pname"), self._expect("iri")
        if not name.text.endswith(":") or name.text[:-1] in self.prefixes:
            raise _NotBounded
        self.prefixes[name.text[:-1]] = _absolute(iri.text[1:-1])

    def _projection(self) -> None:
        if (token := self._peek()) is not None and token.keyword in ("DISTINCT", "REDUCED"):
            self.at += 1
        first = self._next()
        if first.kind == "op" and first.text == "*":
            return
        if first.kind != "var":
            raise _NotBounded
        while (token := self._peek()) is not None and token.kind == "var":
            self.at += 1

    def _modifiers(self) -> None:
        while self._peek() is not None:
            if self._next().keyword not in ("LIMIT", "OFFSET") or not self._expect("number").text.isdigit():
                raise _NotBounded

    def _group(self, template: bool) -> list[Pattern]:
        """`{ triples (FILTER(...))* }` with no nested group; its patterns."""
        self._expect("open")
        body: list[Token] = []
        while (token := self._next()).kind != "close":
            if token.kind == "open":
                raise _NotBounded
            if token.keyword == "FILTER":
                if template:
                    raise _NotBounded
                self._filter()
                continue
            body.append(token)
        return self._triples(body, require_constant=not template)

    def _filter(self) -> None:
        """FILTER ( ... ) of safe functions, comparisons, terms; nothing that makes a value grow."""
        self._expect("bracket")
        if self.tokens[self.at - 1].text != "(":
            raise _NotBounded
        depth = 1
        while depth:
            token = self._next()
            if token.kind == "bracket":
                if token.text != "(":
                    raise _NotBounded
                depth += 1
            elif token.kind == "unbracket":
                if token.text != ")":
                    raise _NotBounded
                depth -= 1
            elif token.kind == "word":
                if token.keyword not in SAFE_FUNCTIONS:
                    raise _NotBounded
            elif token.kind == "op":
                if token.text not in FILTER_OPS:
                    raise _NotBounded
            elif token.kind == "punct":
                if token.text != ",":
                    raise _NotBounded
            elif token.kind not in ("var", "string", "iri", "pname", "number", "langtag"):
                raise _NotBounded

    def _triples(self, body: list[Token], require_constant: bool) -> list[Pattern]:
        """`s p o (, o)* (; p o (, o)*)* .` repeated; each pattern's terms (with a constant subject
        or object each, unless this is a CONSTRUCT template)."""
        patterns: list[Pattern] = []
        i = 0

        def term(position: str) -> tuple[Term, bool]:  # the term and whether it is a constant
            nonlocal i
            if i >= len(body):
                raise _NotBounded
            token = body[i]
            i += 1
            follows = body[i] if i < len(body) else None
            if token.kind in ("var", "bnode"):
                return None, False
            if token.kind == "word" and token.keyword == "A" and position == "p":
                return RDF_TYPE, True
            if token.kind == "iri":
                return NamedNode(_absolute(token.text[1:-1])), True
            if token.kind == "pname":
                return NamedNode(self._expand(token.text)), True
            if position == "p":
                raise _NotBounded
            if token.kind == "string":
                if follows is not None and follows.kind == "langtag":
                    i += 1
                    return None, True
                if follows is not None and follows.kind == "op" and follows.text == "^^":
                    i += 1
                    datatype = body[i] if i < len(body) else None
                    if datatype is None or datatype.kind not in ("iri", "pname"):
                        raise _NotBounded
                    i += 1
                    return None, True
                quote = 3 if token.text[:3] in ('"""', "'''") else 1
                return Literal(token.text[quote:-quote]), True
            if token.kind == "number" or token.keyword in ("TRUE", "FALSE"):
                return None, True
            raise _NotBounded

        def punct(text: str) -> bool:
            nonlocal i
            if i < len(body) and body[i].kind == "punct" and body[i].text == text:
                i += 1
                return True
            return False

        while i < len(body):
            subject, subject_constant = term("s")
            while True:
                predicate, _ = term("p")
                while True:
                    obj, object_constant = term("o")
                    if require_constant and not (subject_constant or object_constant):
                        raise _NotBounded
                    patterns.append(Pattern(subject, predicate, obj))
                    if not punct(","):
                        break
                if not punct(";"):
                    break
            if not punct(".") and i < len(body):
                raise _NotBounded
        return patterns

    def _expand(self, pname: str) -> str:
        prefix, local = pname.split(":", 1)
        if prefix not in self.prefixes:
            raise _NotBounded
        return self.prefixes[prefix] + local


def _absolute(iri: str) -> str:
    """An IRI as written, if it is absolute (a relative one would resolve against a base)."""
    if not _SCHEME.match(iri):
        raise _NotBounded
    return iri
