import warnings

import polars as pl
import pytest

from tests.charts.spec_utils import data_rows, spec_size
from workbench.charts import bt_ratings, win_rate_matrix
from workbench.stats import StatsWarning, win_rate
from workbench.stats import bradley_terry as _bradley_terry


def bradley_terry(pairwise: pl.DataFrame, n_resamples: int) -> pl.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatsWarning)  # the toy table's null verdict, on purpose
        return _bradley_terry(pairwise, n_resamples=n_resamples)


def cells_of(chart) -> dict[tuple[str, str], dict]:
    return {(r["model"], r["opponent"]): r for r in data_rows(chart.to_dict())}


def test_win_rates_are_the_hand_counted_ones(pairwise):
    cells = cells_of(win_rate_matrix(pairwise))
    rates = {pair: round(cell["win_rate"], 6) for pair, cell in cells.items()}
    assert rates == {
        ("x", "y"): 0.625,
        ("y", "x"): 0.375,
        ("x", "z"): round(1 / 3, 6),
        ("z", "x"): round(2 / 3, 6),
        ("y", "z"): 0.5,
        ("z", "y"): 0.5,
    }
    counts = {pair: (c["n"], c["wins"], c["losses"], c["ties"], c["n_missing"]) for pair, c in cells.items()}
    assert counts[("x", "y")] == (4, 2, 1, 1, 0)
    assert counts[("z", "x")] == (3, 2, 1, 0, 1)
    assert counts[("y", "z")] == (2, 0, 0, 2, 0)
    assert cells[("x", "y")]["text"] == "62%"


def test_cells_equal_workbench_stats_win_rate(pairwise):
    cells = cells_of(win_rate_matrix(pairwise, confidence=0.9))
    for (model, opponent), cell in cells.items():
        exp = win_rate(pairwise, model, opponent, confidence=0.9).row(0, named=True)
        assert cell["win_rate"] == pytest.approx(exp["win_rate"])
        assert cell["interval"] == f"[{exp['ci_lo']:.3g}, {exp['ci_hi']:.3g}]"


def test_models_are_ordered_by_overall_win_rate(pairwise):
    cells = cells_of(win_rate_matrix(pairwise))
    # overall (wins + ties / 2) / n: z 3/5, x 3.5/7, y 2.5/6
    order = {model: cell["model_order"] for (model, _), cell in cells.items()}
    assert order == {"z": 0, "x": 1, "y": 2}
    spec = win_rate_matrix(pairwise).to_dict()
    assert spec["encoding"]["y"]["sort"] == {"field": "model_order", "op": "min"}
    assert {"verdicts", "wins", "ties", "against"} <= {t["title"] for t in spec["encoding"]["tooltip"]}
    assert spec_size(win_rate_matrix(pairwise)) < 8_000


def test_inconsistent_verdicts_follow_the_policy(pairwise):
    flagged = pairwise.with_columns(pl.Series("consistent", [False] + [True] * 9))
    cells = cells_of(win_rate_matrix(flagged, inconsistent="drop"))
    assert cells[("x", "y")]["n"] == 3 and cells[("x", "y")]["win_rate"] == pytest.approx(1.5 / 3)


def test_bad_verdict_tables_are_refused_with_the_row(pairwise):
    with pytest.raises(
        ValueError,
        match=r"win_rate_matrix: pairwise has no column 'winner'; expected a pairwise verdicts table",
    ):
        win_rate_matrix(pairwise.drop("winner"))
    bad = pairwise.with_columns(
        pl.when(pl.col("case_id") == "3").then(pl.lit("A")).otherwise("winner").alias("winner")
    )
    with pytest.raises(ValueError, match="row 3 has 'A'"):
        win_rate_matrix(bad)
    same = pairwise.with_columns(
        pl.when(pl.col("case_id") == "4").then(pl.lit("x")).otherwise("model_b").alias("model_b")
    )
    with pytest.raises(ValueError, match="pairwise row 4 compares 'x' with itself"):
        win_rate_matrix(same)


def test_bt_ratings_best_first_with_intervals(pairwise):
    ratings = bradley_terry(pairwise, n_resamples=100)
    chart = bt_ratings(ratings)
    spec = chart.to_dict()
    rows = sorted(data_rows(spec), key=lambda r: r["order"])
    assert [r["model"] for r in rows] == ratings.get_column("model").to_list()
    assert [r["value"] for r in rows] == ratings.get_column("elo").to_list()
    assert [(r["lo"], r["hi"]) for r in rows] == ratings.select("elo_lo", "elo_hi").rows()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "rule", "point"]
    assert spec["layer"][0]["encoding"]["x"] == {"datum": 1000.0}
    raw = data_rows(bt_ratings(ratings.to_pandas(), scale="rating").to_dict())
    assert sorted(r["value"] for r in raw) == sorted(ratings.get_column("rating").to_list())


def test_bt_ratings_errors(pairwise):
    ratings = bradley_terry(pairwise, n_resamples=0)
    assert all("lo" not in r for r in data_rows(bt_ratings(ratings).to_dict()))  # no intervals: none drawn
    with pytest.raises(
        ValueError,
        match=r"bt_ratings: ratings has no columns 'elo_lo', 'elo_hi'; expected the output of workbench.stats.bradley_terry",
    ):
        bt_ratings(ratings.drop("elo_lo", "elo_hi"))
    with pytest.raises(ValueError, match="scale must be 'elo' or 'rating'"):
        bt_ratings(ratings, scale="glicko")
