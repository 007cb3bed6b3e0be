"""The SliceExplorer widget and its link to a CaseBrowser, without a kernel or a browser."""

import polars as pl
import pytest

from workbench.stats import summarize
from workbench.widgets import CaseBrowser, SliceExplorer


@pytest.fixture
def explorer(cases, scores):
    return SliceExplorer(scores, metric="em", cases=cases, n_resamples=200)


def test_table_from_scores_and_cases(explorer):
    assert explorer.metrics == ["em", "sim"] and explorer.columns == ["m1/v", "m2/v"]
    # em by tag: account 1 vs 0, easy 1 vs 0, refund 0 vs 1 (gap 1); billing 0.5 vs 0.5; intent:upgrade 1 vs 0;
    # intent:cancel has no scores; needs review 0 vs 0.
    gaps = {r["label"]: r["gap"] for r in explorer.rows}
    assert gaps == {"account": 1.0, "easy": 1.0, "intent:upgrade": 1.0, "refund": 1.0, "billing": 0.0,
                    "needs review": 0.0, "intent:cancel": None}  # fmt: skip
    assert [r["label"] for r in explorer.rows][-1] == "intent:cancel"
    billing = next(r for r in explorer.rows if r["label"] == "billing")
    assert [(c["est"], c["n"], c["n_missing"]) for c in billing["cells"]] == [(0.5, 2, 1), (0.5, 2, 1)]
    table = explorer.table
    assert table.columns == ["slice", "gap", "est[m1/v]", "lo[m1/v]", "hi[m1/v]", "n[m1/v]",
                             "est[m2/v]", "lo[m2/v]", "hi[m2/v]", "n[m2/v]"]  # fmt: skip
    assert table.height == 7


def test_metric_and_stat_chosen_in_the_front_end(explorer):
    explorer.set_state({"metric": "sim"})
    gaps = {r["label"]: r["gap"] for r in explorer.rows}
    assert gaps["refund"] == pytest.approx(0.4) and gaps["intent:upgrade"] == pytest.approx(0.9)
    assert explorer.rows[0]["label"] == "intent:upgrade"
    explorer.set_state({"metric": "em", "stat": "pass_rate"})
    assert {r["label"]: r["gap"] for r in explorer.rows}["refund"] == 1.0
    explorer.set_state({"stat": "median"})
    assert "stat must be one of mean, pass_rate" in explorer.error


def test_link_sets_the_browsers_tag_expression(explorer, cases, results, scores):
    browser = CaseBrowser(cases, results, scores)
    assert explorer.link(browser) is explorer
    explorer.set_state({"selected_slice": "refund"})  # as the front end does on a click
    assert browser.tag_expr == "refund"
    assert [r["case_id"] for r in browser.rows] == ["c2"]
    explorer.set_state({"selected_slice": "needs review"})
    assert browser.tag_expr == '"needs review"' and browser.n_filtered == 1
    explorer.set_state({"selected_slice": ""})
    assert browser.tag_expr == "" and browser.n_filtered == 6


def test_link_applies_a_current_selection_and_unlink_stops(explorer, cases):
    browser = CaseBrowser(cases)
    explorer.selected_slice = "billing"
    explorer.link(browser)
    assert browser.tag_expr == "billing" and browser.n_filtered == 3
    explorer.unlink(browser)
    explorer.selected_slice = "refund"
    assert browser.tag_expr == "billing"


def test_unknown_slice_sets_error(explorer, cases):
    browser = CaseBrowser(cases)
    explorer.link(browser)
    explorer.set_state({"selected_slice": "nope"})
    assert explorer.error.startswith("selected_slice: no slice 'nope'; slices: ")
    assert browser.tag_expr == ""


def test_metadata_slices_filter_the_browser_metadata(cases, scores):
    browser = CaseBrowser(cases, metadata={"seats": 1})
    explorer = SliceExplorer(scores, metric="em", cases=cases, slices="tier", n_resamples=200).link(browser)
    assert {r["label"] for r in explorer.rows} == {"enterprise", "free", "pro", "(null)"}
    explorer.set_state({"selected_slice": "pro"})
    assert browser.metadata == {"seats": 1, "tier": "pro"}
    assert [r["case_id"] for r in browser.rows] == ["c1"]
    explorer.set_state({"selected_slice": "(null)"})
    assert browser.metadata == {"seats": 1, "tier": None} and [r["case_id"] for r in browser.rows] == ["c6"]
    explorer.set_state({"selected_slice": ""})
    assert browser.metadata == {"seats": 1}  # the link removes only what it set


def test_from_a_summary_with_expression_slices(cases, scores):
    summary = summarize(
        scores, slices=["billing and not intent:*", "easy or refund"], cases=cases, n_resamples=200
    )
    browser = CaseBrowser(cases)
    explorer = SliceExplorer(summary, metric="em").link(browser)
    explorer.set_state({"selected_slice": "easy or refund"})
    assert browser.tag_expr == "easy or refund" and browser.n_filtered == 2


def test_link_needs_a_browser_and_bad_arguments_are_named(explorer, scores, cases):
    with pytest.raises(TypeError, match="link\\(\\) takes a CaseBrowser, got str"):
        explorer.link("browser")
    with pytest.raises(ValueError, match="metric 'bleu' is not in the scores; metrics: em, sim"):
        SliceExplorer(scores, metric="bleu", cases=cases, n_resamples=200)
    with pytest.raises(ValueError, match="stat must be one of mean, pass_rate"):
        SliceExplorer(scores, cases=cases, stat="max", n_resamples=200)


def test_repr_and_bundle(explorer):
    assert repr(explorer) == "SliceExplorer(mean of 'em': 7 slices x 2 models)"
    data, _ = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data and "refund" in data["text/html"]
    assert isinstance(explorer.summary(), pl.DataFrame)
