import polars as pl
import pytest

from workbench.stats import StatsWarning
from workbench.stats._slices import attach_slices, join_nulls, tag_filter

SCORES = pl.DataFrame({"case_id": ["a", "b", "c", "d"], "value": [1.0, 2.0, 3.0, 4.0]})
CASES = pl.DataFrame(
    {
        "case_id": ["a", "b", "c", "d"],
        "tags": [["x"], ["x", "y"], ["y"], []],
        "tier": ["gold", "gold", None, "free"],
    }
)


def test_no_slices_returns_the_frame_unchanged():
    frame, names = attach_slices(SCORES, None, None)
    assert frame.equals(SCORES) and names is None


def test_overlapping_tag_slices_repeat_rows():
    frame, names = attach_slices(SCORES, ["x", "y"], CASES)
    assert names == ["x", "y"]
    assert sorted(frame.select("slice", "case_id").rows()) == [("x", "a"), ("x", "b"), ("y", "b"), ("y", "c")]


def test_tag_expression_uses_the_cases_parser():
    expr = tag_filter("x and not y")
    assert CASES.filter(expr).get_column("case_id").to_list() == ["a"]


def test_metadata_column_keeps_null_as_its_own_slice():
    frame, names = attach_slices(SCORES, "tier", CASES)
    assert names == ["free", "gold", None]
    assert frame.filter(pl.col("slice").is_null()).get_column("case_id").to_list() == ["c"]


def test_duplicate_expression_names_need_a_dict():
    with pytest.raises(ValueError, match="duplicate names"):
        attach_slices(SCORES, [pl.col("tier") == "gold", pl.col("tier") == "free"], CASES)
    frame, names = attach_slices(
        SCORES, {"gold": pl.col("tier") == "gold", "free": pl.col("tier") == "free"}, CASES
    )
    assert names == ["gold", "free"] and frame.height == 3


def test_existing_slice_column_is_refused():
    with pytest.raises(ValueError, match="already has a column named 'slice'"):
        attach_slices(SCORES.with_columns(slice=pl.lit("s")), ["x"], CASES)


def test_cases_without_case_id_are_refused():
    with pytest.raises(ValueError, match="cases has no 'case_id' column"):
        attach_slices(SCORES, ["x"], CASES.rename({"case_id": "id"}))


def test_unknown_case_ids_warn():
    with pytest.warns(StatsWarning, match="1 case_id\\(s\\) of scores are not in cases \\(e.g. 'd'\\)"):
        attach_slices(SCORES, ["x"], CASES.filter(pl.col("case_id") != "d"))


def test_join_nulls_matches_null_keys():
    left = pl.DataFrame({"k": ["a", None], "x": [1, 2]})
    right = pl.DataFrame({"k": [None, "a"], "y": [20, 10]})
    assert join_nulls(left, right, ["k"], how="left").rows() == [("a", 1, 10), (None, 2, 20)]
