"""Differences between two versions of a golden set: added, removed and changed cases, field by field."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.cases import Case, CaseSet
from workbench.cases._case import canonical_json

FIELDS = ("input", "reference", "context", "tags")


@dataclass(frozen=True)
class CaseChange:
    """One changed case: the fields that differ (``metadata.<key>`` per metadata key) and their values."""

    case_id: str
    fields: tuple[str, ...]
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class VersionDiff:
    """What changed from version ``a`` to version ``b`` (ids sorted)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[CaseChange, ...]

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return tuple(c.case_id for c in self.changed)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        """One line, e.g. ``2 added, 1 removed, 3 changed (reference: 2, tags: 1)``."""
        counts: dict[str, int] = {}
        for c in self.changed:
            for f in c.fields:
                key = "metadata" if f.startswith("metadata.") else f
                counts[key] = counts.get(key, 0) + 1
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed" + (
            f" ({detail})" if detail else ""
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the changelog in a manifest)."""
        return {
            "summary": self.summary(),
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [
                {"case_id": c.case_id, "fields": list(c.fields), "before": c.before, "after": c.after}
                for c in self.changed
            ],
        }

    def to_polars(self) -> pl.DataFrame:
        """One row per added/removed case and per changed field; values as JSON text."""
        rows = [
            {"case_id": i, "change": "added", "field": None, "before": None, "after": None}
            for i in self.added
        ]
        rows += [
            {"case_id": i, "change": "removed", "field": None, "before": None, "after": None}
            for i in self.removed
        ]
        for c in self.changed:
            for f in c.fields:
                rows.append(
                    {
                        "case_id": c.case_id,
                        "change": "changed",
                        "field": f,
                        "before": canonical_json(c.before.get(f)),
                        "after": canonical_json(c.after.get(f)),
                    }
                )
        schema = {
            "case_id": pl.String,
            "change": pl.String,
            "field": pl.String,
            "before": pl.String,
            "after": pl.String,
        }
        return pl.DataFrame(rows, schema=schema)

    def __repr__(self) -> str:
        return f"VersionDiff({self.summary()})"

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in r.values())
            + "</tr>"
            for r in self.to_polars().iter_rows(named=True)
        )
        return (
            f"<p><b>VersionDiff</b>: {html.escape(self.summary())}</p>"
            "<table><tr><th>case_id</th><th>change</th><th>field</th><th>before</th><th>after</th></tr>"
            f"{rows}</table>"
        )


def _as_caseset(x: Any) -> CaseSet:
    if isinstance(x, CaseSet):
        return x
    if isinstance(x, str | os.PathLike) or hasattr(x, "load"):
        from workbench.golden._version import load_golden

        return load_golden(x) if isinstance(x, str | os.PathLike) else x.load()
    if isinstance(x, Iterable):
        return CaseSet(x)
    raise TypeError(
        f"diff_versions(): expected a CaseSet, a GoldenVersion or a version folder, got {type(x).__name__}"
    )


def _fields(case: Case) -> dict[str, Any]:
    canon = case.canonical()
    out = {f: canon[f] if f != "context" and f != "tags" else list(canon[f]) for f in FIELDS}
    for k, v in canon["metadata"].items():
        out[f"metadata.{k}"] = v
    return out


def diff_versions(a: Any, b: Any) -> VersionDiff:
    """Cases added, removed and changed from ``a`` to ``b``, comparing each field exactly.

    ``a`` and ``b`` are CaseSets, :class:`GoldenVersion` objects or version folders. Metadata is
    compared key by key (``metadata.difficulty``); a null metadata value counts as absent.

    Example:
        >>> a = CaseSet([Case("x", "Hi"), Case("y", "Bye")])
        >>> b = CaseSet([Case("x", "Hello"), Case("z", "New")])
        >>> diff_versions(a, b).summary()
        '1 added, 1 removed, 1 changed (input: 1)'
    """
    ca, cb = _as_caseset(a), _as_caseset(b)
    ia, ib = {c.id: c for c in ca}, {c.id: c for c in cb}
    changed = []
    for cid in sorted(ia.keys() & ib.keys()):
        fa, fb = _fields(ia[cid]), _fields(ib[cid])
        names = [
            k
            for k in list(fa) + [k for k in fb if k not in fa]
            if json.dumps(fa.get(k), sort_keys=True, default=str)
            != json.dumps(fb.get(k), sort_keys=True, default=str)
        ]
        if names:
            changed.append(
                CaseChange(cid, tuple(names), {k: fa.get(k) for k in names}, {k: fb.get(k) for k in names})
            )
    return VersionDiff(
        added=tuple(sorted(ib.keys() - ia.keys())),
        removed=tuple(sorted(ia.keys() - ib.keys())),
        changed=tuple(changed),
    )
