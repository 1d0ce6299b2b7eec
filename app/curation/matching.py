"""Where the graph's names occur in the report's text, and which words a description shares with it.

Names are matched as whole words ("Bonn" in "Bonn-based" counts), singular or plural,
case-insensitively, except acronyms ("CMS", "FAO"), which must match in capitals. Where names
overlap, the longest wins: "UN Environment Management Group" is one occurrence of the EMG, not also
one of "UN Environment". Copied wording is found as runs of
at least `COPY_RUN` words shared by a description and a part of the report, punctuation and case
aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

COPY_RUN = 12
MIN_NAME = 3
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9&./+-]*$")
# Typographic quotes as plain ones, so that a name or a phrase matches however the report prints it.
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_WORD = re.compile(r"[\w'-]+")


def normalise(text: str) -> str:
    text = text.translate(QUOTES)
    return " ".join(text.split())


@dataclass(frozen=True)
class Occurrence:
    name: str  # the name as the graph writes it
    start: int
    end: int


class NameMatcher:
    """Finds occurrences of a set of names in texts, longest name first."""

    def __init__(self, names: Iterable[str]) -> None:
        patterns: dict[str, re.Pattern[str]] = {}
        for name in names:
            clean = normalise(name)
            if len(clean) < MIN_NAME or clean in patterns:
                continue
            patterns[clean] = _pattern(clean)
        self._patterns = sorted(patterns.items(), key=lambda item: (-len(item[0]), item[0]))

    def occurrences(self, text: str) -> list[Occurrence]:
        text = normalise(text)
        taken: list[tuple[int, int]] = []
        found: list[Occurrence] = []
        for name, pattern in self._patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if any(start < t_end and t_start < end for t_start, t_end in taken):
                    continue
                taken.append((start, end))
                found.append(Occurrence(name, start, end))
        return sorted(found, key=lambda o: (o.start, o.name))

    def names_in(self, text: str) -> set[str]:
        return {o.name for o in self.occurrences(text)}

    def names_anywhere(self, text: str) -> set[str]:
        """The names that occur in the text, also inside longer names."""
        text = normalise(text)
        return {name for name, pattern in self._patterns if pattern.search(text)}


def _pattern(name: str) -> re.Pattern[str]:
    """A whole-word pattern for the name that also takes its plural or singular ("shark(s)")."""
    acronym = bool(_ACRONYM.match(name))
    parts = name.split()
    last = parts[-1]
    if acronym:
        tail = re.escape(last) + "s?"
    elif last[-1:].isalpha() and len(last) > 3:
        stem = last[:-1] if last.endswith("s") and not last.endswith("ss") else last
        tail = re.escape(stem) + "(?:s|es)?"
    else:
        tail = re.escape(last)
    body = r"\s+".join([*(re.escape(word) for word in parts[:-1]), tail])
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if acronym else re.IGNORECASE)


def words(text: str) -> list[str]:
    return [w.strip("'-").casefold() for w in _WORD.findall(normalise(text)) if w.strip("'-")]


class Shingles:
    """A text's words and its runs of `COPY_RUN` words, computed once."""

    def __init__(self, text: str, run: int = COPY_RUN) -> None:
        self.words = words(text)
        self.run = run
        self.grams = {tuple(self.words[i : i + run]) for i in range(len(self.words) - run + 1)}


def shared_run(description: str, text: str | Shingles) -> str | None:
    """The longest run of at least `COPY_RUN` consecutive words the two texts share, or None."""
    other = text if isinstance(text, Shingles) else Shingles(text)
    mine, theirs, grams, run = words(description), other.words, other.grams, other.run
    if len(mine) < run or not grams:
        return None
    best: tuple[int, int] | None = None
    i = 0
    while i <= len(mine) - run:
        if tuple(mine[i : i + run]) in grams:
            j = i + run
            while j < len(mine) and _extends(mine[i : j + 1], theirs):
                j += 1
            if best is None or j - i > best[1] - best[0]:
                best = (i, j)
            i = j
        else:
            i += 1
    return " ".join(mine[best[0] : best[1]]) if best else None


def _extends(run: list[str], theirs: list[str]) -> bool:
    n = len(run)
    return any(theirs[k : k + n] == run for k in range(len(theirs) - n + 1))
