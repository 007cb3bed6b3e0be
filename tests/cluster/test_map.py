"""The 2-D map: its Vega-Lite spec (selections, tooltip, untrusted text only as data) and the link."""

import json

import numpy as np
import polars as pl
import pytest

from tests.cluster.conftest import toy_run
from tests.cluster.test_clusterer import CASES, toy_failures
from workbench.cluster import Clusterer
from workbench.cluster._map import excerpt, project_2d, selected_case_ids
from workbench.widgets import CaseBrowser

EVIL = "</script><img src=x onerror=alert(1)>"


@pytest.fixture
def fitted():
    fails, vectors = toy_failures()
    fails = fails.with_columns(
        pl.when(pl.col("case_id") == "c6").then(pl.lit(EVIL)).otherwise(pl.col("output")).alias("output")
    )
    vectors = vectors + np.random.default_rng(0).normal(scale=0.01, size=vectors.shape)
    return Clusterer("output", n_clusters=3).fit(fails, embeddings=vectors)


def test_points_are_deterministic_and_cached(fitted):
    points = fitted.points(method="pca")
    assert points.columns == [
        "case_id", "model", "variant", "sample", "cluster", "cluster_name", "x", "y", "excerpt", "projection",
    ]  # fmt: skip
    assert fitted.points(method="pca") is points  # cached
    again = Clusterer("output", n_clusters=3).fit(fitted.items_.drop("text", "cluster", "cluster_name"),
                                                  embeddings=fitted.embeddings_)  # fmt: skip
    np.testing.assert_array_equal(again.points(method="pca")["x"].to_numpy(), points["x"].to_numpy())
    assert points["projection"][0] == "pca"
    assert fitted.points(method="auto")["projection"][0] == "pca"  # 8 rows: too few for UMAP


def test_map_spec_has_selections_tooltip_and_untrusted_text_only_in_data(fitted):
    spec = fitted.map(method="pca").to_dict()
    assert {p["name"] for p in spec["params"]} == {"pick", "brush"}
    pick = next(p for p in spec["params"] if p["name"] == "pick")
    assert pick["select"]["fields"] == ["case_id"]
    tooltip = [t["field"] for t in spec["encoding"]["tooltip"]]
    assert tooltip == ["case_id", "model", "variant", "cluster_label", "excerpt"]
    assert spec["encoding"]["color"]["field"] == "cluster_label"
    values = spec["data"]["values"]
    evil = [row for row in values if row["case_id"] == "c6"]
    assert evil[0]["excerpt"] == EVIL  # raw text as data: Vega draws tooltips as text
    assert evil[0]["cluster_label"] == "2: alert / img / onerror"  # names come from the text too
    outside = json.dumps({k: v for k, v in spec.items() if k != "data"})
    assert "onerror" not in outside and "refund" not in outside and "<" not in outside


def test_project_2d_methods_and_errors():
    x = np.random.default_rng(0).normal(size=(5, 4))
    xy, used = project_2d(x, method="auto")
    assert xy.shape == (5, 2) and used == "pca"
    with pytest.raises(ValueError, match="map method must be one of auto, umap, pca"):
        project_2d(x, method="tsne")
    with pytest.raises(ValueError, match="UMAP needs at least 4 items"):
        project_2d(x[:3], method="umap")
    xy, _ = project_2d(np.eye(2, 3), method="pca")
    assert xy.shape == (2, 2)


def test_excerpt():
    assert excerpt("a\n\n b  c") == "a b c"
    assert excerpt("word " * 100, width=10) == "word word…"
    assert excerpt(None) == ""


def test_selected_case_ids_from_point_and_interval():
    points = pl.DataFrame(
        {"case_id": ["a", "b", "c", "a"], "x": [0.0, 1.0, 2.0, 3.0], "y": [0.0, 0.0, 5.0, 0.0]}
    )

    class Sel:
        def __init__(self, value):
            self.value = value

    assert selected_case_ids(Sel([]), points) is None
    assert selected_case_ids(Sel([{"case_id": "b"}, {"case_id": "b"}, {"case_id": "a"}]), points) == [
        "b",
        "a",
    ]
    assert selected_case_ids(Sel({"x": [2.5, -1], "y": [-1, 1]}), points) == ["a", "b"]


def test_link_sets_the_browser_case_filter(fitted):
    results, scores = toy_run()
    browser = CaseBrowser(CASES, results, scores)
    widget = fitted.link(browser, method="pca")
    assert widget is fitted.map_widget(method="pca") and browser.n_filtered == 6
    # what the front end sends when points are clicked (shift-click adds a point)
    widget._vl_selections = {
        "pick": {"value": {"vlPoint": {"or": [{"case_id": "c3"}, {"case_id": "c5"}]}}, "store": []}
    }
    assert browser.case_ids == ["c3", "c5"] and browser.table["case_id"].to_list() == ["c3", "c5"]
    # a rectangle around the html row's point
    row = fitted.points(method="pca").filter(pl.col("case_id") == "c6").row(0, named=True)
    box = {"x": [row["x"] - 1e-6, row["x"] + 1e-6], "y": [row["y"] - 1e-6, row["y"] + 1e-6]}
    widget._vl_selections = {"brush": {"value": box, "store": []}}
    assert browser.case_ids == ["c6"] and browser.n_filtered == 1
    widget._vl_selections = {"brush": {"value": None, "store": []}}  # cleared: the filter goes
    assert browser.case_ids == [] and browser.n_filtered == 6
    with pytest.raises(TypeError, match="link\\(\\) takes a CaseBrowser"):
        fitted.link(object())
