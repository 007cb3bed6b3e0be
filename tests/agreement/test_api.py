"""Each statistic against its reference library and a hand-worked textbook example."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import krippendorff
import numpy as np
import polars as pl
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from tests.agreement._data import (
    FLEISS_WIKIPEDIA,
    KRIPPENDORFF_2011,
    KRIPPENDORFF_2011_PUBLISHED,
    long_from_counts,
    long_from_matrix,
    random_matrix,
)
from workbench.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


def _two_raters(pairs: list[tuple]) -> list[dict]:
    return [
        {"case_id": f"c{i:03d}", "rater": r, "label": lab}
        for i, pair in enumerate(pairs)
        for r, lab in zip(("ann", "bob"), pair, strict=True)
    ]


# -- Cohen ---------------------------------------------------------------------------------------

# Wikipedia "Cohen's kappa": 50 proposals; both yes 20, A yes B no 5, A no B yes 10, both no 15.
WIKI_COHEN = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15


def test_cohen_wikipedia_example_is_exactly_0_4() -> None:
    # p_o = 35/50 = .7; p_e = .5 * .6 + .5 * .4 = .5; kappa = (.7 - .5) / (1 - .5) = .4
    res = cohen_kappa(_two_raters(WIKI_COHEN), n_resamples=0)
    assert res.value == pytest.approx(0.4, abs=1e-12)
    assert (res.n_items, res.n_raters, res.n_labels) == (50, 2, 100)
    assert percent_agreement(_two_raters(WIKI_COHEN), n_resamples=0).value == pytest.approx(0.7)
    a, b = zip(*WIKI_COHEN, strict=True)
    assert res.value == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


# A 3-point scale; disagreements are mostly adjacent, one is two points apart.
ORDINAL_PAIRS = [(1, 1)] * 4 + [(2, 2)] * 3 + [(3, 3)] * 3 + [(1, 2)] * 2 + [(2, 3)] * 2 + [(3, 1)]


def _hand_weighted_kappa(pairs: list[tuple], k: int, power: int | None) -> Fraction:
    """Textbook weighted kappa with agreement weights 1 - |i-j|^p / (k-1)^p, in exact fractions."""
    n = len(pairs)
    obs = [[Fraction(0)] * k for _ in range(k)]
    for a, b in pairs:
        obs[a - 1][b - 1] += Fraction(1, n)
    rows = [sum(obs[i]) for i in range(k)]
    cols = [sum(obs[i][j] for i in range(k)) for j in range(k)]

    def w(i: int, j: int) -> Fraction:
        if power is None:
            return Fraction(int(i == j))
        return 1 - Fraction(abs(i - j) ** power, (k - 1) ** power)

    p_o = sum(w(i, j) * obs[i][j] for i in range(k) for j in range(k))
    p_e = sum(w(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k))
    return (p_o - p_e) / (1 - p_e)


@pytest.mark.parametrize(("weights", "power"), [(None, None), ("linear", 1), ("quadratic", 2)])
def test_cohen_weighted_matches_hand_fractions_and_sklearn(weights: str | None, power: int | None) -> None:
    res = cohen_kappa(_two_raters(ORDINAL_PAIRS), weights=weights, n_resamples=0)
    expected = _hand_weighted_kappa(ORDINAL_PAIRS, 3, power)
    assert res.value == pytest.approx(float(expected), abs=1e-12)
    a, b = zip(*ORDINAL_PAIRS, strict=True)
    assert res.value == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)
    assert res.method.startswith("unweighted" if weights is None else f"{weights}-weighted")


def test_weighting_credits_near_misses() -> None:
    unweighted = cohen_kappa(_two_raters(ORDINAL_PAIRS), n_resamples=0).value
    linear = cohen_kappa(_two_raters(ORDINAL_PAIRS), weights="linear", n_resamples=0).value
    quadratic = cohen_kappa(_two_raters(ORDINAL_PAIRS), weights="quadratic", n_resamples=0).value
    # mostly adjacent disagreements: the more near misses are forgiven, the higher kappa
    assert unweighted < linear < quadratic
    # a far miss instead of near ones lowers the weighted kappa but not the unweighted one
    far = [(1, 1)] * 4 + [(2, 2)] * 3 + [(3, 3)] * 3 + [(1, 3)] * 2 + [(3, 1)] * 3
    near = [(1, 1)] * 4 + [(2, 2)] * 3 + [(3, 3)] * 3 + [(1, 2)] * 2 + [(3, 2)] * 3
    w_far = cohen_kappa(_two_raters(far), weights="linear", categories=[1, 2, 3], n_resamples=0).value
    w_near = cohen_kappa(_two_raters(near), weights="linear", categories=[1, 2, 3], n_resamples=0).value
    assert w_far < w_near


def test_cohen_categories_order_string_labels() -> None:
    words = {1: "low", 2: "mid", 3: "high"}
    rows = _two_raters([(words[a], words[b]) for a, b in ORDINAL_PAIRS])
    res = cohen_kappa(rows, weights="linear", categories=["low", "mid", "high"], n_resamples=0)
    a, b = zip(*ORDINAL_PAIRS, strict=True)
    assert res.value == pytest.approx(cohen_kappa_score(a, b, weights="linear"), abs=1e-12)


def test_cohen_random_with_missing_matches_sklearn() -> None:
    m = random_matrix(2, 60, 4, seed=3, missing=0.2)
    both = ~np.isnan(m).any(axis=0)
    dropped = int((np.isnan(m).sum(axis=0) == 1).sum())
    for weights in (None, "linear", "quadratic"):
        res = cohen_kappa(long_from_matrix(m), weights=weights, categories=[1, 2, 3, 4], n_resamples=0)
        ref = cohen_kappa_score(m[0, both], m[1, both], weights=weights, labels=[1, 2, 3, 4])
        assert res.value == pytest.approx(ref, abs=1e-12)
        assert res.n_items == int(both.sum())
        assert f"{dropped} items labelled by only one of 'r0' and 'r1' left out" in (res.note or "")


def test_cohen_needs_two_raters() -> None:
    rows = long_from_matrix(random_matrix(3, 10, 3, seed=1), raters=["ann", "bob", "cy"])
    with pytest.raises(ValueError, match=r"exactly two raters.*'ann', 'bob', 'cy'.*raters=\(a, b\)"):
        cohen_kappa(rows)
    picked = cohen_kappa(rows, raters=("ann", "cy"), n_resamples=0)
    sub = [r for r in rows if r["rater"] != "bob"]
    assert picked.value == cohen_kappa(sub, n_resamples=0).value
    with pytest.raises(ValueError, match="rater 'dan' is not in column 'rater'"):
        cohen_kappa(rows, raters=("ann", "dan"))
    with pytest.raises(ValueError, match="exactly two distinct raters"):
        cohen_kappa(rows, raters=("ann",))


# -- Fleiss --------------------------------------------------------------------------------------


def _hand_fleiss(table: list[list[int]]) -> Fraction:
    """Fleiss (1971) by the textbook steps, in exact fractions (equal raters per subject)."""
    n = sum(table[0])
    total = len(table) * n
    p_j = [Fraction(sum(row[j] for row in table), total) for j in range(len(table[0]))]
    p_i = [Fraction(sum(c * (c - 1) for c in row), n * (n - 1)) for row in table]
    p_bar = sum(p_i) / len(table)
    p_e = sum(p * p for p in p_j)
    return (p_bar - p_e) / (1 - p_e)


def test_fleiss_wikipedia_example() -> None:
    res = fleiss_kappa(long_from_counts(FLEISS_WIKIPEDIA, [1, 2, 3, 4, 5]), n_resamples=0)
    assert round(res.value, 3) == 0.210
    assert res.value == pytest.approx(float(_hand_fleiss(FLEISS_WIKIPEDIA)), abs=1e-12)
    assert res.value == pytest.approx(inter_rater.fleiss_kappa(np.array(FLEISS_WIKIPEDIA)), abs=1e-12)
    assert (res.n_items, res.n_raters, res.n_labels) == (10, 14, 140)
    assert res.method.startswith("Fleiss (1971)")


def test_fleiss_random_matches_statsmodels_aggregate_raters() -> None:
    m = random_matrix(5, 80, 4, seed=7)
    table, _ = inter_rater.aggregate_raters(m.T.astype(int))
    res = fleiss_kappa(long_from_matrix(m), n_resamples=0)
    assert res.value == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-12)


def test_fleiss_unequal_raters_uses_gwet_generalisation() -> None:
    # items with 3, 2 and 4 labels; one item with a single label is left out
    table = [[3, 0], [1, 1], [1, 3], [0, 1]]
    rows = long_from_counts(table, ["a", "b"])
    res = fleiss_kappa(rows, n_resamples=0)
    used = table[:3]
    p_o = sum(Fraction(sum(c * (c - 1) for c in r), sum(r) * (sum(r) - 1)) for r in used) / 3
    prev = [sum(Fraction(r[j], sum(r)) for r in used) / 3 for j in range(2)]
    p_e = sum(p * p for p in prev)
    assert res.value == pytest.approx(float((p_o - p_e) / (1 - p_e)), abs=1e-12)
    assert res.method.startswith("Fleiss, Gwet's generalisation")
    assert "items have 2 to 4 labels each" in (res.note or "")
    assert "1 item with a single label left out" in (res.note or "")
    assert (res.n_items, res.n_labels) == (3, 9)


# -- Krippendorff --------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_worked_example(level: str) -> None:
    res = krippendorff_alpha(long_from_matrix(KRIPPENDORFF_2011), level=level, n_resamples=0)
    assert round(res.value, 3) == KRIPPENDORFF_2011_PUBLISHED[level]
    ref = krippendorff.alpha(np.array(KRIPPENDORFF_2011), level_of_measurement=level)
    assert res.value == pytest.approx(ref, abs=1e-12)
    # unit 12 has a single value: not pairable; 40 pairable values in 11 units (as in the paper)
    assert (res.n_items, res.n_raters, res.n_labels) == (11, 4, 40)
    assert "1 item with a single label left out" in (res.note or "")


def test_krippendorff_2011_nominal_by_hand() -> None:
    # Krippendorff (2011): n = 40, sum_c n_c(n_c - 1) over values, o_cc from the coincidence table;
    # alpha = ((n - 1) * sum o_cc - sum n_c(n_c - 1)) / (n(n - 1) - sum n_c(n_c - 1)).
    n_c = {1: 9, 2: 13, 3: 10, 4: 5, 5: 3}
    o_cc = {1: Fraction(7), 2: Fraction(10), 3: Fraction(8), 4: Fraction(4), 5: Fraction(3)}
    n = sum(n_c.values())
    agree = sum(o_cc.values())
    chance = sum(v * (v - 1) for v in n_c.values())
    alpha = ((n - 1) * agree - chance) / (n * (n - 1) - chance)
    res = krippendorff_alpha(long_from_matrix(KRIPPENDORFF_2011), level="nominal", n_resamples=0)
    assert res.value == pytest.approx(float(alpha), abs=1e-12)
    assert res.level == "nominal"


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_random_missing_matches_library(level: str) -> None:
    m = random_matrix(4, 50, 5, seed=11, missing=0.3)
    res = krippendorff_alpha(long_from_matrix(m), level=level, n_resamples=0)
    assert res.value == pytest.approx(krippendorff.alpha(m, level_of_measurement=level), abs=1e-10)


def test_krippendorff_interval_on_float_values_matches_library() -> None:
    rng = np.random.default_rng(5)
    m = rng.normal(size=(3, 40)).round(2) + rng.normal(size=40)
    m[0, :5] = np.nan
    res = krippendorff_alpha(long_from_matrix(m), level="interval", n_resamples=0)
    assert res.value == pytest.approx(krippendorff.alpha(m, level_of_measurement="interval"), abs=1e-10)


def test_krippendorff_ordinal_string_categories() -> None:
    words = ["never", "rarely", "often", "always", "all the time"]
    m = [[words[int(v) - 1] if not math.isnan(v) else None for v in row] for row in KRIPPENDORFF_2011]
    res = krippendorff_alpha(long_from_matrix(m), level="ordinal", categories=words, n_resamples=0)
    assert round(res.value, 3) == 0.815
    with pytest.raises(ValueError, match=r"level='ordinal' needs an order.*categories=\["):
        krippendorff_alpha(long_from_matrix(m), level="ordinal")


# -- percent agreement ---------------------------------------------------------------------------


def test_percent_agreement_many_raters_by_hand() -> None:
    m = random_matrix(4, 30, 3, seed=2, missing=0.25)
    res = percent_agreement(long_from_matrix(m), n_resamples=0)
    shares = []
    for col in m.T:
        vals = col[~np.isnan(col)]
        pairs = [(i, j) for i in range(len(vals)) for j in range(len(vals)) if i != j]
        if pairs:
            shares.append(sum(vals[i] == vals[j] for i, j in pairs) / len(pairs))
    assert res.value == pytest.approx(float(np.mean(shares)), abs=1e-12)
    assert res.n_items == len(shares)


# -- perfect agreement, total disagreement, a single category ------------------------------------


def test_perfect_agreement_is_one_everywhere() -> None:
    rows = long_from_matrix([[1, 2, 3, 2, 1, 3]] * 3)
    assert percent_agreement(rows).value == 1.0
    assert fleiss_kappa(rows).value == pytest.approx(1.0)
    assert cohen_kappa([r for r in rows if r["rater"] != "r2"], weights="quadratic").value == 1.0
    for level in LEVELS:
        res = krippendorff_alpha(rows, level=level)
        assert res.value == pytest.approx(1.0)
        assert (res.ci_lo, res.ci_hi) == pytest.approx((1.0, 1.0))


def test_total_disagreement() -> None:
    pairs = [("a", "b"), ("b", "a")] * 4
    rows = _two_raters(pairs)
    a, b = zip(*pairs, strict=True)
    assert percent_agreement(rows).value == 0.0
    assert cohen_kappa(rows, n_resamples=0).value == pytest.approx(-1.0)
    assert cohen_kappa_score(a, b) == pytest.approx(-1.0)
    # two raters, balanced categories: P_bar = 0, P_e = 1/2, kappa = -1
    assert fleiss_kappa(rows, n_resamples=0).value == pytest.approx(-1.0)
    # alpha = 1 - (n - 1) D_o / D_e = 1 - 15 * 16 / 128 = -0.875
    res = krippendorff_alpha(rows, n_resamples=0)
    assert res.value == pytest.approx(-0.875)
    ref = krippendorff.alpha(np.array([[0, 1] * 4, [1, 0] * 4]), level_of_measurement="nominal")
    assert res.value == pytest.approx(ref)
    # one rater always says a, the other always b: kappa is 0 (sklearn agrees)
    one_sided = _two_raters([("a", "b")] * 6)
    assert cohen_kappa(one_sided, n_resamples=0).value == pytest.approx(
        cohen_kappa_score(["a"] * 6, ["b"] * 6)
    )


def test_single_category_is_nan_with_a_note_not_a_crash() -> None:
    rows = long_from_matrix([["pass"] * 5] * 3)
    assert percent_agreement(rows).value == 1.0
    results = [
        cohen_kappa([r for r in rows if r["rater"] != "r2"]),
        fleiss_kappa(rows),
        krippendorff_alpha(rows),
        krippendorff_alpha(long_from_matrix([[4] * 5] * 3), level="interval"),
    ]
    for res in results:
        assert math.isnan(res.value) and math.isnan(res.ci_lo) and math.isnan(res.ci_hi)
        assert "single category" in (res.note or "")
        assert "1000 of 1000 bootstrap resamples were undefined" in (res.note or "")
    # the libraries agree that it is undefined
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(cohen_kappa_score(["pass"] * 5, ["pass"] * 5))
        assert math.isnan(inter_rater.fleiss_kappa(np.array([[3]] * 5)))
    with pytest.raises(ValueError, match="more than one value"):
        krippendorff.alpha(np.ones((3, 5)), level_of_measurement="nominal")


def test_no_pairable_item() -> None:
    rows = [{"case_id": "a", "rater": "x", "label": 1}, {"case_id": "b", "rater": "y", "label": 2}]
    res = krippendorff_alpha(rows)
    assert math.isnan(res.value) and res.n_items == 0
    assert "no item has labels from two or more raters" in (res.note or "")


def test_krippendorff_interval_does_not_depend_on_the_scale() -> None:
    m = random_matrix(3, 30, 5, seed=13, missing=0.2)
    ref = krippendorff_alpha(long_from_matrix(m), level="interval", n_resamples=50)
    for a, b in ((1e-9, 0.0), (1e6, 1e9), (-2.0, 7.0)):
        res = krippendorff_alpha(long_from_matrix(m * a + b), level="interval", n_resamples=50)
        assert res.value == pytest.approx(ref.value, abs=1e-9)
        assert (res.ci_lo, res.ci_hi) == pytest.approx((ref.ci_lo, ref.ci_hi), abs=1e-9)


def _pairwise_interval_alpha(m: np.ndarray) -> float:
    """Krippendorff's interval alpha straight from the definition, pair by pair (no value table)."""
    units = [col[~np.isnan(col)] for col in m.T]
    units = [u for u in units if len(u) >= 2]
    pooled = np.concatenate(units)
    n = len(pooled)
    d_o = sum(((u[:, None] - u[None, :]) ** 2).sum() / (len(u) - 1) for u in units) / n
    d_e = ((pooled[:, None] - pooled[None, :]) ** 2).sum() / (n * (n - 1))
    return float(1 - d_o / d_e)


def test_krippendorff_interval_with_every_value_distinct() -> None:
    rng = np.random.default_rng(21)
    truth = rng.normal(size=800)
    m = truth + rng.normal(scale=0.5, size=(3, 800))
    m[rng.random(m.shape) < 0.1] = np.nan
    res = krippendorff_alpha(long_from_matrix(m), level="interval", n_resamples=100)
    assert res.value == pytest.approx(_pairwise_interval_alpha(m), abs=1e-9)
    assert res.ci_lo < res.value < res.ci_hi
    # the library builds a units x values x values table, so it is checked on a slice
    small = m[:, :60]
    res = krippendorff_alpha(long_from_matrix(small), level="interval", n_resamples=0)
    assert res.value == pytest.approx(krippendorff.alpha(small, level_of_measurement="interval"), abs=1e-9)
    assert res.value == pytest.approx(_pairwise_interval_alpha(small), abs=1e-9)


def test_empty_and_all_null_tables_are_nan_with_a_note() -> None:
    empty = pl.DataFrame(schema={"case_id": pl.Utf8, "rater": pl.Utf8, "label": pl.Utf8})
    nulls = pl.DataFrame(
        {"case_id": ["a", "a"], "rater": ["x", "y"], "label": [None, None]},
        schema={"case_id": pl.Utf8, "rater": pl.Utf8, "label": pl.Float64},
    )
    for frame in (empty, nulls):
        for res in (
            percent_agreement(frame),
            fleiss_kappa(frame),
            krippendorff_alpha(frame, level="interval"),
        ):
            assert math.isnan(res.value) and res.n_items == 0 and res.n_labels == 0
            assert res.note == "no item has labels from two or more raters, so agreement is undefined"


def test_weighted_cohen_notes_uneven_labels_seen() -> None:
    pairs = [(1, 1), (2, 2), (5, 5), (1, 2), (2, 5), (5, 5)]
    res = cohen_kappa(_two_raters(pairs), weights="linear", n_resamples=0)
    assert "not evenly spaced: pass categories=[...] with the full scale" in (res.note or "")
    full = cohen_kappa(_two_raters(pairs), weights="linear", categories=[1, 2, 3, 4, 5], n_resamples=0)
    assert full.note is None
    a, b = zip(*pairs, strict=True)
    ref = cohen_kappa_score(a, b, weights="linear", labels=[1, 2, 3, 4, 5])
    assert full.value == pytest.approx(ref, abs=1e-12)
    assert full.value != res.value
