import math

import numpy as np
import polars as pl
import pytest

from workbench.stats import StatsWarning, bradley_terry, wilson_interval, win_rate
from workbench.stats._pairwise import ELO_SCALE, fit_bradley_terry


def verdicts(rows: list[tuple[str, str, str]], consistent: list[bool] | None = None) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(len(rows))],
            "model_a": [r[0] for r in rows],
            "model_b": [r[1] for r in rows],
            "winner": [r[2] for r in rows],
        }
    )
    return frame if consistent is None else frame.with_columns(consistent=pl.Series(consistent))


def test_win_rate_counts_from_both_sides_and_ties_count_half():
    v = verdicts([("x", "y", "a"), ("y", "x", "b"), ("y", "x", "a"), ("x", "y", "tie"), ("x", "z", "a")])
    row = win_rate(v, "x", "y").row(0, named=True)
    assert (row["n"], row["wins"], row["losses"], row["ties"]) == (4, 2, 1, 1)
    assert row["win_rate"] == pytest.approx(2.5 / 4)
    assert (row["ci_lo"], row["ci_hi"]) == pytest.approx(wilson_interval(2.5, 4))
    assert row["win_rate_excl_ties"] == pytest.approx(2 / 3)
    assert (row["excl_ci_lo"], row["excl_ci_hi"]) == pytest.approx(wilson_interval(2, 3))
    assert row["note"] is None


def test_win_rate_is_symmetric():
    v = verdicts([("x", "y", "a"), ("y", "x", "b"), ("y", "x", "a"), ("x", "y", "tie")])
    x = win_rate(v, "x", "y").row(0, named=True)
    y = win_rate(v, "y", "x").row(0, named=True)
    assert (y["wins"], y["losses"]) == (x["losses"], x["wins"])
    assert y["win_rate"] == pytest.approx(1 - x["win_rate"])


def test_ties_only():
    v = verdicts([("x", "y", "tie")] * 6)
    row = win_rate(v, "x", "y").row(0, named=True)
    assert (row["win_rate"], row["win_rate_excl_ties"], row["excl_ci_lo"]) == (0.5, None, None)
    assert row["ci_lo"] < 0.5 < row["ci_hi"]
    assert row["note"] == "only ties: no win rate excluding ties"


def test_inconsistent_verdicts_policies_and_missing_winners():
    v = verdicts(
        [("x", "y", "a"), ("x", "y", "a"), ("x", "y", "b"), ("x", "y", None)],
        consistent=[True, False, True, True],
    )
    keep = win_rate(v, "x", "y").row(0, named=True)
    assert (keep["wins"], keep["losses"], keep["n_inconsistent"], keep["n_missing"]) == (2, 1, 1, 1)
    assert "1 verdict(s) with a null winner left out" in keep["note"]
    tie = win_rate(v, "x", "y", inconsistent="tie").row(0, named=True)
    assert (tie["wins"], tie["ties"]) == (1, 1)
    drop = win_rate(v, "x", "y", inconsistent="drop").row(0, named=True)
    assert (drop["n"], drop["wins"]) == (2, 1)


def test_win_rate_errors():
    v = verdicts([("x", "y", "a")])
    with pytest.raises(ValueError, match="no verdicts between 'x' and 'q'"):
        win_rate(v, "x", "q")
    with pytest.raises(
        ValueError, match="winner must be 'a', 'b' or 'tie'; found \\['A'\\] \\(first at row 1\\)"
    ):
        win_rate(verdicts([("x", "y", "a"), ("x", "y", "A")]), "x", "y")
    with pytest.raises(ValueError, match="compare a model with itself"):
        win_rate(verdicts([("x", "x", "a")]), "x", "y")
    with pytest.raises(ValueError, match="pairwise has no column 'winner'"):
        win_rate(v.drop("winner"), "x", "y")


def simulate(
    strengths: dict[str, float], games_per_pair: int, seed: int, tie_rate: float = 0.0
) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    names = list(strengths)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            p = 1 / (1 + math.exp(-(strengths[a] - strengths[b])))
            for _ in range(games_per_pair):
                u = rng.random()
                winner = "tie" if u < tie_rate else ("a" if rng.random() < p else "b")
                rows.append(
                    (a, b, winner)
                    if rng.random() < 0.5
                    else (b, a, {"a": "b", "b": "a", "tie": "tie"}[winner])
                )
    frame = verdicts(rows)
    return frame.with_columns(case_id=pl.Series([f"case{k // 3}" for k in range(frame.height)]))


def test_bradley_terry_recovers_known_strengths():
    truth = {"m0": 1.2, "m1": 0.6, "m2": 0.0, "m3": -0.5, "m4": -1.3}
    out = bradley_terry(simulate(truth, 600, seed=1), n_resamples=200)
    assert out.get_column("model").to_list() == ["m0", "m1", "m2", "m3", "m4"]
    fitted = dict(zip(out.get_column("model"), out.get_column("rating"), strict=True))
    centre = np.mean(list(truth.values()))
    for name, value in truth.items():
        assert fitted[name] == pytest.approx(value - centre, abs=0.12)
    # strength ratio of the best to the worst, exp(2.5) ~ 12.2, within 25%
    assert math.exp(fitted["m0"] - fitted["m4"]) == pytest.approx(math.exp(2.5), rel=0.25)
    for row in out.iter_rows(named=True):
        assert row["ci_lo"] < row["rating"] < row["ci_hi"]
        assert row["ci_lo"] < truth[row["model"]] - centre < row["ci_hi"]
        assert row["elo"] == pytest.approx(1000 + 400 / math.log(10) * row["rating"])
        assert row["elo_lo"] == pytest.approx(1000 + ELO_SCALE * row["ci_lo"])


def test_bradley_terry_matches_a_scipy_logistic_fit():
    from scipy.optimize import minimize

    rows = [("a", "b", "a")] * 5 + [("b", "a", "a")] * 3 + [("a", "c", "tie")] * 2 + [("c", "a", "a")] * 2
    rows += [("b", "c", "b")] * 4 + [("c", "b", "b")] * 3 + [("a", "c", "a")] * 3
    models = ["a", "b", "c"]
    # one row per (winner, loser) with weight; a tie is half a win each way
    pairs = []
    for ma, mb, w in rows:
        if w == "tie":
            pairs += [(ma, mb, 0.5), (mb, ma, 0.5)]
        else:
            pairs.append((ma, mb, 1.0) if w == "a" else (mb, ma, 1.0))
    for lam in (0.01, 0.0):

        def loss(theta, lam=lam):
            t = dict(zip(models, theta, strict=True))
            nll = sum(w * np.logaddexp(0, -(t[i] - t[j])) for i, j, w in pairs)
            return nll + lam / 2 * np.sum(theta**2) + (0 if lam else 10 * np.sum(theta) ** 2)

        ref = minimize(loss, np.zeros(3), method="BFGS", options={"gtol": 1e-10}).x
        ref -= ref.mean()
        out = bradley_terry(verdicts(rows), n_resamples=0, regularization=lam)
        fitted = dict(zip(out.get_column("model"), out.get_column("rating"), strict=True))
        assert [fitted[m] for m in models] == pytest.approx(list(ref), abs=1e-5)
        assert out.get_column("ci_lo").to_list() == [None, None, None]


def test_bradley_terry_counts():
    rows = [("a", "b", "a"), ("b", "a", "a"), ("a", "c", "tie"), ("c", "b", "b")]
    out = bradley_terry(verdicts(rows), n_resamples=0).sort("model")
    assert out.select("model", "n", "wins", "losses", "ties").rows() == [
        ("a", 3, 1, 1, 1),
        ("b", 3, 2, 1, 0),
        ("c", 2, 0, 1, 1),
    ]


def test_a_model_that_never_wins_gets_a_finite_rating():
    rows = [("a", "b", "a")] * 10 + [("b", "a", "b")] * 5 + [("b", "c", "a")] * 8 + [("a", "c", "a")] * 8
    rows += [("a", "b", "b")] * 4
    out = bradley_terry(verdicts(rows), n_resamples=100, seed=1)
    assert out.get_column("model").to_list() == ["a", "b", "c"]
    c = out.row(2, named=True)
    assert math.isfinite(c["rating"]) and math.isfinite(c["ci_lo"]) and math.isfinite(c["ci_hi"])
    assert c["wins"] == 0
    assert out.get_column("rating").sum() == pytest.approx(0.0, abs=1e-9)


def test_bradley_terry_bootstrap_is_seeded():
    v = simulate({"x": 0.5, "y": 0.0, "z": -0.5}, 30, seed=2, tie_rate=0.2)
    assert bradley_terry(v, n_resamples=50, seed=7).equals(bradley_terry(v, n_resamples=50, seed=7))


def test_disconnected_models_warn():
    rows = [("a", "b", "a"), ("b", "a", "tie"), ("c", "d", "a"), ("d", "c", "b")]
    with pytest.warns(StatsWarning, match="never meet"):
        bradley_terry(verdicts(rows), n_resamples=0)


def test_batched_fit_equals_separate_fits():
    rng = np.random.default_rng(0)
    wins = rng.integers(0, 6, size=(4, 3, 3)).astype(float)
    for k in range(4):
        np.fill_diagonal(wins[k], 0)
    together = fit_bradley_terry(wins, 0.01)
    for k in range(4):
        assert fit_bradley_terry(wins[k : k + 1], 0.01)[0] == pytest.approx(together[k], abs=1e-9)
