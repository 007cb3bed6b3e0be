"""The runner against a real OpenAI-compatible HTTP server on 127.0.0.1, through real litellm."""

from __future__ import annotations

import asyncio
from pathlib import Path

import polars as pl
import pytest

import workbench as wb
from workbench.cases import CaseSet
from workbench.runner import arun
from workbench.store import Store

SECRET = "sk-test-SECRETvalue0123456789"


def make_cases(n: int, prefix: str = "q") -> CaseSet:
    return CaseSet.from_records(
        [{"id": f"{prefix}{i:03d}", "input": f"question {prefix} {i}", "tags": ["t"]} for i in range(n)]
    )


def fake_model(server, name: str = "fake", **params) -> wb.Model:
    return wb.Model(
        "openai/fake-model",
        name=name,
        params={"api_base": server.base_url, "api_key": SECRET, **params},
    )


def run(cases, models, tmp_path: Path, **kw) -> wb.runner.Run:
    kw.setdefault("progress", False)
    kw.setdefault("backoff", 0.01)
    return wb.run(cases, models, project=tmp_path, **kw)


def test_rows_record_output_tokens_and_attempts(server, tmp_path):
    r = run(make_cases(5), fake_model(server), tmp_path)
    df = r.results.sort("case_id")
    assert df.height == 5
    assert df["output"].to_list() == [f"echo: question q {i}" for i in range(5)]
    assert df["error_type"].null_count() == 5
    assert df["attempts"].to_list() == [1] * 5
    assert df["cached"].to_list() == [False] * 5
    # "question q 0" is three words; the fake server counts whitespace-separated words
    assert df["prompt_tokens"].to_list() == [3] * 5
    assert df["completion_tokens"].to_list() == [4] * 5
    assert (df["latency_s"] > 0).all()
    # the fake model is not in litellm's cost map: cost is unknown (null), not zero
    assert df["cost_usd"].null_count() == 5
    assert df["model"].unique().to_list() == ["fake"]
    assert df["variant"].unique().to_list() == ["default"]


def test_rerun_is_served_from_cache_with_original_latency(server, tmp_path):
    first = run(make_cases(6), fake_model(server), tmp_path)
    calls = server.stats()["requests"]
    second = run(make_cases(6), fake_model(server), tmp_path)
    assert server.stats()["requests"] == calls, "a cached re-run must make no model calls"
    assert second.id == first.id
    a, b = first.results.sort("case_id"), second.results.sort("case_id")
    assert b["cached"].all()
    assert a["latency_s"].to_list() == b["latency_s"].to_list()
    assert a["started_at"].to_list() == b["started_at"].to_list()
    assert a["output"].to_list() == b["output"].to_list()


def test_secrets_never_reach_store_or_cache(server, tmp_path):
    server.configure(faults=[{"kind": "500", "rate": 1.0, "sticky": True, "match": "q 1"}])
    run(make_cases(3), fake_model(server), tmp_path, max_retries=0)
    for path in (tmp_path / ".workbench").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), f"secret leaked into {path}"


def test_thirty_percent_permanent_failures_lose_no_row(server, tmp_path):
    server.configure(faults=[{"kind": "500", "rate": 0.3, "sticky": True}], seed=7)
    cases = make_cases(100)
    r = run(cases, fake_model(server), tmp_path, max_retries=2)
    df = r.results
    assert df.height == 100 and df["case_id"].n_unique() == 100
    failed = df.filter(pl.col("error_type").is_not_null())
    assert 15 <= failed.height <= 45
    assert failed["output"].null_count() == failed.height, "a failure must never carry an output"
    assert (failed["attempts"] == 3).all()
    assert failed["error_type"].unique().to_list() == ["InternalServerError"]
    assert failed["error"].str.len_chars().min() > 0
    ok = df.filter(pl.col("error_type").is_null())
    assert ok["output"].str.starts_with("echo: ").all()
    assert r.config["n_errors"] == failed.height


def test_errors_are_not_cached_and_rerun_calls_only_them(server, tmp_path):
    server.configure(faults=[{"kind": "503", "rate": 0.3, "sticky": True}], seed=3)
    first = run(make_cases(40), fake_model(server), tmp_path, max_retries=0)
    n_err = first.errors.height
    assert n_err > 0
    server.reset()
    server.configure(faults=[])
    second = run(make_cases(40), fake_model(server), tmp_path, max_retries=0)
    assert server.stats()["requests"] == n_err
    assert second.errors.height == 0
    assert int(second.results["cached"].sum()) == 40 - n_err


def test_transient_faults_are_retried(server, tmp_path):
    server.configure(
        faults=[
            {"kind": "429", "first_attempts": 1, "retry_after": 0.05, "match": "q 0"},
            {"kind": "500", "first_attempts": 2, "match": "q 1"},
            {"kind": "drop", "first_attempts": 1, "match": "q 2"},
            {"kind": "malformed", "first_attempts": 1, "match": "q 3"},
        ]
    )
    r = run(make_cases(5), fake_model(server), tmp_path, max_retries=3)
    df = r.results.sort("case_id")
    assert df["error_type"].null_count() == 5, df.select("case_id", "error_type", "error").to_dicts()
    assert df["attempts"].to_list() == [2, 3, 2, 2, 1]


def test_timeouts_are_recorded_after_retries(server, tmp_path):
    server.configure(faults=[{"kind": "timeout", "hang_s": 5, "match": "q 1"}])
    r = run(make_cases(3), fake_model(server), tmp_path, timeout=0.4, max_retries=1)
    row = r.results.filter(pl.col("case_id") == "q001").row(0, named=True)
    assert row["error_type"] == "Timeout"
    assert row["attempts"] == 2
    assert row["output"] is None
    assert r.errors.height == 1


def test_concurrency_limit_per_model(server, tmp_path):
    server.configure(latency_ms=40)
    m = wb.Model(
        "openai/fake-model",
        name="limited",
        params={"api_base": server.base_url, "api_key": "x"},
        concurrency=3,
    )
    run(make_cases(24), m, tmp_path)
    assert server.stats()["peak_in_flight"] <= 3
    assert server.stats()["peak_in_flight"] >= 2


def test_models_variants_and_samples_make_one_row_each(server, tmp_path):
    models = [fake_model(server, "a"), fake_model(server, "b", temperature=0.5)]
    prompts = [wb.Prompt("plain"), wb.Prompt("polite", "Please answer: {input}", system="Be brief.")]
    r = run(make_cases(4), models, tmp_path, prompts=prompts, samples=3)
    df = r.results
    assert df.height == 4 * 2 * 2 * 3
    assert df.select("case_id", "model", "variant", "sample").n_unique() == df.height
    assert df["cache_key"].n_unique() == df.height
    polite = df.filter(pl.col("variant") == "polite")["output"]
    assert polite.str.starts_with("echo: Please answer: question").all()


def test_streaming_records_time_to_first_token(server, tmp_path):
    r = run(make_cases(3), fake_model(server), tmp_path, stream=True)
    df = r.results.sort("case_id")
    assert df["output"].to_list() == [f"echo: question q {i}" for i in range(3)]
    assert df["ttft_s"].null_count() == 0
    assert (df["ttft_s"] <= df["latency_s"]).all()
    assert df["completion_tokens"].to_list() == [4, 4, 4]


def test_empty_reply_is_an_error_not_an_output(server, tmp_path):
    cases = CaseSet.from_records([{"id": "e", "input": "say nothing [[reply:]]"}])
    r = run(cases, fake_model(server), tmp_path, max_retries=0)
    row = r.results.row(0, named=True)
    assert row["output"] is None
    assert row["error_type"] == "EmptyResponse"


def test_200_with_no_choices_is_an_empty_response_that_shows_the_reply(server, tmp_path):
    server.configure(faults=[{"kind": "empty_choices", "match": "q 1"}])
    r = run(make_cases(3), fake_model(server), tmp_path, max_retries=2)
    row = r.results.filter(pl.col("case_id") == "q001").row(0, named=True)
    assert row["output"] is None
    assert row["error_type"] == "EmptyResponse"
    prefix = "the server replied 200 with no choices: "
    assert row["error"].startswith(prefix + '{"id":"chatcmpl-empty"')
    assert '"choices":[]' in row["error"]
    assert len(row["error"]) <= len(prefix) + 200
    assert row["attempts"] == 1  # the server did answer: retrying would get the same
    assert r.errors.height == 1


def test_run_shows_its_parameters_and_names_the_jitter_seed(server, tmp_path):
    import inspect

    from workbench.runner import acomplete, complete

    for sync, coro in ((wb.run, arun), (complete, acomplete)):
        params = inspect.signature(sync).parameters
        assert all(p.kind is not p.VAR_KEYWORD for p in params.values()), f"{sync.__name__} hides parameters"
        assert list(params) == list(inspect.signature(coro).parameters)
        assert "jitter_seed" in params and "seed" not in params
        assert params["jitter_seed"].kind is inspect.Parameter.KEYWORD_ONLY
    r = run(make_cases(1), fake_model(server), tmp_path, jitter_seed=5)
    assert r.config["jitter_seed"] == 5 and "seed" not in r.config
    with pytest.raises(TypeError, match="seed"):
        wb.run(make_cases(1), fake_model(server), project=tmp_path, seed=5)  # type: ignore[call-arg]


def test_cancelled_run_is_marked_interrupted_and_resumes(server, tmp_path):
    server.configure(latency_ms=30)
    cases = make_cases(60)
    model = wb.Model(
        "openai/fake-model", name="slow", params={"api_base": server.base_url, "api_key": "x"}, concurrency=2
    )

    async def interrupted() -> None:
        task = asyncio.ensure_future(arun(cases, model, project=tmp_path, progress=False))
        while server.stats()["completions"] < 10:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    at_cancel = server.stats()["completions"]
    store = Store(tmp_path)
    (run_id,) = store.run_ids()
    assert store.manifest(run_id)["status"] == "interrupted"
    server.reset()
    r = run(cases, model, tmp_path)
    assert r.results.height == 60 and r.results["case_id"].n_unique() == 60
    assert r.status == "complete"
    cached = int(r.results["cached"].sum())
    # every call that had finished was kept, but for those still in flight (concurrency 2)
    assert at_cancel - 2 <= cached <= at_cancel
    assert server.stats()["requests"] == 60 - cached


def test_prompt_cannot_use_the_reference():
    with pytest.raises(ValueError, match="leak"):
        wb.Prompt("cheat", "{input} (answer: {reference})")


def test_prompt_with_unknown_field_names_case_and_field(server, tmp_path):
    with pytest.raises(KeyError, match=r"q000.*\{tier\}"):
        run(make_cases(2), fake_model(server), tmp_path, prompts=wb.Prompt("p", "{tier}: {input}"))


def test_duplicate_model_names_are_refused(server, tmp_path):
    with pytest.raises(ValueError, match="unique"):
        run(make_cases(1), [fake_model(server, "x"), fake_model(server, "x")], tmp_path)


def test_complete_uses_cache_and_keeps_order(server, tmp_path):
    from workbench.runner import complete

    model = wb.Model("openai/fake-model", params={"api_base": server.base_url, "api_key": "x"})
    reqs = [
        "first",
        [{"role": "system", "content": "s"}, {"role": "user", "content": "second"}],
        "third [[reply:]]",
    ]
    rows = complete(model, reqs, project=tmp_path, max_retries=0)
    assert [r["output"] for r in rows] == ["echo: first", "echo: second", None]
    assert rows[2]["error_type"] == "EmptyResponse"
    n = server.stats()["requests"]
    again = complete(model, reqs[:2], project=tmp_path)
    assert [r["cached"] for r in again] == [True, True]
    assert server.stats()["requests"] == n


def test_parallel_workers_give_the_same_rows_and_share_the_cache(server, tmp_path):
    cases = make_cases(30)
    server.configure(faults=[{"kind": "500", "rate": 0.2, "sticky": True}], seed=5)
    r = run(cases, fake_model(server), tmp_path, workers=2, max_retries=0)
    df = r.results.sort("case_id")
    assert df.height == 30 and df["case_id"].n_unique() == 30
    n_err = r.errors.height
    assert 0 < n_err < 30
    ok = df.filter(pl.col("error_type").is_null())
    assert ok["output"].to_list() == [f"echo: question q {int(c[1:])}" for c in ok["case_id"]]
    assert server.stats()["requests"] == 30
    server.reset()
    serial = run(cases, fake_model(server), tmp_path, workers=1, max_retries=0)
    # the workers committed their successes to the one cache: only the failures are called again
    assert server.stats()["requests"] == n_err
    assert int(serial.results["cached"].sum()) == 30 - n_err


def test_filter_slice_and_head_give_new_runs_that_keep_the_cases(server, tmp_path):
    from workbench.cases import CaseSet

    cases = CaseSet.from_records(
        [{"id": f"c{i}", "input": f"q{i}", "tags": ["even" if i % 2 == 0 else "odd"]} for i in range(6)]
    )
    r = run(cases, [fake_model(server)], tmp_path, prompts=[wb.Prompt("a"), wb.Prompt("b", "B {input}")])
    even = r.slice("even")
    assert sorted(even.results["case_id"].unique()) == ["c0", "c2", "c4"]
    assert list(even.cases.ids) == ["c0", "c2", "c4"] and even.id == r.id and even.store is r.store
    only_b = r.filter(variant="b")
    assert only_b.results["variant"].unique().to_list() == ["b"] and only_b.cases is r.cases
    assert len(r.head(2)) == 2 and len(r) == 12  # the original is unchanged
    scored = wb.score(even, [wb.contains(any_of=["echo"])], save=False)
    assert scored.cases is even.cases and scored.table.height == 6


def test_from_table_wraps_outputs_made_elsewhere_with_their_cases():
    import polars as pl

    from workbench.cases import CaseSet
    from workbench.runner import Run

    cases = CaseSet.from_records([{"id": "a", "input": "q", "reference": "x"}, {"id": "b", "input": "r"}])
    answers = pl.DataFrame({"case_id": ["a", "b"], "model": "m", "output": ["x", "y"]})
    run = Run.from_table(answers.to_pandas(), cases=cases, name="file")
    assert run.cases is cases and len(run) == 2 and run.store is None and run.name == "file"
    assert run.id == Run.from_table(answers.reverse(), cases=cases).id  # content, not row order
    assert run.id != Run.from_table(answers.with_columns(output=pl.lit("z")), cases=cases).id
    scores = wb.score(run, [wb.exact_match])  # the cases come from the run
    assert scores.run is run and scores.table["value"].to_list() == [1.0, None]
    with pytest.raises(ValueError, match=r"1 case id\(s\) of the results are not in cases \(e.g. 'zz'\)"):
        Run.from_table(answers.with_columns(case_id=pl.Series(["a", "zz"])), cases=cases)
