"""Differences between two versions of a golden set: added, removed and changed cases, field by field."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

from workbench._html import note, report, table
from workbench.cases import Case, CaseSet
from workbench.cases._case import canonical_json
from workbench.golden._cases import as_cases

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

    def _field_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.changed:
            for f in c.fields:
                key = "metadata" if f.startswith("metadata.") else f
                counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def describe(self) -> str:
        """One line, e.g. ``2 added, 1 removed, 3 changed (reference: 2, tags: 1)``."""
        detail = ", ".join(f"{k}: {v}" for k, v in self._field_counts().items())
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed" + (
            f" ({detail})" if detail else ""
        )

    def summary(self) -> pl.DataFrame:
        """Cases per ``change`` ("added", "removed", "changed"), then per changed ``field``.

        ``field`` is null on the three totals; ``metadata`` counts cases with any metadata change.
        """
        rows: list[tuple[str, str | None, int]] = [
            ("added", None, len(self.added)),
            ("removed", None, len(self.removed)),
        ]
        rows += [("changed", None, len(self.changed))]
        rows += [("changed", f, n) for f, n in self._field_counts().items()]
        schema = {"change": pl.String, "field": pl.String, "n": pl.Int64}
        return pl.DataFrame(rows, schema=schema, orient="row")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the changelog in a manifest; its ``summary`` is :meth:`describe`)."""
        return {
            "summary": self.describe(),
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [
                {"case_id": c.case_id, "fields": list(c.fields), "before": c.before, "after": c.after}
                for c in self.changed
            ],
        }

    @cached_property
    def table(self) -> pl.DataFrame:
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

    def to_pandas(self) -> Any:
        return self.table.to_pandas()

    def __repr__(self) -> str:
        return f"VersionDiff({self.describe()})"

    def _repr_html_(self) -> str:
        return report("VersionDiff", [note(self.describe()), table(self.table, max_rows=50)])


def _as_caseset(x: Any, param: str) -> CaseSet:
    from workbench.golden._version import GoldenVersion, load_golden

    if isinstance(x, CaseSet):
        return x
    if isinstance(x, GoldenVersion):
        return x.load()
    if isinstance(x, str | os.PathLike):
        return load_golden(x)
    try:
        return CaseSet(as_cases(x, "diff_versions", param))
    except TypeError:
        raise TypeError(
            f"diff_versions(): {param} must be a CaseSet, a GoldenVersion, a version folder or a cases "
            f"table, got {type(x).__name__}"
        ) from None


def _fields(case: Case) -> dict[str, Any]:
    canon = case.canonical()
    out = {f: canon[f] if f != "context" and f != "tags" else list(canon[f]) for f in FIELDS}
    for k, v in canon["metadata"].items():
        out[f"metadata.{k}"] = v
    return out


def diff_versions(a: Any, b: Any) -> VersionDiff:
    """Cases added, removed and changed from ``a`` to ``b``, comparing each field exactly.

    ``a`` and ``b`` are CaseSets, :class:`GoldenVersion` objects, version folders, lists of
    cases or cases tables. Metadata is compared key by key (``metadata.difficulty``); a null
    metadata value counts as absent.

    Example:
        >>> a = CaseSet([Case("x", "Hi"), Case("y", "Bye")])
        >>> b = CaseSet([Case("x", "Hello"), Case("z", "New")])
        >>> diff_versions(a, b).describe()
        '1 added, 1 removed, 1 changed (input: 1)'
    """
    ca, cb = _as_caseset(a, "a"), _as_caseset(b, "b")
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
