"""The CaseBrowser widget without a kernel or a browser: state is set as the front end sets it."""

import pandas as pd
import polars as pl
import pytest

from workbench.widgets import CaseBrowser

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def browser(cases, results, scores):
    return CaseBrowser(cases, results, scores, page_size=4)


def row_ids(browser):
    return [r["case_id"] for r in browser.rows]


def test_instantiates_without_kernel(browser):
    assert (browser.n_total, browser.n_filtered, browser.page, browser.n_pages) == (6, 6, 0, 2)
    assert row_ids(browser) == ["c1", "c2", "c3", "c4"]
    assert browser.models == ["m1/v", "m2/v"] and browser.metrics == ["em", "sim"]
    assert browser.facets == {"tier": ["enterprise", "free", "pro"], "seats": [1, 2, 3, 10]}
    assert browser.error == "" and browser.detail == {}
    state = browser.get_state()
    assert {"tag_expr", "query", "metadata", "score_filter", "rows", "selection", "detail"} <= set(state)
    assert "export default" in state["_esm"] and ".wb-browser" in state["_css"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"tag_expr": "billing"}, ["c2", "c3", "c4"]),
        ({"query": "REFUND"}, ["c2"]),
        ({"metadata": {"tier": "pro"}}, ["c1", "c3"]),
        ({"score_filter": {"metric": "em", "model": "m1/v", "op": "failed"}}, ["c2", "c5"]),
        ({"tag_expr": "billing", "metadata": {"tier": "free"}}, ["c2"]),
        (
            {
                "tag_expr": 'billing or "needs review"',
                "query": "script",
                "metadata": {"tier": ["free", "pro"]},
                "score_filter": {"metric": "em", "model": "m1/v", "op": "failed"},
            },
            ["c5"],
        ),
    ],
)
def test_filters_set_by_the_front_end(browser, state, expected):
    browser.set_state(state)
    assert browser.table.get_column("case_id").to_list() == expected
    assert row_ids(browser) == expected[:4]
    assert browser.n_filtered == len(expected) and browser.error == ""


def test_one_message_changing_several_filters_sends_one_page(browser):
    pages = []
    browser.observe(lambda change: pages.append(change["new"]), names="rows")
    browser.set_state({"tag_expr": "billing", "query": "refund", "metadata": {"tier": "free"}, "page": 0})
    assert len(pages) == 1 and [r["case_id"] for r in pages[0]] == ["c2"]


def test_initial_filters_from_the_constructor(cases, results, scores):
    browser = CaseBrowser(
        cases, results, scores, tag_expr="billing", score_filter={"metric": "em", "op": "failed"}
    )
    assert row_ids(browser) == ["c2", "c3"]


def test_invalid_tag_expression_sets_error_and_keeps_the_table(browser):
    browser.set_state({"tag_expr": "billing"})
    browser.set_state({"tag_expr": "billing and ("})
    assert browser.error.startswith("invalid tag expression: expected a tag, 'not' or '(' at position 13")
    assert row_ids(browser) == ["c2", "c3", "c4"]
    browser.set_state({"query": "refund"})  # other filters still apply, the error stays
    assert row_ids(browser) == ["c2"] and "invalid tag expression" in browser.error
    browser.set_state({"tag_expr": "refund"})
    assert browser.error == "" and row_ids(browser) == ["c2"]


def test_bad_metadata_and_score_filters_set_error(browser):
    browser.set_state({"metadata": {"plan": "x"}})
    assert "no column 'plan'" in browser.error and browser.n_filtered == 6
    browser.set_state({"score_filter": {"metric": "bleu"}})
    assert browser.error.splitlines()[1].startswith("score_filter: no metric 'bleu'")
    browser.set_state({"metadata": {}, "score_filter": {}})
    assert browser.error == ""


def test_paging(browser):
    browser.set_state({"page": 1})
    assert row_ids(browser) == ["c5", "c6"]
    browser.set_state({"page": 7})  # clamped to the last page
    assert browser.page == 1
    browser.set_state({"page": -3})
    assert browser.page == 0 and row_ids(browser) == ["c1", "c2", "c3", "c4"]
    browser.set_state({"page": 1})
    browser.set_state({"tag_expr": "billing or refund"})  # a new filter goes back to page 0
    assert (browser.page, browser.n_pages, row_ids(browser)) == (0, 1, ["c2", "c3", "c4"])
    browser.set_state({"tag_expr": "", "page_size": 5})
    assert (browser.n_pages, len(browser.rows)) == (2, 5)
    browser.set_state({"tag_expr": "nothing-has-this"})
    assert (browser.n_filtered, browser.n_pages, browser.page, browser.rows) == (0, 1, 0, [])


def test_only_one_page_of_rows_is_sent():
    n = 1000
    cases = pl.DataFrame({"case_id": [f"x{i:04d}" for i in range(n)], "input": ["q " * 300] * n})
    browser = CaseBrowser(cases, page_size=25)
    assert len(browser.rows) == 25 and browser.n_pages == 40
    assert all(len(r["input"]) <= 200 for r in browser.rows)
    browser.set_state({"page": 39})
    assert row_ids(browser)[-1] == "x0999"


def test_detail_follows_selected_id(browser):
    browser.set_state({"selected_id": "c2"})
    assert browser.detail["case_id"] == "c2"
    assert browser.detail["outputs"][0]["diff"][1] == {"op": "del", "text": "5"}
    browser.set_state({"selected_id": "nope"})
    assert browser.detail == {} and "no case with id 'nope'" in browser.error
    browser.set_state({"selected_id": ""})
    assert browser.detail == {} and browser.error == ""


def test_selection_round_trip(browser):
    browser.set_state({"selection": ["c3", "c1", "c3"]})  # the front end's checked ids
    assert browser.selected == ["c3", "c1"]
    assert browser.selected_frame.get_column("case_id").to_list() == ["c1", "c3"]
    browser.selected = ["c5"]  # and back: Python sets what the front end shows
    assert browser.get_state("selection") == {"selection": ["c5"]}
    with pytest.raises(KeyError, match="no case with id 'zz'"):
        browser.selected = ["c1", "zz"]
    assert browser.selected == ["c5"]


def test_table_and_pandas(browser):
    browser.set_state({"tag_expr": "billing"})
    frame = browser.table
    assert isinstance(frame, pl.DataFrame) and frame.height == 3
    assert frame.get_column("output[m1/v]").to_list() == ["Refunds take 7 days.", "Yes, upgrade in Settings.",
                                                          "Done, cancelled."]  # fmt: skip
    pdf = browser.to_pandas()
    assert isinstance(pdf, pd.DataFrame) and list(pdf["case_id"]) == ["c2", "c3", "c4"]
    assert browser.frame.height == 6


def test_python_side_filter_setting_and_repr(browser):
    browser.tag_expr = "billing"
    browser.score_filter = {"metric": "em", "op": "failed"}
    assert row_ids(browser) == ["c2", "c3"]
    assert repr(browser) == "CaseBrowser(2 of 6 cases; tags: billing; score em (any model) failed)"


def test_mimebundle_has_widget_view_and_static_html(browser):
    data, _meta = browser._repr_mimebundle_()
    assert WIDGET_VIEW in data and data[WIDGET_VIEW]["model_id"] == browser.model_id
    assert "6 of 6 cases" in data["text/html"]
    assert data["text/plain"].startswith("CaseBrowser(")


def test_cases_only_browser(cases):
    browser = CaseBrowser(cases)
    assert browser.models == [] and browser.metrics == []
    assert [c["key"] for c in browser.columns] == ["case_id", "input", "reference", "tags", "tier", "seats"]
    browser.set_state({"selected_id": "c1"})
    assert browser.detail["outputs"] == []


def test_bad_page_size_is_rejected(cases):
    import traitlets

    with pytest.raises(traitlets.TraitError, match="page_size must be between 1 and 1000, got 0"):
        CaseBrowser(cases, page_size=0)
