"""The result record of an agreement statistic."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass
from typing import Any


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
        method: how it was computed, e.g. "quadratic-weighted; percentile bootstrap over items,
            1000 resamples".
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
    note: str | None = None

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
            f"method={self.method!r}{note})"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        note = f"<div><em>{esc(self.note)}</em></div>" if self.note else ""
        return (
            "<div class='wb-agreement'>"
            f"<b>{esc(self.statistic)}</b> = {self.value:.3f}{esc(self._interval())}"
            f"<div>{self.n_items} items, {self.n_raters} raters, {self.n_labels} labels; "
            f"{esc(self.method)}</div>{note}</div>"
        )
