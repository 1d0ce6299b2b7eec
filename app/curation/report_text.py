"""Split the text of the report (a PDF extraction) into the parts facts are cited to.

The parts are keyed by the number the graph gives them (`cms:number`): "title page", "summary",
"1" to "45", "20(a)" to "20(g)", "footnote 1", "footnote 2" and "action requested". A part also
keeps the section headings printed just before it (the heading "UNEP 2015 Strategic Group" names
what paragraph 32 calls "this Group"). The extraction's quirks are undone here, once, so that
every tool compares the graph with the same text: page headers are dropped, superscripts split
over lines ("11" / "th") are joined, footnote markers and section headings are left out of the
paragraphs, the footnotes printed inside paragraph 31 are taken out of it (the web address printed after them
goes to the end of that paragraph, whose passage it belongs to), and whitespace is collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FRONT = "title page"
SUMMARY = "summary"
ACTION = "action requested"

_PARAGRAPH = re.compile(r"^\s*(\d{1,2})\.\s+(?=[A-Z])")
_ITEM = re.compile(r"^\s*([a-g])\)\s+")
_FOOTNOTE = re.compile(r"^\s*([1-9])\s{2,}(?=\S)")
_SUPERSCRIPT = re.compile(r"^(st|nd|rd|th)\b")
_SENTENCE_END = re.compile(r"[.:;](?:[\"\u201d\u2019)]*)\s*$")
_SYMBOL = "UNEP/CMS/COP11/Doc.21.1"


@dataclass(frozen=True)
class Part:
    """One part of the report: its number as the graph gives it, its cleaned text, and the
    headings printed just before it."""

    number: str
    text: str
    heading: str = ""


def _lines(raw: str) -> list[str]:
    """The non-blank lines, without page headers (the symbol line and the page number after it)."""
    lines = [line.rstrip() for line in raw.splitlines()]
    kept: list[str] = []
    skip_number = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if skip_number and stripped.isdigit():
            skip_number = False
            continue
        if stripped == _SYMBOL and index > 100:  # the header of pages 2 onwards
            skip_number = True
            continue
        skip_number = False
        kept.append(line)
    return _join_superscripts(kept)


def _join_superscripts(lines: list[str]) -> list[str]:
    """'11' / 'th' / ' MEETING' -> '11th MEETING': an ordinal suffix alone on its line."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        ordinal = _SUPERSCRIPT.match(stripped)
        if out and ordinal and re.search(r"\d\s*$", out[-1]):
            suffix = ordinal.group(1)
            out[-1] = out[-1].rstrip() + suffix + " " + stripped[len(suffix) :].strip()
        else:
            out.append(line)
    return out


def _clean(lines: list[str]) -> str:
    text = " ".join(line.strip() for line in lines)
    text = text.replace("\u00a0", " ")
    return " ".join(text.split())


def _split_heading(lines: list[str]) -> tuple[list[str], list[str]]:
    """A part's text ends at its last sentence: the lines after it are the next part's headings."""
    for end in range(len(lines) - 1, -1, -1):
        if _SENTENCE_END.search(lines[end]):
            return lines[: end + 1], lines[end + 1 :]
    return lines, []


def parse(raw: str) -> dict[str, Part]:
    """The parts of the report text, in the order they appear."""
    lines = _lines(raw)
    chunks: dict[str, list[str]] = {FRONT: []}
    headings: dict[str, list[str]] = {}
    order = [FRONT]
    current = FRONT
    expected_paragraph = 1
    expected_item = "a"
    interrupted: str | None = None  # the paragraph the footnotes were printed inside
    addresses: dict[str, list[str]] = {}  # web addresses printed after footnotes, by paragraph

    def start(number: str, first: str) -> str:
        """End the current part (its trailing headings go to the new one) and start `number`."""
        ending = chunks[current]
        if current == FRONT:
            heading = [ending.pop()] if ending and ending[-1].strip() == "Introduction" else []
        elif current == ACTION:
            heading = []
        else:
            kept, heading = _split_heading(ending)
            chunks[current] = kept
        chunks[number], headings[number] = [first] if first else [], heading
        order.append(number)
        return number

    for line in lines:
        stripped = line.strip()
        if current == FRONT and stripped.startswith("Summary:"):
            current = start(SUMMARY, "")
            continue
        if current == SUMMARY and stripped.startswith("REPORT ON SYNERGIES AND PARTNERSHIPS"):
            current = FRONT  # the title and author printed after the summary belong to the title page
            chunks[current].append(line)
            continue
        if stripped.startswith("Action requested:"):
            current = start(ACTION, "")
            continue
        if interrupted is not None:
            if stripped.startswith("http"):
                addresses.setdefault(interrupted, []).append(stripped)
                current, interrupted = interrupted, None
                continue
            if not _FOOTNOTE.match(line):
                chunks[current].append(line)
                continue
        match = _PARAGRAPH.match(line)
        if match and int(match.group(1)) == expected_paragraph:
            expected_paragraph += 1
            current = start(match.group(1), line[match.end() :])
            continue
        match = _ITEM.match(line)
        if match and current.startswith("20") and match.group(1) == expected_item:
            number = f"20({expected_item})"
            expected_item = chr(ord(expected_item) + 1)
            current = start(number, line[match.end() :])
            continue
        match = _FOOTNOTE.match(line)
        if match and expected_paragraph > 26 and f"footnote {match.group(1)}" not in chunks:
            if interrupted is None:
                interrupted = current
            number = f"footnote {match.group(1)}"
            chunks[number], headings[number] = [line[match.end() :]], []
            order.append(number)
            current = number
            continue
        if re.fullmatch(r"\d", stripped) and current not in (FRONT, SUMMARY):
            continue  # a footnote marker printed on its own line
        chunks[current].append(line)
    parts: dict[str, Part] = {}
    for number in order:
        lines_of = chunks[number]
        if number not in (FRONT, ACTION):
            lines_of, _ = _split_heading(lines_of)
        text = _clean([*lines_of, *addresses.get(number, [])])
        parts[number] = Part(number, text, _clean(headings.get(number, [])))
    return parts


def read(path: Path) -> dict[str, Part]:
    return parse(path.read_text(encoding="utf-8"))
