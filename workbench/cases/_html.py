"""HTML summary of a CaseSet for notebooks. Case texts are untrusted: everything is escaped."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.cases._case import Case
    from workbench.cases._caseset import CaseSet

_ROWS = 5
_TAGS = 12
_WIDTH = 120


def _short(value: Any, width: int = _WIDTH) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _input_text(case: Case) -> str:
    if isinstance(case.input, str):
        return case.input
    return " / ".join(f"[{m['role']}] {m['content']}" for m in case.input)


def caseset_html(cs: CaseSet) -> str:
    """Size, version, source, tag counts and the first rows, all HTML-escaped."""
    e = html.escape
    parts = ['<div class="workbench-caseset">']
    source = f" &middot; source <code>{e(cs.source)}</code>" if cs.source else ""
    parts.append(
        f"<p><b>CaseSet</b>: {len(cs)} case{'' if len(cs) == 1 else 's'} &middot; version <code>{e(cs.version)}</code>{source}</p>"
    )
    counts = cs.tag_counts()
    if counts.height:
        shown = ", ".join(f"<code>{e(t)}</code>&nbsp;{n}" for t, n in counts.head(_TAGS).iter_rows())
        more = f" (+{counts.height - _TAGS} more)" if counts.height > _TAGS else ""
        parts.append(f"<p>Tags: {shown}{more}</p>")
    meta = list(cs.metadata_columns)
    header = ["id", "input", "reference", "tags", *meta]
    parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>")
    for case in list(cs)[:_ROWS]:
        cells = [case.id, _input_text(case), case.reference, ", ".join(case.tags)]
        cells += [case.metadata.get(m) for m in meta]
        parts.append("<tr>" + "".join(f"<td>{e(_short(c))}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table>")
    if len(cs) > _ROWS:
        parts.append(f"<p>&hellip; {len(cs) - _ROWS} more cases</p>")
    parts.append("</div>")
    return "\n".join(parts)
