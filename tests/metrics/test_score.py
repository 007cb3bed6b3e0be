"""``score``: the tidy table, failed calls, raising scorers, configuration errors, cases, saving."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import workbench as wb
from workbench._schema import SCORE_COLUMNS, polars_schema
from workbench.cases import Case, CaseSet
from workbench.metrics import Scores, contains, exact_match, json_schema, score, scorer, token_f1
from workbench.runner import Run
from workbench.store import Store


def results_frame(outputs, error_types=None, **extra) -> pl.DataFrame:
    n = len(outputs)
    return pl.DataFrame(
        {
            "run_id": "r1",
            "case_id": [f"c{i}" for i in range(n)],
            "model": "m",
            "variant": "default",
            "sample": 0,
            "output": outputs,
            "error_type": error_types or [None] * n,
            **extra,
        },
        schema_overrides={"output": pl.Utf8, "error_type": pl.Utf8},
    )


CASES = CaseSet(
    [
        Case("c0", "Capital of France?", reference="Paris", tags=["geo", "easy"], metadata={"tier": "free"}),
        Case("c1", "Capital of Italy?", reference="Rome", tags=["geo"], metadata={"tier": "pro"}),
        Case("c2", "2+2?", reference="4", tags=["math"], metadata={"tier": "pro"}),
    ]
)


def test_table_has_the_score_columns_and_one_row_per_result_and_metric():
    s = score(results_frame(["Paris", "Milan", "four"]), [exact_match, token_f1], cases=CASES)
    assert isinstance(s, Scores)
    assert s.table.schema == pl.Schema(polars_schema(SCORE_COLUMNS))
    assert s.table.select("case_id", "metric", "value", "passed").rows() == [
        ("c0", "exact_match", 1.0, True),
        ("c1", "exact_match", 0.0, False),
        ("c2", "exact_match", 0.0, False),
        ("c0", "token_f1", 1.0, None),
        ("c1", "token_f1", 0.0, None),
        ("c2", "token_f1", 0.0, None),
    ]
    assert s.metrics == ("exact_match", "token_f1")


def test_failed_calls_are_missing_not_zero():
    frame = results_frame(["Paris", None, None], error_types=[None, "RateLimitError", None])
    t = score(frame, [exact_match, token_f1], cases=CASES).table
    failed = t.filter(pl.col("case_id") != "c0")
    assert failed["value"].to_list() == [None] * 4
    assert failed["passed"].to_list() == [None] * 4
    assert failed["error"].to_list() == ["no output: RateLimitError", "no output"] * 2
    assert t["case_id"].to_list() == ["c0", "c1", "c2"] * 2  # rows keep the results' order


def test_all_failed_and_empty_results():
    t = score(results_frame([None, None], error_types=["Timeout", "APIError"]), token_f1, cases=CASES).table
    assert t["value"].to_list() == [None, None]
    assert t["error"].to_list() == ["no output: Timeout", "no output: APIError"]
    empty = score(results_frame([]), [exact_match, fragile], cases=CASES).table
    assert empty.height == 0 and empty.schema == pl.Schema(polars_schema(SCORE_COLUMNS))


@scorer
def fragile(output: str) -> float:
    if "boom" in output:
        raise ZeroDivisionError("cannot score this one")
    return 0.5


def test_a_raising_scorer_only_loses_its_row():
    t = score(results_frame(["ok", "boom", "fine"]), fragile).table
    assert t["value"].to_list() == [0.5, None, 0.5]
    assert t["error"].to_list() == [None, "ZeroDivisionError: cannot score this one", None]


def test_a_raising_vectorised_path_falls_back_to_rows_with_a_warning():
    def vec(df: pl.DataFrame) -> pl.DataFrame:
        raise RuntimeError("vectorised bug")

    @scorer(vectorized=vec)
    def shaky(output: str) -> float:
        if output == "boom":
            raise ValueError("bad row")
        return 1.0

    with pytest.warns(RuntimeWarning, match="shaky: the vectorised path raised RuntimeError: vectorised bug"):
        t = score(results_frame(["a", "boom"]), shaky).table
    assert t["value"].to_list() == [1.0, None]
    assert t["error"].to_list() == [None, "ValueError: bad row"]


def test_a_malformed_vectorised_result_is_an_error():
    @scorer(vectorized=lambda df: pl.DataFrame({"value": [1.0]}))
    def short(output: str) -> float:
        return 1.0

    with pytest.raises(ValueError, match=r"short: the vectorised path must return 2 rows"):
        score(results_frame(["a", "b"]), short)


def test_user_scorer_arguments_are_recorded_in_the_scorer_column():
    @scorer
    def mentions(output: str, *, word: str = "refund") -> bool:
        return word in output.lower()

    t = score(results_frame(["Sorry!", "no"]), mentions(word="sorry")).table
    assert t["passed"].to_list() == [True, False]
    assert t["metric"].unique().to_list() == ["mentions"]
    assert [json.loads(x) for x in t["scorer"].unique()] == [{"name": "mentions", "args": {"word": "sorry"}}]


def test_scorers_get_the_case_and_the_row():
    seen = []

    @scorer
    def spy(output: str, case: Case, row: dict) -> bool:
        seen.append((case.id, case.tags, row["tier"], row["tags"], row["latency_s"]))
        return True

    frame = results_frame(["a", "b", "c"], latency_s=[0.1, 0.2, 0.3])
    score(frame, spy, cases=CASES)
    assert seen == [
        ("c0", ("geo", "easy"), "free", ["geo", "easy"], 0.1),
        ("c1", ("geo",), "pro", ["geo"], 0.2),
        ("c2", ("math",), "pro", ["math"], 0.3),
    ]
    # a cases frame works too: the Case objects are built from it
    seen.clear()
    score(frame, spy, cases=CASES.to_polars())
    assert seen[0][:3] == ("c0", ("geo", "easy"), "free")


def test_results_columns_win_over_case_columns_of_the_same_name():
    rows = []

    @scorer
    def spy(output: str, row: dict) -> bool:
        rows.append((row["reference"], row["reference_case"]))
        return True

    score(results_frame(["x"], reference=["from results"]), spy, cases=CASES.head(1))
    assert rows == [("from results", "Paris")]


# -- configuration errors, raised before scoring -----------------------------------------------------


def test_missing_column_names_the_scorer_and_lists_the_columns():
    with pytest.raises(ValueError) as err:
        score(results_frame(["Paris"]), exact_match(field="answer"), cases=CASES.head(1))
    assert str(err.value) == (
        "exact_match(field='answer'): column 'answer' is not in the results or the cases; available "
        "columns: run_id, case_id, model, variant, sample, output, error_type, input, is_chat, reference, "
        "context, tags, tier"
    )


def test_case_field_without_cases_says_to_pass_them():
    with pytest.raises(ValueError, match=r"'reference' is a case field: pass cases="):
        score(results_frame(["Paris"]), exact_match)


def test_scorer_reading_the_case_needs_cases():
    @scorer
    def uses_case(output: str, case: Case) -> bool:
        return True

    with pytest.raises(ValueError, match=r"uses_case reads the case \(its 'case' parameter\): pass cases="):
        score(results_frame(["x"]), uses_case)


def test_text_scorer_on_a_non_text_column():
    with pytest.raises(ValueError, match=r"exact_match\(field='n'\): column 'n' must hold text, got Int64"):
        score(results_frame(["1"], n=[1]), exact_match(field="n"))


def test_results_not_in_cases():
    frame = results_frame(["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"1 case id\(s\) of the results are not in cases \(e.g. 'c3'\)"):
        score(frame, exact_match, cases=CASES)


def test_nothing_is_scored_when_any_configuration_is_wrong():
    calls = []

    @scorer
    def counting(output: str) -> bool:
        calls.append(output)
        return True

    with pytest.raises(ValueError):
        score(results_frame(["a"]), [counting, exact_match(field="nope")], cases=CASES.head(1))
    assert calls == []


def test_duplicate_metric_names_are_rejected():
    with pytest.raises(ValueError, match=r"two scorers produce the metric 'exact_match'.*metric="):
        score(results_frame(["a"]), [exact_match, exact_match(ignore_case=False)], cases=CASES.head(1))
    t = score(
        results_frame(["paris"]),
        [exact_match, exact_match(ignore_case=False, metric="exact_match_cased")],
        cases=CASES.head(1),
    ).table
    assert t.select("metric", "passed").rows() == [("exact_match", True), ("exact_match_cased", False)]


def test_bad_inputs():
    with pytest.raises(TypeError, match=r"scorers\[0\] \(<lambda>\) is not a scorer; decorate"):
        score(results_frame(["a"]), [lambda output: True])
    with pytest.raises(ValueError, match=r"the results have no 'output' column"):
        score(pl.DataFrame({"case_id": ["a"]}), contains("x"))
    with pytest.raises(ValueError, match=r"2 rows that share their key .*add a 'sample' column"):
        score(pl.DataFrame({"case_id": ["a", "a"], "output": ["x", "y"]}), contains("x"))
    with pytest.raises(ValueError, match=r"invalid JSON Schema"):
        score(results_frame(["{}"]), json_schema({"type": 3}))


def test_pandas_in_pandas_out_and_minimal_frames():
    df = pd.DataFrame({"case_id": [1, 2], "output": ["Paris", None], "reference": ["paris", "x"]})
    s = score(df, exact_match)
    assert s.table["case_id"].to_list() == ["1", "2"]
    assert s.table["sample"].to_list() == [0, 0]
    out = s.to_pandas()
    assert isinstance(out, pd.DataFrame)
    assert out["value"].iloc[0] == 1.0 and pd.isna(out["value"].iloc[1])


def test_table_scorers_plug_in():
    class Judge:
        metric = "helpfulness"

        def score(self, results: pl.DataFrame, cases: object) -> pl.DataFrame:
            return results.select(
                "run_id", "case_id", "model", "variant", "sample",
                pl.lit("helpfulness").alias("metric"), pl.lit(0.5).alias("value"),
                pl.lit('{"name": "judge", "args": {}}').alias("scorer"), pl.lit(False).alias("judge_self"),
            )  # fmt: skip

    t = score(results_frame(["a", "b"]), [contains("a"), Judge()]).table
    assert t["metric"].to_list() == ["contains", "contains", "helpfulness", "helpfulness"]
    assert t["judge_self"].to_list() == [None, None, False, False]


# -- the Scores object -------------------------------------------------------------------------------


def test_wide_summary_and_html():
    frame = results_frame(["Paris", "<script>alert(1)</script>", "4"])
    s = score(frame, [exact_match, token_f1], cases=CASES)
    wide = s.wide()
    assert wide.columns == ["run_id", "case_id", "model", "variant", "sample", "exact_match", "token_f1"]
    assert wide["exact_match"].to_list() == [1.0, 0.0, 1.0]
    summary = s.summary(by="model", slices=["geo", "math"], metric="exact_match")
    assert summary.select("slice", "n", "mean").rows() == [("geo", 2, 0.5), ("math", 1, 1.0)]
    page = s._repr_html_()
    assert "<script>" not in page
    assert "<Scores" not in page and "&lt;Scores: 6 rows" in page


def test_html_escapes_rationales():
    s = score(
        results_frame(['{"id": "<img src=x onerror=alert(1)>"}']),
        json_schema({"properties": {"id": {"type": "integer"}}}),
    )
    page = s._repr_html_()
    assert "<img" not in page and "&lt;img src=x" in page


def test_html_shows_what_a_scorer_adds_such_as_judge_self():
    table = pl.DataFrame(
        {
            "case_id": ["a"],
            "model": ["m"],
            "variant": ["v"],
            "sample": [0],
            "metric": ["judge"],
            "value": [1.0],
            "passed": [True],
            "label": [None],
            "rationale": ["ok"],
            "error": [None],
            "run_id": ["r"],
            "scorer": ["{}"],
            "judge_self": [True],
        }
    )
    page = Scores(table)._repr_html_()
    assert "<th>judge_self</th>" in page and "<th>scorer</th>" not in page


# -- saving into the run's store -----------------------------------------------------------------------


def make_run(tmp_path: Path, outputs: list[str | None]) -> Run:
    store = Store(tmp_path)
    frame = results_frame(outputs)
    store.write_manifest("r1", {"run_id": "r1", "status": "finished"})
    store.write_table("r1", "results", frame)
    return store.load("r1")


def test_scores_merge_into_the_store(tmp_path):
    run = make_run(tmp_path, ["Paris", "Milan", None])
    score(run, exact_match, cases=CASES)
    score(run, token_f1, cases=CASES)
    stored = Store(tmp_path).read_table("r1", "scores")
    assert sorted(stored["metric"].unique().to_list()) == ["exact_match", "token_f1"]
    assert stored.height == 6
    # re-scoring a metric replaces its rows (new arguments recorded), other metrics stay
    score(run, exact_match(ignore_case=False), cases=CASES)
    stored = Store(tmp_path).read_table("r1", "scores")
    assert stored.height == 6
    em = stored.filter(pl.col("metric") == "exact_match").sort("case_id")
    assert em["passed"].to_list() == [True, False, None]
    assert {json.loads(x)["args"]["ignore_case"] for x in em["scorer"]} == {False}
    assert not list((tmp_path / ".workbench" / "runs" / "r1").glob("*.tmp"))


def test_save_false_and_frames_do_not_write(tmp_path):
    run = make_run(tmp_path, ["Paris"])
    score(run, exact_match, cases=CASES.head(1), save=False)
    score(run.results, exact_match, cases=CASES.head(1))
    with pytest.raises(KeyError, match="has no 'scores' table"):
        Store(tmp_path).read_table("r1", "scores")


def test_real_run_scored_end_to_end(server, tmp_path):
    cases = CaseSet.from_records(
        [
            {"id": "a", "input": "hello there", "reference": "echo: hello there"},
            {"id": "b", "input": "[[reply:The Paris]]", "reference": "paris"},
            {"id": "c", "input": "[[reply:42]]", "reference": "41"},
        ]
    )
    model = wb.Model("openai/fake", name="fake", params={"api_base": server.base_url, "api_key": "sk-x"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = wb.run(cases, model, project=tmp_path, progress=False)
    s = score(run, [exact_match, token_f1], cases=cases)
    em = s.table.filter(pl.col("metric") == "exact_match").sort("case_id")
    assert em["passed"].to_list() == [True, True, False]
    assert em["run_id"].unique().to_list() == [run.id]
    stored = Store(tmp_path).read_table(run.id, "scores")
    assert_frame_equal(stored.sort("metric", "case_id"), s.table.sort("metric", "case_id"))
