"""``calibrate_pairwise``: a pairwise judge against human preferences, MT-Bench set-ups S1 and S2.

Zheng et al. (NeurIPS 2023), "Judging LLM-as-a-judge": agreement is the probability that a judge's
verdict and a human's vote on the same pair match. S1 keeps every vote, with ties and
order-inconsistent judge verdicts counted as ties (three-way; random = 1/3); S2 keeps only pairs
where both sides voted for a response (random = 1/2). Human-human agreement uses every two raters of a
pair. Intervals resample pairs (items), since the votes on one pair are not independent.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from workbench import _html
from workbench._table import as_table, require_columns
from workbench.agreement._bootstrap import check_confidence
from workbench.calibration._align import latest, pick_criterion
from workbench.calibration._bias import BiasCheck
from workbench.calibration._load import as_labels

if TYPE_CHECKING:
    import pandas as pd

VOTES = ("a", "b", "tie")

TABLE_SCHEMA = {"setup": pl.Utf8, "comparison": pl.Utf8, "agreement": pl.Float64, "ci_lo": pl.Float64,
                "ci_hi": pl.Float64, "n": pl.Int64, "n_items": pl.Int64, "random": pl.Float64}  # fmt: skip
#: The columns of :meth:`PairwiseCalibration.summary` (one row; also a row of ``compare_judges``).
SUMMARY_SCHEMA = {"judge": pl.Utf8, "criterion": pl.Utf8, "n_items": pl.Int64, "s2_agreement": pl.Float64,
                  "s2_lo": pl.Float64, "s2_hi": pl.Float64, "s1_agreement": pl.Float64,
                  "human_s2_agreement": pl.Float64, "position_flip_rate": pl.Float64}  # fmt: skip


def _sides(frame: pl.DataFrame, param: str, func: str | None = None) -> pl.DataFrame:
    """Add ``side_a`` / ``side_b`` as "model/variant" when the table says both, else as given."""
    require_columns(
        frame, ("case_id", "model_a", "model_b"), param=param, func=func, expected="a pairwise table"
    )
    a, b = pl.col("model_a").cast(pl.Utf8), pl.col("model_b").cast(pl.Utf8)
    if "variant" in frame.columns and frame.get_column("variant").null_count() < frame.height:
        v = pl.col("variant").cast(pl.Utf8)  # pairwise_judge(by="model"): sides are model names
        a = pl.when(a.str.contains("/")).then(a).otherwise(a + "/" + v)
        b = pl.when(b.str.contains("/")).then(b).otherwise(b + "/" + v)
    elif "model" in frame.columns and frame.get_column("model").null_count() < frame.height:
        m = pl.col("model").cast(pl.Utf8)  # pairwise_judge(by="variant"): sides are variant names
        a, b = m + "/" + a, m + "/" + b
    return frame.with_columns(pl.col("case_id").cast(pl.Utf8), a.alias("side_a"), b.alias("side_b"))


def _canonical(frame: pl.DataFrame, vote: str, bare: bool) -> pl.DataFrame:
    """``item`` = "case | x vs y" with x < y, and the vote in those terms ("x", "y" or "tie")."""
    a, b = pl.col("side_a"), pl.col("side_b")
    if bare:
        a, b = a.str.replace(r"/.*$", ""), b.str.replace(r"/.*$", "")
    swap = a > b
    x, y = pl.when(swap).then(b).otherwise(a), pl.when(swap).then(a).otherwise(b)
    v = pl.col(vote)
    canon = (
        pl.when(v == "tie").then(pl.lit("tie"))
        .when((v == "a") ^ swap).then(pl.lit("x"))
        .when(v.is_in(["a", "b"])).then(pl.lit("y"))
    )  # fmt: skip
    return frame.with_columns(
        pl.concat_str([pl.col("case_id"), pl.lit(" | "), x, pl.lit(" vs "), y]).alias("item"),
        canon.alias("vote"),
    )


@dataclass(frozen=True)
class PairwiseCalibration:
    """A pairwise judge's agreement with human preferences (see :func:`calibrate_pairwise`).

    Attributes:
        table: one row per (setup, comparison): ``agreement``, interval, ``n`` vote pairs compared,
            ``n_items`` pairs of responses, and the random-guess baseline.
        confusion: judge verdict x human vote counts (in canonical x / y terms).
        disagreements: pairs where most humans voted otherwise than the judge, worst first.
        position: the judge's position bias (when it was run in both orders), else None.
        dropped: pairs left out and why.
        confidence: the level of every interval.
    """

    judge: str
    criterion: str | None
    table: pl.DataFrame
    confusion: pl.DataFrame
    disagreements: pl.DataFrame
    aligned: pl.DataFrame
    position: BiasCheck | None
    dropped: dict[str, int]
    _: KW_ONLY
    confidence: float = 0.95

    def _cell(self, setup: str, comparison: str, column: str) -> float:
        rows = self.table.filter((pl.col("setup") == setup) & (pl.col("comparison") == comparison))
        value = rows.get_column(column)[0] if rows.height else None
        return float("nan") if value is None else float(value)

    def agreement(
        self,
        setup: Literal["S1", "S2"],
        *,
        comparison: Literal["judge-human", "human-human"] = "judge-human",
    ) -> float:
        """Agreement of one set-up ("S1" or "S2") and comparison ("judge-human" or "human-human");
        nan when there is no such row or no vote to compare."""
        return self._cell(setup, comparison, "agreement")

    @property
    def interval(self) -> tuple[float, float]:
        """The interval of the judge-human S2 agreement at :attr:`confidence`."""
        return self._cell("S2", "judge-human", "ci_lo"), self._cell("S2", "judge-human", "ci_hi")

    def summary(self) -> pl.DataFrame:
        """One row: the judge, the S2 agreement with its interval, S1, the humans' S2 and the
        position flip rate (None when the judge was not run in both orders)."""
        n_items = self.table.filter(pl.col("setup") == "S2", pl.col("comparison") == "judge-human")
        lo, hi = self.interval
        row = {
            "judge": self.judge,
            "criterion": self.criterion,
            "n_items": int(n_items.get_column("n_items")[0]) if n_items.height else 0,
            "s2_agreement": self.agreement("S2"),
            "s2_lo": lo,
            "s2_hi": hi,
            "s1_agreement": self.agreement("S1"),
            "human_s2_agreement": self.agreement("S2", comparison="human-human"),
            "position_flip_rate": self.position.value if self.position is not None else None,
        }
        return pl.DataFrame([row], schema=SUMMARY_SCHEMA).with_columns(pl.col(pl.Float64).fill_nan(None))

    def to_pandas(self) -> pd.DataFrame:
        """:attr:`table` as pandas."""
        return self.table.to_pandas()

    def to_dict(self) -> dict[str, Any]:
        return {
            "judge": self.judge,
            "criterion": self.criterion,
            "confidence": self.confidence,
            "table": self.table.to_dicts(),
            "confusion": self.confusion.to_dicts(),
            "disagreements": self.disagreements.to_dicts(),
            "position": None if self.position is None else self.position.to_dict(),
            "dropped": dict(self.dropped),
        }

    def __repr__(self) -> str:
        return (
            f"PairwiseCalibration(judge={self.judge!r}, n_items={self.aligned.height}, "
            f"S1={self.agreement('S1'):.3f}, S2={self.agreement('S2'):.3f}, "
            f"human S2={self.agreement('S2', comparison='human-human'):.3f})"
        )

    def _repr_html_(self) -> str:
        dropped = ", ".join(f"{k}: {v}" for k, v in self.dropped.items() if v) or "none"
        parts = [
            _html.note(
                "MT-Bench set-ups: S1 counts ties and order-inconsistent verdicts as ties (random 1/3); "
                f"S2 keeps only non-tie votes (random 1/2). Dropped: {dropped}"
            ),
            _html.section("Agreement", _html.table(self.table)),
            _html.section("Judge verdict x human vote", _html.table(self.confusion)),
        ]
        if self.position is not None:
            parts.append(_html.section("Position bias", _html.note(self.position.sentence)))
        parts.append(_html.section("Largest disagreements", _html.table(self.disagreements, max_rows=10)))
        return _html.report(repr(self), parts)


def _votes(judge: dict[str, str], humans: dict[str, dict[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per item: [agree, n] for judge-human S1, S2 and human-human S1, S2 (shape items x 4)."""
    items = list(judge)
    agree, total = np.zeros((len(items), 4)), np.zeros((len(items), 4))
    for i, item in enumerate(items):
        j, votes = judge[item], list(humans.get(item, {}).values())
        for h in votes:
            agree[i, 0] += j == h
            total[i, 0] += 1
            if j != "tie" and h != "tie":
                agree[i, 1] += j == h
                total[i, 1] += 1
        for u, v in combinations(votes, 2):
            agree[i, 2] += u == v
            total[i, 2] += 1
            if u != "tie" and v != "tie":
                agree[i, 3] += u == v
                total[i, 3] += 1
    return agree, total


def _table(
    agree: np.ndarray, total: np.ndarray, confidence: float, n_resamples: int, seed: int
) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n_items = agree.shape[0]
    los, his = np.full(4, np.nan), np.full(4, np.nan)
    if n_items >= 2 and n_resamples:
        idx = rng.integers(0, n_items, size=(n_resamples, n_items))
        with np.errstate(invalid="ignore", divide="ignore"):
            boots = agree[idx].sum(axis=1) / total[idx].sum(axis=1)
        for k in range(4):
            finite = boots[:, k][np.isfinite(boots[:, k])]
            if finite.size:
                los[k], his[k] = np.quantile(finite, [(1 - confidence) / 2, 1 - (1 - confidence) / 2])
    rows = []
    for k, (setup, comparison) in enumerate(
        [("S1", "judge-human"), ("S2", "judge-human"), ("S1", "human-human"), ("S2", "human-human")]
    ):
        n = int(total[:, k].sum())
        rows.append({"setup": setup, "comparison": comparison, "agreement": agree[:, k].sum() / n if n else None,
                     "ci_lo": los[k], "ci_hi": his[k], "n": n, "n_items": int((total[:, k] > 0).sum()),
                     "random": 1 / 3 if setup == "S1" else 1 / 2})  # fmt: skip
    return pl.DataFrame(rows, schema=TABLE_SCHEMA).with_columns(pl.col("ci_lo", "ci_hi").fill_nan(None))


def calibrate_pairwise(
    judge_pairwise_scores: Any,
    human_pairwise_labels: Any,
    *,
    criterion: str | None = None,
    judge: str | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> PairwiseCalibration:
    """Calibrate a pairwise judge (:func:`workbench.metrics.pairwise_judge`) against human preferences.

    Pairs are matched on the case and the two sides ("model/variant", or bare model names when the
    full names do not match), whichever order either side listed them in.

    Args:
        judge_pairwise_scores: the judge's pairwise table (``winner``; ``verdict_ab`` / ``verdict_ba``
            when run in both orders).
        human_pairwise_labels: labels with ``kind == "pairwise"`` (``LABEL_COLUMNS``), or a label file.
        criterion: the human criterion (needed when the labels have several).
        judge: the judge's name in the report (default: the table's ``judge`` column).
        confidence, n_resamples, seed: the pair-resampling bootstrap of every interval.
    """
    from workbench.calibration._bias import position_bias

    func = "calibrate_pairwise"
    check_confidence(confidence, n_resamples)
    jframe = as_table(
        judge_pairwise_scores,
        param="judge_pairwise_scores",
        func=func,
        columns=("winner",),
        expected="pairwise_judge's table",
    )
    jframe = _sides(jframe, "judge_pairwise_scores", func)
    labels, criterion = pick_criterion(
        as_labels(human_pairwise_labels, "human_pairwise_labels", func), criterion, "pairwise"
    )
    hframe = _sides(labels, "human_pairwise_labels", func)
    name = judge or (str(jframe.get_column("judge").drop_nulls().head(1).to_list()[0])
                     if "judge" in jframe.columns and jframe.get_column("judge").drop_nulls().len() else "judge")  # fmt: skip
    n_errors = jframe.filter(pl.col("winner").is_null()).height
    jframe = jframe.filter(pl.col("winner").is_not_null())
    for bare in (False, True):
        jc, hc = _canonical(jframe, "winner", bare), _canonical(hframe, "label", bare)
        if set(jc.get_column("item")) & set(hc.get_column("item")):
            break
    else:
        ex_j = jc.get_column("item").head(1).to_list()
        ex_h = hc.get_column("item").head(1).to_list()
        raise ValueError(
            "no judged pair matches a human pairwise label on (case_id, the two sides): e.g. judge "
            f"{ex_j[0] if ex_j else None!r} vs human {ex_h[0] if ex_h else None!r}; sides are compared as "
            "'model/variant' (or bare model names)"
        )
    dup = jc.group_by("item").len().filter(pl.col("len") > 1)
    if dup.height:
        raise ValueError(
            f"judge_pairwise_scores has {dup.height} pair(s) judged more than once (e.g. {dup['item'][0]!r}); "
            "keep one sample per case, e.g. .filter(pl.col('sample') == 0)"
        )
    hc = latest(hc, ["item"])
    jvotes = dict(zip(jc["item"], jc["vote"], strict=True))
    hvotes: dict[str, dict[str, str]] = {}
    for item, rater, vote in hc.select("item", "rater", "vote").iter_rows():
        hvotes.setdefault(item, {})[rater] = vote
    both = [i for i in jvotes if i in hvotes]
    agree, total = _votes({i: jvotes[i] for i in both}, hvotes)
    table = _table(agree, total, confidence, n_resamples, seed)

    aligned = jc.filter(pl.col("item").is_in(both)).select(
        "item", "case_id", pl.col("vote").alias("judge"),
        *[c for c in ("rationale", "consistent", "verdict_ab", "verdict_ba") if c in jc.columns],
    ).with_columns(
        pl.col("item").map_elements(lambda i: ", ".join(f"{r}={v}" for r, v in sorted(hvotes[i].items())),
                                    return_dtype=pl.Utf8).alias("human_votes"),
        pl.col("item").map_elements(lambda i: len(hvotes[i]), return_dtype=pl.Int64).alias("n_raters"),
    )  # fmt: skip
    mism = aligned.with_columns(
        pl.struct("item", "judge")
        .map_elements(
            lambda s: sum(v != s["judge"] for v in hvotes[s["item"]].values()), return_dtype=pl.Int64
        )
        .alias("n_disagree")
    )
    disagreements = (
        mism.filter(pl.col("n_disagree") > 0)
        .with_columns((pl.col("n_disagree") / pl.col("n_raters")).alias("share_disagree"))
        .sort(["share_disagree", "n_disagree", "item"], descending=[True, True, False])
    )
    confusion = (
        hc.filter(pl.col("item").is_in(both)).select("item", pl.col("vote").alias("human"))
        .join(aligned.select("item", "judge"), on="item")
        .group_by("judge", "human").len(name="n").with_columns(pl.col("n").cast(pl.Int64))
        .sort("judge", "human")
    )  # fmt: skip
    position = None
    if {"verdict_ab", "verdict_ba"} <= set(jframe.columns) and jframe.get_column(
        "verdict_ba"
    ).drop_nulls().len():
        position = position_bias(jframe, confidence=confidence)
    dropped = {
        "judge_errors": n_errors,
        "judged_not_labelled": len(set(jvotes) - set(hvotes)),
        "labelled_not_judged": len(set(hvotes) - set(jvotes)),
    }
    return PairwiseCalibration(
        judge=name, criterion=criterion, table=table, confusion=confusion, disagreements=disagreements,
        aligned=aligned, position=position, dropped=dropped, confidence=confidence,
    )  # fmt: skip
