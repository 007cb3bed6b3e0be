import polars as pl
import pytest

from tests.charts.conftest import make_results, make_scores
from tests.charts.spec_utils import data_rows, spec_size
from workbench.charts import ChartWarning, cost_quality, pareto_front
from workbench.stats import operational_summary, summarize

# quality up, cost down. Hand-computed front: a (best quality), b (cheaper than a), e (cheapest),
# and f, an exact copy of b (neither beats the other). c costs more than b for less quality; d ties
# e's quality at a higher cost; g has no cost.
TOY = pl.DataFrame(
    {
        "model": ["a", "b", "c", "d", "e", "f", "g"],
        "mean": [0.9, 0.8, 0.7, 0.5, 0.5, 0.8, 0.95],
        "cost_per_request": [3.0, 1.0, 2.0, 0.8, 0.5, 1.0, None],
    }
)


def test_pareto_front_is_the_hand_computed_set():
    out = pareto_front(TOY)
    assert dict(zip(out["model"], out["pareto"], strict=True)) == {
        "a": True,
        "b": True,
        "c": False,
        "d": False,
        "e": True,
        "f": True,
        "g": None,
    }


def test_chart_highlights_the_front_and_warns_about_points_it_cannot_place():
    with pytest.warns(
        ChartWarning, match=r"1 row\(s\) without a 'mean' or 'cost_per_request' value are not drawn: \['g'\]"
    ):
        chart = cost_quality(TOY)
    spec = chart.to_dict()
    rows = data_rows(spec)
    assert sorted(r["model"] for r in rows if r["pareto"]) == ["a", "b", "e", "f"]
    assert "g" not in {r["model"] for r in rows}
    assert spec["title"]["subtitle"] == "1 model(s) without a mean or cost_per_request value not shown"
    front, points, labels = spec["layer"]
    assert front["mark"]["type"] == "line" and front["mark"]["interpolate"] == "step-after"
    assert front["transform"] == [{"filter": "datum.pareto"}]
    assert points["encoding"]["fill"]["condition"]["test"] == "datum.pareto"
    assert labels["encoding"]["text"]["field"] == "label"
    assert spec_size(chart) < 8_000


def test_built_from_summarize_joined_with_operational_summary():
    results = make_results(3_000, models=("a", "b"))
    scores = make_scores()
    points = summarize(scores, metric="exact", n_resamples=200).join(
        operational_summary(results, n_resamples=50), on=["model", "variant"]
    )
    with pytest.raises(ValueError, match="pass cost='mean_cost_usd'"):
        cost_quality(points)
    chart = cost_quality(points, cost="mean_cost_usd")
    rows = {r["model"]: r for r in data_rows(chart.to_dict())}
    # a: mean 5/6 at 0.001 per call; b: 4/6 at 0.002 -> a dominates b
    assert rows["a"]["quality"] == pytest.approx(5 / 6) and rows["a"]["cost"] == pytest.approx(0.001)
    assert (rows["a"]["pareto"], rows["b"]["pareto"]) == (True, False)
    assert rows["a"]["interval"].startswith("[")


def test_one_row_per_model_is_required():
    points = summarize(make_scores(), n_resamples=200).with_columns(pl.lit(1.0).alias("cost_per_request"))
    with pytest.raises(ValueError, match=r"points has 4 rows for \['a', 'b'\].*filter to one metric first"):
        cost_quality(points)
    with pytest.raises(
        ValueError, match=r"cost_quality: points has no column 'quality'; expected one row per model"
    ):
        cost_quality(TOY.drop_nulls(), quality="quality")
