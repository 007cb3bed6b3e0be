"""Building a golden set's provenance record from the steps that made it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from workbench._table import as_table
from workbench.golden._dedupe import Deduped
from workbench.golden._sample import Sample


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def traffic_provenance(
    *,
    source: str | os.PathLike[str] | None = None,
    deduped: Deduped | None = None,
    sample: Any = None,
    scrub_report: Any = None,
    id: str = "request_id",
    case_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A provenance dict for :func:`export_golden` from the traffic steps.

    Args:
        source: The traffic file (its name and sha256 are recorded; a folder or glob records
            the path only).
        deduped: The :func:`dedupe` result (its stats and parameters).
        sample: The :func:`sample_for_coverage` result or the frame the cases were built from
            (polars or pandas);
            ``request_ids`` maps each case id (``case_id`` column, default the ``id`` column) to
            the traffic rows it stands for (``member_ids`` when present, else its own id).
        scrub_report: workbench.traffic's ``PiiReport`` (counts per column and type) or a dict.
        extra: Anything else to record.

    Example:
        >>> traffic_provenance(extra={"note": "March traffic"})
        {'note': 'March traffic'}
    """
    out: dict[str, Any] = {}
    if source is not None:
        p = Path(source)
        out["source"] = {"path": str(p), "sha256": file_sha256(p) if p.is_file() else None}
    if scrub_report is not None:
        if isinstance(scrub_report, Mapping):
            out["scrub"] = dict(scrub_report)
        else:
            counts = getattr(scrub_report, "counts", None)
            if not isinstance(counts, Mapping):
                raise TypeError(
                    f"scrub_report must be a PiiReport or a dict, got {type(scrub_report).__name__}"
                )
            out["scrub"] = {
                "n_rows": getattr(scrub_report, "n_rows", None),
                "rows_affected": getattr(scrub_report, "rows_affected", None),
                "counts": {":".join(k) if isinstance(k, tuple) else str(k): v for k, v in counts.items()},
            }
    if deduped is not None:
        out["dedupe"] = {**deduped.stats.to_dict(), "params": deduped.params}
    if sample is not None:
        key = case_id or id
        frame = as_table(
            sample,
            param="sample",
            func="traffic_provenance",
            columns=[key],
            expected="the case ids (pass case_id= to name the column)",
        )
        if isinstance(sample, Sample):
            out["sampling"] = {**sample.params, "tv_distance": round(sample.tv_distance, 6)}
        if "member_ids" in frame.columns:
            pairs = frame.select(pl.col(key).cast(pl.String), "member_ids").rows()
            out["request_ids"] = {k: list(v) for k, v in pairs}
        else:
            out["request_ids"] = {str(k): [str(k)] for k in frame[key].to_list()}
    if extra:
        out.update(extra)
    return out
