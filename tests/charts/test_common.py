import altair as alt
import polars as pl
import pytest

from workbench.charts import bt_ratings, metric_by_model, theme
from workbench.charts._common import PALETTE, model_colors, records, with_labels
from workbench.stats import summarize


def test_every_chart_carries_the_theme_unless_asked_not_to(scores):
    summary = summarize(scores, metric="exact", n_resamples=200)
    spec = metric_by_model(summary).to_dict()
    assert spec["config"]["font"] == theme()["font"]
    assert spec["config"]["axis"]["labelFontSize"] == theme()["axis"]["labelFontSize"]
    assert spec["width"] == 360


def test_unconfigured_charts_compose_and_take_the_theme_once(scores, pairwise):
    from workbench.stats import bradley_terry

    summary = summarize(scores, metric="exact", n_resamples=200)
    with pytest.warns(Warning):  # the toy verdicts hold one null winner
        ratings = bradley_terry(pairwise, n_resamples=20)
    combined = alt.hconcat(metric_by_model(summary, configure=False), bt_ratings(ratings, configure=False))
    spec = combined.configure(**theme()).to_dict()  # to_dict validates against the Vega-Lite schema
    assert spec["config"]["font"] == theme()["font"]
    with pytest.raises(TypeError, match="config"):
        alt.hconcat(metric_by_model(summary), metric_by_model(summary)).to_dict()


def test_colours_follow_sorted_model_names():
    assert model_colors(["b", "a", "b"], None, "f") == {"a": PALETTE[0], "b": PALETTE[1]}
    assert model_colors(["c"], ["c", "a", "b"], "f") == {"a": PALETTE[0], "b": PALETTE[1], "c": PALETTE[2]}
    many = model_colors([f"m{i:02d}" for i in range(12)], None, "f")
    assert many["m10"] == PALETTE[0]  # the palette repeats after ten models


def test_a_table_that_is_not_a_frame_or_misses_columns_is_named():
    # every chart reads its table through workbench._table.as_table: one message for a wrong type
    with pytest.raises(
        TypeError, match="bt_ratings: ratings must be a polars or pandas DataFrame, a Run, .* got dict"
    ):
        bt_ratings({"model": ["a"]})
    with pytest.raises(
        ValueError,
        match=r"bt_ratings: ratings has no columns 'elo', 'elo_lo', 'elo_hi'; expected the output of "
        r"workbench.stats.bradley_terry. Columns present: model, x",
    ):
        bt_ratings(pl.DataFrame({"model": ["a"], "x": [1.0]}))


def test_records_drop_nulls_and_nan():
    frame = pl.DataFrame({"a": [1.0, float("nan"), None], "b": ["x", None, "z"]})
    assert records(frame) == [{"a": 1.0, "b": "x"}, {}, {"b": "z"}]


def test_labels_order_by_model_then_variant():
    frame = pl.DataFrame({"model": ["b", "a", "a"], "variant": ["v", "w", None]})
    out = with_labels(frame)
    assert out.select("label", "label_order").rows() == [("b / v", 2), ("a / w", 0), ("a", 1)]
