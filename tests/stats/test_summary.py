import math

import numpy as np
import polars as pl
import pytest

from workbench.stats import StatsWarning, summarize, wilson_interval


def toy_scores() -> pl.DataFrame:
    exact_m1 = [1.0, 1.0, 0.0, 1.0, None, 0.0]
    exact_m2 = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    sim_m1 = [0.9, 0.8, 0.1, 0.7, 0.65, float("nan")]
    sim_m2 = [0.5, 0.4, 0.2, 0.3, 0.6, 0.35]
    rows = []
    for model, metric, values in [
        ("m1", "exact", exact_m1),
        ("m2", "exact", exact_m2),
        ("m1", "sim", sim_m1),
        ("m2", "sim", sim_m2),
    ]:
        for i, v in enumerate(values):
            passed = None if metric == "sim" or v is None else v == 1.0
            rows.append(
                {
                    "run_id": "r",
                    "case_id": f"c{i + 1}",
                    "model": model,
                    "variant": "v",
                    "sample": 0,
                    "metric": metric,
                    "value": v,
                    "passed": passed,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "passed": pl.Boolean})


def toy_cases() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "tags": [["billing"], ["billing", "en"], ["en"], ["refund"], ["billing"], ["en"]],
            "lang": ["en", "en", "de", "de", "en", None],
        }
    )


def test_numbers_match_a_direct_pandas_computation():
    scores = toy_scores()
    out = summarize(scores, by="model")
    df = scores.to_pandas()
    df["value"] = df["value"].astype(float)
    for row in out.iter_rows(named=True):
        part = df[(df.metric == row["metric"]) & (df.model == row["model"])]
        values = part["value"].dropna()
        assert row["n"] == len(values)
        assert row["n_missing"] == part["value"].isna().sum()
        assert row["mean"] == pytest.approx(values.mean())
        assert row["ci_lo"] <= row["mean"] <= row["ci_hi"]
        assert row["ci_method"] == "bootstrap"
    assert out.columns[:2] == ["metric", "model"]
    assert out.select("metric", "model").rows() == [
        ("exact", "m1"),
        ("exact", "m2"),
        ("sim", "m1"),
        ("sim", "m2"),
    ]


def test_pass_rate_and_wilson_interval():
    out = summarize(toy_scores(), by="model", metric="exact")
    m1 = out.row(0, named=True)
    assert (m1["n"], m1["n_missing"], m1["n_pass"]) == (5, 1, 3)
    assert m1["pass_rate"] == pytest.approx(3 / 5)
    assert (m1["pass_ci_lo"], m1["pass_ci_hi"]) == pytest.approx(wilson_interval(3, 5))


def test_metric_without_passed_has_null_pass_rate_and_nan_is_missing():
    out = summarize(toy_scores(), by="model", metric="sim").filter(pl.col("model") == "m1").row(0, named=True)
    assert out["pass_rate"] is None and out["pass_ci_lo"] is None and out["n_pass"] is None
    assert (out["n"], out["n_missing"]) == (5, 1)  # the NaN is "could not score", not a number
    assert out["mean"] == pytest.approx(np.mean([0.9, 0.8, 0.1, 0.7, 0.65]))


def test_bootstrap_interval_matches_an_independent_bootstrap():
    out = summarize(toy_scores(), by="model", metric="sim", n_resamples=20000)
    x = np.array([0.5, 0.4, 0.2, 0.3, 0.6, 0.35])
    rng = np.random.default_rng(123)
    means = x[rng.integers(0, x.size, size=(20000, x.size))].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    row = out.filter(pl.col("model") == "m2").row(0, named=True)
    assert row["ci_lo"] == pytest.approx(lo, abs=0.01)
    assert row["ci_hi"] == pytest.approx(hi, abs=0.01)


def test_pandas_input_gives_the_same_answer():
    scores = toy_scores()
    assert summarize(scores.to_pandas(), by="model").equals(summarize(scores, by="model"))


def test_group_results_do_not_depend_on_the_other_groups():
    scores = toy_scores()
    alone = summarize(scores.filter(pl.col("model") == "m2"), by="model")
    together = summarize(scores, by="model").filter(pl.col("model") == "m2")
    assert alone.equals(together)


def test_default_by_is_model_and_variant():
    out = summarize(toy_scores())
    assert out.columns[:3] == ["metric", "model", "variant"]


def test_tag_slices_with_empty_slice():
    scores, cases = toy_scores(), toy_cases()
    with pytest.warns(StatsWarning, match="2 empty slice"):
        out = summarize(
            scores, by="model", slices=["billing", "en", "nosuchtag"], cases=cases, metric="exact"
        )
    assert out.columns[:3] == ["metric", "model", "slice"]
    assert out.get_column("slice").to_list() == ["billing", "en", "nosuchtag"] * 2
    billing_m1 = out.row(0, named=True)
    # billing = c1, c2, c5; m1 exact = 1, 1, None
    assert (billing_m1["n"], billing_m1["n_missing"], billing_m1["mean"]) == (2, 1, 1.0)
    assert billing_m1["note"] == "all values equal: the mean interval has zero width"
    en_m2 = out.row(4, named=True)  # en = c2, c3, c6; m2 exact = 0, 0, 0
    assert (en_m2["n"], en_m2["pass_rate"], en_m2["pass_ci_lo"]) == (3, 0.0, 0.0)
    assert en_m2["pass_ci_hi"] == pytest.approx(wilson_interval(0, 3)[1])
    empty = out.row(2, named=True)
    assert (empty["n"], empty["n_missing"], empty["mean"], empty["ci_lo"], empty["pass_rate"]) == (
        0,
        0,
        None,
        None,
        None,
    )
    assert empty["note"] == "empty slice"


def test_slices_match_direct_filtering():
    scores, cases = toy_scores(), toy_cases()
    out = summarize(scores, by="model", slices=["en", "billing"], cases=cases, metric="sim")
    for row in out.iter_rows(named=True):
        ids = cases.filter(pl.col("tags").list.contains(row["slice"])).get_column("case_id")
        values = (
            scores.filter(
                (pl.col("metric") == "sim") & (pl.col("model") == row["model"]) & pl.col("case_id").is_in(ids)
            )
            .get_column("value")
            .fill_nan(None)
            .drop_nulls()
        )
        assert row["n"] == values.len()
        assert row["mean"] == pytest.approx(values.mean())


def test_slices_by_metadata_column_of_cases():
    out = summarize(toy_scores(), by="model", slices="lang", cases=toy_cases(), metric="exact")
    assert out.filter(pl.col("model") == "m2").select("slice", "n", "mean").rows() == [
        ("de", 2, 0.0),
        ("en", 3, 2 / 3),
        (None, 1, 0.0),
    ]


def test_slices_by_list_column_gives_one_slice_per_tag():
    out = summarize(toy_scores(), by="model", slices="tags", cases=toy_cases(), metric="exact")
    m2 = out.filter(pl.col("model") == "m2")
    assert m2.get_column("slice").to_list() == ["billing", "en", "refund"]
    assert m2.get_column("n").to_list() == [3, 3, 1]


def test_slices_with_a_caseset_and_a_tag_expression():
    from workbench.cases import load_cases

    cases = load_cases(
        [{"id": r["case_id"], "input": "q", "tags": r["tags"]} for r in toy_cases().iter_rows(named=True)]
    )
    out = summarize(
        toy_scores(), by="model", slices=["billing and not en", "en or refund"], cases=cases, metric="exact"
    )
    assert out.filter(pl.col("model") == "m2").select("slice", "n", "mean").rows() == [
        ("billing and not en", 2, 1.0),
        ("en or refund", 4, 0.0),
    ]


def test_slices_as_polars_expressions_by_name():
    out = summarize(
        toy_scores(), by="model", slices={"german": pl.col("lang") == "de"}, cases=toy_cases(), metric="exact"
    )
    assert out.select("model", "slice", "n").rows() == [("m1", "german", 2), ("m2", "german", 2)]


def test_scores_for_unknown_cases_warn():
    cases = toy_cases().filter(pl.col("case_id") != "c6")
    with pytest.warns(StatsWarning, match="not in cases"):
        summarize(toy_scores(), by="model", slices=["en"], cases=cases)


def test_one_case_gives_a_null_interval_with_a_note():
    scores = toy_scores().filter(pl.col("case_id") == "c1")
    row = summarize(scores, by="model", metric="sim").row(0, named=True)
    assert (row["n"], row["mean"], row["ci_lo"], row["ci_hi"]) == (1, 0.9, None, None)
    assert row["note"] == "n=1: no interval can be formed"


def test_all_missing_group_reports_missing_not_zero():
    scores = toy_scores().with_columns(
        value=pl.lit(None, dtype=pl.Float64), passed=pl.lit(None, dtype=pl.Boolean)
    )
    row = summarize(scores, by="model", metric="exact").row(0, named=True)
    assert (row["n"], row["n_missing"], row["mean"], row["pass_rate"]) == (0, 6, None, None)
    assert row["note"] == "no scored values (6 missing)"


def test_all_pass_group():
    scores = toy_scores().with_columns(value=pl.lit(1.0), passed=pl.lit(True))
    row = summarize(scores, by="model", metric="exact").row(0, named=True)
    assert (row["n"], row["pass_rate"], row["pass_ci_hi"]) == (6, 1.0, 1.0)
    assert row["pass_ci_lo"] == pytest.approx(wilson_interval(6, 6)[0])
    assert row["pass_ci_lo"] < 0.7


def test_unknown_metric_lists_the_available_ones():
    with pytest.raises(ValueError, match="metric 'bleu' is not in scores; available metrics: exact, sim"):
        summarize(toy_scores(), metric="bleu")


def test_unknown_by_column_is_named():
    with pytest.raises(
        ValueError, match="by: scores has no column 'judge'. Columns present: run_id, case_id"
    ):
        summarize(toy_scores(), by=("model", "judge"))


def test_unknown_slice_column_is_named():
    with pytest.raises(ValueError, match="slices: column 'region' is not in scores or cases"):
        summarize(toy_scores(), slices="region", cases=toy_cases())


def test_tag_slices_need_cases():
    with pytest.raises(ValueError, match="need cases="):
        summarize(toy_scores(), slices=["en"])


def test_large_groups_use_the_normal_approximation():
    rng = np.random.default_rng(0)
    values = rng.normal(0.5, 0.1, size=6000)
    scores = pl.DataFrame(
        {"case_id": [str(i) for i in range(6000)], "model": "m", "metric": "q", "value": values}
    )
    row = summarize(scores, by="model").row(0, named=True)
    half = 1.959963984540054 * values.std(ddof=1) / math.sqrt(6000)
    assert row["ci_method"] == "normal"
    assert (row["ci_lo"], row["ci_hi"]) == pytest.approx((values.mean() - half, values.mean() + half))


def test_no_by_columns_gives_one_row_per_metric():
    out = summarize(toy_scores(), by=())
    assert out.select("metric", "n").rows() == [("exact", 11), ("sim", 11)]


def repeated_samples() -> pl.DataFrame:
    """8 cases x 5 samples of a continuous score: each case has its own level, samples vary little."""
    rng = np.random.default_rng(7)
    levels = np.linspace(0.1, 0.9, 8)
    rows = []
    for c, level in enumerate(levels):
        for s in range(5):
            v = float(np.clip(level + rng.normal(0, 0.02), 0, 1))
            rows.append(
                {
                    "case_id": f"c{c}",
                    "model": "m",
                    "sample": s,
                    "metric": "sim",
                    "value": v,
                    "passed": v > 0.5,
                }
            )
    return pl.DataFrame(rows)


def test_repeated_samples_give_a_case_level_interval():
    scores = repeated_samples()
    row = summarize(scores, by="model", n_resamples=20000).row(0, named=True)
    assert row["n"] == 40
    assert row["ci_method"] == "bootstrap by case"
    assert "from 8 cases" in row["note"]
    # The same interval from an independent bootstrap over the 8 case means.
    case_means = scores.group_by("case_id").agg(pl.col("value").mean()).get_column("value").to_numpy()
    rng = np.random.default_rng(11)
    boot = case_means[rng.integers(0, 8, size=(20000, 8))].mean(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    assert row["ci_lo"] == pytest.approx(lo, abs=0.01)
    assert row["ci_hi"] == pytest.approx(hi, abs=0.01)
    # Treating the 40 rows as independent would give a clearly narrower interval.
    naive = summarize(scores.filter(pl.col("sample") == 0), by="model").row(0, named=True)
    rows_as_cases = scores.with_columns(
        pl.concat_str("case_id", pl.col("sample").cast(pl.Utf8)).alias("case_id")
    )
    flat = summarize(rows_as_cases, by="model").row(0, named=True)
    assert flat["ci_hi"] - flat["ci_lo"] < 0.7 * (row["ci_hi"] - row["ci_lo"])
    assert naive["ci_method"] == "bootstrap"  # one row per case: the ordinary interval


def test_repeated_samples_pass_interval_resamples_cases():
    scores = repeated_samples()
    row = summarize(scores, by="model", n_resamples=20000).row(0, named=True)
    assert row["n_pass"] == 20 and row["pass_rate"] == 0.5  # 4 of 8 case levels are above 0.5
    wilson_rows = wilson_interval(20, 40)
    # Case-level: 8 cases each all-pass or all-fail, so the interval is that of 4 / 8, wider than Wilson on 40.
    assert row["pass_ci_hi"] - row["pass_ci_lo"] > (wilson_rows[1] - wilson_rows[0]) * 1.2


def test_one_case_with_many_samples_has_no_interval():
    scores = repeated_samples().filter(pl.col("case_id") == "c0")
    row = summarize(scores, by="model").row(0, named=True)
    assert row["ci_lo"] is None and "1 case" in row["note"]
