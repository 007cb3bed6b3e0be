import altair as alt
import polars as pl
import pytest

from tests.charts.conftest import make_results
from tests.charts.spec_utils import data_rows, spec_size
from workbench.charts import latency_distribution
from workbench.stats import operational_summary


@pytest.fixture(scope="module")
def results() -> pl.DataFrame:
    return make_results(100_000)


def test_100k_rows_become_a_few_hundred_aggregate_rows(results):
    chart = latency_distribution(results)
    assert isinstance(chart, alt.FacetChart)
    rows = data_rows(chart.to_dict())
    assert len(rows) <= 3 * (30 + 3)  # non-empty bins and 3 quantiles per model
    assert spec_size(chart) < 40_000


def test_bins_count_every_successful_call_once(results):
    rows = data_rows(latency_distribution(results, bins=20).to_dict())
    ok = results.filter(pl.col("error_type").is_null())
    for model in ("a", "b", "c"):
        bins = [r for r in rows if r["kind"] == "bin" and r["model"] == model]
        assert sum(r["count"] for r in bins) == ok.filter(pl.col("model") == model).height
        assert sum(r["share"] for r in bins) == pytest.approx(1.0)
        assert all(r["bin_start"] < r["bin_end"] for r in bins)
    edges = sorted(
        {r["bin_start"] for r in rows if r["kind"] == "bin"}
        | {r["bin_end"] for r in rows if r["kind"] == "bin"}
    )
    assert len(edges) <= 21  # bins share their edges across models


def test_quantile_rules_equal_operational_summary(results):
    chart = latency_distribution(results)
    rows = [r for r in data_rows(chart.to_dict()) if r["kind"] == "quantile"]
    ops = operational_summary(results, by="model", n_resamples=50)
    for exp in ops.iter_rows(named=True):
        got = {r["quantile"]: r["seconds"] for r in rows if r["model"] == exp["model"]}
        assert got == {"p50": exp["latency_p50"], "p95": exp["latency_p95"], "p99": exp["latency_p99"]}
    labels = [r["text"] for r in rows if r["model"] == "a"]
    assert [t.split()[0] for t in labels] == ["p50", "p95", "p99"]
    spec = chart.to_dict()
    marks = [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    assert marks == ["rect", "rule", "text", "text", "text"]


def test_failed_calls_are_left_out_and_counted_in_the_subtitle(results):
    n_failed = results.filter(pl.col("error_type").is_not_null()).height
    spec = latency_distribution(results).to_dict()
    assert spec["title"]["subtitle"] == f"{n_failed} failed call(s) left out"


def test_log_bins_are_chosen_for_a_long_tail_and_on_request():
    tail = pl.DataFrame({"model": "a", "latency_s": [0.1, 0.2, 0.3, 30.0]})
    spec = latency_distribution(tail, bins=4).to_dict()
    assert spec["spec"]["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    starts = sorted(r["bin_start"] for r in data_rows(spec) if r["kind"] == "bin")
    assert starts[0] == pytest.approx(0.1)
    assert [
        r["count"] for r in sorted(data_rows(spec), key=lambda r: r.get("bin_start", 0)) if r["kind"] == "bin"
    ] == [3, 1]
    linear = latency_distribution(tail, bins=4, log=False).to_dict()
    assert "type" not in linear["spec"]["layer"][0]["encoding"]["x"]["scale"]
    one = latency_distribution(pl.DataFrame({"model": "a", "latency_s": [0.5, 0.5]}), bins=3)
    assert [r["count"] for r in data_rows(one.to_dict()) if r["kind"] == "bin"] == [2]


def test_errors_name_what_is_missing():
    with pytest.raises(
        ValueError,
        match=r"latency_distribution: results has no column 'latency_s'; expected a Run or a results table",
    ):
        latency_distribution(pl.DataFrame({"model": ["a"]}))
    failed = pl.DataFrame({"model": ["a"], "latency_s": [1.0], "error_type": ["Timeout"]})
    with pytest.raises(
        ValueError, match=r"no successful call with a latency_s \(1 failed, 0 without latency\)"
    ):
        latency_distribution(failed)
    with pytest.raises(ValueError, match="log=True needs positive latencies"):
        latency_distribution(pl.DataFrame({"model": ["a", "a"], "latency_s": [0.0, 1.0]}), log=True)


def test_pandas_input(results):
    small = results.head(500)
    assert data_rows(latency_distribution(small.to_pandas()).to_dict()) == data_rows(
        latency_distribution(small).to_dict()
    )
