"""The one place that turns a user's table into a polars DataFrame."""

from __future__ import annotations

from typing import Any

import polars as pl


def polars_frame(data: Any) -> pl.DataFrame | None:
    """``data`` as a polars DataFrame: a DataFrame as is, a LazyFrame collected, a pandas DataFrame
    converted. None for anything else, so that each caller says what it expected in its own words."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    if type(data).__module__.split(".")[0] == "pandas" and type(data).__name__ == "DataFrame":
        return pl.from_pandas(data)
    return None
