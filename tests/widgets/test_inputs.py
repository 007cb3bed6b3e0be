"""Every widget takes its tables the one way (workbench._table.as_table): polars DataFrames or
LazyFrames, pandas DataFrames, a Run (its cases and results) or a Scores (its cases and run)."""

import polars as pl
import pytest

from workbench.labels import LabelStore, queue_sample
from workbench.metrics import Rubric, Scores
from workbench.runner import Run
from workbench.widgets import Annotator, CaseBrowser, SliceExplorer

HELPFUL = Rubric("Does it solve the problem?", scale=(1, 5), name="helpful")


@pytest.fixture
def run(cases, results) -> Run:
    return Run({"run_id": "r1"}, results, cases=cases)


@pytest.fixture
def scored(run, scores) -> Scores:
    return Scores(scores, run=run)


@pytest.fixture
def full(cases, results, scores) -> pl.DataFrame:
    """The joined table of the explicit three-table form."""
    return CaseBrowser(cases, results, scores).frame


# CaseBrowser


def test_browser_of_a_run_shows_its_cases_and_outputs(run, cases, results):
    browser = CaseBrowser(run)
    assert browser.frame.equals(CaseBrowser(cases, results).frame)
    assert browser.models == ["m1/v", "m2/v"] and browser.metrics == []
    assert CaseBrowser(results=run).frame.equals(browser.frame)


def test_browser_of_a_run_and_its_scores_or_of_the_scores_alone(run, scored, full):
    assert CaseBrowser(run, scored).frame.equals(full)
    assert CaseBrowser(scored).frame.equals(full)  # the cases and results of the run it scored
    assert CaseBrowser(scored, run).frame.equals(full)
    assert CaseBrowser(run, scored.table).frame.equals(full)  # a plain score table after the run
    assert CaseBrowser(run.cases, scores=scored).frame.equals(full)  # results from the Scores' run
    browser = CaseBrowser(scored, score_filter={"metric": "em", "model": "m1/v", "op": "failed"})
    assert browser.table.get_column("case_id").to_list() == ["c2", "c5"]


def test_browser_of_scores_without_a_run_shows_the_scores_only(cases, scores):
    browser = CaseBrowser(Scores(scores, cases=cases))
    assert browser.metrics == ["em", "sim"] and "output[m1/v]" not in browser.frame.columns
    assert browser.frame.get_column("score[em][m1/v]").to_list() == [1.0, 0.0, 1.0, None, 0.0, 1.0]


def test_browser_of_lazy_and_pandas_frames(cases, results, scores, full):
    lazy = CaseBrowser(cases.to_polars().lazy(), results.lazy(), scores.lazy())
    assert lazy.frame.equals(full)
    assert CaseBrowser(cases.to_pandas(), results.to_pandas(), scores.to_pandas()).frame.equals(full)


def test_browser_of_a_list_of_runs_stacks_them(cases, results):
    one = Run({"run_id": "r1"}, results.filter(pl.col("model") == "m1"))
    two = Run({"run_id": "r1"}, results.filter(pl.col("model") == "m2"))
    assert CaseBrowser(cases, [one, two]).frame.equals(CaseBrowser(cases, results).frame)
    with pytest.raises(ValueError, match="results is an empty list"):
        CaseBrowser(cases, [])


def test_browser_without_cases_says_how_to_give_them(results, scores):
    with pytest.raises(
        ValueError,
        match="no cases given and the Run does not know its cases .* CaseBrowser\\(cases, run, scores\\)",
    ):
        CaseBrowser(Run({"run_id": "r1"}, results))
    with pytest.raises(ValueError, match="no cases given and the Scores does not know its cases"):
        CaseBrowser(Scores(scores))
    with pytest.raises(ValueError, match="CaseBrowser: no cases given: pass them first"):
        CaseBrowser(results=results)
    with pytest.raises(
        TypeError, match="CaseBrowser\\(run, scores\\) takes two tables after a Run, not three"
    ):
        CaseBrowser(Run({"run_id": "r1"}, results), scores, scores)
    with pytest.raises(TypeError, match="scores must be a score table .* got a Run, which has results only"):
        CaseBrowser(
            scores=Run({"run_id": "r1"}, results, cases=None),
            cases=pl.DataFrame({"case_id": ["c1"], "input": ["q"]}),
        )


def test_browser_table_is_the_filtered_rows(run, scored):
    browser = CaseBrowser(run, scored, tag_expr="billing")
    assert browser.table.get_column("case_id").to_list() == ["c2", "c3", "c4"]
    assert browser.frame.height == 6
    assert browser.to_pandas()["case_id"].tolist() == ["c2", "c3", "c4"]


# SliceExplorer


def test_explorer_of_a_scores_slices_by_the_tags_of_its_cases(scored, cases, scores):
    expected = SliceExplorer(scores, metric="em", cases=cases, n_resamples=200)
    explorer = SliceExplorer(scored, metric="em", n_resamples=200)
    assert explorer.rows == expected.rows
    assert explorer.table.equals(expected.table)
    assert explorer.summary().equals(expected.summary())
    # the cases given as the Run that knows them
    assert SliceExplorer(scores, metric="em", cases=scored.run, n_resamples=200).rows == expected.rows


def test_explorer_of_lazy_and_pandas_frames(cases, scores):
    expected = SliceExplorer(scores, metric="em", cases=cases, n_resamples=200)
    assert SliceExplorer(scores.lazy(), metric="em", cases=cases, n_resamples=200).rows == expected.rows
    assert (
        SliceExplorer(scores.to_pandas(), metric="em", cases=cases.to_pandas(), n_resamples=200).rows
        == expected.rows
    )
    summary = expected.summary()
    assert SliceExplorer(summary.lazy(), metric="em").rows == expected.rows
    assert SliceExplorer(summary.to_pandas(), metric="em").rows == expected.rows


def test_explorer_table_summary_and_pandas(scored):
    explorer = SliceExplorer(scored, metric="em", n_resamples=200)
    table = explorer.table
    assert isinstance(table, pl.DataFrame) and table.height == 7
    assert table.row(0, named=True)["gap"] == 1.0
    assert explorer.to_pandas().columns.tolist() == table.columns
    assert explorer.summary().get_column("metric").unique().sort().to_list() == ["em", "sim"]
    explorer.set_state({"stat": "pass_rate"})  # the table follows the shown metric and stat
    assert explorer.table.get_column("slice").to_list()[0] == "account"


def test_explorer_refuses_a_run(run):
    with pytest.raises(
        TypeError,
        match="SliceExplorer: data must be a score table .* got a Run, which has results only: score it first",
    ):
        SliceExplorer(run)


# Annotator


def queue(results: pl.DataFrame) -> pl.DataFrame:
    return results.filter(pl.col("model") == "m1").select("run_id", "case_id", "model", "variant", "sample")


def test_annotator_of_a_run_takes_its_cases_and_outputs(run, cases, results, tmp_path):
    expected = Annotator(queue(results), cases, results, rubric=HELPFUL, rater="ana", project=tmp_path)
    for w in (
        Annotator(queue(results), run, rubric=HELPFUL, rater="ana", project=tmp_path),
        Annotator(queue(results), results=run, rubric=HELPFUL, rater="ana", project=tmp_path),
        Annotator(queue_sample(run, 6), run, rubric=HELPFUL, rater="ana", project=tmp_path),
    ):
        assert w.item == expected.item and w.total == 6
    w.label(3)
    assert LabelStore(tmp_path).table().select("case_id", "model", "label").rows() == [
        (w.queue["case_id"][0], "m1", "3")
    ]


def test_annotator_of_scores_lazy_and_pandas_frames(scored, cases, results, tmp_path):
    items = []
    for c, r in (
        (cases, scored),  # the results of the run the Scores scored
        (cases.to_polars().lazy(), results.lazy()),
        (cases.to_pandas(), results.to_pandas()),
    ):
        w = Annotator(queue(results), c, r, rubric=HELPFUL, rater="ana", project=tmp_path)
        items.append(w.item)
    assert items[0]["outputs"][0]["output"] == "Click Forgot password."
    assert items[1] == items[0] and items[2] == items[0]


def test_annotator_without_cases_says_how_to_give_them(results, tmp_path):
    with pytest.raises(
        ValueError,
        match="Annotator: no cases: pass the CaseSet .* Annotator\\(queue, run, rubric=..., rater=...\\)",
    ):
        Annotator(
            queue(results), Run({"run_id": "r1"}, results), rubric=HELPFUL, rater="ana", project=tmp_path
        )
    with pytest.raises(ValueError, match="Annotator: no cases"):
        Annotator(queue(results), results=results, rubric=HELPFUL, rater="ana", project=tmp_path)


def test_label_options_are_keyword_only(run, results, tmp_path):
    w = Annotator(queue(results), run, rubric=HELPFUL, rater="ana", project=tmp_path)
    with pytest.raises(TypeError):
        w.label(3, "a note")
    assert w.label(3, note="a note")["note"] == "a note"
    assert w.position == 1


def test_annotator_results_without_outputs_are_named(cases, results, tmp_path):
    with pytest.raises(
        ValueError, match="Annotator: results has no column 'output'; expected the Run or results table"
    ):
        Annotator(
            queue(results), cases, results.drop("output"), rubric=HELPFUL, rater="ana", project=tmp_path
        )
