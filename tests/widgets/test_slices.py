import polars as pl
import pytest

from workbench.cases import parse_tag_expr
from workbench.widgets._slices import is_summary, quote_tag, slice_filter, slice_table


def summary() -> pl.DataFrame:
    # slice "b" has the largest gap (0.6), "a" 0.2, "c" one estimate only, "d" none.
    return pl.DataFrame({
        "metric": "em",
        "model": ["m1", "m2", "m1", "m2", "m1", "m2", "m1", "m2"],
        "variant": "v",
        "slice": ["a", "a", "b", "b", "c", "c", None, None],
        "n": [10, 10, 5, 5, 3, 0, 2, 2],
        "n_missing": [0, 0, 0, 1, 0, 0, 0, 0],
        "mean": [0.5, 0.7, 0.9, 0.3, 0.4, None, 0.6, 0.6],
        "ci_lo": [0.2, 0.4, 0.6, 0.0, 0.1, None, None, None],
        "ci_hi": [0.8, 0.9, 1.0, 0.7, 0.7, None, None, None],
        "pass_rate": [0.5, 0.8, 1.0, 0.2, None, None, 0.5, 0.5],
        "pass_ci_lo": None, "pass_ci_hi": None,
        "note": [None, None, None, None, None, "empty slice", None, None],
    }, schema_overrides={"pass_ci_lo": pl.Float64, "pass_ci_hi": pl.Float64})  # fmt: skip


def test_rows_sorted_by_gap_then_weakest():
    keys, rows = slice_table(summary(), "em")
    assert keys == ["m1/v", "m2/v"]
    assert [(r["label"], r["gap"]) for r in rows] == [
        ("b", pytest.approx(0.6)),
        ("a", pytest.approx(0.2)),
        ("(null)", 0.0),
        ("c", None),
    ]
    assert rows[0]["cells"][1] == {"key": "m2/v", "est": 0.3, "lo": 0.0, "hi": 0.7, "n": 5, "n_missing": 1,
                                   "note": None}  # fmt: skip
    assert rows[3]["cells"][1]["note"] == "empty slice" and rows[3]["cells"][1]["est"] is None
    assert rows[2]["slice"] is None


def test_pass_rate_and_single_model():
    _, rows = slice_table(summary(), "em", "pass_rate")
    assert [r["label"] for r in rows] == ["b", "a", "(null)", "c"]
    one = summary().filter(pl.col("model") == "m1")
    keys, rows = slice_table(one, "em")
    assert keys == ["m1/v"]
    assert [r["label"] for r in rows] == ["c", "a", "(null)", "b"]  # no gaps: weakest slice first


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="metric 'bleu' is not in the summary; metrics: em"):
        slice_table(summary(), "bleu")
    with pytest.raises(ValueError, match="stat must be one of mean, pass_rate"):
        slice_table(summary(), "em", "median")
    with pytest.raises(ValueError, match="no 'slice' column"):
        slice_table(summary().drop("slice"), "em")


def test_is_summary():
    assert is_summary(summary())
    assert not is_summary(
        pl.DataFrame({"metric": ["x"], "value": [1.0], "slice": ["a"], "n": [1], "mean": [1.0]})
    )


@pytest.mark.parametrize(
    "tag", ["intent:billing", "needs review", "not", "AND", 'say "hi"', "back\\slash", "a*"]
)
def test_quote_tag_selects_exactly_that_tag(tag):
    expr = parse_tag_expr(quote_tag(tag))
    assert expr.matches([tag]) and not expr.matches([tag + "x"]) and not expr.matches([])


def test_slice_filter():
    assert slice_filter("needs review", "tags") == {"tag_expr": '"needs review"'}
    assert slice_filter(None, "tags") == {"tag_expr": "not *"}
    assert slice_filter("pro", "tier") == {"metadata": {"tier": "pro"}}
    assert slice_filter(None, "tier") == {"metadata": {"tier": None}}
    assert slice_filter("billing and not refund", ["billing and not refund"]) == {
        "tag_expr": "billing and not refund"
    }
    assert slice_filter("hard", {"hard": "difficulty:hard or escalation"}) == {
        "tag_expr": "difficulty:hard or escalation"
    }
    # unknown provenance: a bare tag or an expression as is, anything else quoted
    assert slice_filter("billing", None) == {"tag_expr": "billing"}
    assert slice_filter("a or b", None) == {"tag_expr": "a or b"}
    assert slice_filter("needs review", None) == {"tag_expr": '"needs review"'}
    with pytest.raises(ValueError, match="slice 'x' is not a tag expression"):
        slice_filter("x", {"x": pl.col("n") > 1})
