"""Static HTML snapshots of the widgets, for notebooks exported without a kernel.

Everything that comes from cases, outputs, scores or the user's filters is untrusted and goes
through :func:`html.escape`; the markup around it is constant.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

# Scoped to the snapshot's own class so that it cannot restyle the rest of the page.
_STYLE = (
    "<style>.wb-snapshot table{border-collapse:collapse;font-size:12px}"
    ".wb-snapshot th,.wb-snapshot td{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}"
    ".wb-snapshot .wb-snap-error{color:#b00020;white-space:pre-wrap}</style>"
)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt_number(value: Any) -> str:
    """A score for display: 3 significant digits, '' when missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _cell(column: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    value = row.get(column["key"])
    kind = column.get("kind")
    if kind == "tags":
        return ", ".join(_e(t) for t in value or [])
    if kind == "score":
        text = _e(fmt_number(value))
        passed = row.get(column.get("passed", ""))
        return text + (" ✗" if passed is False else " ✓" if passed is True else "")
    if kind == "output" and value is None and row.get(column.get("error", "")):
        return "<i>error: " + _e(row[column["error"]]) + "</i>"
    return _e(fmt_number(value) if isinstance(value, float) else value)


def active_filters(
    tag_expr: str, query: str, metadata: Mapping[str, Any], score_filter: Mapping[str, Any]
) -> list[str]:
    """The active filters as short plain-text descriptions (not escaped)."""
    out = []
    if tag_expr.strip():
        out.append(f"tags: {tag_expr.strip()}")
    if query.strip():
        out.append(f"text contains: {query.strip()!r}")
    for col, value in metadata.items():
        if value not in ([], ()):
            out.append(f"{col} = {json.dumps(value, default=str, ensure_ascii=False)}")
    if score_filter.get("metric"):
        op = score_filter.get("op", "failed")
        model = score_filter.get("model") or "any model"
        value = f" {score_filter.get('value')}" if op not in ("failed", "passed", "missing") else ""
        out.append(f"score {score_filter['metric']} ({model}) {op}{value}")
    return out


def browser_html(
    *,
    columns: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
    n_total: int,
    n_filtered: int,
    page: int,
    n_pages: int,
    filters: Sequence[str],
    error: str = "",
) -> str:
    """The case browser as a static table: counts, active filters, error, the current page."""
    parts = ['<div class="wb-snapshot workbench-case-browser">', _STYLE]
    parts.append(
        f"<p><b>CaseBrowser</b>: {n_filtered:,} of {n_total:,} cases"
        f" &middot; page {page + 1} of {n_pages} &middot; {len(rows)} shown</p>"
    )
    if filters:
        parts.append("<p>Filters: " + "; ".join(f"<code>{_e(f)}</code>" for f in filters) + "</p>")
    else:
        parts.append("<p>Filters: none</p>")
    if error:
        parts.append(f'<pre class="wb-snap-error">{_e(error)}</pre>')
    head = "".join(f"<th>{_e(c['label'])}</th>" for c in columns)
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_cell(c, row)}</td>" for c in columns) + "</tr>")
    parts.append("</tbody></table>")
    if not rows:
        parts.append("<p><i>No case matches the filters.</i></p>")
    parts.append("<p><small>Static snapshot taken when the browser was displayed.</small></p></div>")
    return "\n".join(parts)


def explorer_html(
    *,
    metric: str,
    stat: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    selected_slice: str = "",
    error: str = "",
) -> str:
    """The slice explorer as a static table: slice x model estimates with intervals and counts."""
    parts = ['<div class="wb-snapshot workbench-slice-explorer">', _STYLE]
    parts.append(f"<p><b>SliceExplorer</b>: {_e(stat)} of <code>{_e(metric)}</code> by slice and model, "
                 "largest gap between models first</p>")  # fmt: skip
    if selected_slice:
        parts.append(f"<p>Selected slice: <code>{_e(selected_slice)}</code></p>")
    if error:
        parts.append(f'<pre class="wb-snap-error">{_e(error)}</pre>')
    head = "<th>slice</th><th>gap</th>"
    head += "".join(f"<th>{_e(c)}</th>" for c in columns)
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    for row in rows:
        cells = [f"<td>{_e(row['label'])}</td>", f"<td>{_e(fmt_number(row['gap']))}</td>"]
        for cell in row["cells"]:
            cells.append(f"<td>{_e(estimate_text(cell))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    return "\n".join(parts)


def estimate_text(cell: Mapping[str, Any]) -> str:
    """``0.75 [0.25, 1] n=4`` (or the note when there is no estimate)."""
    if cell.get("est") is None:
        return f"– n={cell.get('n', 0)}" + (f" ({cell['note']})" if cell.get("note") else "")
    interval = ""
    if cell.get("lo") is not None and cell.get("hi") is not None:
        interval = f" [{fmt_number(cell['lo'])}, {fmt_number(cell['hi'])}]"
    return f"{fmt_number(cell['est'])}{interval} n={cell.get('n', 0)}"
