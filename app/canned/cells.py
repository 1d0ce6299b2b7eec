"""Multi-valued cells in a stable order, so the same data gives the same bytes on every run and
every backend.

Canned queries join several values into one cell with GROUP_CONCAT(...; separator="; "), whose
order SPARQL leaves to the engine: the same query gave "16; 20(c)" in one process and "20(c); 16"
in another. Each such cell is re-ordered here: numbers by value (so paragraphs come in report
order: 9, 10, 20(c), 20(d), 34), text by its case-folded letters.
"""

from __future__ import annotations

import re

SEPARATOR = "; "
_PARTS = re.compile(r"(\d+)")


def natural_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """Digits compare as numbers, the rest as case-folded text."""
    parts = (part for part in _PARTS.split(value) if part)
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold()) for part in parts)


def in_order(text: str) -> str:
    """A GROUP_CONCAT cell with its values sorted (and each once); any other text as it is."""
    if SEPARATOR not in text:
        return text
    values = dict.fromkeys(v for v in text.split(SEPARATOR) if v)
    return SEPARATOR.join(sorted(values, key=lambda v: (natural_key(v), v)))
