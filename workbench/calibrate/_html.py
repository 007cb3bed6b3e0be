"""HTML rendering of calibration reports. Every value is escaped: outputs and rationales are untrusted."""

from __future__ import annotations

import html
from typing import Any

import polars as pl

_MAX_CELL = 300
_STYLE = (
    "<style>.wb-cal table{border-collapse:collapse;margin:4px 0 12px}.wb-cal td,.wb-cal th"
    "{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;font-size:12px}"
    ".wb-cal h4{margin:10px 0 4px}.wb-cal .wb-note{color:#555;font-size:12px}</style>"
)


def cell(value: Any) -> str:
    """One escaped table cell's text (numbers rounded, long text cut)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return html.escape(f"{value:.3f}" if value == value else "NaN")
    text = str(value)
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    return html.escape(text)


def table(frame: pl.DataFrame | None, max_rows: int = 20) -> str:
    """A polars frame as an escaped HTML table (the first ``max_rows`` rows)."""
    if frame is None or frame.width == 0:
        return "<p class='wb-note'>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.head(max_rows).iter_rows()
    )
    more = f"<p class='wb-note'>… {frame.height - max_rows} more rows</p>" if frame.height > max_rows else ""
    empty = "<p class='wb-note'>(none)</p>" if frame.height == 0 else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{empty}{more}"


def section(title: str, content: str) -> str:
    return f"<h4>{html.escape(title)}</h4>{content}"


def note(text: str) -> str:
    return f"<p class='wb-note'>{html.escape(text)}</p>"


def report(title: str, parts: list[str]) -> str:
    return f"{_STYLE}<div class='wb-cal'><b>{html.escape(title)}</b>{''.join(parts)}</div>"
