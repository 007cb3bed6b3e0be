"""calibrate: a single-output judge against a human panel, on toy tables with exact figures."""

from __future__ import annotations

import polars as pl
import pytest

from tests.calibration._toy import human_labels, judge_scores, results
from workbench.calibration import Calibration, calibrate

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
    row = cal.table.filter(pl.col("comparison") == comparison, pl.col("statistic") == statistic)
    return float(row.get_column("value")[0])


def test_perfect_judge_has_kappa_one_and_no_disagreements() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), n_resamples=50)
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
    cal = calibrate(judge, human_labels(PANEL), n_resamples=50)
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
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), level="nominal", n_resamples=50)
    assert cal.kappa == pytest.approx(1.0)
    pairs = cal.human_pairs.filter(pl.col("rater_a") == "r1", pl.col("rater_b") == "r2")
    assert pairs.get_column("kappa")[0] == pytest.approx(1.0)
    assert "krippendorff_alpha" in cal.table.get_column("statistic").to_list()
    assert 0 < cal.human_alpha < 1  # r3 disagrees once


def test_judge_errors_and_unmatched_outputs_are_counted() -> None:
    values: dict[tuple[str, str], float | None] = dict(CONSENSUS)
    values[("c1", "m1")] = None  # the judge's reply could not be read
    values[("c9", "m1")] = 4.0  # nobody labelled this output
    labels = human_labels({**PANEL, ("c8", "m1"): {"r1": 2, "r2": 2}})  # nor did the judge grade this one
    cal = calibrate(judge_scores(values), labels, n_resamples=20)
    assert cal.dropped["judge_errors"] == 1
    assert cal.dropped["judged_not_labelled"] == 1
    assert cal.dropped["labelled_not_judged"] == 2  # c8 and the errored c1/m1
    assert cal.aligned.height == 5


def test_majority_ties_go_to_the_lower_median_and_median_consensus() -> None:
    panel = {("c1", "m1"): {"r1": 2, "r2": 4}, ("c2", "m1"): {"r1": 1, "r2": 1, "r3": 5}}
    cal = calibrate(judge_scores({("c1", "m1"): 2.0, ("c2", "m1"): 1.0}), human_labels(panel), n_resamples=0)
    assert cal.aligned.sort("case_id").get_column("h_label").to_list() == ["2", "1"]
    cal = calibrate(judge_scores({("c1", "m1"): 2.0, ("c2", "m1"): 1.0}), human_labels(panel),
                    consensus="median", n_resamples=0)  # fmt: skip
    assert cal.aligned.sort("case_id").get_column("h_label").to_list() == ["2", "1"]
    with pytest.raises(ValueError, match="consensus must be 'majority' or 'median'"):
        calibrate(judge_scores({("c1", "m1"): 2.0}), human_labels(panel), consensus="mode", n_resamples=0)


def test_per_slice_agreement_by_tag_prefix() -> None:
    judge = dict(CONSENSUS)
    judge[("c2", "m1")] = 5.0  # wrong on an account case
    cal = calibrate(judge_scores(judge), human_labels(PANEL), cases=CASES, n_resamples=20)
    assert cal.slices is not None
    rows = {r["slice"]: r for r in cal.slices.to_dicts()}
    assert rows["intent:billing"]["n"] == 4 and rows["intent:billing"]["agreement"] == 1.0
    assert rows["intent:account"]["n"] == 2 and rows["intent:account"]["agreement"] == 0.5
    assert 0 < rows["intent:account"]["agreement_lo"] < 0.5 < rows["intent:account"]["agreement_hi"] < 1
    # explicit slices by tag expression
    cal = calibrate(judge_scores(judge), human_labels(PANEL), cases=CASES, slices={"billing": "intent:billing"},
                    n_resamples=20)  # fmt: skip
    assert cal.slices is not None and cal.slices.get_column("slice").to_list() == ["billing"]


def test_misaligned_keys_say_which_column_does_not_match() -> None:
    judge = judge_scores({("c1", "gpt-4o"): 5.0, ("c2", "gpt-4o"): 3.0})
    with pytest.raises(
        ValueError, match="model: judge has \\['gpt-4o'\\], humans have \\['m1', 'm2'\\]"
    ) as err:
        calibrate(judge, human_labels(PANEL), n_resamples=0)
    assert "Example judge key" in str(err.value) and "'case_id': 'c1'" in str(err.value)


def test_several_metrics_or_criteria_need_a_choice() -> None:
    both = pl.concat([judge_scores(CONSENSUS), judge_scores(CONSENSUS, metric="polite")])
    with pytest.raises(ValueError, match="has 2 metrics"):
        calibrate(both, human_labels(PANEL), n_resamples=0)
    cal = calibrate(both, human_labels(PANEL), metric="polite", n_resamples=0)
    assert cal.metric == "polite"
    with pytest.raises(ValueError, match="metric 'nope' is not in judge_scores"):
        calibrate(both, human_labels(PANEL), metric="nope", n_resamples=0)
    labels = pl.concat([human_labels(PANEL), human_labels(PANEL, criterion="tone")])
    with pytest.raises(ValueError, match="choose one with criterion="):
        calibrate(judge_scores(CONSENSUS), labels, n_resamples=0)


def test_html_escapes_outputs_rationales_and_notes() -> None:
    judge = dict(CONSENSUS)
    judge[("c1", "m1")] = 1.0
    evil = "<script>alert('x')</script>"
    cal = calibrate(
        judge_scores(judge, rationale={("c1", "m1"): evil}),
        human_labels(PANEL, notes={("c1", "m1", "r1"): evil}),
        cases=CASES,
        results=results({("c1", "m1"): evil, ("c1", "m2"): "fine"}),
        n_resamples=20,
    )
    page = cal._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    row = cal.disagreements.row(0, named=True)
    assert row["output"] == evil and row["rationale"] == evil and row["input"] == "How do refunds work?"
    assert "r1: " + evil in row["notes"]


def test_to_dict_and_chart() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), n_resamples=20)
    out = cal.to_dict()
    assert out["categories"] == ["1", "2", "3", "4", "5"]
    assert out["table"][0]["comparison"] == "judge vs consensus"
    spec = cal.confusion_chart().to_dict()
    assert "layer" in spec


def _run_and_scores(values: dict[tuple[str, str], float | None]):
    """A Run over CASES (as a CaseSet) with outputs, and the judge's Scores of it."""
    from workbench.cases import load_cases
    from workbench.metrics._scores import Scores
    from workbench.runner._result import Run

    caseset = load_cases(
        [{"id": c, "input": i, "tags": t} for c, i, t in CASES.select("case_id", "input", "tags").iter_rows()]
    )
    outputs = results({k: f"answer to {k[0]} by {k[1]}" for k in values})
    run = Run({"run_id": "r1"}, outputs, cases=caseset)
    return run, Scores(judge_scores(values), run=run)


def test_a_scores_brings_its_cases_and_run() -> None:
    judge = dict(CONSENSUS)
    judge[("c2", "m1")] = 5.0
    run, scores = _run_and_scores(judge)
    cal = calibrate(scores, human_labels(PANEL), n_resamples=20)  # was a TypeError
    explicit = calibrate(
        judge_scores(judge), human_labels(PANEL), cases=run.cases, results=run, n_resamples=20
    )
    assert cal.table.equals(explicit.table)
    assert cal.slices is not None and cal.slices.equals(explicit.slices)
    assert set(cal.slices.get_column("slice")) == {"intent:account", "intent:billing"}
    worst = cal.disagreements.row(0, named=True)
    assert (worst["case_id"], worst["input"], worst["output"]) == (
        "c2",
        "Reset my password",
        "answer to c2 by m1",
    )
    # a pandas or lazy table, and a Run as results, work the same
    lazy = calibrate(judge_scores(judge).lazy(), human_labels(PANEL).to_pandas(), results=run, n_resamples=20)
    assert lazy.table.equals(cal.table) and "output" in lazy.disagreements.columns
    with pytest.raises(
        TypeError, match=r"calibrate: judge_scores must be .*got a Run, which has results only"
    ):
        calibrate(run, human_labels(PANEL))


def test_level_auto_is_recorded() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), n_resamples=0)
    assert cal.level == "ordinal"  # every human label is a number
    assert cal.table.equals(
        calibrate(judge_scores(CONSENSUS), human_labels(PANEL), level="ordinal", n_resamples=0).table
    )
    words = {"1": "fail", "2": "fail", "3": "pass", "4": "pass", "5": "pass"}
    labels = human_labels(PANEL).with_columns(
        pl.col("label").replace_strict(words), pl.lit(None, dtype=pl.Float64).alias("value")
    )
    judge = judge_scores(CONSENSUS).with_columns(
        pl.when(pl.col("value") >= 3).then(pl.lit("pass")).otherwise(pl.lit("fail")).alias("label")
    )
    cal = calibrate(judge, labels, n_resamples=0)
    assert cal.level == "nominal" and cal.categories == ["fail", "pass"]
    assert cal.kappa == pytest.approx(1.0)
    assert cal.summary().get_column("level").to_list() == ["nominal"]
    with pytest.raises(ValueError, match="level='ordinal' needs numbers"):
        calibrate(judge, labels, level="ordinal", n_resamples=0)


def test_result_shape_and_confidence() -> None:
    cal = calibrate(judge_scores(CONSENSUS), human_labels(PANEL), n_resamples=50)
    summary = cal.summary()
    assert isinstance(summary, pl.DataFrame) and summary.height == 1
    row = summary.row(0, named=True)
    assert (row["judge"], row["level"], row["n_items"]) == ("judge:helpful@toy-judge", "ordinal", 6)
    assert row["kappa"] == cal.kappa and (row["kappa_lo"], row["kappa_hi"]) == cal.interval
    assert row["agreement"] == cal.percent_agreement and row["mean_difference"] == 0.0
    assert cal.to_pandas().shape == cal.table.shape
    judge = dict(CONSENSUS)
    judge[("c1", "m1")] = 3.0
    wide = calibrate(judge_scores(judge), human_labels(PANEL), n_resamples=200)
    narrow = calibrate(judge_scores(judge), human_labels(PANEL), confidence=0.5, n_resamples=200)
    assert narrow.confidence == 0.5 and "50% intervals" in narrow._repr_html_()
    assert wide.interval[0] <= narrow.interval[0] <= narrow.interval[1] <= wide.interval[1]
    with pytest.raises(ValueError, match="confidence=95"):
        calibrate(judge_scores(CONSENSUS), human_labels(PANEL), confidence=95)


def test_level_is_documented_the_same_way() -> None:
    import re

    from workbench.agreement._frame import LEVEL_DOC
    from workbench.calibration import compare_judges

    for fn in (calibrate, compare_judges):
        assert LEVEL_DOC in re.sub(r"\s+", " ", fn.__doc__ or "")
