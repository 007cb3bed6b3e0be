"""The result record of an agreement statistic."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, asdict, dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench import _html

if TYPE_CHECKING:
    import pandas as pd

#: The columns of :attr:`Agreement.table` and of every row of ``agreement_table``.
AGREEMENT_SCHEMA: dict[str, Any] = {
    "statistic": pl.Utf8,
    "value": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "n_items": pl.Int64,
    "n_raters": pl.Int64,
    "n_labels": pl.Int64,
    "method": pl.Utf8,
    "level": pl.Utf8,
    "note": pl.Utf8,
}


@dataclass(frozen=True)
class Agreement:
    """One agreement statistic with its bootstrap interval.

    Attributes:
        statistic: "percent_agreement", "cohen_kappa", "fleiss_kappa" or "krippendorff_alpha".
        value: the estimate; nan when undefined (``note`` says why).
        ci_lo: lower end of the percentile bootstrap interval (nan when there is none).
        ci_hi: upper end.
        n_items: items with at least two labels that were used.
        n_raters: raters who gave at least one of the labels used.
        n_labels: labels used.
        method: how it was computed, e.g. "quadratic-weighted; 95% percentile bootstrap over
            items, 1000 resamples".
        level: the level of measurement the labels were treated at: Krippendorff's ``level``
            (with "auto" resolved); "nominal" for percent agreement, Fleiss and unweighted Cohen;
            "ordinal" for linear- and "interval" for quadratic-weighted Cohen.
        note: anything the reader must know: dropped items, undefined resamples, why nan.
    """

    statistic: str
    value: float
    ci_lo: float
    ci_hi: float
    n_items: int
    n_raters: int
    n_labels: int
    method: str
    level: str
    _: KW_ONLY
    note: str | None = None

    @property
    def interval(self) -> tuple[float, float]:
        """``(ci_lo, ci_hi)``: the percentile bootstrap interval (nan, nan when there is none)."""
        return self.ci_lo, self.ci_hi

    @property
    def table(self) -> pl.DataFrame:
        """This record as a one-row polars frame (the columns of ``agreement_table``)."""
        return pl.DataFrame([self.to_dict()], schema=AGREEMENT_SCHEMA)

    def summary(self) -> pl.DataFrame:
        """The same one-row frame as :attr:`table`."""
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        return self.table.to_pandas()

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of the fields (one row of ``agreement_table``)."""
        return asdict(self)

    def _interval(self) -> str:
        if math.isnan(self.ci_lo) or math.isnan(self.ci_hi):
            return ""
        return f" [{self.ci_lo:.3f}, {self.ci_hi:.3f}]"

    def __repr__(self) -> str:
        note = f", note={self.note!r}" if self.note else ""
        return (
            f"Agreement({self.statistic}={self.value:.3f}{self._interval()}, "
            f"n_items={self.n_items}, n_raters={self.n_raters}, n_labels={self.n_labels}, "
            f"level={self.level!r}, method={self.method!r}{note})"
        )

    def _repr_html_(self) -> str:
        parts = [
            _html.note(
                f"{self.n_items} items, {self.n_raters} raters, {self.n_labels} labels; "
                f"level {self.level}; {self.method}"
            )
        ]
        if self.note:
            parts.append(_html.note(self.note))
        return _html.report(f"{self.statistic} = {self.value:.3f}{self._interval()}", parts)
