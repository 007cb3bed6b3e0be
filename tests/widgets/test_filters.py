import polars as pl
import pytest

from workbench.cases import TagExpressionError
from workbench.widgets._filters import (
    CELL_CHARS,
    FilterError,
    Filters,
    case_ids_mask,
    jsonable,
    metadata_mask,
    n_pages,
    page_indices,
    page_rows,
    query_mask,
    score_mask,
    short,
    table_columns,
    tag_mask,
)
from workbench.widgets._frame import join_frame


@pytest.fixture
def joined(cases, results, scores):
    return join_frame(cases, results, scores)


def ids(joined, mask):
    return joined.frame.filter(mask).get_column("case_id").to_list()


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("billing", ["c2", "c3", "c4"]),
        ("billing and not intent:*", ["c2"]),
        ("intent:* or easy", ["c1", "c3", "c4"]),
        ('"needs review"', ["c5"]),
        ("not *", ["c6"]),
        ("unknown-tag", []),
    ],
)
def test_tag_expression(joined, expr, expected):
    assert ids(joined, tag_mask(joined, expr)) == expected


def test_empty_tag_expression_is_no_filter(joined):
    assert tag_mask(joined, "  ") is None


def test_invalid_tag_expression_raises_the_parser_error(joined):
    with pytest.raises(TagExpressionError, match="position 11"):
        tag_mask(joined, "billing and")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("REFUND", ["c2"]),  # input, reference and outputs, any case
        ("upgrade", ["c3"]),  # chat turns
        ("hello", ["c6"]),  # reference and an output
        ("onerror", ["c5"]),  # an output
        ("c4", ["c4"]),  # the id
        ("reset", ["c1"]),
        ("  ", None),
    ],
)
def test_query(joined, query, expected):
    mask = query_mask(joined, query)
    assert (mask if mask is None else ids(joined, mask)) == expected


def test_query_does_not_match_across_fields(joined):
    # c1's input ends "password?" and its reference starts "Click": no match across the join.
    assert ids(joined, query_mask(joined, "password?click")) == []


def test_narrowing_query_searches_previous_matches_only(joined):
    first = query_mask(joined, "re")
    assert ids(joined, first) == ["c1", "c2", "c6"]
    narrowed = query_mask(joined, "ref", ("re", first))
    assert ids(joined, narrowed) == ["c2"]
    # a query that does not extend the previous one searches every row
    assert ids(joined, query_mask(joined, "hello", ("ref", narrowed))) == ["c6"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tier": "pro"}, ["c1", "c3"]),
        ({"tier": ["pro", "free"]}, ["c1", "c2", "c3", "c5"]),
        ({"tier": None}, ["c6"]),
        ({"tier": [None, "enterprise"]}, ["c4", "c6"]),
        ({"seats": 1}, ["c1", "c6"]),
        ({"seats": [1, 10]}, ["c1", "c3", "c6"]),
        ({"seats": "3"}, ["c2"]),  # the front end may send numbers as text
        ({"tier": "pro", "seats": 10}, ["c3"]),
        ({"tier": []}, None),  # nothing chosen: no constraint
        ({"is_chat": True}, ["c3"]),
    ],
)
def test_metadata(joined, filters, expected):
    mask = metadata_mask(joined, filters)
    assert (mask if mask is None else ids(joined, mask)) == expected


def test_metadata_errors_name_the_column(joined):
    with pytest.raises(FilterError, match="no column 'plan'; metadata columns: tier, seats, is_chat"):
        metadata_mask(joined, {"plan": "pro"})
    with pytest.raises(FilterError, match="'seats': expected a number for a Int64 column, got 'many'"):
        metadata_mask(joined, {"seats": "many"})
    with pytest.raises(FilterError, match="metadata must be a dict"):
        metadata_mask(joined, ["tier"])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"metric": "em", "op": "failed"}, ["c1", "c2", "c3", "c5", "c6"]),  # any model
        ({"metric": "em", "model": "m1/v", "op": "failed"}, ["c2", "c5"]),
        ({"metric": "em", "model": "m1", "op": "passed"}, ["c1", "c3", "c6"]),  # a model name
        ({"metric": "em", "model": "m2/v", "op": "missing"}, ["c4"]),
        ({"metric": "sim", "model": "m1/v", "op": "<", "value": 0.5}, ["c4", "c5"]),
        ({"metric": "sim", "op": ">=", "value": 1}, ["c2", "c3", "c6"]),
        (
            {"metric": "sim", "model": "m2/v", "op": "<=", "value": 0.3},
            ["c1", "c3"],
        ),  # missing c4 never matches
        ({"metric": "sim", "model": "m2/v", "op": "!=", "value": 0.1}, ["c1", "c2", "c5", "c6"]),
        ({"metric": "sim", "model": "m1/v", "op": "==", "value": 1.0}, ["c3", "c6"]),
        ({"metric": "sim", "model": "m2/v", "op": ">", "value": 0.45}, ["c2", "c6"]),
        ({}, None),
        ({"metric": ""}, None),
    ],
)
def test_score_filter(joined, spec, expected):
    mask = score_mask(joined, spec)
    assert (mask if mask is None else ids(joined, mask)) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"metric": "bleu"}, "no metric 'bleu' in scores; metrics: em, sim"),
        ({"metric": "em", "model": "m9"}, r"no model 'm9'; models \(model/variant\): m1/v, m2/v"),
        ({"metric": "em", "op": "~"}, "unknown op '~'"),
        ({"metric": "sim", "op": "<"}, "op '<' needs a numeric value, got None"),
        ({"metric": "sim", "op": "<", "value": "0.5"}, "needs a numeric value, got '0.5'"),
        ({"metric": "em", "treshold": 1}, "unknown field"),
    ],
)
def test_score_filter_errors(joined, spec, message):
    with pytest.raises(FilterError, match=message):
        score_mask(joined, spec)


def test_combined_filters_and_cache(joined):
    filters = Filters(joined)
    assert filters.indices().to_list() == [0, 1, 2, 3, 4, 5]
    filters.set("tag_expr", 'billing or "needs review"')
    assert filters.indices().to_list() == [1, 2, 3, 4]
    filters.set("metadata", {"tier": ["free", "pro"]})
    assert filters.indices().to_list() == [1, 2, 4]
    filters.set("score_filter", {"metric": "em", "model": "m1/v", "op": "failed"})
    assert filters.indices().to_list() == [1, 4]
    filters.set("query", "script")
    assert filters.indices().to_list() == [4]
    filters.set("query", "")
    filters.set("tag_expr", "")
    assert filters.indices().to_list() == [1, 4]


def test_failed_filter_keeps_previous_mask(joined):
    filters = Filters(joined)
    filters.set("tag_expr", "billing")
    with pytest.raises(TagExpressionError):
        filters.set("tag_expr", "billing and (")
    assert filters.indices().to_list() == [1, 2, 3]
    with pytest.raises(ValueError, match="unknown filter kind 'sort'"):
        filters.set("sort", "x")


def test_paging_math():
    assert [n_pages(n, 50) for n in (0, 1, 50, 51, 100_000)] == [1, 1, 1, 2, 2000]
    indices = pl.Series(range(7), dtype=pl.UInt32)
    assert page_indices(indices, 0, 3).to_list() == [0, 1, 2]
    assert page_indices(indices, 2, 3).to_list() == [6]
    assert page_indices(indices, 3, 3).to_list() == []


def test_page_rows_are_small_and_cut(cases, results, scores):
    long = pl.DataFrame({"case_id": ["x"], "input": ["word " * 100], "reference": ["r"]})
    row = page_rows(join_frame(long), pl.Series([0], dtype=pl.UInt32))[0]
    assert len(row["input"]) == CELL_CHARS and row["input"].endswith("…")
    joined = join_frame(cases, results, scores)
    rows = page_rows(joined, pl.Series([2, 3], dtype=pl.UInt32))
    assert rows[0]["case_id"] == "c3"
    assert rows[0]["input"] == "user: Can I upgrade my plan? assistant: Which plan? user: Pro"
    assert rows[0]["tags"] == ["billing", "intent:upgrade"]
    assert rows[1]["output[m2/v]"] is None and rows[1]["error[m2/v]"] == "Timeout"
    assert rows[1]["score[sim][m1/v]"] == 0.2 and rows[1]["passed[em][m1/v]"] is None
    assert "context" not in rows[0] and "is_chat" not in rows[0]


def test_table_columns(joined):
    cols = table_columns(joined)
    assert [c["key"] for c in cols][:6] == ["case_id", "input", "reference", "tags", "tier", "seats"]
    assert {"key": "output[m1/v]", "label": "m1/v", "kind": "output", "error": "error[m1/v]"} in cols
    assert {
        "key": "score[em][m2/v]",
        "label": "em · m2/v",
        "kind": "score",
        "passed": "passed[em][m2/v]",
    } in cols


def test_short_and_jsonable():
    import datetime as dt

    assert short("a\n\n  b") == "a b"
    assert short(None) == ""
    assert short("abcdef", 4) == "abc…"
    assert short("abcd", 4) == "abcd"
    assert short("x" * 1000, 10) == "x" * 9 + "…"
    assert short("a" + " " * 1000 + "b", 10) == "a b"  # mostly whitespace: nothing is cut
    assert jsonable({"x": float("nan"), "d": dt.date(2026, 1, 2), "l": (1, float("inf"))}) == {
        "x": None, "d": "2026-01-02", "l": [1, None],
    }  # fmt: skip


def test_metadata_dates_and_categoricals_match_the_iso_text_the_front_end_sends():
    import datetime as dt

    utc = dt.UTC
    frame = pl.DataFrame({
        "case_id": ["a", "b", "c"], "input": "x",
        "day": [dt.date(2026, 1, 1), dt.date(2026, 1, 2), None],
        "at": [dt.datetime(2026, 1, 1, 12, tzinfo=utc), dt.datetime(2026, 1, 2, tzinfo=utc), None],
        "kind": pl.Series(["x", "y", "x"], dtype=pl.Categorical),
    })  # fmt: skip
    joined = join_frame(frame)
    assert ids(joined, metadata_mask(joined, {"day": "2026-01-02"})) == ["b"]
    assert ids(joined, metadata_mask(joined, {"at": "2026-01-01T12:00:00+00:00"})) == ["a"]
    assert ids(joined, metadata_mask(joined, {"day": [None, dt.date(2026, 1, 1)]})) == ["a", "c"]
    assert ids(joined, metadata_mask(joined, {"kind": "x"})) == ["a", "c"]
    with pytest.raises(FilterError, match="'day': expected an ISO date for a Date column, got 'soon'"):
        metadata_mask(joined, {"day": "soon"})


def test_case_ids_filter(joined):
    assert ids(joined, case_ids_mask(joined, ["c5", "c2", "nope"])) == ["c2", "c5"]  # table order
    assert case_ids_mask(joined, []) is None  # empty: no filter
    with pytest.raises(FilterError, match="case_ids must be a list of case ids, got str"):
        case_ids_mask(joined, "c1")
    with pytest.raises(FilterError, match=r"case_ids: ids must be strings, got None"):
        case_ids_mask(joined, ["c1", None])


def test_case_ids_combine_with_the_other_filters(joined):
    filters = Filters(joined)
    filters.set("case_ids", ["c1", "c2", "c3", "c5"])
    assert filters.indices().to_list() == [0, 1, 2, 4]
    filters.set("tag_expr", "billing")
    assert filters.indices().to_list() == [1, 2]
    filters.set("case_ids", [])
    assert filters.indices().to_list() == [1, 2, 3]


def test_browser_case_ids_trait(cases, results, scores):
    from workbench.widgets import CaseBrowser

    browser = CaseBrowser(cases, results, scores, case_ids=["c4", "c1"])
    assert browser.table.get_column("case_id").to_list() == ["c1", "c4"]
    assert "case_ids" in browser.get_state() and "case ids (2): c4, c1" in repr(browser)
    browser.set_state({"case_ids": ["c2", "c3"], "tag_expr": "refund"})
    assert browser.table.get_column("case_id").to_list() == ["c2"] and browser.n_filtered == 1
    browser.case_ids = []
    assert browser.n_filtered == 1  # the tag filter still applies
    browser.tag_expr = ""
    assert browser.n_filtered == 6 and browser.error == ""
