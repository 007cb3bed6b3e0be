import numpy as np
import polars as pl
import pytest
from scipy import stats

from workbench.stats import StatsWarning, compare, compare_slices, newcombe_paired_interval
from workbench.stats._paired import adjust_pvalues


def binary_scores(n11: int, n10: int, n01: int, n00: int, with_passed: bool = True) -> pl.DataFrame:
    """Pairs where both pass (n11), only a passes (n10), only b passes (n01), neither (n00)."""
    outcomes = [(1, 1)] * n11 + [(1, 0)] * n10 + [(0, 1)] * n01 + [(0, 0)] * n00
    rows = []
    for i, (va, vb) in enumerate(outcomes):
        for model, v in (("a", va), ("b", vb)):
            rows.append(
                {
                    "case_id": f"c{i}",
                    "sample": 0,
                    "model": model,
                    "metric": "ok",
                    "value": float(v),
                    "passed": bool(v) if with_passed else None,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"passed": pl.Boolean})


def continuous_scores(x: np.ndarray, y: np.ndarray) -> pl.DataFrame:
    n = len(x)
    return pl.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(n)] * 2,
            "sample": [0] * (2 * n),
            "model": ["a"] * n + ["b"] * n,
            "metric": ["q"] * (2 * n),
            "value": np.concatenate([x, y]),
        }
    )


def test_mcnemar_exact_matches_binomial_test_on_discordant_pairs():
    out = compare(binary_scores(10, 7, 2, 5), "ok", "a", "b").row(0, named=True)
    assert out["test"] == "mcnemar exact"
    assert out["p_value"] == pytest.approx(stats.binomtest(2, 9, 0.5).pvalue, abs=1e-12)
    assert (out["n_pairs"], out["a_better"], out["b_better"]) == (24, 7, 2)
    assert (out["mean_a"], out["mean_b"]) == pytest.approx((17 / 24, 12 / 24))
    assert out["diff"] == pytest.approx(5 / 24)
    assert out["ci_lo"] < out["diff"] < out["ci_hi"]


def test_mcnemar_chi2_with_many_discordant_pairs():
    out = compare(binary_scores(20, 30, 12, 8), "ok", "a", "b").row(0, named=True)
    assert out["test"] == "mcnemar chi2"
    statistic = (abs(30 - 12) - 1) ** 2 / 42
    assert out["p_value"] == pytest.approx(stats.chi2.sf(statistic, 1), abs=1e-12)


def test_binary_values_without_passed_also_use_mcnemar():
    out = compare(binary_scores(3, 4, 1, 2, with_passed=False), "ok", "a", "b").row(0, named=True)
    assert out["test"] == "mcnemar exact"
    assert out["p_value"] == pytest.approx(stats.binomtest(1, 5, 0.5).pvalue)


def test_newcombe_interval_matches_the_published_example():
    # Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency Tables", ch. 8 (Cavo et al. 2012)
    lo, hi = newcombe_paired_interval(59, 6, 16, 80, 0.95)
    assert (round(lo, 4), round(hi, 4)) == (-0.1186, -0.0046)


def test_no_discordant_pairs_still_give_a_proper_interval():
    out = compare(binary_scores(10, 0, 0, 10), "ok", "a", "b").row(0, named=True)
    assert out["diff"] == 0.0 and out["p_value"] == 1.0
    assert out["ci_lo"] < 0 < out["ci_hi"]


def test_paired_bootstrap_interval_covers_the_true_difference():
    covered = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        x = rng.normal(1.0, 1.0, size=60)
        y = x - 0.3 + rng.normal(0, 0.8, size=60)
        out = compare(continuous_scores(x, y), "q", "a", "b", seed=seed, n_permutations=2000).row(
            0, named=True
        )
        covered += out["ci_lo"] <= 0.3 <= out["ci_hi"]
    assert 88 <= covered <= 100


def test_continuous_comparison_columns():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, size=40)
    y = x - 0.5 + rng.normal(0, 0.5, size=40)
    out = compare(continuous_scores(x, y), "q", "a", "b").row(0, named=True)
    d = x - y
    assert out["test"] == "sign-flip permutation"
    assert out["diff"] == pytest.approx(d.mean())
    assert (out["a_better"], out["b_better"]) == (int((d > 0).sum()), int((d < 0).sum()))
    assert out["wilcoxon_p"] == pytest.approx(stats.wilcoxon(d).pvalue)
    assert out["p_value"] < 0.001


def scipy_permutation_p(x: np.ndarray, y: np.ndarray, n_resamples: float) -> float:
    return stats.permutation_test(
        (x, y),
        lambda a, b, axis: np.mean(a - b, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=n_resamples,
        alternative="two-sided",
        random_state=0,
    ).pvalue


def test_exact_sign_flip_matches_scipy_permutation_test():
    x = np.array([3.1, 2.0, 4.4, 5.0, 1.2, 3.3, 2.9, 4.0])
    y = np.array([2.5, 2.4, 3.1, 4.2, 1.0, 3.3, 2.0, 3.5])
    out = compare(continuous_scores(x, y), "q", "a", "b").row(0, named=True)
    assert out["test"] == "sign-flip exact"
    assert out["p_value"] == pytest.approx(scipy_permutation_p(x, y, np.inf), abs=1e-12)


def test_random_sign_flip_agrees_with_scipy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=30)
    y = x - 0.3 + rng.normal(0, 1, size=30)
    ours = compare(continuous_scores(x, y), "q", "a", "b", n_permutations=50000).item(0, "p_value")
    assert ours == pytest.approx(scipy_permutation_p(x, y, 50000), abs=0.01)


def test_identical_outputs_give_p_one_and_a_flagged_zero_width_interval():
    x = np.array([0.2, 0.5, 0.9, 0.4])
    out = compare(continuous_scores(x, x), "q", "a", "b").row(0, named=True)
    assert (out["diff"], out["ci_lo"], out["ci_hi"], out["p_value"], out["wilcoxon_p"]) == (
        0.0,
        0.0,
        0.0,
        1.0,
        None,
    )
    assert "zero width" in out["note"]


def test_dropped_rows_are_counted_and_explained():
    scores = continuous_scores(np.array([0.1, 0.5, 0.7, 0.2]), np.array([0.3, None, 0.4, 0.1], dtype=float))
    extra = pl.DataFrame(
        {"case_id": ["only_a"], "sample": [0], "model": ["a"], "metric": ["q"], "value": [0.9]}
    )
    out = compare(pl.concat([scores, extra]), "q", "a", "b").row(0, named=True)
    assert (out["n_pairs"], out["n_dropped"]) == (3, 2)
    assert out["note"] == "dropped: 1 only in a, 1 with a missing score"
    assert out["diff"] == pytest.approx(np.mean([0.1 - 0.3, 0.7 - 0.4, 0.2 - 0.1]))


def test_one_pair_has_no_interval():
    out = compare(continuous_scores(np.array([0.9]), np.array([0.4])), "q", "a", "b").row(0, named=True)
    assert (out["n_pairs"], out["ci_lo"], out["ci_hi"]) == (1, None, None)
    assert out["note"] == "1 pair: no interval can be formed"


def test_dict_selectors_compare_variants_of_one_model():
    scores = binary_scores(5, 3, 1, 1).with_columns(
        variant=pl.when(pl.col("model") == "a").then(pl.lit("v1")).otherwise(pl.lit("v2")), model=pl.lit("m")
    )
    out = compare(scores, "ok", {"model": "m", "variant": "v1"}, {"model": "m", "variant": "v2"}).row(
        0, named=True
    )
    assert (out["a"], out["b"], out["a_better"], out["b_better"]) == (
        "model=m, variant=v1",
        "model=m, variant=v2",
        3,
        1,
    )


def test_no_shared_cases_warns_and_reports_zero_pairs():
    a = continuous_scores(np.array([1.0, 2.0]), np.array([1.0, 2.0])).filter(pl.col("model") == "a")
    b = a.with_columns(model=pl.lit("b"), case_id=pl.col("case_id") + "x")
    with pytest.warns(StatsWarning, match="share no scored cases"):
        out = compare(pl.concat([a, b]), "q", "a", "b", method="permutation").row(0, named=True)
    assert (out["n_pairs"], out["n_dropped"], out["diff"], out["p_value"]) == (0, 4, None, None)


def test_errors_name_what_is_wrong():
    scores = binary_scores(2, 1, 1, 1)
    with pytest.raises(ValueError, match="a='zzz' matches no rows of metric 'ok'; values of model"):
        compare(scores, "ok", "zzz", "b")
    with pytest.raises(ValueError, match="a and b are the same group"):
        compare(scores, "ok", "a", "a")
    with pytest.raises(ValueError, match="metric 'nope' is not in scores; available metrics: ok"):
        compare(scores, "nope", "a", "b")
    with pytest.raises(ValueError, match="by: scores has no column 'judge'"):
        compare(scores, "ok", "a", "b", by="judge")
    with pytest.raises(ValueError, match="several rows for the same case_id/sample"):
        compare(pl.concat([scores, scores]), "ok", "a", "b")
    with pytest.raises(ValueError, match="method='mcnemar' needs pass/fail"):
        compare(
            continuous_scores(np.array([0.3, 0.5]), np.array([0.2, 0.1])), "q", "a", "b", method="mcnemar"
        )


def test_holm_and_bh_against_hand_worked_values():
    p = pl.Series([0.01, 0.04, 0.03, None])
    # Holm: sorted 0.01*3, 0.03*2, 0.04*1 -> 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, None])
    # BH: 0.01*3/1, 0.03*3/2, 0.04*3/3 = 0.03, 0.045, 0.04 -> running min from the top 0.03, 0.04, 0.04
    assert adjust_pvalues(p, "fdr_bh") == pytest.approx([0.03, 0.04, 0.04, None])


def test_compare_slices_matches_compare_per_slice():
    scores = binary_scores(12, 9, 2, 7)
    groups = ["x" if i % 3 else "y" for i in range(30)]
    cases = pl.DataFrame(
        {"case_id": [f"c{i}" for i in range(30)], "group": groups, "tags": [[g] for g in groups]}
    )
    out = compare_slices(scores, "ok", "a", "b", slices="group", cases=cases, correction="holm")
    assert out.get_column("slice").to_list() == ["x", "y"]
    for row in out.iter_rows(named=True):
        ids = cases.filter(pl.col("group") == row["slice"]).get_column("case_id")
        alone = compare(scores.filter(pl.col("case_id").is_in(ids)), "ok", "a", "b").row(0, named=True)
        assert row["p_value"] == pytest.approx(alone["p_value"])
        assert (row["n_pairs"], row["diff"]) == (alone["n_pairs"], pytest.approx(alone["diff"]))
    from statsmodels.stats.multitest import multipletests

    expected = multipletests(out.get_column("p_value").to_list(), method="holm")[1]
    assert out.get_column("p_adjusted").to_list() == pytest.approx(list(expected))


def test_compare_slices_empty_slice_has_null_p():
    scores = binary_scores(4, 3, 1, 2)
    cases = pl.DataFrame({"case_id": [f"c{i}" for i in range(10)], "tags": [["t"]] * 10})
    with pytest.warns(StatsWarning, match="no paired cases"):
        out = compare_slices(
            scores, "ok", "a", "b", slices=["t", "missing"], cases=cases, correction="fdr_bh"
        )
    empty = out.row(1, named=True)
    assert (empty["slice"], empty["n_pairs"], empty["p_value"], empty["p_adjusted"]) == (
        "missing",
        0,
        None,
        None,
    )
    assert empty["note"].startswith("empty slice")
    assert out.item(0, "p_adjusted") == pytest.approx(out.item(0, "p_value"))


def test_compare_slices_rejects_unknown_correction():
    with pytest.raises(ValueError, match="correction"):
        compare_slices(binary_scores(1, 1, 1, 1), "ok", "a", "b", slices="model", correction="bonferroni")
