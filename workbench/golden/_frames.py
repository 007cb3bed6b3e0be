"""Input checks shared by the golden-set builders: frames in, clear errors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from workbench._frames import polars_frame


def as_frame(frame: Any, where: str) -> pl.DataFrame:
    """A polars DataFrame from a polars DataFrame/LazyFrame or a pandas DataFrame."""
    out = polars_frame(frame)
    if out is not None:
        return out
    raise TypeError(f"{where}(): expected a polars or pandas DataFrame, got {type(frame).__name__}")


def require_columns(df: pl.DataFrame, columns: Sequence[str], where: str) -> None:
    """Raise naming the missing columns and the ones the frame has."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{where}(): the frame has no column(s) {missing}; it has {df.columns}")
