"""Bias checks of an LLM judge, each a measured figure with an interval, n and a plain sentence.

- :func:`position_bias`: how often a pairwise verdict changes when the order is swapped, and how
  often a decisive verdict favours the response shown first.
- :func:`self_preference`: how much higher the judge grades its own model's outputs than other
  models', beyond what humans see on the same items.
- :func:`verbosity_bias`: how much the verdict depends on the outputs' length difference.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from workbench import _html
from workbench._table import as_table
from workbench.agreement._bootstrap import check_confidence
from workbench.calibration._align import ITEM, human_table, judge_table

if TYPE_CHECKING:
    import pandas as pd

#: The columns of :attr:`BiasCheck.table`: one row per figure.
FIGURE_SCHEMA = {
    "check": pl.Utf8,
    "name": pl.Utf8,
    "value": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "n": pl.Int64,
    "p_value": pl.Float64,
    "note": pl.Utf8,
}
#: The columns of :meth:`BiasCheck.summary`: the headline figure, the flag and the sentence.
SUMMARY_SCHEMA = {
    "check": pl.Utf8,
    "flagged": pl.Boolean,
    "figure": pl.Utf8,
    "value": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "n": pl.Int64,
    "p_value": pl.Float64,
    "confidence": pl.Float64,
    "sentence": pl.Utf8,
}


@dataclass(frozen=True)
class Figure:
    """One measured figure: ``value`` with its interval, the ``n`` it rests on, and a p-value if tested."""

    name: str
    value: float | None
    ci_lo: float | None
    ci_hi: float | None
    n: int
    _: KW_ONLY
    p_value: float | None = None
    note: str | None = None

    @property
    def interval(self) -> tuple[float | None, float | None]:
        """``(ci_lo, ci_hi)``."""
        return self.ci_lo, self.ci_hi


@dataclass(frozen=True)
class BiasCheck:
    """The result of a bias check: its figures (the first is the headline), a flag and a sentence.

    Attributes:
        check: "position_bias", "self_preference" or "verbosity_bias".
        figures: the measured figures, headline first.
        flagged: whether the check found the bias (each check's docstring says when).
        sentence: the finding in one plain sentence.
        confidence: the level of every interval.
    """

    check: str
    figures: tuple[Figure, ...]
    flagged: bool
    sentence: str
    _: KW_ONLY
    confidence: float = 0.95

    @property
    def value(self) -> float | None:
        """The headline figure's value."""
        return self.figures[0].value

    @property
    def interval(self) -> tuple[float | None, float | None]:
        """The headline figure's interval ``(low, high)`` at :attr:`confidence`."""
        return self.figures[0].interval

    @property
    def n(self) -> int:
        return self.figures[0].n

    def figure(self, name: str) -> Figure:
        for fig in self.figures:
            if fig.name == name:
                return fig
        raise KeyError(f"{self.check} has no figure {name!r}; figures: {[f.name for f in self.figures]}")

    @property
    def table(self) -> pl.DataFrame:
        """One row per figure: ``check``, ``name``, ``value``, ``ci_lo``, ``ci_hi``, ``n``, ``p_value``, ``note``."""
        rows = [{"check": self.check, **asdict(f)} for f in self.figures]
        return pl.DataFrame(rows, schema=FIGURE_SCHEMA)

    def summary(self) -> pl.DataFrame:
        """One row: the check, its flag, the headline figure (name, value, interval, n, p-value) and the sentence."""
        head = self.figures[0]
        row = {"check": self.check, "flagged": self.flagged, "figure": head.name, "value": head.value,
               "ci_lo": head.ci_lo, "ci_hi": head.ci_hi, "n": head.n, "p_value": head.p_value,
               "confidence": self.confidence, "sentence": self.sentence}  # fmt: skip
        return pl.DataFrame([row], schema=SUMMARY_SCHEMA)

    def to_pandas(self) -> pd.DataFrame:
        """:attr:`table` as pandas."""
        return self.table.to_pandas()

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "flagged": self.flagged, "sentence": self.sentence,
                "confidence": self.confidence, "figures": [asdict(f) for f in self.figures]}  # fmt: skip

    def __repr__(self) -> str:
        flag = " FLAGGED" if self.flagged else ""
        return f"BiasCheck({self.check}{flag}: {self.sentence})"

    def _repr_html_(self) -> str:
        flag = "⚠ flagged" if self.flagged else "not flagged"
        return _html.report(f"{self.check} ({flag})", [_html.note(self.sentence), _html.table(self.table)])


def _pct(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.0f}%"


def _level(confidence: float) -> str:
    """``0.95`` -> ``"95%"`` for sentences."""
    return f"{100 * confidence:g}%"


def _wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    from workbench.stats import wilson_interval

    return wilson_interval(k, n, confidence=confidence) if n else (None, None)


# ------------------------------------------------------------------------------------------------
def position_bias(pairwise_scores: Any, *, confidence: float = 0.95) -> BiasCheck:
    """How much a pairwise judge's verdicts depend on which response it read first.

    Needs the verdict in both orders (``verdict_ab``: a shown first, ``verdict_ba``: b shown first,
    both in model terms, as :func:`workbench.metrics.pairwise_judge` writes them). Only pairs with
    a verdict in both orders count: there each response is shown first once, so a better response
    wins once in each position and only the position can tilt the count. A pair judged in one
    order only (the other failed) is left out, and the sentence says how many were.

    Figures: ``flip_rate`` (share of pairs whose verdict changes with the order; Wilson interval),
    ``reversal_rate`` (share that swap a win for a loss) and ``first_position_rate`` (share of
    decisive single-order verdicts for the response shown first; 0.5 = no bias; binomial test).
    Flagged when the first-position share differs from 0.5 (p < 0.05) or over a quarter of verdicts flip.

    Args:
        pairwise_scores: pairwise_judge's table (polars or pandas).
        confidence: the level of the Wilson intervals.

    >>> import polars as pl
    >>> t = pl.DataFrame({"verdict_ab": ["a", "a", "b", "tie"], "verdict_ba": ["a", "b", "b", "tie"]})
    >>> check = position_bias(t)
    >>> check.value, round(check.figure("first_position_rate").value, 3)
    (0.25, 0.667)
    """
    from scipy.stats import binomtest

    check_confidence(confidence, 0)
    frame = as_table(
        pairwise_scores,
        param="pairwise_scores",
        func="position_bias",
        columns=("verdict_ab", "verdict_ba"),
        expected="the verdict in both orders (pairwise_judge's table)",
    )
    both = frame.filter(pl.col("verdict_ab").is_not_null() & pl.col("verdict_ba").is_not_null())
    n = both.height
    if n == 0:
        raise ValueError("position_bias: pairwise_scores has no pair with a verdict in both orders")
    one_order = frame.height - n
    ab, ba = both.get_column("verdict_ab"), both.get_column("verdict_ba")
    flips = int((ab != ba).sum())
    reversals = int(((ab == "a") & (ba == "b") | (ab == "b") & (ba == "a")).sum())
    first = int((ab == "a").sum()) + int((ba == "b").sum())
    decisive = int(ab.is_in(["a", "b"]).sum()) + int(ba.is_in(["a", "b"]).sum())
    p = float(binomtest(first, decisive, 0.5).pvalue) if decisive else None
    figures = (
        Figure("flip_rate", flips / n, *_wilson(flips, n, confidence), n),
        Figure("reversal_rate", reversals / n, *_wilson(reversals, n, confidence), n),
        Figure("first_position_rate", first / decisive if decisive else None, *_wilson(first, decisive, confidence),
               decisive, p_value=p, note="share of decisive single-order verdicts for the response shown first, over the pairs "
               "judged in both orders; 0.5 = no bias"),
    )  # fmt: skip
    fp = figures[2]
    flagged = (p is not None and p < 0.05) or flips / n > 0.25
    left_out = f" {one_order} pair(s) without a verdict in both orders were left out." if one_order else ""
    sentence = (
        f"The verdict changed when the order was swapped in {flips} of {n} pairs ({_pct(flips / n)}, "
        f"{_level(confidence)} CI {_pct(figures[0].ci_lo)}-{_pct(figures[0].ci_hi)}); {reversals} swapped a win "
        f"for a loss. Decisive verdicts favoured the response shown first {_pct(fp.value)} of the time ({first} "
        f"of {decisive}; 50% = no position bias" + (f", p = {p:.3g})." if p is not None else ").") + left_out
    )
    return BiasCheck("position_bias", figures, flagged, sentence, confidence=confidence)


# ------------------------------------------------------------------------------------------------
def _boot_gap(
    own: np.ndarray, other: np.ndarray, confidence: float, n_resamples: int, seed: int
) -> tuple[float | None, float | None]:
    """Percentile interval of mean(own) - mean(other), resampling each group on its own."""
    if own.size < 2 or other.size < 2 or not n_resamples:
        return None, None
    rng = np.random.default_rng(seed)
    a = own[rng.integers(0, own.size, size=(n_resamples, own.size))].mean(axis=1)
    b = other[rng.integers(0, other.size, size=(n_resamples, other.size))].mean(axis=1)
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(a - b, [tail, 1 - tail])
    return float(lo), float(hi)


def _welch_p(own: np.ndarray, other: np.ndarray) -> float | None:
    from scipy.stats import ttest_ind

    if own.size < 2 or other.size < 2 or (np.ptp(own) == 0 and np.ptp(other) == 0):
        return None
    return float(ttest_ind(own, other, equal_var=False).pvalue)


def self_preference(
    judge_scores: Any,
    human_labels: Any = None,
    *,
    judge_model: str | None = None,
    metric: str | None = None,
    criterion: str | None = None,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> BiasCheck:
    """How much higher a judge grades its own model's outputs than other models' outputs.

    Own outputs are the rows flagged ``judge_self`` (the judges set it) or, when given, those of
    ``judge_model``. Without human labels the figure is the raw gap mean(own) - mean(other), which
    also holds any real quality difference; with them it is the gap of (judge - human mean) on the
    same items, i.e. the judge's gap beyond the humans' gap. Flagged when its interval is above 0.

    Args:
        judge_scores: the judge's scores (a ``Scores`` or a score table).
        human_labels: human labels of the same outputs (a table or a label file), optional.
        judge_model: the model whose outputs are the judge's own (besides rows flagged ``judge_self``).
        metric, criterion: which judge metric and human criterion, when there are several.
        confidence, n_resamples, seed: the percentile bootstrap of every gap's interval.
    """
    func = "self_preference"
    check_confidence(confidence, n_resamples)
    judge, metric, _ = judge_table(judge_scores, metric, "interval", func)
    judge = judge.sort(ITEM)  # the bootstrap draws depend only on the data and the seed, not on row order
    own_mask = judge.get_column("judge_self").fill_null(False)
    if judge_model is not None:
        own_mask = own_mask | (judge.get_column("model") == judge_model)
    n_flagged = int(judge.get_column("judge_self").fill_null(False).sum())
    models = sorted(judge.get_column("model").unique().to_list())
    if not own_mask.any():
        raise ValueError(
            "self_preference: no row is the judge's own output (none flagged judge_self"
            + (f", no model {judge_model!r}" if judge_model else "; pass judge_model=...")
            + f"); models there: {models}"
        )
    if own_mask.all():
        raise ValueError(f"self_preference: every row is the judge's own output; models there: {models}")
    judge = judge.with_columns(own_mask.alias("own"))
    y, what = judge.get_column("j_value"), "judge score"
    figures: list[Figure] = []
    if human_labels is not None:
        human, _, _ = human_table(human_labels, criterion, "interval", func)
        means = human.group_by("item").agg(pl.col("h_value").mean().alias("h_mean"))
        judge = judge.join(means, on=ITEM, how="inner").sort(ITEM)
        if judge.height == 0:
            raise ValueError("self_preference: no judged output has a human label")
        own_h = judge.filter("own").get_column("h_mean").to_numpy()
        oth_h = judge.filter(~pl.col("own")).get_column("h_mean").to_numpy()
        y, what = judge.get_column("j_value") - judge.get_column("h_mean"), "judge - human score"
    own_v = y.filter(judge.get_column("own")).to_numpy()
    oth_v = y.filter(~judge.get_column("own")).to_numpy()
    gap = float(own_v.mean() - oth_v.mean())
    headline = "excess_gap" if human_labels is not None else "judge_gap"
    figures.append(Figure(headline, gap, *_boot_gap(own_v, oth_v, confidence, n_resamples, seed), int(own_v.size + oth_v.size),
                          p_value=_welch_p(own_v, oth_v), note=f"mean {what}: own outputs minus other models' outputs"))  # fmt: skip
    if human_labels is not None:
        jo = judge.filter("own").get_column("j_value").to_numpy()
        jt = judge.filter(~pl.col("own")).get_column("j_value").to_numpy()
        figures.append(Figure("judge_gap", float(jo.mean() - jt.mean()), *_boot_gap(jo, jt, confidence, n_resamples, seed),
                              judge.height, p_value=_welch_p(jo, jt), note="judge score: own minus others"))  # fmt: skip
        figures.append(Figure("human_gap", float(own_h.mean() - oth_h.mean()), *_boot_gap(own_h, oth_h, confidence, n_resamples, seed),
                              judge.height, p_value=_welch_p(own_h, oth_h), note="human mean score: own minus others"))  # fmt: skip
    head = figures[0]
    flagged = head.ci_lo is not None and head.ci_lo > 0
    beyond = " beyond the humans' difference on the same items" if human_labels is not None else ""
    sentence = (
        f"The judge graded its own model's {own_v.size} outputs {gap:+.2f} points ({metric!r}) against "
        f"{oth_v.size} outputs of other models{beyond} ({_level(confidence)} CI {head.ci_lo if head.ci_lo is not None else float('nan'):+.2f} to "
        f"{head.ci_hi if head.ci_hi is not None else float('nan'):+.2f}); {n_flagged} row(s) are flagged judge_self."
        + (
            " Without human labels the gap also holds any real quality difference."
            if human_labels is None
            else ""
        )
    )
    return BiasCheck("self_preference", tuple(figures), flagged, sentence, confidence=confidence)
