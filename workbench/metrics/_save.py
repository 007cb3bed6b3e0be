"""Saving scores into a run's store: merged with earlier scores, atomically, one writer at a time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from workbench._schema import SCORE_KEY
from workbench.metrics._frame import conform_scores


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the run folder's scores (two notebooks saving scores take turns)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock; the write itself is still atomic
        yield
        return
    with open(folder / ".scores.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def save_scores(store: Any, run_id: str, table: pl.DataFrame) -> pl.DataFrame:
    """Merge ``table`` into the run's ``scores`` table: rows with the same (row, metric) key are
    replaced, others kept. The file is replaced atomically. Returns the merged table."""
    with _locked(store.run_dir(run_id)):
        try:
            old = store.read_table(run_id, "scores")
        except KeyError:
            old = None
        merged = table
        if old is not None and old.height:
            keys = table.select(SCORE_KEY).unique()
            keep = conform_scores(old, keep_extra=True).join(
                keys, on=list(SCORE_KEY), how="anti", nulls_equal=True
            )
            merged = pl.concat([keep, table], how="diagonal_relaxed")
        store.write_table(run_id, "scores", merged)
    return merged
