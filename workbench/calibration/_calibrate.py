"""``calibrate``: how well a single-output LLM judge agrees with a human panel on the same outputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from workbench import _html
from workbench._table import cases_of, run_of
from workbench.agreement._bootstrap import check_confidence
from workbench.agreement._frame import Level, LevelOption, Weights
from workbench.calibration._align import (
    ITEM,
    KEY,
    Consensus,
    consensus_table,
    human_table,
    judge_frame,
    judge_name,
    judge_table,
    long_labels,
    no_overlap_error,
    ordered_categories,
)
from workbench.calibration._slicing import excerpts, slice_membership

if TYPE_CHECKING:
    import pandas as pd

TABLE_SCHEMA = {
    "comparison": pl.Utf8,
    "statistic": pl.Utf8,
    "value": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "n_items": pl.Int64,
    "note": pl.Utf8,
}

#: The columns of :meth:`Calibration.summary` (one row; also a row of ``compare_judges``).
SUMMARY_SCHEMA = {
    "judge": pl.Utf8,
    "metric": pl.Utf8,
    "criterion": pl.Utf8,
    "level": pl.Utf8,
    "consensus": pl.Utf8,
    "n_items": pl.Int64,
    "kappa": pl.Float64,
    "kappa_lo": pl.Float64,
    "kappa_hi": pl.Float64,
    "agreement": pl.Float64,
    "mean_difference": pl.Float64,
    "human_alpha": pl.Float64,
}


def _row(comparison: str, agreement: Any) -> dict[str, Any]:
    return {
        "comparison": comparison,
        "statistic": agreement.statistic,
        "value": agreement.value,
        "ci_lo": agreement.ci_lo,
        "ci_hi": agreement.ci_hi,
        "n_items": agreement.n_items,
        "note": agreement.note,
    }


@dataclass(frozen=True)
class Calibration:
    """A judge's agreement with a human panel (see :func:`calibrate`).

    Attributes:
        judge: the judge's rater name (``judge:<metric>@<model>``).
        metric, criterion, consensus: what was compared, against which consensus.
        level: the level of measurement used ("auto" resolved).
        table: one row per comparison (judge vs consensus, judge vs each rater, human vs human):
            ``comparison``, ``statistic``, ``value``, ``ci_lo``, ``ci_hi``, ``n_items``, ``note``.
        per_rater: the judge's kappa against each human rater.
        human_pairs: kappa between every two human raters.
        confusion: long counts (``judge``, ``human``, ``n``) of judge label x human consensus.
        slices: per-slice agreement (``slice``, ``n``, ``agreement`` + Wilson interval, ``kappa`` + interval).
        disagreements: aligned items where the judge differs from the consensus, largest first.
        aligned: every aligned item: keys, judge label/value, consensus, ratings, rationale, notes.
        dropped: items left out and why.
        confidence: the level of every interval.
    """

    judge: str
    metric: str
    criterion: str | None
    level: Level
    consensus: Consensus
    categories: list[str]
    table: pl.DataFrame
    per_rater: pl.DataFrame
    human_pairs: pl.DataFrame
    confusion: pl.DataFrame
    slices: pl.DataFrame | None
    disagreements: pl.DataFrame
    aligned: pl.DataFrame
    _: KW_ONLY
    dropped: dict[str, int] = field(default_factory=dict)
    confidence: float = 0.95

    def _get(self, comparison: str, statistic: str, column: str = "value") -> float:
        rows = self.table.filter((pl.col("comparison") == comparison) & (pl.col("statistic") == statistic))
        value = rows.get_column(column)[0] if rows.height else None
        return float("nan") if value is None else float(value)

    @property
    def kappa(self) -> float:
        """The judge's Cohen kappa against the human consensus (weighted on ordered scales)."""
        return self._get("judge vs consensus", "cohen_kappa")

    @property
    def interval(self) -> tuple[float, float]:
        """The interval of :attr:`kappa` at :attr:`confidence`."""
        return (
            self._get("judge vs consensus", "cohen_kappa", "ci_lo"),
            self._get("judge vs consensus", "cohen_kappa", "ci_hi"),
        )

    @property
    def percent_agreement(self) -> float:
        """Share of items where the judge gave exactly the consensus label."""
        return self._get("judge vs consensus", "percent_agreement")

    @property
    def human_alpha(self) -> float:
        """Krippendorff alpha among the human raters: the ceiling a judge can hope to reach."""
        return self._get("humans", "krippendorff_alpha")

    @property
    def mean_difference(self) -> float | None:
        """Mean of judge - consensus (ordered scales; None for nominal labels)."""
        value = self._get("judge - consensus", "mean_difference")
        return None if value != value else value

    def summary(self) -> pl.DataFrame:
        """One row: the judge, what was compared, kappa with its interval, exact agreement, the
        judge's mean difference from the consensus and the humans' alpha."""
        lo, hi = self.interval
        row = {
            "judge": self.judge,
            "metric": self.metric,
            "criterion": self.criterion,
            "level": self.level,
            "consensus": self.consensus,
            "n_items": self.aligned.height,
            "kappa": self.kappa,
            "kappa_lo": lo,
            "kappa_hi": hi,
            "agreement": self.percent_agreement,
            "mean_difference": self.mean_difference,
            "human_alpha": self.human_alpha,
        }
        return pl.DataFrame([row], schema=SUMMARY_SCHEMA).with_columns(pl.col(pl.Float64).fill_nan(None))

    def to_pandas(self) -> pd.DataFrame:
        """:attr:`table` as pandas."""
        return self.table.to_pandas()

    def confusion_matrix(self) -> pl.DataFrame:
        """Judge label (rows) x human consensus (columns) counts, in scale order."""
        wide = self.confusion.pivot(on="human", index="judge", values="n").fill_null(0)
        cols = [c for c in self.categories if c in wide.columns]
        return wide.select("judge", *cols)

    def confusion_chart(self) -> Any:
        """An Altair heatmap of :meth:`confusion_matrix` with the counts written in the cells."""
        import altair as alt

        order = list(self.categories)
        base = alt.Chart(self.confusion, title=f"{self.judge} vs human consensus").encode(
            x=alt.X("human:O", sort=order, title="human consensus"),
            y=alt.Y("judge:O", sort=order[::-1], title="judge"),
        )
        heat = base.mark_rect().encode(
            color=alt.Color("n:Q", scale=alt.Scale(scheme="blues")), tooltip=["judge", "human", "n"]
        )
        return heat + base.mark_text().encode(text="n:Q")

    def to_dict(self) -> dict[str, Any]:
        return {
            "judge": self.judge,
            "metric": self.metric,
            "criterion": self.criterion,
            "level": self.level,
            "consensus": self.consensus,
            "confidence": self.confidence,
            "categories": list(self.categories),
            "table": self.table.to_dicts(),
            "per_rater": self.per_rater.to_dicts(),
            "human_pairs": self.human_pairs.to_dicts(),
            "confusion": self.confusion.to_dicts(),
            "slices": None if self.slices is None else self.slices.to_dicts(),
            "disagreements": self.disagreements.to_dicts(),
            "dropped": dict(self.dropped),
        }

    def __repr__(self) -> str:
        return (
            f"Calibration(judge={self.judge!r}, n_items={self.aligned.height}, kappa={self.kappa:.3f}, "
            f"agreement={self.percent_agreement:.3f}, human_alpha={self.human_alpha:.3f})"
        )

    def _repr_html_(self) -> str:
        dropped = ", ".join(f"{k}: {v}" for k, v in self.dropped.items() if v) or "none"
        shown = self.disagreements.select(
            [
                c
                for c in (
                    "case_id",
                    "model",
                    "judge",
                    "consensus",
                    "diff",
                    "ratings",
                    "input",
                    "output",
                    "rationale",
                    "notes",
                )
                if c in self.disagreements.columns
            ]  # fmt: skip
        )
        parts = [
            _html.note(
                f"metric {self.metric!r}, criterion {self.criterion!r}, level {self.level}, "
                f"{self.consensus} consensus; {self.aligned.height} items; "
                f"{100 * self.confidence:g}% intervals; dropped: {dropped}"
            ),
            _html.section("Agreement", _html.table(self.table, max_rows=50)),
            _html.section(
                "Confusion matrix (rows: judge, columns: human consensus)",
                _html.table(self.confusion_matrix()),
            ),
        ]
        if self.slices is not None:
            parts.append(_html.section("Per slice", _html.table(self.slices, max_rows=50)))
        parts.append(_html.section("Largest disagreements", _html.table(shown, max_rows=10)))
        return _html.report(repr(self), parts)


def _cohen_weights(level: Level) -> Weights | None:
    return None if level == "nominal" else "quadratic"


def _agreements(
    pair: pl.DataFrame, level: Level, cats: list[Any], confidence: float, n_resamples: int, seed: int
) -> tuple[Any, Any]:
    """(percent agreement, Cohen kappa) of a long two-rater table."""
    from workbench.agreement import percent_agreement

    pct = percent_agreement(pair, confidence=confidence, n_resamples=n_resamples, seed=seed)
    return pct, _kappa(pair, level, cats, confidence, n_resamples, seed)


def _kappa(
    pair: pl.DataFrame, level: Level, cats: list[Any], confidence: float, n_resamples: int, seed: int
) -> Any:
    """Cohen's kappa of a long two-rater table, weighted as the level says."""
    from workbench.agreement import cohen_kappa

    return cohen_kappa(
        pair,
        weights=_cohen_weights(level),
        categories=cats,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )


def calibrate(
    judge_scores: Any,
    human_labels: Any,
    *,
    metric: str | None = None,
    criterion: str | None = None,
    level: LevelOption = "auto",
    categories: Sequence[Any] | None = None,
    consensus: Consensus = "majority",
    cases: Any = None,
    results: Any = None,
    slices: Any = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Calibration:
    """Calibrate a single-output judge against human labels of the same outputs.

    Judge rows (a score table) and human labels (``kind == "single"``) are matched on
    ``(case_id, model, variant, sample)``; judge errors (null values) and outputs only one side
    graded are left out and counted in ``dropped``.

    Args:
        judge_scores: the judge's scores: a ``Scores`` (from ``score``) or a score table
            (``SCORE_COLUMNS``; polars or pandas).
        human_labels: human labels (``LABEL_COLUMNS``; polars or pandas), or the path of a label file.
        metric: the judge's metric (needed when the table has several).
        criterion: the human criterion (needed when the labels have several).
        level: the labels' level of measurement: "nominal", "ordinal", "interval" or "ratio";
            "auto" (the default) is "ordinal" when every label is a number, else "nominal".
            The result records the level used. On ordered levels kappa is weighted
            quadratically and the humans' alpha uses that level.
        categories: the labels in scale order (default: the numbers seen, sorted).
        consensus: "majority" (ties go to the lower median on ordered scales) or "median" (lower median).
        cases: the case set, for per-slice agreement and input excerpts (default: the cases a
            ``Scores`` knows).
        results: the run's results, for output excerpts in the disagreements (default: the run a
            ``Scores`` was made from).
        slices: a tag prefix ("intent:"), tag expressions, a dict of name -> expression, or a
            column; default "intent:" when the cases have such tags.
        confidence, n_resamples, seed: the level, bootstrap resamples and seed of every interval.

    >>> cal = calibrate(scores, "data/human_labels.csv")                   # doctest: +SKIP
    >>> cal.kappa, cal.human_alpha                                         # doctest: +SKIP
    """
    check_confidence(confidence, n_resamples)
    if consensus not in ("majority", "median"):
        raise ValueError(f"consensus must be 'majority' or 'median', got {consensus!r}")
    from workbench.agreement import krippendorff_alpha, pairwise_kappa

    func = "calibrate"
    human, criterion, level = human_table(human_labels, criterion, level, func)
    judge, metric, n_errors = judge_table(judge_scores, metric, level, func)
    name = judge_name(judge_frame(judge_scores, func), metric)
    cases = cases_of(judge_scores, cases=cases)
    results = results if results is not None else run_of(judge_scores)
    judged, labelled = set(judge.get_column(ITEM)), set(human.get_column(ITEM))
    if not judged & labelled:
        raise no_overlap_error(judge, human)
    both = judged & labelled
    human = human.filter(pl.col(ITEM).is_in(list(both)))
    cons = consensus_table(human, consensus, level)
    no_consensus = cons.filter(pl.col("h_label").is_null()).height
    aligned = judge.join(cons.filter(pl.col("h_label").is_not_null()), on=ITEM, how="inner").sort(list(KEY))
    dropped = {
        "judge_errors": n_errors,
        "judged_not_labelled": len(judged - labelled),
        "labelled_not_judged": len(labelled - judged),
        "no_consensus": no_consensus,
    }
    ordered = level != "nominal"
    cats = ordered_categories([*aligned["j_label"], *human["h_label"]], level, categories)
    num_cats = [float(c) for c in cats] if ordered else cats
    col_j, col_h = ("j_value", "h_value") if ordered else ("j_label", "h_label")

    rows: list[dict[str, Any]] = []
    pair = long_labels(aligned, {name: col_j, "consensus": col_h})
    for agreement in _agreements(pair, level, num_cats, confidence, n_resamples, seed):
        rows.append(_row("judge vs consensus", agreement))
    raters = sorted(human.get_column("rater").unique().to_list())
    per_rater = []
    for rater in raters:
        theirs = human.filter(pl.col("rater") == rater).select(ITEM, pl.col(col_h).alias("r"))
        one = long_labels(judge.join(theirs, on=ITEM, how="inner"), {name: col_j, rater: "r"})
        pct, kappa = _agreements(one, level, num_cats, confidence, n_resamples, seed)
        rows.append(_row(f"judge vs {rater}", kappa))
        per_rater.append({"rater": rater, "kappa": kappa.value, "ci_lo": kappa.ci_lo, "ci_hi": kappa.ci_hi,
                          "agreement": pct.value, "n_items": kappa.n_items})  # fmt: skip
    hum = human.select(pl.col(ITEM).alias("case_id"), "rater", pl.col(col_h).alias("label"))
    if len(raters) >= 2:
        alpha = krippendorff_alpha(
            hum, level=level, categories=num_cats, confidence=confidence, n_resamples=n_resamples, seed=seed
        )
        rows.append(_row("humans", alpha))
        human_pairs = pairwise_kappa(hum, weights=_cohen_weights(level), categories=num_cats)
        human_pairs = human_pairs.filter(pl.col("rater_a") < pl.col("rater_b"))
    else:
        human_pairs = pl.DataFrame()
    rows.append(_mean_difference(aligned, confidence, n_resamples, seed) if ordered else _row_none())
    table = pl.DataFrame([r for r in rows if r], schema=TABLE_SCHEMA)

    confusion = (
        aligned.group_by(pl.col("j_label").alias("judge"), pl.col("h_label").alias("human"))
        .len(name="n")
        .with_columns(pl.col("n").cast(pl.Int64))
        .sort(["judge", "human"])
    )
    confusion = _complete(confusion, cats)
    aligned = excerpts(aligned, cases, results, func)
    sliced = _per_slice(aligned, cases, slices, level, num_cats, confidence, n_resamples, seed, func)
    return Calibration(
        judge=name,
        metric=metric,
        criterion=criterion,
        level=level,
        consensus=consensus,
        categories=cats,
        table=table,
        per_rater=pl.DataFrame(per_rater),
        human_pairs=human_pairs,
        confusion=confusion,
        slices=sliced,
        disagreements=_disagreements(aligned, ordered),
        aligned=aligned,
        dropped=dropped,
        confidence=confidence,
    )


def _row_none() -> dict[str, Any]:
    return {}


def _mean_difference(aligned: pl.DataFrame, confidence: float, n_resamples: int, seed: int) -> dict[str, Any]:
    """Mean of judge - consensus (the judge's leniency), with a percentile bootstrap interval."""
    diff = (aligned["j_value"] - aligned["h_value"]).to_numpy()
    lo = hi = float("nan")
    if diff.size >= 2 and n_resamples:
        rng = np.random.default_rng(seed)
        means = diff[rng.integers(0, diff.size, size=(n_resamples, diff.size))].mean(axis=1)
        tail = (1 - confidence) / 2
        lo, hi = (float(x) for x in np.quantile(means, [tail, 1 - tail]))
    return {"comparison": "judge - consensus", "statistic": "mean_difference", "value": float(diff.mean()),
            "ci_lo": lo, "ci_hi": hi, "n_items": int(diff.size),
            "note": "positive: the judge grades higher than the humans"}  # fmt: skip


def _complete(confusion: pl.DataFrame, cats: list[str]) -> pl.DataFrame:
    """Every (judge, human) category pair, zeros included, in scale order."""
    grid = pl.DataFrame({"judge": cats}).join(pl.DataFrame({"human": cats}), how="cross")
    rank = {c: i for i, c in enumerate(cats)}
    out = grid.join(confusion, on=["judge", "human"], how="left").with_columns(pl.col("n").fill_null(0))
    return out.sort(
        pl.col("judge").replace_strict(rank, default=len(cats)),
        pl.col("human").replace_strict(rank, default=len(cats)),
    )


def _disagreements(aligned: pl.DataFrame, ordered: bool) -> pl.DataFrame:
    if ordered:
        diff = pl.col("j_value") - pl.col("h_value")
    else:
        diff = (pl.col("j_label") != pl.col("h_label")).cast(pl.Float64)
    out = aligned.with_columns(diff.alias("diff")).filter(pl.col("diff") != 0)
    out = out.sort(
        [pl.col("diff").abs(), pl.col("h_spread"), pl.col("case_id")], descending=[True, False, False]
    )
    cols = [*KEY, pl.col("j_label").alias("judge"), pl.col("h_label").alias("consensus"), "diff", "ratings",
            "input", "output", "rationale", "notes"]  # fmt: skip
    return out.select([c for c in cols if not isinstance(c, str) or c in out.columns])


def _per_slice(
    aligned: pl.DataFrame,
    cases: Any,
    slices: Any,
    level: Level,
    cats: list[Any],
    confidence: float,
    n_resamples: int,
    seed: int,
    func: str | None = None,
) -> pl.DataFrame | None:
    from workbench.stats import wilson_interval

    membership = slice_membership(aligned, cases, slices, func)
    if membership is None:
        return None
    col_j, col_h = ("j_value", "h_value") if level != "nominal" else ("j_label", "h_label")
    rows = []
    for name in membership.get_column("slice").unique(maintain_order=True).to_list():
        items = membership.filter(pl.col("slice") == name).get_column(ITEM)
        part = aligned.filter(pl.col(ITEM).is_in(items.to_list()))
        n = part.height
        hits = int((part["j_label"] == part["h_label"]).sum())
        lo, hi = wilson_interval(hits, n, confidence=confidence) if n else (float("nan"), float("nan"))
        row = {
            "slice": name,
            "n": n,
            "agreement": hits / n if n else None,
            "agreement_lo": lo,
            "agreement_hi": hi,
        }
        try:
            pair = long_labels(part, {"judge": col_j, "consensus": col_h})
            k = _kappa(pair, level, cats, confidence, n_resamples, seed)
            row.update(kappa=k.value, kappa_lo=k.ci_lo, kappa_hi=k.ci_hi, note=k.note)
        except ValueError as err:  # e.g. a slice of one item: reported, not hidden
            row.update(kappa=None, kappa_lo=None, kappa_hi=None, note=str(err))
        if level != "nominal" and n:
            row["mean_difference"] = float((part["j_value"] - part["h_value"]).mean())  # type: ignore[arg-type]
        rows.append(row)
    schema = {"slice": pl.Utf8, "n": pl.Int64, "agreement": pl.Float64, "agreement_lo": pl.Float64,
              "agreement_hi": pl.Float64, "kappa": pl.Float64, "kappa_lo": pl.Float64, "kappa_hi": pl.Float64,
              "mean_difference": pl.Float64, "note": pl.Utf8}  # fmt: skip
    return pl.DataFrame(rows, schema=schema).sort("slice")
