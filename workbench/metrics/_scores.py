"""The :class:`Scores` object returned by ``score``: the tidy table plus views of it."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench._schema import RESULT_KEY

if TYPE_CHECKING:
    import pandas as pd

_SHOWN_ROWS = 10
_MAX_CELL = 160


class Scores:
    """Scores of a run: one row per (result row, metric); see ``workbench._schema.SCORE_COLUMNS``.

    Attributes:
        table: the polars DataFrame.
        run: the :class:`~workbench.runner.Run` that was scored, or None (scored from a bare table).
        cases: the cases given to ``score``, else the run's, else None (used for tag slices and by
            every function that needs the cases, so ``cases=`` need not be passed again).
    """

    def __init__(self, table: pl.DataFrame, cases: Any = None, run: Any = None) -> None:
        self.table = table
        self.run = run
        self.cases = cases if cases is not None else getattr(run, "cases", None)

    # -- conversions -------------------------------------------------------------------------------

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        return self.table.to_pandas()

    def __len__(self) -> int:
        return self.table.height

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names, in the order they were scored."""
        return tuple(self.table.get_column("metric").unique(maintain_order=True).to_list())

    @property
    def errors(self) -> pl.DataFrame:
        """The rows that could not be scored (failed calls, scorer exceptions)."""
        return self.table.filter(pl.col("error").is_not_null())

    # -- views -------------------------------------------------------------------------------------

    def summary(self, by: Any = ("model", "variant"), slices: Any = None, **kwargs: Any) -> pl.DataFrame:
        """:func:`workbench.stats.summarize` of this table (the cases given to ``score`` by default).

        Example:
            >>> scores.summary(by="model", slices=["billing", "refunds"])   # doctest: +SKIP
        """
        from workbench.stats import summarize

        kwargs.setdefault("cases", self.cases)
        # only the columns summarize reads: its joins then move a third of the data
        wanted = ["case_id", "metric", "value", "passed", *([by] if isinstance(by, str) else by)]
        if isinstance(slices, str):
            wanted.append(slices)
        table = self.table.select(list(dict.fromkeys(c for c in wanted if c in self.table.columns)))
        return summarize(table, by=by, slices=slices, **kwargs)

    def wide(self, values: str = "value") -> pl.DataFrame:
        """One row per result row, one column per metric (holding ``values``: value or passed)."""
        if values not in ("value", "passed", "label", "error"):
            raise ValueError(f"wide(values={values!r}): expected 'value', 'passed', 'label' or 'error'")
        keys = [k for k in RESULT_KEY if k in self.table.columns]
        return self.table.pivot(
            on="metric", index=keys, values=values, aggregate_function=None, maintain_order=True
        )

    def overview(self) -> pl.DataFrame:
        """Per metric, model and variant: rows, errors, mean value and pass rate (no intervals)."""
        return self.table.group_by("metric", "model", "variant", maintain_order=True).agg(
            pl.len().alias("n"),
            pl.col("error").is_not_null().sum().alias("errors"),
            pl.col("value").mean().alias("mean"),
            pl.col("passed").mean().alias("pass_rate"),
        )

    # -- display -----------------------------------------------------------------------------------

    def __repr__(self) -> str:
        n_err = self.errors.height
        return f"<Scores: {len(self)} rows, metrics {', '.join(self.metrics) or '(none)'}; {n_err} errors>"

    def _repr_html_(self) -> str:
        shown = self.table.head(_SHOWN_ROWS).select(
            "case_id",
            "model",
            "variant",
            "sample",
            "metric",
            "value",
            "passed",
            "label",
            "rationale",
            "error",
        )
        more = len(self) - shown.height
        tail = f"<p>{more} more rows</p>" if more > 0 else ""
        return f"<div><b>{html.escape(repr(self))}</b>{_table(self.overview())}{_table(shown)}{tail}</div>"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    return html.escape(text)  # model outputs and rationales are untrusted text


def _table(df: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in df.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
