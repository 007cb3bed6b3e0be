"""How well the PII detectors do on a labelled set: precision and recall per type.

A labelled set is a list of ``(text, spans)`` with gold spans ``(type, start, end)``. A finding is
right when it overlaps a gold span of its type, and a gold span is found when a finding of its
type overlaps it. Texts without spans are hard negatives: every finding there counts against
precision. :func:`load_pii_examples` reads the two file formats workbench's own sets use.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from workbench.traffic._detectors import PII_TYPES
from workbench.traffic._pii import scrub_text

Span = tuple[str, int, int]
_MARK = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]", re.DOTALL)


def parse_marked(marked: str) -> tuple[str, list[Span]]:
    """Turn ``a [[EMAIL:x@y.z]] b`` into the plain text and its labelled spans.

    Example:
        >>> parse_marked("mail [[EMAIL:a@b.co]] now")
        ('mail a@b.co now', [('EMAIL', 5, 11)])
    """
    parts: list[str] = []
    spans: list[Span] = []
    pos = length = 0
    for m in _MARK.finditer(marked):
        before = marked[pos : m.start()]
        parts.append(before)
        length += len(before)
        spans.append((m.group(1), length, length + len(m.group(2))))
        parts.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    parts.append(marked[pos:])
    return "".join(parts), spans


def load_pii_examples(path: str | Path) -> list[tuple[str, list[Span]]]:
    """A labelled JSONL file: one object per line, either ``{"marked": "... [[TYPE:value]] ..."}``
    or ``{"text": ..., "spans": [[type, start, end], ...]}``."""
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "marked" in row:
                out.append(parse_marked(row["marked"]))
            elif "text" in row and "spans" in row:
                out.append((row["text"], [(t, int(s), int(e)) for t, s, e in row["spans"]]))
            else:
                raise ValueError(f"{path}, line {number}: expected a 'marked' text or 'text' and 'spans'")
    return out


def pii_accuracy(examples: Iterable[tuple[str, Sequence[Span]]], **scrub_options: Any) -> pl.DataFrame:
    """Per PII type: labelled spans, findings, precision and recall of :func:`scrub_text` (with
    ``scrub_options``, e.g. ``regions=``) on a labelled set, plus the microseconds per text.

    A type with no findings has precision 1.0, and one with no labelled spans recall 1.0.

    Example:
        >>> pii_accuracy([("mail a@b.co now", [("EMAIL", 5, 11)]), ("order 12345", [])]).filter(
        ...     type="EMAIL").select("labelled", "found", "precision", "recall").row(0)
        (1, 1, 1.0, 1.0)
    """
    counts = {t: [0, 0, 0, 0] for t in PII_TYPES}  # labelled, found, found right, labelled found
    n = 0
    start = time.perf_counter()
    for text, gold in examples:
        n += 1
        found = [(f.type, f.start, f.end) for f in scrub_text(text, **scrub_options).findings]
        for f in found:
            counts[f[0]][1] += 1
            counts[f[0]][2] += any(_overlap(f, g) for g in gold)
        for g in gold:
            counts[g[0]][0] += 1
            counts[g[0]][3] += any(_overlap(g, f) for f in found)
    us = (time.perf_counter() - start) / max(n, 1) * 1e6
    return pl.DataFrame(
        {
            "type": list(counts),
            "labelled": [c[0] for c in counts.values()],
            "found": [c[1] for c in counts.values()],
            "precision": [c[2] / c[1] if c[1] else 1.0 for c in counts.values()],
            "recall": [c[3] / c[0] if c[0] else 1.0 for c in counts.values()],
            "texts": n,
            "us_per_text": us,
        }
    )


def _overlap(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
