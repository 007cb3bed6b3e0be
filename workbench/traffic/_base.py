"""The detector record shared by the PII detector modules, and two helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Validator = Callable[[str], bool]
Finder = Callable[[str], Iterator[tuple[int, int]]]


@dataclass(frozen=True)
class Detector:
    """One PII type: its precise finder, its Rust prefilter and an optional validator."""

    type: str
    find: Finder  # yields candidate (start, end) spans
    prefilter: str
    validate: Validator | None = None


def digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def regex_finder(pattern: str, group: int = 0) -> Finder:
    compiled = re.compile(pattern)

    def find(text: str) -> Iterator[tuple[int, int]]:
        for m in compiled.finditer(text):
            if m.group(group) is not None:
                yield m.span(group)

    return find


def cue_near(cue: re.Pattern[str], text: str, start: int, end: int, *, before: int, after: int = 0) -> bool:
    """Whether ``cue`` matches in the ``before`` characters ahead of a span or ``after`` behind it."""
    if cue.search(text, max(0, start - before), start):
        return True
    return bool(after) and cue.search(text, end, min(len(text), end + after)) is not None
