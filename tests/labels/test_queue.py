"""Label queues on toy results and scores, with the exact items expected."""

from __future__ import annotations

import polars as pl
import pytest

from workbench.cases import load_cases
from workbench.labels import queue_disagreements, queue_pairs, queue_sample, queue_slice

RESULTS = pl.DataFrame(
    {
        "run_id": "r1",
        "case_id": ["c1", "c2", "c3", "c4", "c1", "c2", "c3", "c4"],
        "model": ["m1"] * 4 + ["m2"] * 4,
        "variant": "v",
        "sample": 0,
        "output": ["a", "b", None, "d", "e", "f", "g", "h"],  # m1 failed on c3
    }
)
CASES = load_cases(
    [
        {"id": "c1", "input": "x", "tags": ["billing"]},
        {"id": "c2", "input": "x", "tags": ["billing", "refund"]},
        {"id": "c3", "input": "x", "tags": ["billing"]},
        {"id": "c4", "input": "x", "tags": ["account"]},
    ]
)


def items(frame: pl.DataFrame) -> list[tuple]:
    return frame.rows()


def test_queue_sample_draws_by_seed_in_results_order_without_failed_calls():
    q = queue_sample(RESULTS, 3, seed=0)
    assert q.columns == ["run_id", "case_id", "model", "variant", "sample"]
    # the draw picks positions 3, 5 and 6 of the 7 gradable rows sorted by key (random.Random(0))
    assert items(q) == [("r1", "c4", "m1", "v", 0), ("r1", "c2", "m2", "v", 0), ("r1", "c4", "m2", "v", 0)]
    assert items(queue_sample(RESULTS.reverse(), 3, seed=0).sort("model", "case_id")) == sorted(
        items(q), key=lambda r: (r[2], r[1])
    )
    everything = queue_sample(RESULTS, 7)
    assert ("r1", "c3", "m1", "v", 0) not in items(everything) and everything.height == 7


def test_queue_sample_filters_models_and_checks_n():
    assert queue_sample(RESULTS, 4, models=["m2/v"]).get_column("case_id").to_list() == [
        "c1",
        "c2",
        "c3",
        "c4",
    ]
    with pytest.raises(ValueError, match=r"n=8: n must be an integer between 0 and 7"):
        queue_sample(RESULTS, 8)
    with pytest.raises(ValueError, match="models: no results for 'm3'"):
        queue_sample(RESULTS, 1, models=["m3"])


def test_queue_sample_fills_missing_key_columns():
    toy = pl.DataFrame({"case_id": ["c1", "c2"], "model": "m", "output": ["a", "b"]})
    assert items(queue_sample(toy, 2)) == [("", "c1", "m", None, 0), ("", "c2", "m", None, 0)]


def test_queue_slice_with_a_caseset_and_a_frame():
    q = queue_slice(RESULTS, "billing and not refund", cases=CASES)
    assert items(q) == [("r1", "c1", "m1", "v", 0), ("r1", "c1", "m2", "v", 0), ("r1", "c3", "m2", "v", 0)]
    assert items(queue_slice(RESULTS, "billing and not refund", cases=CASES.to_polars())) == items(q)
    assert queue_slice(RESULTS, "billing", cases=CASES, n=2, seed=1).height == 2


SCORES = pl.DataFrame(
    {
        "run_id": "r1",
        "case_id": ["c1", "c1", "c2", "c2", "c3", "c3", "c4", "c4"],
        "model": "m2",
        "variant": "v",
        "sample": 0,
        "metric": ["judge", "exact"] * 4,
        "value": [5.0, 0.0, 2.0, 1.0, 4.0, 1.0, 4.0, 0.0],
        "passed": [True, False, False, True, True, True, True, False],
    }
)


def test_queue_disagreements_most_confident_first():
    q = queue_disagreements(SCORES, "judge", "exact")
    # c1: judge 5 (1.0 on 2..5) vs exact 0 -> 1.0; c2: judge 2 (0.0) vs exact 1 -> 1.0; c4: judge 4 (2/3) vs 0 -> 2/3
    assert q.select("case_id", "judge_passed", "metric_passed", "judge_value", "metric_value").rows() == [
        ("c1", True, False, 5.0, 0.0),
        ("c2", False, True, 2.0, 1.0),
        ("c4", True, False, 4.0, 0.0),
    ]
    assert q.get_column("confidence").to_list() == pytest.approx([1.0, 1.0, 2 / 3])
    assert q.columns[:5] == ["run_id", "case_id", "model", "variant", "sample"]
    assert queue_disagreements(SCORES, "judge", "exact", n=1).get_column("case_id").to_list() == ["c1"]


def test_queue_disagreements_skips_unjudged_rows_and_names_a_missing_metric():
    unjudged = SCORES.with_columns(
        pl.when(pl.col("case_id") == "c1").then(None).otherwise(pl.col("passed")).alias("passed")
    )
    assert queue_disagreements(unjudged, "judge", "exact").get_column("case_id").to_list() == ["c2", "c4"]
    with pytest.raises(ValueError, match="scores have no metric 'llm'; they have: exact, judge"):
        queue_disagreements(SCORES, "llm", "exact")


def test_queue_pairs_is_canonical_and_needs_both_outputs():
    q = queue_pairs(RESULTS, "m2", "m1")
    assert q.columns == ["run_id", "case_id", "model_a", "model_b"]
    assert items(q) == [
        ("r1", "c1", "m1/v", "m2/v"),
        ("r1", "c2", "m1/v", "m2/v"),
        ("r1", "c4", "m1/v", "m2/v"),
    ]
    assert queue_pairs(RESULTS, "m1/v", "m2/v", n=1, seed=3).height == 1
    with pytest.raises(ValueError, match="queue_pairs: a and b are the same output 'm1/v'"):
        queue_pairs(RESULTS, "m1", "m1/v")
    with pytest.raises(ValueError, match="queue_pairs: b='m9': no such model"):
        queue_pairs(RESULTS, "m1", "m9")
    two_variants = pl.concat([RESULTS, RESULTS.with_columns(pl.lit("w").alias("variant"))])
    with pytest.raises(ValueError, match=r"a='m1' has several variants \(m1/v, m1/w\): name one"):
        queue_pairs(two_variants, "m1", "m2/v")


def _run():
    from workbench.runner._result import Run

    return Run({"run_id": "r1"}, RESULTS, cases=CASES)


def test_a_run_a_scores_pandas_and_lazy_tables_are_accepted():
    from workbench.metrics._scores import Scores

    run = _run()
    assert items(queue_sample(run, 3)) == items(queue_sample(RESULTS, 3))
    for table in (RESULTS.to_pandas(), RESULTS.lazy()):
        assert items(queue_sample(table, 3)) == items(queue_sample(RESULTS, 3))
        assert items(queue_pairs(table, "m1", "m2")) == items(queue_pairs(RESULTS, "m1", "m2"))
    # the run knows its cases: no cases= (this was a required positional argument)
    assert items(queue_slice(run, "billing and not refund")) == items(
        queue_slice(RESULTS, "billing and not refund", cases=CASES)
    )
    assert items(queue_pairs(run, "m1", "m2")) == items(queue_pairs(RESULTS, "m1", "m2"))
    scores = Scores(SCORES, run=run)
    assert queue_disagreements(scores, "judge", "exact").equals(queue_disagreements(SCORES, "judge", "exact"))
    assert queue_disagreements(SCORES.to_pandas(), "judge", "exact", n=1).height == 1


def test_errors_name_the_function_parameter_and_what_was_expected():
    with pytest.raises(
        ValueError, match=r"queue_slice: the cases' tags are needed to match 'billing': pass cases="
    ):
        queue_slice(RESULTS, "billing")
    with pytest.raises(ValueError, match=r"queue_slice: cases has no column 'tags'"):
        queue_slice(RESULTS, "billing", cases=CASES.to_polars().drop("tags"))
    with pytest.raises(ValueError, match=r"queue_sample: results has no column 'model'"):
        queue_sample(RESULTS.drop("model"), 1)
    with pytest.raises(ValueError, match=r"queue_disagreements: scores has no column 'passed'"):
        queue_disagreements(SCORES.drop("passed"), "judge", "exact")
    with pytest.raises(TypeError, match=r"queue_pairs: results must be a results table .* or a Run, got str"):
        queue_pairs("results.parquet", "m1", "m2")
    with pytest.raises(
        TypeError, match=r"queue_disagreements: scores must be .*got a Run, which has results only"
    ):
        queue_disagreements(_run(), "judge", "exact")
