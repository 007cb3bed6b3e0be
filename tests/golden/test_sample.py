import datetime as dt

import numpy as np
import polars as pl
import pytest

from workbench.golden import sample_for_coverage


def _traffic(n=10_000, seed=0):
    """10,000 rows: 'rare' is 0.1% (10 rows); the others are 60/30/9.9%."""
    rng = np.random.default_rng(seed)
    intents = ["billing"] * 6000 + ["shipping"] * 3000 + ["bug"] * 990 + ["rare"] * 10
    return pl.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(n)],
            "input": [f"text {i}" for i in range(n)],
            "true_intent": intents,
            "count": rng.integers(1, 4, size=n),
            "timestamp": [dt.datetime(2026, 1, 1) + dt.timedelta(hours=i % (24 * 28)) for i in range(n)],
        }
    )


def test_floor_holds_for_rare_stratum_and_shares_follow_weights():
    df = _traffic()
    s = sample_for_coverage(df, 500, strata="true_intent", floor=5)
    cov = {r["true_intent"]: r for r in s.coverage.iter_rows(named=True)}
    assert s.table.height == 500
    assert cov["rare"]["sample_n"] >= 5 and cov["rare"]["floor_met"]
    assert all(s.coverage["floor_met"])
    assert s.table.filter(pl.col("true_intent") == "rare").height == cov["rare"]["sample_n"]
    rest = 500 - sum(r["floor"] for r in cov.values())
    for name in ("billing", "shipping", "bug"):
        # above the floors, rows are shared out in proportion to the weighted traffic share
        assert abs((cov[name]["sample_n"] - cov[name]["floor"]) / rest - cov[name]["traffic_share"]) < 0.005
        assert abs(cov[name]["sample_share"] - cov[name]["traffic_share"]) < 0.02
    assert s.tv_distance < 0.02
    # the traffic shares are weighted by count
    w = df.group_by("true_intent").agg(pl.col("count").sum())
    expect = dict(w.iter_rows())
    assert cov["bug"]["traffic_weight"] == expect["bug"]
    assert cov["rare"]["traffic_n"] == 10


def test_exact_allocation_on_toy():
    df = pl.DataFrame(
        {"input": list("abcdefghijkl"), "s": ["x"] * 8 + ["y"] * 3 + ["z"], "count": [1] * 8 + [2] * 3 + [1]}
    )
    s = sample_for_coverage(df, 6, strata="s", floor=2)
    # floors x:2 y:2 z:1 (all it has); 1 left goes to the largest weight share (x: 8/15)
    assert s.coverage.select("s", "floor", "sample_n").rows() == [("x", 2, 3), ("y", 2, 2), ("z", 1, 1)]
    assert s.table.height == 6


def test_deterministic_for_a_seed_and_differs_across_seeds():
    df = _traffic()
    a = sample_for_coverage(df, 200, strata="true_intent", seed=1)
    b = sample_for_coverage(df, 200, strata="true_intent", seed=1)
    c = sample_for_coverage(df, 200, strata="true_intent", seed=2)
    assert a.table.equals(b.table)
    assert a.table["request_id"].to_list() != c.table["request_id"].to_list()


def test_frequency_weighting_prefers_frequent_rows():
    df = pl.DataFrame(
        {
            "input": [f"t{i}" for i in range(1000)],
            "s": ["a"] * 1000,
            "count": [1000 if i < 10 else 1 for i in range(1000)],
        }
    )
    s = sample_for_coverage(df, 10, strata="s", floor=0)
    heavy = s.table.filter(pl.col("count") == 1000).height
    assert heavy >= 8  # the 10 heavy rows hold 91% of the weight


def test_n_too_small_is_a_clear_error():
    with pytest.raises(ValueError, match=r"need n >= 20"):
        sample_for_coverage(_traffic(), 10, strata="true_intent", floor=5)


def test_time_bucket_and_multiple_strata_and_unweighted():
    df = _traffic()
    s = sample_for_coverage(df, 400, strata=["true_intent"], time_bucket="week", weight=None, floor=2)
    assert "time_bucket" in s.coverage.columns and "time_bucket" in s.table.columns
    pairs = df.select("true_intent", pl.col("timestamp").dt.truncate("1w")).unique()
    assert s.coverage.height == pairs.height == 16
    assert all(s.coverage["floor_met"])
    with pytest.raises(ValueError, match="time_bucket 'fortnightly'"):
        sample_for_coverage(df, 400, strata="true_intent", time_bucket="fortnightly")


def test_list_column_strata_and_all_rows_when_n_large():
    df = pl.DataFrame({"input": ["a", "b", "c"], "tags": [["x", "y"], ["y", "x"], ["z"]]})
    s = sample_for_coverage(df, 10, strata="tags", floor=1, weight=None)
    assert s.table.height == 3
    assert s.coverage["traffic_n"].to_list() == [2, 1]


def test_missing_columns_and_bad_weights():
    df = _traffic()
    with pytest.raises(
        ValueError,
        match=r"sample_for_coverage: frame has no column 'intent'; expected strata= to name columns of it\. "
        r"Columns present: request_id, input, true_intent, count, timestamp",
    ):
        sample_for_coverage(df, 100, strata="intent")
    with pytest.raises(ValueError, match=r"no column 'weight'; expected weight= to name its column"):
        sample_for_coverage(df, 100, strata="true_intent", weight="weight")
    with pytest.raises(ValueError, match="non-positive"):
        sample_for_coverage(df.with_columns(pl.lit(0).alias("count")), 100, strata="true_intent")


def test_strata_is_required_no_demo_column_is_assumed():
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'strata'"):
        sample_for_coverage(_traffic(), 100)  # type: ignore[call-arg]


def test_result_shape_and_inputs():
    df = _traffic()
    s = sample_for_coverage(df.lazy(), 20, strata="true_intent", floor=1)
    assert s.summary().equals(s.coverage) and s.to_pandas().shape == (20, 5)
    assert sample_for_coverage(df.to_pandas(), 20, strata="true_intent", floor=1).table.equals(s.table)
    html = s._repr_html_()
    assert "Sample" in html and "<table>" in html and "floor_met" in html
