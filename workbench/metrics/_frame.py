"""Helpers for vectorised scorers: score columns from a frame, and a row loop over a few columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from workbench._schema import SCORE_COLUMNS, polars_schema
from workbench.metrics._scorer import Score

SCORE_SCHEMA = {
    "value": pl.Float64,
    "passed": pl.Boolean,
    "label": pl.Utf8,
    "rationale": pl.Utf8,
    "error": pl.Utf8,
}


def scores_frame(scores: Sequence[Score]) -> pl.DataFrame:
    """A frame of score columns (value, passed, label, rationale, error) from Score records."""
    return pl.DataFrame(
        {
            "value": [s.value for s in scores],
            "passed": [s.passed for s in scores],
            "label": [s.label for s in scores],
            "rationale": [s.rationale for s in scores],
            "error": [s.error for s in scores],
        },
        schema=SCORE_SCHEMA,
    )


def null_field_error(field: str) -> str:
    return f"{field} is null for this case"


def columnwise(fn: Callable[..., Score], field_arg: str | None = None) -> Callable[..., pl.DataFrame]:
    """A vectorised path that runs ``fn(output, field_value, **args) -> Score`` over two columns.

    It avoids building a row dict per row; since it calls the same function as the row path, the
    scores are the same by construction. A null field value gives an error score.
    """

    def vectorized(df: pl.DataFrame, **args: Any) -> pl.DataFrame:
        outputs = df.get_column("output").to_list()
        if field_arg is None:
            return scores_frame([fn(o, None, **args) for o in outputs])
        field = args[field_arg]
        refs = df.get_column(field).to_list()
        return scores_frame(
            [
                Score(error=null_field_error(field)) if r is None else fn(o, r, **args)
                for o, r in zip(outputs, refs, strict=True)
            ]
        )

    return vectorized


def field_value(row: Any, field: str) -> Any:
    """``row[field]`` for a row-path scorer (the framework has checked that the column exists)."""
    return row[field]


def conform_scores(table: pl.DataFrame, keep_extra: bool = False) -> pl.DataFrame:
    """The table with SCORE_COLUMNS first, in order and with their dtypes (then any extra columns
    a table scorer adds, such as a judge's ``judge_self``, when ``keep_extra``)."""
    schema = polars_schema(SCORE_COLUMNS)
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in table.columns]
    extra = [c for c in table.columns if c not in schema and not c.startswith("__")] if keep_extra else []
    return table.with_columns(missing).select(*[pl.col(c).cast(t) for c, t in schema.items()], *extra)
