"""The one escaped HTML table helper behind every ``_repr_html_``.

Model outputs, rationales and case texts are untrusted: every cell, header and title is escaped.
"""

from __future__ import annotations

import html
from typing import Any

import polars as pl

MAX_CELL = 300

_STYLE = (
    "<style>.wb-r table{border-collapse:collapse;margin:4px 0 12px}.wb-r td,.wb-r th"
    "{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;font-size:12px}"
    ".wb-r h4{margin:10px 0 4px}.wb-r .wb-note{color:#555;font-size:12px}</style>"
)


def cell(value: Any, max_len: int = MAX_CELL) -> str:
    """One escaped cell's text: floats to 3 significant digits, lists joined, long text cut."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "NaN" if value != value else html.escape(f"{value:.3g}")
    if isinstance(value, list | tuple):
        value = ", ".join("" if v is None else str(v) for v in value)
    text = str(value)
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return html.escape(text)


def table(frame: pl.DataFrame | None, max_rows: int = 20, max_cell: int = MAX_CELL) -> str:
    """A polars frame as an escaped HTML table of its first ``max_rows`` rows."""
    if frame is None or frame.width == 0:
        return note("(none)")
    rows = [[cell(v, max_cell) for v in row] for row in frame.head(max_rows).iter_rows()]
    more = note(f"… {frame.height - max_rows} more rows") if frame.height > max_rows else ""
    empty = note("(none)") if frame.height == 0 else ""
    return markup_table([str(c) for c in frame.columns], rows) + empty + more


def markup_table(head: list[str] | tuple[str, ...], rows: list[list[str]] | list[tuple[str, ...]]) -> str:
    """A table of escaped header texts and rows of cells that are markup already (built with
    :func:`cell`), for layouts a plain frame cannot give (a score with its pass mark...)."""
    header = "".join(f"<th>{cell(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def section(title: str, content: str) -> str:
    return f"<h4>{html.escape(title)}</h4>{content}"


def note(text: str) -> str:
    return f"<p class='wb-note'>{html.escape(text)}</p>"


def report(title: str, parts: list[str] | tuple[str, ...] = ()) -> str:
    """A titled block of parts (tables, sections, notes), styled once."""
    return f"{_STYLE}<div class='wb-r'><b>{html.escape(title)}</b>{''.join(parts)}</div>"
