"""A small SPARQL tokenizer: enough to find keywords and IRIs outside strings, IRIs and comments.

It does not validate; callers cross-check what they find against rdflib's parse of the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<var>[?$][A-Za-z0-9_]+)"
    r"|(?P<open>\{)|(?P<close>\})"
    r"|(?P<word>[A-Za-z_][\w\-:.]*|:[\w\-.]*)"
)


@dataclass(frozen=True)
class Token:
    kind: str  # string, iri, comment, var, open, close, word
    text: str
    start: int
    end: int
    depth: int  # brace depth at the token


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (comments and strings included, punctuation not)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        if kind == "close":
            depth -= 1
        yield Token(kind, match.group(), match.start(), match.end(), depth)
        if kind == "open":
            depth += 1
