"""The @scorer decorator, argument binding, specs, and the conversion of results to Score."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from workbench.cases import Case
from workbench.metrics import Score, Scorer, exact_match, regex_match, scorer


@scorer
def mentions(output: str, case: Case, *, word: str = "refund", threshold: float | None = None) -> bool:
    return word in output.lower()


@scorer
def length_ratio(output: str, row: dict, *, threshold: float | None = None) -> float:
    return len(output) / len(row["reference"])


def test_decorated_function_is_a_scorer_named_after_it():
    assert isinstance(mentions, Scorer)
    assert mentions.name == mentions.metric == "mentions"
    assert mentions.args == {"word": "refund", "threshold": None}
    assert mentions.takes_case and not mentions.takes_row
    assert json.loads(mentions.spec) == {"name": "mentions", "args": {"word": "refund", "threshold": None}}


def test_binding_returns_a_new_scorer_and_leaves_the_original_alone():
    bound = mentions(word="sorry")
    assert bound is not mentions
    assert bound.args["word"] == "sorry"
    assert mentions.args["word"] == "refund"
    assert bound.metric == "mentions"  # the metric name stays stable when arguments change
    assert json.loads(bound.spec)["args"]["word"] == "sorry"
    assert repr(bound) == "mentions(word='sorry', threshold=None)"


def test_metric_override_and_rebinding_keeps_it():
    renamed = mentions(word="sorry", metric="apology")
    assert renamed.metric == "apology" and renamed.name == "mentions"
    assert renamed(threshold=0.5).metric == "apology"


def test_unknown_argument_is_rejected_with_the_valid_names():
    with pytest.raises(TypeError, match=r"unexpected argument 'wrod'; its arguments: word, threshold"):
        mentions(wrod="x")


def test_positional_call_is_not_scoring():
    with pytest.raises(TypeError, match=r"arguments by keyword only.*score_one"):
        mentions("we refund")


def test_positional_arguments_bind_for_scorers_that_declare_them():
    s = regex_match(r"\d+")
    assert s.args == {"pattern": r"\d+", "flags": 0}


def test_required_argument_must_be_bound_before_scoring():
    with pytest.raises(TypeError, match=r"regex_match needs argument\(s\) 'pattern'"):
        regex_match.check()


def test_decorator_with_name_and_parentheses():
    @scorer(name="polite")
    def _p(output: str) -> bool:
        return "please" in output

    assert _p.name == "polite"
    assert _p.score_one("please help") == Score(value=1.0, passed=True)


@pytest.mark.parametrize(
    ("fn_src", "message"),
    [
        ("def f(text): return 1", "first parameter must be named 'output'"),
        ("def f(output, *args): return 1", r"\*args/\*\*kwargs are not supported"),
        ("def f(output, *, metric='x'): return 1", "'metric' is reserved"),
    ],
)
def test_bad_scorer_signatures(fn_src, message):
    ns: dict = {}
    exec(fn_src, ns)
    with pytest.raises(TypeError, match=message):
        scorer(ns["f"])


def test_bool_number_and_score_results():
    case = Case("c", "hi")
    assert mentions.score_one("Refund now", case) == Score(value=1.0, passed=True)
    assert mentions.score_one("nothing", case) == Score(value=0.0, passed=False)
    assert length_ratio.score_one("abc", row={"reference": "abcdef"}) == Score(value=0.5)


def test_threshold_sets_passed_for_numbers():
    s = length_ratio(threshold=0.5)
    assert s.score_one("abc", row={"reference": "abcdef"}) == Score(value=0.5, passed=True)
    assert s.score_one("ab", row={"reference": "abcdef"}).passed is False


def test_invalid_threshold_is_rejected():
    with pytest.raises(ValueError, match=r"threshold must be a number or None"):
        length_ratio(threshold="high")


def test_nan_and_wrong_types_become_errors_not_numbers():
    @scorer
    def nan(output: str) -> float:
        return math.nan

    @scorer
    def text(output: str) -> str:
        return "good"

    assert nan.score_one("x") == Score(error="scorer returned NaN")
    err = text.score_one("x")
    assert err.value is None and err.error.startswith("TypeError: scorer returned str 'good'")


def test_numpy_results_convert():
    @scorer
    def np_bool(output: str) -> bool:
        return np.bool_(True)

    @scorer
    def np_float(output: str) -> float:
        return np.float32(0.25)

    assert np_bool.score_one("x") == Score(value=1.0, passed=True)
    assert np_float.score_one("x") == Score(value=0.25)


def test_score_validates_its_fields():
    with pytest.raises(TypeError, match="Score.value must be a number"):
        Score(value="1")
    with pytest.raises(TypeError, match="Score.passed must be a bool"):
        Score(passed="yes")
    assert Score(value=1).value == 1.0


def test_columns_declaration_must_name_arguments():
    with pytest.raises(TypeError, match="columns names 'field', which is not an argument"):

        @scorer(columns=("field",))
        def _f(output: str) -> bool:
            return True


def test_builtin_columns_follow_the_bound_field():
    assert exact_match.columns() == {"reference": ("field", "text")}
    assert exact_match(field="answer").columns() == {"answer": ("field", "text")}


def test_scorers_keep_their_own_docs_and_signature():
    import inspect

    from workbench.metrics import exact_match, token_f1

    assert exact_match.__doc__ and exact_match.__doc__ != Scorer.__doc__
    assert inspect.getdoc(exact_match) == inspect.getdoc(exact_match.fn)
    assert exact_match.__wrapped__ is exact_match.fn
    assert exact_match.__name__ == "exact_match"
    sig = inspect.signature(token_f1(field="input"))
    assert list(sig.parameters) == ["field", "threshold", "metric"]
    assert sig.parameters["field"].default == "input"  # the value bound so far
    assert all(p.kind is p.KEYWORD_ONLY for p in sig.parameters.values())
