"""Replace spans of a query text (found by the lexer) with new text, right to left so that the
offsets of the spans not yet replaced stay true."""

from __future__ import annotations

from collections.abc import Iterable


def replace_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each (start, end) span replaced by its new text; spans must not overlap."""
    for start, end, new in sorted(spans, key=lambda span: -span[0]):
        text = f"{text[:start]}{new}{text[end:]}"
    return text
