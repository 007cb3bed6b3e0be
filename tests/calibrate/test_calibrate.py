"""calibrate: a single-output judge against a human panel, on toy tables with exact figures."""

from __future__ import annotations

import polars as pl
import pytest

from tests.calibrate._toy import human_labels, judge_scores, results
from workbench.calibrate import Calibration, calibrate

# six outputs, two raters who agree, a third who rates only some of them
PANEL = {
    ("c1", "m1"): {"r1": 5, "r2": 5, "r3": 5},
    ("c1", "m2"): {"r1": 4, "r2": 4},
    ("c2", "m1"): {"r1": 3, "r2": 3, "r3": 2},
    ("c2", "m2"): {"r1": 2, "r2": 2},
    ("c3", "m1"): {"r1": 1, "r2": 1, "r3": 1},
    ("c3", "m2"): {"r1": 3, "r2": 3},
}
CONSENSUS = {k: v["r1"] for k, v in PANEL.items()}
CASES = pl.DataFrame(
    {
        "case_id": ["c1", "c2", "c3"],
        "input": ["How do refunds work?", "Reset my password", "Export CSV"],
        "tags": [["intent:billing"], ["intent:account"], ["intent:billing"]],
    }
)


def _value(cal: Calibration, comparison: str, statistic: str) -> float:
    row = cal.summary.filter(pl.col("comparison") == comparison, pl.col("statistic") == statistic)
    return float(row.get_column("value")[0])


def test_perfect_judge_has_kappa_one_and_no_disagreements() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), n_boot=50)
    assert cal.kappa == pytest.approx(1.0)
    assert cal.percent_agreement == pytest.approx(1.0)
    assert cal.disagreements.height == 0
    assert cal.aligned.height == 6
    assert _value(cal, "judge - consensus", "mean_difference") == 0.0
    assert cal.dropped == {
        "judge_errors": 0,
        "judged_not_labelled": 0,
        "labelled_not_judged": 0,
        "no_consensus": 0,
    }
    # the confusion matrix is diagonal, in scale order
    matrix = cal.confusion_matrix()
    assert matrix.columns == ["judge", "1", "2", "3", "4", "5"]
    assert matrix.get_column("judge").to_list() == ["1", "2", "3", "4", "5"]
    assert matrix.get_column("3").to_list() == [0, 0, 2, 0, 0]
    # judge vs each rater: r3 rated 3 outputs, one of them differently (2 vs 3)
    per = {r["rater"]: r for r in cal.per_rater.to_dicts()}
    assert per["r1"]["kappa"] == pytest.approx(1.0)
    assert per["r3"]["n_items"] == 3
    assert per["r3"]["agreement"] == pytest.approx(2 / 3)


def test_constant_judge_has_kappa_zero() -> None:
    judge = judge_scores({k: 3.0 for k in PANEL})
    cal = calibrate(judge, human_labels(PANEL), n_boot=50)
    # a judge that always says the same label agrees only by chance: kappa exactly 0
    assert cal.kappa == pytest.approx(0.0, abs=1e-12)
    assert cal.percent_agreement == pytest.approx(2 / 6)  # consensus is 3 on two items
    # largest |judge - consensus| first: consensus 1 and 5 are 2 points away
    top = cal.disagreements.head(2)
    assert sorted(top.get_column("diff").to_list()) == [-2.0, 2.0]
    assert set(zip(top["case_id"], top["model"], strict=True)) == {("c1", "m1"), ("c3", "m1")}
    assert _value(cal, "judge - consensus", "mean_difference") == pytest.approx(
        (0 - 2 - 1 + 0 + 1 + 2) / 6 * -1 * -1
    )


def test_human_ceiling_and_nominal_level() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), level="nominal", n_boot=50)
    assert cal.kappa == pytest.approx(1.0)
    pairs = cal.human_pairs.filter(pl.col("rater_a") == "r1", pl.col("rater_b") == "r2")
    assert pairs.get_column("kappa")[0] == pytest.approx(1.0)
    assert "krippendorff_alpha" in cal.summary.get_column("statistic").to_list()
    assert 0 < cal.human_alpha < 1  # r3 disagrees once


def test_judge_errors_and_unmatched_outputs_are_counted() -> None:
    values: dict[tuple[str, str], float | None] = dict(CONSENSUS)
    values[("c1", "m1")] = None  # the judge's reply could not be read
    values[("c9", "m1")] = 4.0  # nobody labelled this output
    labels = human_labels({**PANEL, ("c8", "m1"): {"r1": 2, "r2": 2}})  # nor did the judge grade this one
    cal = calibrate(judge_scores(values), labels, n_boot=20)
    assert cal.dropped["judge_errors"] == 1
    assert cal.dropped["judged_not_labelled"] == 1
    assert cal.dropped["labelled_not_judged"] == 2  # c8 and the errored c1/m1
    assert cal.aligned.height == 5


def test_majority_ties_go_to_the_lower_median_and_median_consensus() -> None:
    panel = {("c1", "m1"): {"r1": 2, "r2": 4}, ("c2", "m1"): {"r1": 1, "r2": 1, "r3": 5}}
    cal = calibrate(judge_scores({("c1", "m1"): 2.0, ("c2", "m1"): 1.0}), human_labels(panel), n_boot=0)
    assert cal.aligned.sort("case_id").get_column("h_label").to_list() == ["2", "1"]
    cal = calibrate(judge_scores({("c1", "m1"): 2.0, ("c2", "m1"): 1.0}), human_labels(panel),
                    consensus="median", n_boot=0)  # fmt: skip
    assert cal.aligned.sort("case_id").get_column("h_label").to_list() == ["2", "1"]
    with pytest.raises(ValueError, match="consensus must be 'majority' or 'median'"):
        calibrate(judge_scores({("c1", "m1"): 2.0}), human_labels(panel), consensus="mode", n_boot=0)


def test_per_slice_agreement_by_tag_prefix() -> None:
    judge = dict(CONSENSUS)
    judge[("c2", "m1")] = 5.0  # wrong on an account case
    cal = calibrate(judge_scores(judge), human_labels(PANEL), cases=CASES, n_boot=20)
    assert cal.slices is not None
    rows = {r["slice"]: r for r in cal.slices.to_dicts()}
    assert rows["intent:billing"]["n"] == 4 and rows["intent:billing"]["agreement"] == 1.0
    assert rows["intent:account"]["n"] == 2 and rows["intent:account"]["agreement"] == 0.5
    assert 0 < rows["intent:account"]["agreement_lo"] < 0.5 < rows["intent:account"]["agreement_hi"] < 1
    # explicit slices by tag expression
    cal = calibrate(judge_scores(judge), human_labels(PANEL), cases=CASES, slices={"billing": "intent:billing"},
                    n_boot=20)  # fmt: skip
    assert cal.slices is not None and cal.slices.get_column("slice").to_list() == ["billing"]


def test_misaligned_keys_say_which_column_does_not_match() -> None:
    judge = judge_scores({("c1", "gpt-4o"): 5.0, ("c2", "gpt-4o"): 3.0})
    with pytest.raises(
        ValueError, match="model: judge has \\['gpt-4o'\\], humans have \\['m1', 'm2'\\]"
    ) as err:
        calibrate(judge, human_labels(PANEL), n_boot=0)
    assert "Example judge key" in str(err.value) and "'case_id': 'c1'" in str(err.value)


def test_several_metrics_or_criteria_need_a_choice() -> None:
    both = pl.concat([judge_scores(CONSENSUS), judge_scores(CONSENSUS, metric="polite")])
    with pytest.raises(ValueError, match="has 2 metrics"):
        calibrate(both, human_labels(PANEL), n_boot=0)
    cal = calibrate(both, human_labels(PANEL), metric="polite", n_boot=0)
    assert cal.metric == "polite"
    with pytest.raises(ValueError, match="metric 'nope' is not in judge_scores"):
        calibrate(both, human_labels(PANEL), metric="nope", n_boot=0)
    labels = pl.concat([human_labels(PANEL), human_labels(PANEL, criterion="tone")])
    with pytest.raises(ValueError, match="choose one with criterion="):
        calibrate(judge_scores(CONSENSUS), labels, n_boot=0)


def test_html_escapes_outputs_rationales_and_notes() -> None:
    judge = dict(CONSENSUS)
    judge[("c1", "m1")] = 1.0
    evil = "<script>alert('x')</script>"
    cal = calibrate(
        judge_scores(judge, rationale={("c1", "m1"): evil}),
        human_labels(PANEL, notes={("c1", "m1", "r1"): evil}),
        cases=CASES,
        results=results({("c1", "m1"): evil, ("c1", "m2"): "fine"}),
        n_boot=20,
    )
    page = cal._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    row = cal.disagreements.row(0, named=True)
    assert row["output"] == evil and row["rationale"] == evil and row["input"] == "How do refunds work?"
    assert "r1: " + evil in row["notes"]


def test_to_dict_and_chart() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), n_boot=20)
    out = cal.to_dict()
    assert out["categories"] == ["1", "2", "3", "4", "5"]
    assert out["summary"][0]["comparison"] == "judge vs consensus"
    spec = cal.confusion_chart().to_dict()
    assert "layer" in spec
