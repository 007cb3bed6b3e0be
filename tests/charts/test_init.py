"""The public surface, lazy loading, doctests, untrusted names, and one offline render.

The offline HTML export of these charts (vega-embed and its tooltip handler inlined) is tested in a
real browser by the report engineer's tests; here we check what the charts themselves guarantee:
untrusted names reach the spec only as data values and no HTML tooltip option is set.
"""

import doctest
import importlib
import subprocess
import sys
import warnings

import polars as pl
import pytest

import workbench.charts as charts
from tests.charts.conftest import make_results
from tests.charts.spec_utils import data_rows, outside_data
from workbench.stats import StatsWarning, bradley_terry, operational_summary, summarize

BAD_MODEL = "<img src=x onerror=alert(1)>"
BAD_SLICE = "</script><script>alert(2)</script>"


def test_public_names_are_exported():
    assert sorted(charts.__all__) == sorted(
        [
            "ChartWarning",
            "bt_ratings",
            "cost_quality",
            "latency_distribution",
            "metric_by_model",
            "pareto_front",
            "slice_heatmap",
            "theme",
            "win_rate_cells",
            "win_rate_matrix",
        ]
    )
    for name in charts.__all__:
        assert getattr(charts, name).__doc__


def test_import_does_not_load_altair():
    code = "import sys, workbench.charts; assert 'altair' not in sys.modules, 'altair loaded at import'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("module", ["_common", "_summary", "_latency", "_cost", "_pairwise"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(f"workbench.charts.{module}"))
    assert result.attempted > 0 and result.failed == 0


def untrusted_charts() -> dict[str, object]:
    """Every chart, built from tables whose model and slice names are HTML/script."""
    rename = {"a": BAD_MODEL}
    rows = []
    for i, (model, value) in enumerate([(BAD_MODEL, 1.0), (BAD_MODEL, 0.0), ("ok", 1.0), ("ok", 1.0)]):
        rows.append(
            {"case_id": f"c{i % 2}", "model": model, "variant": "v", "metric": "exact", "value": value}
        )
    scores = pl.DataFrame(rows)
    cases = pl.DataFrame({"case_id": ["c0", "c1"], "topic": [BAD_SLICE, "fine"]})
    results = make_results(2_000, models=("a", "ok")).with_columns(pl.col("model").replace(rename))
    verdicts = pl.DataFrame(
        {
            "case_id": ["1", "2", "3"],
            "model_a": [BAD_MODEL, "ok", BAD_MODEL],
            "model_b": ["ok", BAD_MODEL, "ok"],
            "winner": ["a", "tie", "b"],
        }
    )
    points = summarize(scores, n_resamples=100).join(
        operational_summary(results, n_resamples=20), on=["model", "variant"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatsWarning)
        return {
            "metric_by_model": charts.metric_by_model(summarize(scores, n_resamples=100)),
            "slice_heatmap": charts.slice_heatmap(
                summarize(scores, slices="topic", cases=cases, n_resamples=100), "exact"
            ),
            "latency_distribution": charts.latency_distribution(results),
            "cost_quality": charts.cost_quality(points, cost="mean_cost_usd"),
            "win_rate_matrix": charts.win_rate_matrix(verdicts),
            "bt_ratings": charts.bt_ratings(bradley_terry(verdicts, n_resamples=20)),
        }


@pytest.fixture(scope="module")
def untrusted() -> dict[str, object]:
    return untrusted_charts()


CHARTS = [
    "metric_by_model",
    "slice_heatmap",
    "latency_distribution",
    "cost_quality",
    "win_rate_matrix",
    "bt_ratings",
]


@pytest.mark.parametrize("name", CHARTS)
def test_untrusted_names_stay_data(untrusted, name):
    spec = untrusted[name].to_dict()
    leaks = [
        (path, v) for path, v in outside_data(spec) if isinstance(v, str) and ("alert(" in v or "<" in v)
    ]
    assert leaks == []
    html_options = [
        path for path, key in outside_data(spec) if isinstance(key, str) and "html" in key.lower()
    ]
    assert html_options == []
    values = [v for row in data_rows(spec) for v in row.values() if isinstance(v, str)]
    assert BAD_MODEL in values  # the name is there, verbatim, as a data string
    if name == "slice_heatmap":
        assert BAD_SLICE in values


def test_renders_offline_to_svg_with_names_escaped(untrusted):
    vlc = pytest.importorskip("vl_convert", reason="vl-convert-python is not installed")
    spec = untrusted["metric_by_model"].to_dict()
    svg = vlc.vegalite_to_svg(spec)
    assert svg.lstrip().startswith("<svg")
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert "<img" not in svg
