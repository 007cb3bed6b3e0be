import datetime as dt

import numpy as np
import polars as pl
import pytest

from workbench.stats import StatsWarning, operational_summary, wilson_interval

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def toy_results() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for model, n, errors in (
        ("fast", 40, {3: "Timeout", 7: "RateLimitError", 11: "APITimeoutError"}),
        ("slow", 25, {}),
    ):
        for i in range(n):
            err = errors.get(i)
            rows.append(
                {
                    "run_id": "r",
                    "case_id": f"c{i}",
                    "model": model,
                    "variant": "v",
                    "sample": 0,
                    "output": None if err else "ok",
                    "latency_s": float(rng.lognormal(0 if model == "fast" else 1, 0.5)),
                    "ttft_s": float(rng.uniform(0.05, 0.3)) if model == "fast" else None,
                    "prompt_tokens": 100 + i,
                    "completion_tokens": None if err else 20 + i,
                    "cost_usd": None if err else 0.001 * (1 + i % 3),
                    "error_type": err,
                    "cached": i % 5 == 0,
                    "started_at": T0 + dt.timedelta(seconds=i),
                }
            )
    return pl.DataFrame(
        rows, schema_overrides={"ttft_s": pl.Float64, "completion_tokens": pl.Int64, "error_type": pl.Utf8}
    )


def test_rates_and_intervals():
    out = operational_summary(toy_results()).sort("model")
    fast = out.row(0, named=True)
    assert (fast["n"], fast["n_errors"], fast["n_timeouts"], fast["n_cached"]) == (40, 3, 2, 8)
    assert fast["error_rate"] == pytest.approx(3 / 40)
    assert (fast["error_ci_lo"], fast["error_ci_hi"]) == pytest.approx(wilson_interval(3, 40))
    assert (fast["timeout_ci_lo"], fast["timeout_ci_hi"]) == pytest.approx(wilson_interval(2, 40))
    slow = out.row(1, named=True)
    assert (slow["error_rate"], slow["error_ci_lo"]) == (0.0, 0.0)
    assert slow["error_ci_hi"] == pytest.approx(wilson_interval(0, 25)[1])


def test_percentiles_match_numpy_over_successful_calls():
    results = toy_results()
    out = operational_summary(results, by="model").sort("model")
    for row in out.iter_rows(named=True):
        ok = results.filter((pl.col("model") == row["model"]) & pl.col("error_type").is_null())
        lat = ok.get_column("latency_s").to_numpy()
        for q in (50, 95, 99):
            assert row[f"latency_p{q}"] == pytest.approx(np.percentile(lat, q))
            assert row[f"latency_p{q}_lo"] <= row[f"latency_p{q}"] <= row[f"latency_p{q}_hi"]
        assert row["latency_p50_lo"] < row["latency_p50_hi"]
    fast = out.row(0, named=True)
    ttft = (
        results.filter((pl.col("model") == "fast") & pl.col("error_type").is_null())
        .get_column("ttft_s")
        .to_numpy()
    )
    assert fast["ttft_p95"] == pytest.approx(np.percentile(ttft, 95))
    slow = out.row(1, named=True)
    assert (slow["ttft_p50"], slow["ttft_p50_lo"]) == (None, None)


def test_latency_interval_matches_an_independent_bootstrap():
    results = toy_results()
    out = (
        operational_summary(results, by="model", n_resamples=20000)
        .filter(pl.col("model") == "slow")
        .row(0, named=True)
    )
    lat = results.filter(pl.col("model") == "slow").get_column("latency_s").to_numpy()
    rng = np.random.default_rng(99)
    medians = np.median(lat[rng.integers(0, lat.size, size=(20000, lat.size))], axis=1)
    lo, hi = np.quantile(medians, [0.025, 0.975])
    assert out["latency_p50_lo"] == pytest.approx(lo, rel=0.05)
    assert out["latency_p50_hi"] == pytest.approx(hi, rel=0.05)


def test_cost_tokens_and_throughput():
    results = toy_results()
    fast = operational_summary(results, by="model").filter(pl.col("model") == "fast").row(0, named=True)
    part = results.filter(pl.col("model") == "fast").to_pandas()
    assert fast["mean_cost_usd"] == pytest.approx(part["cost_usd"].dropna().mean())
    both = part.dropna(subset=["cost_usd", "completion_tokens"])
    tokens = both["prompt_tokens"] + both["completion_tokens"]
    assert fast["cost_per_1k_tokens"] == pytest.approx(both["cost_usd"].sum() / tokens.sum() * 1000)
    assert fast["total_tokens"] == int((part["prompt_tokens"] + part["completion_tokens"]).sum())
    end = max(
        T0 + dt.timedelta(seconds=i, microseconds=round(lat * 1e6)) for i, lat in enumerate(part["latency_s"])
    )
    assert fast["throughput_rps"] == pytest.approx(40 / (end - T0).total_seconds(), rel=1e-6)


def test_tokens_column_is_used_when_present():
    results = toy_results().with_columns(tokens=pl.lit(10)).drop("prompt_tokens", "completion_tokens")
    out = operational_summary(results, by="model").sort("model")
    assert out.get_column("total_tokens").to_list() == [400, 250]


def test_minimal_table_gives_nulls_not_zeros():
    results = toy_results().select("model", "latency_s", "error_type")
    row = operational_summary(results, by="model").sort("model").row(0, named=True)
    assert (row["mean_cost_usd"], row["cost_per_1k_tokens"], row["total_tokens"], row["throughput_rps"]) == (
        None,
    ) * 4
    assert "throughput needs started_at" in row["note"]


def test_one_successful_call_has_no_latency_interval():
    results = toy_results().filter((pl.col("model") == "slow") & (pl.col("case_id") == "c0"))
    row = operational_summary(results).row(0, named=True)
    assert row["latency_p50"] == pytest.approx(results.item(0, "latency_s"))
    assert (row["latency_p50_lo"], row["latency_p99_hi"]) == (None, None)
    assert "1 successful call with a latency" in row["note"]


def test_all_errors():
    results = toy_results().with_columns(error_type=pl.lit("Timeout"))
    row = operational_summary(results, by="model").sort("model").row(0, named=True)
    assert (row["error_rate"], row["timeout_rate"], row["error_ci_hi"]) == (1.0, 1.0, 1.0)
    assert row["latency_p50"] is None
    assert "no successful calls with a latency" in row["note"]


def test_large_groups_use_order_statistic_intervals():
    lat = np.random.default_rng(1).lognormal(size=6000)
    results = pl.DataFrame(
        {"model": "m", "latency_s": lat, "error_type": pl.Series([None] * 6000, dtype=pl.Utf8)}
    )
    row = operational_summary(results, by="model").row(0, named=True)
    assert row["latency_p99"] == pytest.approx(np.percentile(lat, 99))
    assert row["latency_p99_lo"] < row["latency_p99"] < row["latency_p99_hi"]
    assert row["latency_p99_lo"] in lat and row["latency_p99_hi"] in lat


def test_slices_and_empty_slice():
    cases = pl.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(40)],
            "tags": [["even"] if i % 2 == 0 else ["odd"] for i in range(40)],
        }
    )
    with pytest.warns(StatsWarning, match="1 empty slice"):
        out = operational_summary(
            toy_results().filter(pl.col("model") == "fast"),
            by="model",
            slices=["even", "odd", "none"],
            cases=cases,
        )
    assert out.select("slice", "n").rows() == [("even", 20), ("odd", 20), ("none", 0)]
    assert out.item(2, "note") == "empty slice"
    assert out.item(2, "error_rate") is None


def test_by_column_errors():
    with pytest.raises(ValueError, match="by: results has no column 'provider'"):
        operational_summary(toy_results(), by="provider")
    with pytest.raises(ValueError, match="results has no column 'latency_s'"):
        operational_summary(toy_results().drop("latency_s"))


def test_no_by_columns_gives_one_overall_row():
    out = operational_summary(toy_results(), by=())
    assert out.columns[0] == "n"
    assert out.select("n", "n_errors").rows() == [(65, 3)]
