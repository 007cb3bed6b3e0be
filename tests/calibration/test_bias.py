"""Bias checks: position bias exact on a toy set, self-preference, verbosity planted and shuffled."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tests.calibration._toy import human_labels, judge_scores, pairwise_labels, results
from tests.calibration.test_pairwise import judge_table
from workbench.calibration import position_bias, self_preference, verbosity_bias


def test_position_bias_exact() -> None:
    check = position_bias(judge_table())
    assert check.value == pytest.approx(3 / 8)  # c3, c6, c8 change with the order
    assert check.n == 8
    assert check.figure("reversal_rate").value == pytest.approx(2 / 8)  # c3 and c6 swap a win for a loss
    first = check.figure("first_position_rate")
    # shown first and won: a-first verdicts "a" on c1 c3 c5 c8, b-first verdicts "b" on c2 c3 c7
    assert first.value == pytest.approx(7 / 13) and first.n == 13
    assert first.p_value == pytest.approx(1.0)
    lo, hi = check.interval
    assert lo is not None and hi is not None and lo < 3 / 8 < hi
    assert check.flagged  # more than a quarter of verdicts flip
    assert "3 of 8 pairs" in check.sentence
    assert check.table.get_column("name").to_list() == ["flip_rate", "reversal_rate", "first_position_rate"]


def test_position_bias_needs_both_orders() -> None:
    with pytest.raises(
        ValueError,
        match="position_bias: pairwise_scores has no column 'verdict_ba'; expected the verdict in both",
    ):
        position_bias(judge_table().drop("verdict_ba"))
    with pytest.raises(ValueError, match="no pair with a verdict in both orders"):
        position_bias(pl.DataFrame({"verdict_ab": ["a", None], "verdict_ba": [None, "b"]}))


def test_position_bias_counts_only_pairs_judged_in_both_orders() -> None:
    # The one definition kept from the former metrics.position_consistency / calibrate.position_bias
    # pair: only pairs with a verdict in both orders count. Hand-computed:
    #   p1 a,a: a shown first won (ab), a shown second won (ba)  -> first-position wins 1 of 2
    #   p2 a,b: the response shown first won both times          -> 2 of 2 (a flip, and a reversal)
    #   p3 b,b: b won shown second (ab) and shown first (ba)     -> 1 of 2
    #   p4 tie,tie: no decisive verdict
    #   p5 a,-  and p6 -,-: no verdict in both orders, left out. p5's lone "a" cannot tell position
    #   from quality (a may simply be better); counting it, as position_consistency did, gave 5/7.
    t = pl.DataFrame(
        {
            "verdict_ab": ["a", "a", "b", "tie", "a", None],
            "verdict_ba": ["a", "b", "b", "tie", None, None],
        }
    )
    check = position_bias(t.to_pandas())
    assert check.n == 4
    assert check.value == pytest.approx(1 / 4)  # p2 flips
    assert check.figure("reversal_rate").value == pytest.approx(1 / 4)
    first = check.figure("first_position_rate")
    assert (first.value, first.n) == (pytest.approx(4 / 6), 6)
    assert first.p_value == pytest.approx(44 / 64)  # two-sided binomial, 4 of 6 at p = 0.5
    assert not check.flagged
    assert "2 pair(s) without a verdict in both orders were left out" in check.sentence
    lo, hi = check.interval
    narrow = position_bias(t, confidence=0.5).interval
    assert lo < narrow[0] < 1 / 4 < narrow[1] < hi
    assert "50% CI" in position_bias(t, confidence=0.5).sentence


def test_bias_check_shape() -> None:
    check = position_bias(judge_table())
    assert check.table.columns == ["check", "name", "value", "ci_lo", "ci_hi", "n", "p_value", "note"]
    assert check.table.get_column("check").to_list() == ["position_bias"] * 3
    summary = check.summary()
    assert isinstance(summary, pl.DataFrame) and summary.height == 1
    row = summary.row(0, named=True)
    assert (row["check"], row["flagged"], row["figure"], row["n"]) == ("position_bias", True, "flip_rate", 8)
    assert (row["ci_lo"], row["ci_hi"]) == check.interval and row["sentence"] == check.sentence
    assert check.to_pandas().shape == (3, 8)
    assert check.figures[0].interval == check.interval
    page = check._repr_html_()
    assert "position_bias" in page and "flip_rate" in page


OWN = {("c1", "me"): 5.0, ("c2", "me"): 5.0, ("c3", "me"): 4.0, ("c4", "me"): 4.0}
OTHER = {("c1", "them"): 3.0, ("c2", "them"): 3.0, ("c3", "them"): 4.0, ("c4", "them"): 2.0}


def test_self_preference_without_humans_is_the_raw_gap() -> None:
    scores = judge_scores({**OWN, **OTHER}, self_model="me")
    check = self_preference(scores)
    assert check.value == pytest.approx(1.5)  # 4.5 - 3.0
    assert check.figures[0].name == "judge_gap"
    assert check.n == 8
    assert "4 row(s) are flagged judge_self" in check.sentence
    assert "real quality difference" in check.sentence
    # judge_model works when the rows are not flagged
    same = self_preference(judge_scores({**OWN, **OTHER}), judge_model="me")
    assert same.value == pytest.approx(1.5)


def test_self_preference_beyond_the_humans_is_flagged() -> None:
    scores = judge_scores({**OWN, **OTHER}, self_model="me")
    humans = human_labels(
        {
            **{k: {"r1": v - 1, "r2": v - 1} for k, v in OWN.items()},
            **{k: {"r1": v, "r2": v} for k, v in OTHER.items()},
        }
    )
    check = self_preference(scores, human_labels=humans)
    assert check.figures[0].name == "excess_gap"
    assert check.value == pytest.approx(1.0)  # the judge is 1 point above the humans on its own outputs only
    assert check.figure("human_gap").value == pytest.approx(0.5)
    assert check.figure("judge_gap").value == pytest.approx(1.5)
    assert check.flagged
    fair = human_labels({k: {"r1": v} for k, v in {**OWN, **OTHER}.items()})
    assert not self_preference(scores, human_labels=fair).flagged


def test_self_preference_needs_own_outputs() -> None:
    with pytest.raises(ValueError, match="models there: \\['me', 'them'\\]"):
        self_preference(judge_scores({**OWN, **OTHER}))


def _verbosity_data(effect: float, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """80 cases x 2 models; humans see the true quality; the judge adds ``effect`` per 100 words."""
    rng = np.random.default_rng(seed)
    values, ratings, outputs = {}, {}, {}
    for i in range(80):
        for model in ("m1", "m2"):
            key = (f"c{i}", model)
            quality = float(rng.integers(1, 6))
            words = int(rng.integers(10, 300))
            outputs[key] = " ".join(["word"] * words)
            values[key] = quality + effect * words / 100 + float(rng.normal(0, 0.5))
            ratings[key] = {"r1": quality, "r2": quality}
    return judge_scores(values), human_labels(ratings), results(outputs)


def test_verbosity_bias_detects_a_planted_length_effect() -> None:
    scores, humans, res = _verbosity_data(effect=1.0)
    check = verbosity_bias(scores, res, human_labels=humans)
    assert check.figures[0].name == "excess_slope"
    assert check.value == pytest.approx(1.0, abs=0.15)
    assert check.figures[0].p_value < 1e-6
    assert check.figure("human_slope").value == pytest.approx(0.0, abs=0.3)
    assert check.flagged and "rewards length" in check.sentence
    alone = verbosity_bias(scores, res)
    assert alone.figures[0].name == "judge_slope" and alone.flagged


def test_verbosity_bias_finds_none_on_shuffled_lengths() -> None:
    scores, humans, res = _verbosity_data(effect=1.0)
    shuffled = res.with_columns(pl.col("output").shuffle(seed=1))  # lengths no longer tied to the scores
    check = verbosity_bias(scores, shuffled, human_labels=humans)
    assert not check.flagged
    assert check.figures[0].p_value > 0.05


def test_verbosity_bias_pools_when_each_case_has_one_output() -> None:
    # one output per case: no within-case comparison, so the slope is pooled (score = 1 + 2 * length)
    words = {"c1": 50, "c2": 100, "c3": 200, "c4": 300}
    scores = judge_scores({(c, "m1"): 1 + 2 * w / 100 for c, w in words.items()})
    res = results({(c, "m1"): " ".join(["w"] * w) for c, w in words.items()})
    check = verbosity_bias(scores, res)
    assert check.value == pytest.approx(2.0)
    assert "pooled" in (check.figures[0].note or "")
    flat = results({(c, "m1"): "same length" for c in words})
    with pytest.raises(ValueError, match="do not vary enough"):
        verbosity_bias(scores, flat)


def test_verbosity_bias_pairwise_logistic() -> None:
    rng = np.random.default_rng(3)
    rows, outputs, votes = [], {}, []
    for i in range(150):
        la, lb = int(rng.integers(10, 300)), int(rng.integers(10, 300))
        outputs[(f"c{i}", "assistant-a")] = " ".join(["w"] * la)
        outputs[(f"c{i}", "assistant-b")] = " ".join(["w"] * lb)
        p_a = 1 / (1 + np.exp(-1.5 * (la - lb) / 100))
        winner = "a" if rng.random() < p_a else "b"
        rows.append({"case_id": f"c{i}", "sample": 0, "variant": "default", "model_a": "assistant-a",
                     "model_b": "assistant-b", "winner": winner})  # fmt: skip
        votes.append(
            (f"c{i}", "r1", "assistant-a/default", "assistant-b/default", str(rng.choice(["a", "b"])))
        )
    check = verbosity_bias(pl.DataFrame(rows), results(outputs), human_labels=pairwise_labels(votes))
    assert check.figures[0].name == "judge_log_odds"
    assert check.value == pytest.approx(1.5, abs=0.6)
    assert check.flagged
    assert check.figure("longer_wins_rate").value > 0.6
    assert abs(check.figure("human_log_odds").value) < 0.6  # humans voted at random


def test_verbosity_bias_takes_the_outputs_from_the_run_a_scores_was_made_from() -> None:
    from workbench.metrics._scores import Scores
    from workbench.runner._result import Run

    scores, humans, res = _verbosity_data(effect=1.0)
    run = Run({"run_id": "r1"}, res)

    def same(x, y) -> None:  # joins may order rows differently: equal up to float rounding
        assert [(f.name, f.n) for f in x.figures] == [(f.name, f.n) for f in y.figures]
        assert [(f.value, *f.interval) for f in x.figures] == [
            pytest.approx((f.value, *f.interval), rel=1e-9) for f in y.figures
        ]

    from_run = verbosity_bias(Scores(scores, run=run), human_labels=humans)  # was: results required
    same(from_run, verbosity_bias(scores, res, human_labels=humans))
    same(verbosity_bias(scores, run), verbosity_bias(scores, res.to_pandas()))
    with pytest.raises(ValueError, match="verbosity_bias needs the outputs the judge read: pass results="):
        verbosity_bias(scores)
    narrow = verbosity_bias(scores, res, confidence=0.5)
    wide = verbosity_bias(scores, res)
    assert wide.interval[0] < narrow.interval[0] < narrow.value < narrow.interval[1] < wide.interval[1]
    assert "50% CI" in narrow.sentence and narrow.confidence == 0.5


def test_self_preference_takes_labels_second_and_a_confidence() -> None:
    scores = judge_scores({**OWN, **OTHER}, self_model="me")
    humans = human_labels(
        {
            **{k: {"r1": v - 1, "r2": v - 1} for k, v in OWN.items()},
            **{k: {"r1": v, "r2": v} for k, v in OTHER.items()},
        }
    )
    check = self_preference(scores, humans, confidence=0.9, n_resamples=500, seed=1)
    assert check.figures[0].name == "excess_gap" and check.value == pytest.approx(1.0)
    assert check.confidence == 0.9 and "90% CI" in check.sentence
    assert self_preference(scores, judge_model="me").value == pytest.approx(1.5)


def test_self_preference_depends_only_on_the_data_and_the_seed() -> None:
    # the human means were grouped in no fixed order, so the bootstrap drew from differently
    # ordered arrays: the same call gave a different interval each time
    rng = np.random.default_rng(4)
    values = {(f"c{i}", m): float(rng.integers(1, 6)) for i in range(60) for m in ("me", "them")}
    scores = judge_scores(values, self_model="me")
    humans = human_labels(
        {k: {"r1": float(rng.integers(1, 6)), "r2": float(rng.integers(1, 6))} for k in values}
    )
    checks = [self_preference(scores, humans, n_resamples=200, seed=5) for _ in range(5)]
    assert len({c.figures for c in checks}) == 1
    shuffled = self_preference(
        scores.sample(fraction=1.0, shuffle=True, seed=1), humans, n_resamples=200, seed=5
    )
    assert shuffled.figures == checks[0].figures
