"""calibrate_pairwise: MT-Bench S1 / S2 agreement on eight hand-computed pairs."""

from __future__ import annotations

import polars as pl
import pytest

from tests.calibration._toy import pairwise_labels
from workbench.calibration import calibrate_pairwise

A, B = "assistant-a/default", "assistant-b/default"
# case: (verdict with a shown first, verdict with b shown first) -> winner (inconsistent -> tie)
ORDERS = {
    "c1": ("a", "a"),
    "c2": ("b", "b"),
    "c3": ("a", "b"),  # flips
    "c4": ("tie", "tie"),
    "c5": ("a", "a"),
    "c6": ("b", "a"),  # flips
    "c7": ("b", "b"),
    "c8": ("a", "tie"),  # flips
}
HUMANS = {  # case: (rater r1, rater r2)
    "c1": ("a", "a"),
    "c2": ("b", "a"),
    "c3": ("a", "a"),
    "c4": ("tie", "b"),
    "c5": ("b", "tie"),
    "c6": ("b", "b"),
    "c7": ("b", "b"),
    "c8": ("a", "tie"),
}


def judge_table() -> pl.DataFrame:
    rows = []
    for case, (ab, ba) in ORDERS.items():
        rows.append({"case_id": case, "sample": 0, "variant": "default", "model_a": "assistant-a",
                     "model_b": "assistant-b", "winner": ab if ab == ba else "tie", "consistent": ab == ba,
                     "verdict_ab": ab, "verdict_ba": ba, "judge": "toy-judge", "rationale": "<b>why</b>",
                     "error": None, "judge_self": False})  # fmt: skip
    return pl.DataFrame(rows)


def human_table() -> pl.DataFrame:
    votes = []
    for case, (r1, r2) in HUMANS.items():
        votes.append((case, "r1", A, B, r1))
        if case == "c2":  # r2 listed the pair the other way round: "b" here is assistant-a
            votes.append((case, "r2", B, A, {"a": "b", "b": "a"}.get(r2, r2)))
        else:
            votes.append((case, "r2", A, B, r2))
    return pairwise_labels(votes)


def test_s1_and_s2_match_the_hand_computed_figures() -> None:
    cal = calibrate_pairwise(judge_table(), human_table(), n_resamples=200)
    got = {(r["setup"], r["comparison"]): r for r in cal.table.to_dicts()}
    # S1: every vote, 3-way. judge-human agree on c1 2/2, c2 1/2, c3 0/2, c4 1/2, c5 0/2, c6 0/2, c7 2/2, c8 1/2
    assert got[("S1", "judge-human")]["agreement"] == pytest.approx(7 / 16)
    assert got[("S1", "judge-human")]["n"] == 16
    # S2: judge decisive on c1, c2, c5, c7; human decisive votes there: 2 + 2 + 1 + 2, agreeing 2 + 1 + 0 + 2
    assert got[("S2", "judge-human")]["agreement"] == pytest.approx(5 / 7)
    assert got[("S2", "judge-human")]["n"] == 7
    assert got[("S2", "judge-human")]["n_items"] == 4
    # humans: the two raters agree on c1, c3, c6, c7 of 8; of the 5 pairs both decisive, on 4
    assert got[("S1", "human-human")]["agreement"] == pytest.approx(4 / 8)
    assert got[("S2", "human-human")]["agreement"] == pytest.approx(4 / 5)
    assert got[("S1", "judge-human")]["random"] == pytest.approx(1 / 3)
    for row in got.values():
        assert row["ci_lo"] <= row["agreement"] <= row["ci_hi"]
    assert cal.agreement("S2") == pytest.approx(5 / 7)
    assert cal.dropped == {"judge_errors": 0, "judged_not_labelled": 0, "labelled_not_judged": 0}


def test_position_bias_is_reported_when_both_orders_were_judged() -> None:
    cal = calibrate_pairwise(judge_table(), human_table(), n_resamples=0)
    assert cal.position is not None
    assert cal.position.value == pytest.approx(3 / 8)
    # shown first and won: a-first verdicts "a" on c1 c3 c5 c8, b-first verdicts "b" on c2 c3 c7
    assert cal.position.figure("first_position_rate").value == pytest.approx(7 / 13)
    assert cal.summary().get_column("position_flip_rate").to_list() == [pytest.approx(3 / 8)]


def test_disagreements_and_html() -> None:
    cal = calibrate_pairwise(judge_table(), human_table(), n_resamples=0)
    worst = cal.disagreements.head(3)
    assert set(worst.get_column("case_id")) == {"c3", "c5", "c6"}  # every human voted otherwise
    assert worst.get_column("share_disagree").to_list() == [1.0, 1.0, 1.0]
    page = cal._repr_html_()
    assert "<b>why</b>" not in page and "&lt;b&gt;why&lt;/b&gt;" in page
    assert "S1" in page and "S2" in page


def test_bare_model_names_match_and_mismatches_raise() -> None:
    judge = judge_table().drop("variant")  # sides "assistant-a" vs humans' "assistant-a/default"
    cal = calibrate_pairwise(judge, human_table(), n_resamples=0)
    assert cal.agreement("S1") == pytest.approx(7 / 16)
    other = judge_table().with_columns(pl.lit("gpt-4o").alias("model_a"))
    with pytest.raises(ValueError, match="no judged pair matches a human pairwise label"):
        calibrate_pairwise(other, human_table(), n_resamples=0)
    twice = pl.concat([judge_table(), judge_table().with_columns(pl.lit(1, dtype=pl.Int64).alias("sample"))])
    with pytest.raises(ValueError, match="judged more than once"):
        calibrate_pairwise(twice, human_table(), n_resamples=0)


def test_no_decisive_judge_verdict_gives_nan_s2_not_a_crash() -> None:
    ties = judge_table().with_columns(
        pl.lit("tie").alias("winner"), pl.lit("tie").alias("verdict_ab"), pl.lit("tie").alias("verdict_ba")
    )
    cal = calibrate_pairwise(ties, human_table(), n_resamples=0)
    s2 = cal.table.filter(setup="S2", comparison="judge-human").row(0, named=True)
    assert s2["n"] == 0 and s2["agreement"] is None
    assert cal.agreement("S2") != cal.agreement("S2")  # nan: no vote to compare
    assert cal.agreement("S1") == pytest.approx(3 / 16)  # the judge's ties match the humans' 3 tie votes
    assert "S2=nan" in repr(cal)


def test_result_shape_confidence_and_pandas_input() -> None:
    cal = calibrate_pairwise(judge_table().to_pandas(), human_table().to_pandas(), n_resamples=200)
    assert cal.table.columns == [
        "setup",
        "comparison",
        "agreement",
        "ci_lo",
        "ci_hi",
        "n",
        "n_items",
        "random",
    ]
    row = cal.summary().row(0, named=True)
    assert row == {
        "judge": "toy-judge", "criterion": "helpfulness", "n_items": 4, "s2_agreement": pytest.approx(5 / 7),
        "s2_lo": cal.interval[0], "s2_hi": cal.interval[1], "s1_agreement": pytest.approx(7 / 16),
        "human_s2_agreement": pytest.approx(4 / 5), "position_flip_rate": pytest.approx(3 / 8),
    }  # fmt: skip
    assert cal.to_pandas().shape == (4, 8)
    narrow = calibrate_pairwise(judge_table(), human_table(), confidence=0.5, n_resamples=200)
    assert cal.interval[0] <= narrow.interval[0] <= narrow.interval[1] <= cal.interval[1]
    assert narrow.position is not None and narrow.position.confidence == 0.5
    with pytest.raises(ValueError, match="calibrate_pairwise: judge_pairwise_scores has no column 'winner'"):
        calibrate_pairwise(judge_table().drop("winner"), human_table())
