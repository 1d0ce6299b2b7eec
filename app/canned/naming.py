"""How a canned answer is named: its parameters in one canonical order, and the file name a
download of it gets.

Two requests for the same answer (`?subject=sharks` and `?stated_only=false&subject=sharks`) get
the same name, so a folder of downloads, or a list of citations, holds each answer once. The web
page names its downloads by the same rules (app/static/web/ask.js, `fileName`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from app.canned.spec import CannedQuery

MAX_PART = 40  # characters of one parameter's value in a file name
MAX_STEM = 150  # characters of a whole file name before its extension
_UNSAFE = re.compile(r"[^a-z0-9]+")


def canonical(query: CannedQuery, raw: Mapping[str, Sequence[str | int]]) -> list[tuple[str, str]]:
    """The parameters the caller gave, sorted by name, leaving out empty ones, those the query does
    not take (`format`, `data_version`) and those given at their default value (the same answer)."""
    pairs: list[tuple[str, str]] = []
    for name in sorted(raw):
        parameter = query.parameter(name)
        if parameter is None or not raw[name]:
            continue
        value = str(raw[name][0]).strip()
        if value and (parameter.default is None or value != str(parameter.default)):
            pairs.append((name, value))
    return pairs


def slug(text: str, limit: int = MAX_PART) -> str:
    """Text safe in a file name on any system: ASCII letters (accents dropped: Förening → forening),
    digits and single hyphens, lower case, at most `limit` characters."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))  # as \p{M}
    return _UNSAFE.sub("-", plain.lower()).strip("-")[:limit].strip("-")


def file_name(name: str, pairs: Sequence[tuple[str, str]], extension: str) -> str:
    """`partners-covering_subject-sharks.csv`: the query, then each parameter as name-value."""
    parts = [name, *(f"{slug(key)}-{slug(value)}".strip("-") for key, value in pairs)]
    stem = "_".join(part for part in parts if part)[:MAX_STEM].strip("-_")
    return f"{stem}.{extension}"
