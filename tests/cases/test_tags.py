"""Tag expression parser: precedence, parentheses, not, globs, quoting, errors, polars path."""

from __future__ import annotations

import random

import polars as pl
import pytest

from workbench.cases import TagExpressionError, parse_tag_expr
from workbench.cases._tags import And, Glob, Not, Or, Tag, TagExpr


def test_precedence_not_over_and_over_or() -> None:
    assert parse_tag_expr("a or b and not c") == Or((Tag("a"), And((Tag("b"), Not(Tag("c"))))))
    assert parse_tag_expr("not a and b") == And((Not(Tag("a")), Tag("b")))
    assert parse_tag_expr("a and b or c and d") == Or((And((Tag("a"), Tag("b"))), And((Tag("c"), Tag("d")))))


def test_parentheses_override_precedence() -> None:
    assert parse_tag_expr("(a or b) and c") == And((Or((Tag("a"), Tag("b"))), Tag("c")))
    assert parse_tag_expr("not (a or b)") == Not(Or((Tag("a"), Tag("b"))))
    assert parse_tag_expr("((a))") == Tag("a")


def test_chains_are_flat_and_not_nests() -> None:
    assert parse_tag_expr("a or b or c") == Or((Tag("a"), Tag("b"), Tag("c")))
    assert parse_tag_expr("not not a") == Not(Not(Tag("a")))


def test_matches() -> None:
    expr = parse_tag_expr("billing and not (refund or intent:*)")
    assert expr.matches(["billing"]) is True
    assert expr.matches(["billing", "refund"]) is False
    assert expr.matches(["billing", "intent:cancel"]) is False
    assert expr.matches(["intent"]) is False
    assert expr.matches([]) is False


def test_globs() -> None:
    glob = parse_tag_expr("intent:*")
    assert glob == Glob("intent:")
    assert glob.matches(["intent:cancel"]) and glob.matches(["intent:"])
    assert not glob.matches(["intent", "xintent:a"])
    star = parse_tag_expr("*")
    assert star == Glob("")
    assert star.matches(["anything"]) and not star.matches([])


def test_tags_are_case_sensitive_keywords_are_not() -> None:
    assert not parse_tag_expr("Billing").matches(["billing"])
    assert parse_tag_expr("a AND NOT b Or c") == Or((And((Tag("a"), Not(Tag("b")))), Tag("c")))


def test_tag_characters() -> None:
    expr = parse_tag_expr("lang=en and a/b.c-d_e:f and v1.2")
    assert expr == And((Tag("lang=en"), Tag("a/b.c-d_e:f"), Tag("v1.2")))
    assert parse_tag_expr("not:x") == Tag("not:x")  # a keyword prefix inside a tag is a tag
    assert parse_tag_expr("sprache:über") == Tag("sprache:über")


def test_quoted_tags() -> None:
    assert parse_tag_expr('"needs review" or x') == Or((Tag("needs review"), Tag("x")))
    assert parse_tag_expr('"and"') == Tag("and")
    assert parse_tag_expr('"a*"') == Tag("a*")  # no glob inside quotes
    assert parse_tag_expr(r'"say \"hi\" \\ now"') == Tag('say "hi" \\ now')
    assert parse_tag_expr('"a b"and c') == And((Tag("a b"), Tag("c")))


def test_str_round_trips() -> None:
    for text in [
        "a or b and not c",
        "(a or b) and c",
        'not (a and "needs review")',
        "intent:* and not lang=en",
        '"or" or "x\\"y"',
    ]:
        expr = parse_tag_expr(text)
        assert parse_tag_expr(str(expr)) == expr
    assert str(parse_tag_expr("(a or b) and c")) == "(a or b) and c"
    assert str(parse_tag_expr("a or (b and c)")) == "a or b and c"
    assert repr(parse_tag_expr("not a")) == "parse_tag_expr('not a')"


def test_leaves() -> None:
    assert parse_tag_expr("a and (not b* or c)").leaves() == (Tag("a"), Glob("b"), Tag("c"))


def _error(expr: str) -> TagExpressionError:
    with pytest.raises(TagExpressionError) as info:
        parse_tag_expr(expr)
    return info.value


@pytest.mark.parametrize(
    ("expr", "position", "expected", "found"),
    [
        ("", 0, "a tag, 'not' or '('", "end of expression"),
        ("a and", 5, "a tag, 'not' or '('", "end of expression"),
        ("a b", 2, "'and', 'or' or end of expression", "tag 'b'"),
        ("(a or b", 7, "'and', 'or' or ')' to close the '(' at position 0", "end of expression"),
        ("a)", 1, "'and', 'or' or end of expression", "')'"),
        ("and", 0, "a tag, 'not' or '('", "'and'"),
        ("a or or b", 5, "a tag, 'not' or '('", "'or'"),
        ("a & b", 2, "'and', 'or' or end of expression", "character '&' (use 'and')"),
        ("a and !b", 6, "a tag, 'not' or '('", "character '!' (use 'not')"),
        ("()", 1, "a tag, 'not' or '('", "')'"),
        ('"abc', 4, "a closing '\"' for the quote at position 0", "end of expression"),
        ("a*b", 2, "whitespace, ')' or an operator ('*' may only end a tag)", "'b'"),
        ("a, b", 1, "'and', 'or' or end of expression", "character ','"),
    ],
)
def test_syntax_errors_name_position_and_expectation(
    expr: str, position: int, expected: str, found: str
) -> None:
    err = _error(expr)
    assert (err.position, err.expected, err.found) == (position, expected, found)
    assert str(err).splitlines()[0] == (
        f"invalid tag expression: expected {expected} at position {position}, found {found}"
    )


def test_error_message_points_at_the_problem() -> None:
    assert str(_error("billing and")) == (
        "invalid tag expression: expected a tag, 'not' or '(' at position 11, found end of expression\n"
        "  billing and\n"
        "             ^"
    )


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a string, got list"):
        parse_tag_expr(["a"])  # type: ignore[arg-type]


def test_to_polars_null_and_empty_lists_select_nothing() -> None:
    df = pl.DataFrame({"t": [["a"], [], None]}, schema={"t": pl.List(pl.Utf8)})
    for text, want in [
        ("a", [True, False, False]),
        ("*", [True, False, False]),
        ("a*", [True, False, False]),
    ]:
        assert df.select(parse_tag_expr(text).to_polars("t")).to_series().to_list() == want
    assert df.select(parse_tag_expr("not a").to_polars("t")).to_series().to_list() == [False, True, True]


_POOL = ["a", "b", "c", "intent:x", "intent:y", "lang=en", "needs review"]


def _random_expr(rng: random.Random, depth: int = 0) -> TagExpr:
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        if rng.random() < 0.2:
            return Glob(rng.choice(["intent:", "lang", "", "a"]))
        return Tag(rng.choice(_POOL + ["missing"]))
    if roll < 0.5:
        return Not(_random_expr(rng, depth + 1))
    kind = And if roll < 0.75 else Or
    return kind(tuple(_random_expr(rng, depth + 1) for _ in range(rng.randint(2, 3))))


def test_polars_path_equals_python_path_on_random_inputs() -> None:
    rng = random.Random(1234)
    tag_sets = [rng.sample(_POOL, rng.randint(0, 4)) for _ in range(300)]
    df = pl.DataFrame({"tags": tag_sets}, schema={"tags": pl.List(pl.Utf8)})
    for _ in range(200):
        expr = _random_expr(rng)
        reparsed = parse_tag_expr(str(expr))
        assert reparsed.matches([]) == expr.matches([])  # str() is parseable
        vectorised = df.select(reparsed.to_polars("tags")).to_series().to_list()
        assert vectorised == [expr.matches(t) for t in tag_sets], str(expr)
