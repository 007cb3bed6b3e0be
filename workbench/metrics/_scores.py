"""The :class:`Scores` object returned by ``score``: the tidy table plus views of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from workbench._schema import RESULT_KEY

if TYPE_CHECKING:
    import pandas as pd

    from workbench.stats._slices import Slices

_SHOWN_ROWS = 10


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

    @classmethod
    def concat(cls, parts: Sequence[Scores]) -> Scores:
        """One Scores of several (e.g. different metrics on different slices of one run); the run
        and cases are those of the first part that knows them.

        Example:
            >>> both = Scores.concat([wb.score(run, [wb.token_f1]), wb.score(run.slice("json"), [wb.json_valid])])  # doctest: +SKIP
        """
        parts = list(parts)
        if not parts or not all(isinstance(p, Scores) for p in parts):
            raise TypeError("Scores.concat takes a non-empty list of Scores")
        table = pl.concat([p.table for p in parts], how="diagonal_relaxed")
        run = next((p.run for p in parts if p.run is not None), None)
        cases = next((p.cases for p in parts if p.cases is not None), None)
        return cls(table, cases=cases, run=run)

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

    def summary(
        self,
        *,
        by: str | Sequence[str] = ("model", "variant"),
        slices: Slices = None,
        cases: Any = None,
        metric: str | Sequence[str] | None = None,
        confidence: float = 0.95,
        seed: int = 0,
        n_resamples: int = 2000,
    ) -> pl.DataFrame:
        """:func:`workbench.stats.summarize` of these scores (with the cases they know by default).

        Example:
            >>> scores.summary(by="model", slices=["billing", "refunds"])   # doctest: +SKIP
        """
        from workbench.stats import summarize

        cases = cases if cases is not None else self.cases
        # only the columns summarize reads: its joins then move a third of the data
        wanted = ["case_id", "metric", "value", "passed", *([by] if isinstance(by, str) else by)]
        if isinstance(slices, str):
            wanted.append(slices)
        table = self.table.select(list(dict.fromkeys(c for c in wanted if c in self.table.columns)))
        return summarize(
            table,
            by=by,
            slices=slices,
            cases=cases,
            metric=metric,
            confidence=confidence,
            seed=seed,
            n_resamples=n_resamples,
        )

    def wide(self, values: Literal["value", "passed", "label", "error"] = "value") -> pl.DataFrame:
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
        from workbench import _html

        base = [
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
        ]
        # then what a scorer adds (a judge's judge_self...), but not the long keys
        extra = [c for c in self.table.columns if c not in base and c not in ("run_id", "scorer")]
        shown = self.table.select([c for c in base if c in self.table.columns] + extra)
        return _html.report(
            repr(self), [_html.table(self.overview()), _html.table(shown, max_rows=_SHOWN_ROWS)]
        )
