"""Bias checks: position bias exact on a toy set, self-preference, verbosity planted and shuffled."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tests.calibrate._toy import human_labels, judge_scores, pairwise_labels, results
from tests.calibrate.test_pairwise import judge_table
from workbench.calibrate import position_bias, self_preference, verbosity_bias


def test_position_bias_exact() -> None:
    check = position_bias(judge_table())
    assert check.value == pytest.approx(3 / 8)  # c3, c6, c8 change with the order
    assert check.n == 8
    assert check.figure("reversal_rate").value == pytest.approx(2 / 8)  # c3 and c6 swap a win for a loss
    first = check.figure("first_position_rate")
    # shown first and won: a-first verdicts "a" on c1 c3 c5 c8, b-first verdicts "b" on c2 c3 c7
    assert first.value == pytest.approx(7 / 13) and first.n == 13
    assert first.p_value == pytest.approx(1.0)
    lo, hi = check.ci
    assert lo is not None and hi is not None and lo < 3 / 8 < hi
    assert check.flagged  # more than a quarter of verdicts flip
    assert "3 of 8 pairs" in check.sentence
    assert check.summary.get_column("name").to_list() == ["flip_rate", "reversal_rate", "first_position_rate"]


def test_position_bias_needs_both_orders() -> None:
    with pytest.raises(ValueError, match="'verdict_ba' is missing"):
        position_bias(judge_table().drop("verdict_ba"))


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
