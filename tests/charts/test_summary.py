import warnings

import altair as alt
import polars as pl
import pytest

from tests.charts.conftest import make_scores
from tests.charts.spec_utils import data_rows, spec_size
from workbench.charts import metric_by_model, slice_heatmap
from workbench.stats import StatsWarning, summarize


def sliced_summary(scores: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatsWarning)  # the "returns" slice is empty on purpose
        return summarize(scores, slices="topic", cases=cases, n_resamples=200)


# metric_by_model


def test_one_metric_is_points_and_interval_rules_with_the_summary_numbers(scores):
    summary = summarize(scores, n_resamples=200)
    chart = metric_by_model(summary, metric="exact")
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "point"]
    rows = data_rows(spec)
    expected = summary.filter(pl.col("metric") == "exact")
    assert len(rows) == expected.height == 2
    for row, exp in zip(rows, expected.iter_rows(named=True), strict=True):
        assert (row["model"], row["n"], row["value"]) == (exp["model"], exp["n"], exp["mean"])
        assert (row["lo"], row["hi"]) == (exp["ci_lo"], exp["ci_hi"])
    tooltip = {t["title"] for t in spec["encoding"]["tooltip"]}
    assert {"model", "n", "mean", "interval"} <= tooltip
    assert spec_size(chart) < 6_000


def test_several_metrics_facet_by_metric_with_independent_x(scores):
    chart = metric_by_model(summarize(scores, n_resamples=200))
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    assert spec["facet"]["row"]["field"] == "metric"
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert sorted({r["metric"] for r in data_rows(spec)}) == ["exact", "sim"]


def test_pandas_input_and_pass_rate(scores):
    summary = summarize(scores, metric="exact", n_resamples=200)
    chart = metric_by_model(summary.to_pandas(), value="pass_rate")
    rows = data_rows(chart.to_dict())
    assert [(r["value"], r["lo"], r["hi"]) for r in rows] == [
        tuple(x) for x in summary.select("pass_rate", "pass_ci_lo", "pass_ci_hi").rows()
    ]


def test_labels_show_the_variant_only_when_there_are_several(scores):
    two = pl.concat([scores, scores.with_columns(pl.lit("w").alias("variant"))])
    rows = data_rows(metric_by_model(summarize(two, metric="exact", n_resamples=200)).to_dict())
    assert [(r["label"], r["label_order"]) for r in rows] == [
        ("a / v", 0),
        ("a / w", 1),
        ("b / v", 2),
        ("b / w", 3),
    ]
    one = data_rows(metric_by_model(summarize(scores, metric="exact", n_resamples=200)).to_dict())
    assert [r["label"] for r in one] == ["a", "b"]


def test_missing_columns_are_all_named(scores):
    summary = summarize(scores, n_resamples=200).drop("ci_lo", "ci_hi")
    with pytest.raises(
        ValueError,
        match=r"metric_by_model: summary has no columns 'ci_lo', 'ci_hi'; expected the output of workbench.stats.summarize",
    ):
        metric_by_model(summary)


def test_unknown_metric_and_sliced_summary_are_refused(scores, cases):
    with pytest.raises(ValueError, match="metric 'bleu' is not in summary; available metrics: exact, sim"):
        metric_by_model(summarize(scores, n_resamples=200), metric="bleu")
    with pytest.raises(ValueError, match="several slices; chart it with slice_heatmap"):
        metric_by_model(sliced_summary(scores, cases), metric="exact")
    with pytest.raises(ValueError, match="value must be 'mean' or 'pass_rate'"):
        metric_by_model(summarize(scores, n_resamples=200), value="median")


def test_models_keeps_colours_fixed_for_a_subset(scores):
    summary = summarize(scores, metric="exact", n_resamples=200)
    own = data_rows(metric_by_model(summary.filter(pl.col("model") == "b")).to_dict())
    fixed = data_rows(metric_by_model(summary.filter(pl.col("model") == "b"), models=["a", "b"]).to_dict())
    full = {r["model"]: r["color"] for r in data_rows(metric_by_model(summary).to_dict())}
    assert own[0]["color"] == full["a"]  # alone, b takes the first colour...
    assert fixed[0]["color"] == full["b"]  # ...unless the analysis' models are given
    with pytest.raises(ValueError, match=r"models= does not list model\(s\) \['b'\]"):
        metric_by_model(summary, models=["a"])


# slice_heatmap


def test_slices_sort_by_the_largest_gap_between_models(scores, cases):
    chart = slice_heatmap(sliced_summary(scores, cases), "exact")
    rows = data_rows(chart.to_dict())
    order = {r["slice"]: (r["slice_order"], r.get("gap")) for r in rows}
    # hand computed: shipping |1 - 0| = 1, refund |0.5 - 1| = 0.5, billing 0, returns: no values
    assert order == {"shipping": (0, 1.0), "refund": (1, 0.5), "billing": (2, 0.0), "returns": (3, None)}
    texts = {(r["slice"], r["model"]): r["text"] for r in rows}
    assert texts[("refund", "a")] == "0.50" and texts[("returns", "b")] == "–"
    refund_a = next(r for r in rows if (r["slice"], r["model"]) == ("refund", "a"))
    assert refund_a["n"] == 2


def test_heatmap_has_text_labels_counts_in_tooltips_and_the_slice_selection(scores, cases):
    chart = slice_heatmap(sliced_summary(scores, cases), "exact")
    spec = chart.to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rect", "text"]
    assert spec["layer"][1]["encoding"]["text"]["field"] == "text"
    assert {"n", "slice", "model", "interval"} <= {t["title"] for t in spec["encoding"]["tooltip"]}
    (param,) = spec["params"]
    assert param["name"] == "slice_select"
    assert param["select"] == {"type": "point", "fields": ["slice"], "on": "click", "clear": "dblclick"}
    assert len(data_rows(spec)) == 8  # 4 slices x 2 models: the summary rows, nothing else
    assert spec_size(chart) < 10_000


def test_heatmap_errors(scores, cases):
    with pytest.raises(
        ValueError,
        match=r"slice_heatmap: summary has no column 'slice'; expected the output of workbench.stats.summarize",
    ):
        slice_heatmap(summarize(scores, n_resamples=200), "exact")
    with pytest.raises(ValueError, match="metric 'bleu' is not in summary"):
        slice_heatmap(sliced_summary(scores, cases), "bleu")


def test_heatmap_of_many_rows_embeds_only_the_summary():
    big = pl.concat([make_scores().with_columns(pl.lit(f"r{i}").alias("run_id")) for i in range(200)])
    cases = pl.DataFrame({"case_id": [f"c{i}" for i in range(1, 7)], "topic": ["t1", "t2", "t3"] * 2})
    chart = slice_heatmap(summarize(big, slices="topic", cases=cases, n_resamples=200), "exact")
    assert len(data_rows(chart.to_dict())) == 6


def test_a_widget_reads_the_clicked_slice(scores, cases):
    pytest.importorskip("anywidget")
    widget = alt.JupyterChart(slice_heatmap(sliced_summary(scores, cases), "exact"))
    assert widget.selections.slice_select.value == []
    # what the front-end syncs after a click on the "refund" row
    widget._vl_selections = {
        "slice_select": {
            "value": {"vlPoint": {"or": [{"slice": "refund"}]}},
            "store": [{"values": ["refund"]}],
        }
    }
    assert widget.selections.slice_select.value == [{"slice": "refund"}]
