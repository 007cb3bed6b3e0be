"""Every chart takes its table the one way (workbench._table.as_table): a polars DataFrame or
LazyFrame, a pandas DataFrame, a Run, a Scores; charts of a summary summarise scores themselves."""

import warnings

import polars as pl
import pytest

from tests.charts.conftest import make_results, make_scores
from tests.charts.spec_utils import data_rows
from workbench.cases import CaseSet
from workbench.charts import (
    bt_ratings,
    cost_quality,
    latency_distribution,
    metric_by_model,
    pareto_front,
    slice_heatmap,
    win_rate_cells,
    win_rate_matrix,
)
from workbench.metrics import Scores
from workbench.runner import Run
from workbench.stats import StatsWarning, bradley_terry, operational_summary, summarize

TAGS = {
    "c1": ["billing"],
    "c2": ["billing"],
    "c3": ["refund"],
    "c4": ["refund"],
    "c5": ["ship"],
    "c6": ["ship"],
}


@pytest.fixture
def caseset() -> CaseSet:
    return CaseSet.from_records([{"id": c, "input": f"q {c}", "tags": t} for c, t in TAGS.items()])


@pytest.fixture
def run(caseset) -> Run:
    return Run({"run_id": "r"}, make_results(3_000, models=("a", "b")), cases=caseset)


@pytest.fixture
def scored(run) -> Scores:
    return Scores(make_scores(), run=run)


def rows(chart) -> list[dict]:
    return data_rows(chart.to_dict())


# metric_by_model


def test_metric_by_model_summarises_a_scores_itself(scored):
    expected = rows(metric_by_model(summarize(scored.table, n_resamples=200), metric="exact"))
    assert rows(metric_by_model(scored, metric="exact", n_resamples=200)) == expected
    assert rows(metric_by_model(scored.table, metric="exact", n_resamples=200)) == expected
    assert rows(metric_by_model(scored.table.to_pandas(), metric="exact", n_resamples=200)) == expected
    assert rows(metric_by_model(scored.table.lazy(), metric="exact", n_resamples=200)) == expected
    # hand check: a scores 5 of 6, b 4 of 6
    assert [(r["model"], r["value"]) for r in expected] == [("a", 5 / 6), ("b", 4 / 6)]


def test_metric_by_model_takes_a_lazy_summary_and_every_metric_of_scores(scored):
    summary = summarize(scored.table, n_resamples=200)
    assert rows(metric_by_model(summary.lazy())) == rows(metric_by_model(summary))
    assert rows(metric_by_model(scored, n_resamples=200)) == rows(metric_by_model(summary))


def test_metric_by_model_refuses_a_run_and_an_unknown_metric_of_scores(run, scored):
    with pytest.raises(
        TypeError, match="metric_by_model: summary must be .* got a Run, which has results only"
    ):
        metric_by_model(run)
    with pytest.raises(
        ValueError, match="metric_by_model: metric 'bleu' is not in summary; available metrics: exact, sim"
    ):
        metric_by_model(scored, metric="bleu")


# slice_heatmap


def test_slice_heatmap_slices_a_scores_by_the_tags_of_its_cases(scored, caseset):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatsWarning)
        summary = summarize(scored.table, slices="tags", cases=caseset, n_resamples=200)
    expected = rows(slice_heatmap(summary, "exact"))
    assert rows(slice_heatmap(scored, "exact", n_resamples=200)) == expected
    # a bare score table with the cases given
    assert rows(slice_heatmap(scored.table.to_pandas(), "exact", cases=caseset, n_resamples=200)) == expected
    order = {r["slice"]: r["slice_order"] for r in expected}
    # gaps by hand: ship |1 - 0| = 1, refund |0.5 - 1| = 0.5, billing 0
    assert order == {"ship": 0, "refund": 1, "billing": 2}


def test_slice_heatmap_of_scores_by_a_column_and_of_a_lazy_summary(scored):
    cases = pl.DataFrame({"case_id": [f"c{i}" for i in range(1, 7)], "topic": ["t1", "t2", "t3"] * 2})
    summary = summarize(scored.table, slices="topic", cases=cases, n_resamples=200)
    expected = rows(slice_heatmap(summary, "exact"))
    assert rows(slice_heatmap(summary.lazy(), "exact")) == expected
    assert (
        rows(slice_heatmap(scored.table.lazy(), "exact", slices="topic", cases=cases, n_resamples=200))
        == expected
    )


# cost_quality


def test_cost_quality_of_a_scores_takes_the_cost_of_its_run(scored, run):
    chart = cost_quality(scored, metric="exact", n_resamples=200)
    by_model = {r["model"]: r for r in rows(chart)}
    # a: mean 5/6 at 0.001 per call; b: 4/6 at 0.002 -> a dominates b
    assert by_model["a"]["quality"] == pytest.approx(5 / 6) and by_model["a"]["cost"] == pytest.approx(0.001)
    assert by_model["b"]["cost"] == pytest.approx(0.002)
    assert (by_model["a"]["pareto"], by_model["b"]["pareto"]) == (True, False)
    assert chart.to_dict()["layer"][0]["encoding"]["x"]["title"] == "mean_cost_usd"
    # the same chart as the hand-built join
    points = summarize(scored.table, metric="exact", n_resamples=200).join(
        operational_summary(run.results, n_resamples=200), on=["model", "variant"]
    )
    assert rows(cost_quality(points, cost="mean_cost_usd")) == rows(chart)


def test_cost_quality_of_a_score_table_needs_its_results(scored, run):
    with pytest.raises(
        ValueError,
        match="cost_quality: points is a score table that does not know the run it scored: pass results=",
    ):
        cost_quality(scored.table, metric="exact")
    with_results = cost_quality(scored.table.to_pandas(), metric="exact", results=run, n_resamples=200)
    assert rows(with_results) == rows(cost_quality(scored, metric="exact", n_resamples=200))
    by_model = {
        r["model"]: r
        for r in rows(
            cost_quality(scored.table.lazy(), metric="exact", results=run.results.lazy(), n_resamples=200)
        )
    }
    assert by_model["b"]["cost"] == pytest.approx(0.002)
    latency = rows(cost_quality(scored, metric="exact", cost="latency_p95", n_resamples=200))
    ops = operational_summary(run.results, n_resamples=200)
    assert {r["model"]: r["cost"] for r in latency} == dict(ops.select("model", "latency_p95").rows())


def test_cost_quality_of_several_metrics_asks_for_one(scored):
    with pytest.raises(ValueError, match="points has 2 metrics; pass metric= one of: exact, sim"):
        cost_quality(scored)
    points = summarize(scored.table, n_resamples=200).with_columns(pl.lit(1.0).alias("cost_per_request"))
    assert [r["model"] for r in rows(cost_quality(points, metric="sim"))] == ["a", "b"]


def test_pareto_front_takes_pandas_and_lazy_frames():
    pts = pl.DataFrame(
        {"model": ["a", "b", "c"], "mean": [0.9, 0.7, 0.6], "cost_per_request": [3.0, 1.0, 2.0]}
    )
    expected = [True, True, False]
    assert pareto_front(pts.to_pandas()).get_column("pareto").to_list() == expected
    assert pareto_front(pts.lazy()).get_column("pareto").to_list() == expected
    assert rows(cost_quality(pts.lazy())) == rows(cost_quality(pts.to_pandas())) == rows(cost_quality(pts))


# latency_distribution


def test_latency_distribution_takes_a_run_its_scores_and_lazy_frames(run, scored):
    expected = rows(latency_distribution(run.results, bins=10))
    assert rows(latency_distribution(run, bins=10)) == expected
    assert rows(latency_distribution(scored, bins=10)) == expected  # the results of the run it scored
    assert rows(latency_distribution(run.results.lazy(), bins=10)) == expected
    assert rows(latency_distribution(run.results.to_pandas(), bins=10)) == expected
    with pytest.raises(
        TypeError, match="latency_distribution: results must be .* got a Scores that does not know its run"
    ):
        latency_distribution(Scores(make_scores()))


# pairwise charts


def test_pairwise_charts_take_pandas_and_lazy_frames(pairwise):
    expected = rows(win_rate_matrix(pairwise))
    assert rows(win_rate_matrix(pairwise.lazy())) == expected
    assert rows(win_rate_matrix(pairwise.to_pandas())) == expected
    assert win_rate_cells(pairwise.lazy(), confidence=0.9).equals(win_rate_cells(pairwise, confidence=0.9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatsWarning)  # the toy verdicts hold one null winner
        ratings = bradley_terry(pairwise, n_resamples=20)
    assert (
        rows(bt_ratings(ratings.lazy())) == rows(bt_ratings(ratings.to_pandas())) == rows(bt_ratings(ratings))
    )
