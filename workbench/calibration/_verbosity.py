"""``verbosity_bias``: how much a judge's verdict depends on the length of what it reads.

Single-output scores: OLS of the score on the output's length (per 100 words) with case fixed
effects (outputs are compared with other outputs of the same case), and, given human labels, the
same slope of the humans' mean score and of the judge's excess over it. Pairwise verdicts: logistic
regression of "a won" on the length difference a - b (per 100 words) over decisive verdicts, and the
same for the humans' votes. statsmodels loads on first use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from workbench._table import as_table, run_of
from workbench.agreement._bootstrap import check_confidence
from workbench.calibration._align import KEY, human_table, judge_table, pick_criterion
from workbench.calibration._bias import BiasCheck, Figure, _level, _pct, _wilson
from workbench.calibration._load import as_labels
from workbench.calibration._slicing import results_table

PER = 100.0  # words
FUNC = "verbosity_bias"


def _lengths(results: Any) -> pl.DataFrame:
    frame = results_table(results, FUNC, ("case_id", "model", "output"))
    return frame.filter(pl.col("output").is_not_null()).select(
        "case_id", "model", "variant", "sample",
        (pl.col("output").str.split(" ").list.eval(pl.element().filter(pl.element() != "")).list.len()
         .cast(pl.Float64) / PER).alias("length"),
    )  # fmt: skip


def _ols(y: np.ndarray, x: np.ndarray, groups: np.ndarray, name: str, note: str, confidence: float) -> Figure:
    """Slope of y on x with group fixed effects (groups of one row carry no within-group information)."""
    import statsmodels.api as sm

    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    if keep.sum() >= max(4, 0.5 * len(y)):
        codes = np.unique(inverse[keep], return_inverse=True)[1]
        design = np.column_stack([x[keep], np.eye(codes.max() + 1)[codes]])
        y, how = y[keep], "with case fixed effects"
    else:
        design, how = (
            sm.add_constant(x, has_constant="add"),
            "pooled (too few cases with two or more outputs for fixed effects)",
        )
    k = 0 if how.startswith("with") else 1  # the slope's column: after the constant when pooled
    if np.ptp(design[:, k]) == 0 or len(y) < 3:
        raise ValueError(f"verbosity_bias: the output lengths do not vary enough to fit {name}")
    fit = sm.OLS(y, design).fit()
    lo, hi = fit.conf_int(alpha=1 - confidence)[k]
    return Figure(name, float(fit.params[k]), float(lo), float(hi), int(len(y)), p_value=float(fit.pvalues[k]),
                  note=f"{note} per {PER:.0f} more words, OLS {how}")  # fmt: skip


def _logit(y: np.ndarray, x: np.ndarray, name: str, note: str, confidence: float) -> Figure:
    import statsmodels.api as sm

    if len(y) < 3 or y.min() == y.max():
        raise ValueError(f"verbosity_bias: {name} needs decisive verdicts for both sides (got {len(y)})")
    try:
        fit = sm.Logit(y, sm.add_constant(x, has_constant="add")).fit(disp=0)
    except Exception as err:  # statsmodels raises PerfectSeparationError and LinAlgError here
        raise ValueError(
            f"verbosity_bias: the logistic regression for {name} cannot be fitted ({err})"
        ) from err
    lo, hi = fit.conf_int(alpha=1 - confidence)[1]
    return Figure(name, float(fit.params[1]), float(lo), float(hi), int(len(y)), p_value=float(fit.pvalues[1]),
                  note=f"{note}: log-odds per {PER:.0f} words of length difference a - b (logistic regression)")  # fmt: skip


def verbosity_bias(
    judge_scores_or_pairwise: Any,
    results: Any = None,
    *,
    human_labels: Any = None,
    metric: str | None = None,
    criterion: str | None = None,
    confidence: float = 0.95,
) -> BiasCheck:
    """How much the judge's verdict depends on output length (per 100 words).

    Args:
        judge_scores_or_pairwise: a single-output ``Scores`` or score table, or a pairwise table
            (``winner``).
        results: the results the judge read (a Run or a results table: ``output`` per case, model,
            variant, sample); default: the run a ``Scores`` was made from.
        human_labels: human labels of the same outputs (single or pairwise, as the judge's table),
            for the humans' counterpart.
        metric, criterion: which judge metric and human criterion, when there are several.
        confidence: the level of every interval.

    Flagged when the judge's length effect is positive and significant (p < 0.05): for single scores
    the judge's excess over the humans when labels are given, else its own slope.
    """
    check_confidence(confidence, 0)
    frame = as_table(judge_scores_or_pairwise, want="scores", param="judge_scores_or_pairwise", func=FUNC)
    if results is None:
        results = run_of(judge_scores_or_pairwise)
    if results is None:
        raise ValueError(
            "verbosity_bias needs the outputs the judge read: pass results= (a Run or a results table); "
            "only a Scores made from a run knows them"
        )
    lengths = _lengths(results)
    if "winner" in frame.columns:
        return _pairwise(frame, lengths, human_labels, criterion, confidence)
    judge, metric, _ = judge_table(frame, metric, "interval", FUNC)
    data = judge.join(lengths, on=list(KEY), how="inner")
    if data.height == 0:
        raise ValueError(
            "verbosity_bias: no scored output is in results (matched on case_id, model, variant, sample)"
        )
    x, groups = data.get_column("length").to_numpy(), data.get_column("case_id").to_numpy()
    figures = [
        _ols(
            data.get_column("j_value").to_numpy(), x, groups, "judge_slope", "judge score change", confidence
        )
    ]
    if human_labels is not None:
        human, _, _ = human_table(human_labels, criterion, "interval", FUNC)
        means = human.group_by("item").agg(pl.col("h_value").mean().alias("h_mean"))
        both = data.join(means, on="item", how="inner")
        if both.height == 0:
            raise ValueError("verbosity_bias: no scored output has a human label")
        xb, gb = both.get_column("length").to_numpy(), both.get_column("case_id").to_numpy()
        excess = (both.get_column("j_value") - both.get_column("h_mean")).to_numpy()
        figures.insert(0, _ols(excess, xb, gb, "excess_slope", "judge minus human score change", confidence))
        figures.append(
            _ols(
                both.get_column("h_mean").to_numpy(),
                xb,
                gb,
                "human_slope",
                "human mean score change",
                confidence,
            )
        )
    head = figures[0]
    flagged = bool(head.value and head.value > 0 and head.p_value is not None and head.p_value < 0.05)
    human_fig = next((f for f in figures if f.name == "human_slope"), None)
    judge_fig = next(f for f in figures if f.name == "judge_slope")
    stated = f"{_level(confidence)} CI {head.ci_lo:+.2f} to {head.ci_hi:+.2f}, p = {head.p_value:.3g}"
    if human_fig is not None:
        detail = (
            f" (humans: {human_fig.value:+.2f}; the judge's excess over them {head.value:+.2f}, {stated})"
        )
    else:
        detail = f" ({stated})"
    sentence = (
        f"Per {PER:.0f} more words the judge's {metric!r} score changes by {judge_fig.value:+.2f} points"
        f"{detail}, over {head.n} outputs." + (" The judge rewards length." if flagged else "")
    )
    return BiasCheck("verbosity_bias", tuple(figures), flagged, sentence, confidence=confidence)


def _side_lengths(frame: pl.DataFrame, lengths: pl.DataFrame) -> pl.DataFrame:
    """Add ``len_a`` / ``len_b`` to a pairwise table with ``side_a`` / ``side_b`` ("model/variant")."""
    full = lengths.select(
        "case_id", (pl.col("model") + "/" + pl.col("variant")).alias("side"), "sample", "length"
    )
    bare = lengths.select("case_id", pl.col("model").alias("side"), "sample", "length")
    table = pl.concat([full, bare]).unique(["case_id", "side", "sample"], keep="first")
    if "sample" not in frame.columns or frame.get_column("sample").null_count() == frame.height:
        frame = frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("sample"))
    frame = frame.with_columns(pl.col("sample").cast(pl.Int64))
    for side in ("a", "b"):
        t = table.rename({"side": f"side_{side}", "length": f"len_{side}"})
        frame = frame.join(t, on=["case_id", f"side_{side}", "sample"], how="left")
        bare_t = table.rename({"side": f"bare_{side}", "length": f"lb_{side}"})
        frame = frame.with_columns(pl.col(f"side_{side}").str.replace(r"/.*$", "").alias(f"bare_{side}"))
        frame = frame.join(bare_t, on=["case_id", f"bare_{side}", "sample"], how="left").with_columns(
            pl.coalesce(f"len_{side}", f"lb_{side}").alias(f"len_{side}")
        )
    return frame.filter(pl.col("len_a").is_not_null() & pl.col("len_b").is_not_null())


def _pairwise(
    frame: pl.DataFrame, lengths: pl.DataFrame, human_labels: Any, criterion: str | None, confidence: float
) -> BiasCheck:
    from workbench.calibration._pairwise import _sides

    data = _side_lengths(_sides(frame, "judge_scores_or_pairwise"), lengths)
    decisive = data.filter(pl.col("winner").is_in(["a", "b"]))
    if decisive.height == 0:
        raise ValueError("verbosity_bias: no decisive verdict (a or b) whose two outputs are in results")
    x = (decisive.get_column("len_a") - decisive.get_column("len_b")).to_numpy()
    y = (decisive.get_column("winner") == "a").to_numpy().astype(float)
    figures = [_logit(y, x, "judge_log_odds", "judge", confidence)]
    longer = x != 0
    wins = int(((x > 0) & (y == 1) | (x < 0) & (y == 0)).sum())
    figures.append(Figure("longer_wins_rate", wins / int(longer.sum()) if longer.any() else None,
                          *_wilson(wins, int(longer.sum()), confidence), int(longer.sum()),
                          note="share of decisive verdicts won by the longer response"))  # fmt: skip
    human = None
    if human_labels is not None:
        labels, _ = pick_criterion(as_labels(human_labels, func=FUNC), criterion, "pairwise")
        hdata = _side_lengths(_sides(labels, "human_labels"), lengths).filter(
            pl.col("label").is_in(["a", "b"])
        )
        hx = (hdata.get_column("len_a") - hdata.get_column("len_b")).to_numpy()
        human = _logit(
            (hdata.get_column("label") == "a").to_numpy().astype(float),
            hx,
            "human_log_odds",
            "humans",
            confidence,
        )
        figures.append(human)
    head = figures[0]
    assert head.value is not None and head.p_value is not None
    flagged = (
        head.value > 0
        and head.p_value < 0.05
        and (human is None or human.value is None or human.value < (head.ci_lo or 0))
    )
    sentence = (
        f"Each {PER:.0f} words of length advantage multiply the odds that the judge prefers a response by "
        f"{np.exp(head.value):.2f} (log-odds {head.value:+.2f}, {_level(confidence)} CI {head.ci_lo:+.2f} to {head.ci_hi:+.2f}, "
        f"p = {head.p_value:.3g}, {head.n} decisive verdicts); the longer response won {_pct(figures[1].value)} of them"
        + (f"; for the humans the odds ratio is {np.exp(human.value):.2f} (log-odds {human.value:+.2f})." if human
           and human.value is not None else ".")
    )  # fmt: skip
    return BiasCheck("verbosity_bias", tuple(figures), bool(flagged), sentence, confidence=confidence)
