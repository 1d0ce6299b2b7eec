"""The SPARQL 1.1 lexer every text check shares: strings, IRIs, comments and names as the grammar
(§19.8) defines them, so what it calls code is what an engine parses as code.

It does not validate the grammar; it splits the text so that keywords are never looked for inside
a string, an IRI or a comment, and never missed outside them. Where the grammar and a parser may
read the same characters two ways (a comment ended by a carriage return, a `\\u` escape that
SPARQL §19.2 expands over the whole text before lexing), it follows the reading that shows the
most code: a comment ends at CR or LF, and escapes that could change what is code are refused by
`check_escapes` before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


class SparqlTextError(ValueError):
    """Text that cannot be read as SPARQL the way an engine would (the engine answers it as 400)."""

_ESCAPE = r"""\\(?:[tbnrf\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F\u2040]"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[^\W\d_](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?"
_PN_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?"
_EXPONENT = r"[eE][+-]?[0-9]+"

_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<space>[ \t\r\n]+)",
            r"(?P<comment>\#[^\r\n]*)",
            r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
            rf'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|{_ESCAPE}))*"""'
            rf"|'''(?:(?:'|'')?(?:[^'\\]|{_ESCAPE}))*'''"
            rf'|"(?:[^"\\\n\r]|{_ESCAPE})*"'
            rf"|'(?:[^'\\\n\r]|{_ESCAPE})*')",
            r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)",
            rf"(?P<bnode>_:[\w](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?)",
            rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<word>[^\W\d]\w*)",
            rf"(?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.?[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)",
            r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<open>\{)|(?P<close>\})",
            r"(?P<bracket>[(\[])|(?P<unbracket>[)\]])",
            r"(?P<op>\^\^|&&|\|\||!=|<=|>=|[=<>!+\-*/|^?])",
            r"(?P<punct>[^\s\\\"'#])",
        )
    )
)
_QUOTE = re.compile(r"[\"']")
_ANY_ESCAPE = re.compile(r"\\([uU])")


@dataclass(frozen=True)
class Token:
    # string, iri, comment, var, bnode, word (keywords), pname (prefixed names), number, langtag,
    # open / close (braces), bracket / unbracket (parentheses, square brackets), op, punct
    kind: str
    text: str
    start: int
    end: int
    depth: int  # brace depth at the token

    @property
    def keyword(self) -> str:
        """The upper-cased text of a bare word (SPARQL keywords are case-insensitive), else ''."""
        return self.text.upper() if self.kind == "word" else ""


def position(text: str, offset: int) -> str:
    """'line L, column C' of an offset, as people count them (from 1)."""
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text (comments and strings included, whitespace not); raises
    SparqlTextError where no token can start (a lone backslash, an unterminated string)."""
    depth, at, end = 0, 0, len(text)
    while at < end:
        match = _TOKEN.match(text, at)
        if match is None:
            what = "unterminated string" if _QUOTE.match(text, at) else f"unexpected {text[at]!r}"
            raise SparqlTextError(f"syntax error at {position(text, at)}: {what}")
        kind = match.lastgroup or "punct"
        at = match.end()
        if kind == "space":
            continue
        if kind == "close":
            depth -= 1
        yield Token(kind, match.group(), match.start(), match.end(), depth)
        if kind == "open":
            depth += 1


def _ordinary(char: str) -> bool:
    """A character that means the same wherever an escape is expanded: a letter or digit, or any
    non-ASCII character (SPARQL's quotes, brackets, comment marks and white space are all ASCII)."""
    return char.isalnum() or ord(char) > 0x7F


def check_escapes(text: str) -> None:
    """Refuse `\\u` / `\\U` escapes that could change what is code: an engine that expands them
    over the whole text (SPARQL §19.2) and one that expands them only inside strings and IRIs must
    split the text into the same tokens. Escapes of letters, digits and non-ASCII characters are
    kept; escapes of quotes, brackets, spaces, '#', '\\' and the like are refused."""
    for match in _ANY_ESCAPE.finditer(text):
        width = 4 if match.group(1) == "u" else 8
        digits = text[match.end() : match.end() + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            code = int(digits, 16)
            if code <= 0x10FFFF and _ordinary(chr(code)):
                continue
        raise SparqlTextError(
            f"escape {text[match.start() : match.end() + width]!r} at {position(text, match.start())} is "
            "not accepted: write the character itself (escapes are accepted only for letters, digits "
            "and non-ASCII characters)"
        )
