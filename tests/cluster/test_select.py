import polars as pl
import pytest

from tests.cluster.conftest import toy_run
from workbench.cases import CaseSet
from workbench.cluster import failures, scored_rows
from workbench.cluster._select import combined_text, items_frame
from workbench.metrics import Scores
from workbench.runner import Run

CASES = CaseSet.from_records(
    [{"id": f"c{i}", "input": f"question {i}", "reference": f"answer {i}"} for i in range(1, 6)]
    + [{"id": "c6", "input": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yes?"}]}]
)


def test_failures_joins_case_output_and_rationale():
    results, scores = toy_run()
    fails = failures(results, scores, metric="em", cases=CASES)
    assert fails.height == 8
    assert fails.columns[:8] == [
        "run_id",
        "case_id",
        "model",
        "variant",
        "sample",
        "input",
        "output",
        "reference",
    ]
    first = fails.row(0, named=True)
    assert (first["case_id"], first["model"], first["output"], first["input"], first["reference"]) == (
        "c1", "m1", "refund refused", "question 1", "answer 1",
    )  # fmt: skip
    assert first["rationale"] == "why 0" and first["passed"] is False
    assert fails.filter(pl.col("case_id") == "c6")["input"].to_list() == ["user: hi\nassistant: yes?"]


def test_failures_accepts_run_scores_and_pandas():
    results, scores = toy_run()
    run = Run({"run_id": "r"}, results)
    wrapped = Scores(scores, cases=CASES)
    fails = failures(run, wrapped)  # one metric: no metric= needed; cases from the Scores
    assert fails.height == 8 and fails["input"].null_count() == 0
    assert failures(results.to_pandas(), scores.to_pandas(), metric="em").height == 8


def test_failures_by_threshold_and_no_verdicts():
    results, scores = toy_run()
    assert failures(results, scores, metric="em", threshold=0.5).height == 8
    assert failures(results, scores, metric="em", threshold=0.0).height == 0  # no failures: an empty frame
    no_verdict = scores.with_columns(pl.lit(None, dtype=pl.Boolean).alias("passed"))
    with pytest.raises(ValueError, match="no pass/fail verdicts.*threshold="):
        failures(results, no_verdict, metric="em")


def test_failures_metric_errors():
    results, scores = toy_run()
    two = pl.concat([scores, scores.with_columns(pl.lit("f1").alias("metric"))])
    with pytest.raises(ValueError, match="scores has 2 metrics; pass metric= one of: em, f1"):
        failures(results, two)
    with pytest.raises(ValueError, match="metric 'bleu' is not in scores"):
        failures(results, two, metric="bleu")


def test_scored_rows_keeps_every_row():
    results, scores = toy_run()
    assert scored_rows(results, scores, metric="em").height == 12


def test_items_from_texts_caseset_and_frames():
    frame, fields = items_frame(["a", "b"], None)
    assert fields == ["text"] and frame["case_id"].to_list() == ["0", "1"]
    frame, fields = items_frame(CASES, None)
    assert fields == ["input"] and frame["case_id"][0] == "c1"
    frame, fields = items_frame(pl.DataFrame({"output": ["x"], "input": ["y"]}), None)
    assert fields == ["output"] and frame["case_id"].to_list() == ["0"]
    frame, fields = items_frame(pl.DataFrame({"case_id": [1], "output": ["x"]}).to_pandas(), "output")
    assert fields == ["output"] and frame["case_id"].to_list() == ["1"]
    with pytest.raises(ValueError, match="fields: column\\(s\\) 'rationale' not in the data"):
        items_frame(pl.DataFrame({"output": ["x"]}), ["rationale"])
    with pytest.raises(TypeError, match="wrap a single text in a list"):
        items_frame("text", None)
    with pytest.raises(TypeError, match="text 1 is NoneType"):
        items_frame(["a", None], None)


def test_combined_text_skips_blank_fields():
    frame = pl.DataFrame({"a": ["x", None, " ", "p"], "b": ["y", "z", None, "  "]})
    assert combined_text(frame, ["a", "b"]).to_list() == ["x\n\ny", "z", "", "p"]


def test_failures_of_a_scores_alone_a_run_alone_and_one_joined_frame():
    results, scores = toy_run()
    run = Run({"run_id": "r"}, results, cases=CASES)
    expected = failures(results, scores, metric="em", cases=CASES)
    assert failures(Scores(scores, run=run)).equals(expected)  # the Scores knows its run and cases
    bare = failures(Scores(scores))  # scored from a bare table: its own rows, no outputs
    assert bare.height == 8 and "output" not in bare.columns and bare["rationale"][0] == "why 0"
    joined = scored_rows(results, scores, metric="em")
    assert failures(joined, cases=CASES).equals(expected)
    assert failures(joined.lazy(), cases=CASES).equals(expected)
    with pytest.raises(ValueError, match=r"failures: no scores to find failures in: pass them"):
        failures(run)
    with pytest.raises(TypeError, match="failures: scores must be a score table .* or a Scores, got list"):
        failures(results, [1, 2])
