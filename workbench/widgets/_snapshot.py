"""Static HTML snapshots of the widgets, for notebooks exported without a kernel.

Everything that comes from cases, outputs, scores or the user's filters is untrusted and goes
through :func:`workbench._html.cell` (escaped, long text cut), the one escaping of every
``_repr_html_``; the markup around it is constant. The snapshots keep their own layout (a score
cell carries its pass/fail mark, a failed call its error), so their rows are assembled here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from workbench._html import cell
from workbench._html import markup_table as _table

#: Filters and error messages are shown whole (table cells are cut by :func:`cell`).
_WHOLE = 100_000

# Scoped to the snapshot's own class so that it cannot restyle the rest of the page.
_STYLE = (
    "<style>.wb-snapshot table{border-collapse:collapse;font-size:12px}"
    ".wb-snapshot th,.wb-snapshot td{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}"
    ".wb-snapshot .wb-snap-error{color:#b00020;white-space:pre-wrap}</style>"
)


def _e(value: Any) -> str:
    """Escaped text shown whole (a filter, an error message)."""
    return cell("" if value is None else str(value), _WHOLE)


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
        return cell(list(value or []))
    if kind == "score":
        passed = row.get(column.get("passed", ""))
        return cell(fmt_number(value)) + (" ✗" if passed is False else " ✓" if passed is True else "")
    if kind == "output" and value is None and row.get(column.get("error", "")):
        return "<i>error: " + cell(row[column["error"]]) + "</i>"
    return cell(value)


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
    parts.append(_table([c["label"] for c in columns], [[_cell(c, row) for c in columns] for row in rows]))
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
    body = [
        [cell(row["label"]), cell(fmt_number(row["gap"])), *(cell(estimate_text(c)) for c in row["cells"])]
        for row in rows
    ]
    parts.append(_table(["slice", "gap", *columns], body) + "</div>")
    return "\n".join(parts)


def estimate_text(cell: Mapping[str, Any]) -> str:
    """``0.75 [0.25, 1] n=4`` (or the note when there is no estimate)."""
    if cell.get("est") is None:
        return f"– n={cell.get('n', 0)}" + (f" ({cell['note']})" if cell.get("note") else "")
    interval = ""
    if cell.get("lo") is not None and cell.get("hi") is not None:
        interval = f" [{fmt_number(cell['lo'])}, {fmt_number(cell['hi'])}]"
    return f"{fmt_number(cell['est'])}{interval} n={cell.get('n', 0)}"
