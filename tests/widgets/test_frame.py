import polars as pl
import pytest

from tests.widgets.conftest import CASES, IDS, make_results
from workbench.widgets._frame import join_frame, normalize_cases


def test_one_row_per_case_with_pivoted_columns(cases, results, scores):
    joined = join_frame(cases, results, scores)
    frame = joined.frame
    assert frame.get_column("case_id").to_list() == IDS
    assert joined.keys == ("m1/v", "m2/v")
    assert joined.metrics == ("em", "sim")
    assert joined.metadata_columns == ("tier", "seats")
    assert joined.key_models == {"m1/v": "m1", "m2/v": "m2"}
    assert frame.columns == [
        "case_id", "input", "is_chat", "reference", "context", "tags", "tier", "seats",
        "output[m1/v]", "error[m1/v]", "output[m2/v]", "error[m2/v]",
        "score[em][m1/v]", "passed[em][m1/v]", "score[em][m2/v]", "passed[em][m2/v]",
        "score[sim][m1/v]", "passed[sim][m1/v]", "score[sim][m2/v]", "passed[sim][m2/v]",
    ]  # fmt: skip
    assert frame.get_column("output[m2/v]").to_list() == ["Use the reset link.", "Refunds take 5 days.", "No.",
                                                          None, "ok", "Hi there"]  # fmt: skip
    assert frame.get_column("error[m2/v]").to_list() == [None, None, None, "Timeout", None, None]
    assert frame.get_column("score[em][m1/v]").to_list() == [1.0, 0.0, 1.0, None, 0.0, 1.0]
    assert frame.get_column("passed[em][m2/v]").to_list() == [False, True, False, None, False, False]
    assert frame.get_column("passed[sim][m1/v]").to_list() == [None] * 6


def test_chat_input_as_turns_text_and_haystack_lowercased(cases, results):
    joined = join_frame(cases, results)
    assert joined.input_text[2] == "user: Can I upgrade my plan?\nassistant: Which plan?\nuser: Pro"
    assert joined.input_text[0] == "How do I reset my password?"
    assert (
        joined.haystack[1]
        == "c2\x00refund for invoice 42\x00refunds take 5 days.\x00refunds take 7 days.\x00refunds take 5 days."
    )
    assert (
        joined.haystack[3] == "c4\x00cancel my subscription\x00done, cancelled."
    )  # null reference and output skipped


def test_distinct_tag_lists_and_row_groups():
    frame = pl.DataFrame({"case_id": list("abcde"), "input": "q",
                          "tags": [["x", "y"], [], ["x", "y"], ["y"], []]})  # fmt: skip
    joined = join_frame(frame)
    assert joined.tag_sets.get_column("tags").to_list() == [["x", "y"], [], ["y"]]
    assert joined.tag_group.to_list() == [0, 1, 0, 2, 1]


def test_cases_only_and_plain_frames():
    frame = pl.DataFrame({"id": ["x", "y"], "input": ["a", "b"]})
    joined = join_frame(frame)
    assert joined.frame.columns == ["case_id", "input", "is_chat", "reference", "context", "tags"]
    assert joined.frame.get_column("tags").to_list() == [[], []]
    assert joined.keys == () and joined.metrics == () and joined.results is None
    assert joined.frame.get_column("is_chat").to_list() == [False, False]


def test_pandas_inputs_and_a_run(cases, results, scores):
    from workbench.runner import Run

    joined = join_frame(cases.to_pandas(), Run({"run_id": "r1"}, results), scores.to_pandas())
    assert joined.frame.get_column("output[m1/v]")[0] == "Click Forgot password."
    assert joined.frame.get_column("tags").to_list()[1] == ["billing", "refund"]


def test_several_samples_first_output_mean_score_all_passed():
    cases = pl.DataFrame({"case_id": ["a", "b"], "input": ["q1", "q2"]})
    results = pl.DataFrame({"case_id": ["a", "a", "b", "b"], "model": "m", "variant": "v", "sample": [1, 0, 0, 1],
                            "output": ["second", "first", "b0", "b1"]})  # fmt: skip
    scores = pl.DataFrame({"case_id": ["a", "a", "b", "b"], "model": "m", "variant": "v", "sample": [0, 1, 0, 1],
                           "metric": "x", "value": [1.0, 0.0, 1.0, float("nan")],
                           "passed": [True, False, True, None]})  # fmt: skip
    frame = join_frame(cases, results, scores).frame
    assert frame.get_column("output[m/v]").to_list() == ["first", "b0"]
    assert frame.get_column("score[x][m/v]").to_list() == [0.5, 1.0]  # NaN = not scored, not averaged
    assert frame.get_column("passed[x][m/v]").to_list() == [False, True]


def test_null_variant_key_is_the_model_name():
    cases = pl.DataFrame({"case_id": ["a"], "input": ["q"]})
    results = pl.DataFrame({"case_id": ["a"], "model": ["gpt"], "output": ["x"]})
    joined = join_frame(cases, results)
    assert joined.keys == ("gpt",) and "output[gpt]" in joined.frame.columns


def test_rows_of_several_runs_are_rejected(cases):
    twice = pl.concat([make_results(), make_results().with_columns(pl.lit("r2").alias("run_id"))])
    with pytest.raises(
        ValueError,
        match=r"same \(case_id, model/variant, sample\), e.g. case_id='c1', key='m1/v', sample=0; they come from 2 runs",
    ):
        join_frame(cases, twice)


def test_missing_columns_and_duplicate_ids_are_named():
    with pytest.raises(ValueError, match="cases has no column 'input'"):
        normalize_cases(pl.DataFrame({"case_id": ["a"]}))
    with pytest.raises(ValueError, match="duplicate case_id values, e.g. 'a'"):
        normalize_cases(pl.DataFrame({"case_id": ["a", "a"], "input": ["x", "y"]}))
    with pytest.raises(ValueError, match="results has no column 'output'"):
        join_frame(
            pl.DataFrame({"case_id": ["a"], "input": ["x"]}), pl.DataFrame({"case_id": ["a"], "model": ["m"]})
        )
    with pytest.raises(
        TypeError, match="cases must be a CaseSet or a cases table \\(polars or pandas DataFrame\\), got dict"
    ):
        join_frame({"case_id": "a"})


def test_results_for_unknown_cases_warn(cases, results):
    extra = pl.concat([results, results.head(1).with_columns(pl.lit("zz").alias("case_id"))])
    with pytest.warns(UserWarning, match=r"1 case_id\(s\) of results are not in cases \(e.g. 'zz'\)"):
        joined = join_frame(cases, extra)
    assert joined.frame.height == len(CASES)


def test_bad_chat_input_names_the_case():
    frame = pl.DataFrame({"case_id": ["ok", "bad"], "input": ['[{"role": "user", "content": "x"}]', "oops"],
                          "is_chat": [True, True]})  # fmt: skip
    with pytest.raises(ValueError, match="case 'bad' has is_chat=true but its input is not a JSON list"):
        join_frame(frame)
