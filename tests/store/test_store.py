"""The run store: list, load, compare and delete runs; manifests keep what was run."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

import workbench as wb
from workbench.cases import CaseSet
from workbench.store import Store


def _cases(n: int) -> CaseSet:
    return CaseSet.from_records([{"id": f"s{i}", "input": f"store {i}"} for i in range(n)])


def _model(server, name: str) -> wb.Model:
    return wb.Model(
        "openai/fake-model",
        name=name,
        params={"api_base": server.base_url, "api_key": "sk-hidden-123456789", "temperature": 0},
    )


def test_list_load_compare_delete(server, tmp_path):
    a = wb.run(_cases(3), _model(server, "a"), project=tmp_path, name="baseline", progress=False)
    b = wb.run(_cases(3), _model(server, "b"), project=tmp_path, name="candidate", progress=False)
    store = Store(tmp_path)

    runs = store.list_runs()
    assert sorted(runs["run_id"].to_list()) == sorted([a.id, b.id])
    assert set(runs["name"].to_list()) == {"baseline", "candidate"}
    assert runs["status"].to_list() == ["complete", "complete"]
    assert runs["n_rows"].to_list() == [3, 3]

    loaded = store.load(a.id)
    assert loaded.results.sort("case_id").equals(a.results.sort("case_id"))
    assert loaded.config["models"][0]["params"] == {"api_base": server.base_url, "temperature": 0}
    assert loaded.config["case_set_version"] == _cases(3).version
    assert loaded.config["workbench_version"] == wb.__version__

    cmp = store.compare([a.id, b.id])

    assert set(cmp["model"].to_list()) == {"a", "b"}
    assert cmp["n"].to_list() == [3, 3]
    assert cmp["n_errors"].to_list() == [0, 0]

    both = store.results()
    assert both.height == 6 and set(both["run_id"].to_list()) == {a.id, b.id}

    store.delete(a.id)
    assert store.run_ids() == [b.id]
    with pytest.raises(KeyError, match=a.id):
        store.load(a.id)


def test_manifest_has_no_secret_and_a_stable_run_id(server, tmp_path):
    r1 = wb.run(_cases(2), _model(server, "a"), project=tmp_path, progress=False)
    text = (tmp_path / ".workbench" / "runs" / r1.id / "run.json").read_text()
    assert "sk-hidden" not in text
    manifest = json.loads(text)
    assert manifest["status"] == "complete" and manifest["n_rows"] == 2
    # the same configuration is the same run; a changed case set is a new one
    assert wb.run(_cases(2), _model(server, "a"), project=tmp_path, progress=False).id == r1.id
    assert wb.run(_cases(3), _model(server, "a"), project=tmp_path, progress=False).id != r1.id


def test_unknown_run_names_the_run(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(KeyError, match="run-nope"):
        store.load("run-nope")
    with pytest.raises(ValueError, match="valid run id"):
        store.run_dir("../etc")
    assert store.list_runs().height == 0
    assert store.results().schema["latency_s"] == pl.Float64


def test_project_resolution_prefers_env(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    assert Store().project == tmp_path.resolve()


SLOW_RUN = textwrap.dedent(
    """
    import sys, workbench as wb
    from workbench.cases import CaseSet
    base, project = sys.argv[1], sys.argv[2]
    cases = CaseSet.from_records([{"id": f"v{i:03d}", "input": f"victim {i}"} for i in range(200)])
    model = wb.Model("openai/fake-model", name="victim", params={"api_base": base, "api_key": "x"}, concurrency=1)
    wb.run(cases, model, project=project, progress=False)
    """
)


def start_slow_run(server, tmp_path) -> subprocess.Popen:
    script = tmp_path / "victim.py"
    script.write_text(SLOW_RUN)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen([sys.executable, str(script), server.base_url, str(tmp_path)], env=env)


def test_a_killed_run_is_interrupted_and_a_live_one_running(server, tmp_path):
    server.configure(latency_ms=100)
    proc = start_slow_run(server, tmp_path)
    store = Store(tmp_path)
    try:
        deadline = time.monotonic() + 120
        while server.stats()["completions"] < 3:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.05)
        (run_id,) = store.run_ids()
        # another process is running it: every view says running
        assert store.list_runs()["status"].to_list() == ["running"]
        assert store.manifest(run_id)["status"] == "running"
        assert store.load(run_id).status == "running"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    raw = json.loads((tmp_path / ".workbench" / "runs" / run_id / "run.json").read_text())
    assert raw["status"] == "running"  # what the dead process left on disk
    assert store.list_runs()["status"].to_list() == ["interrupted"]
    assert store.manifest(run_id)["status"] == "interrupted"
    assert store.load(run_id).status == "interrupted"


def test_summary_and_compare_use_the_same_columns(server, tmp_path):
    server.configure(faults=[{"kind": "500", "match": "store 1", "sticky": True}])
    r = wb.run(_cases(4), _model(server, "a"), project=tmp_path, progress=False, max_retries=0)
    again = wb.run(_cases(4), _model(server, "a"), project=tmp_path, progress=False, max_retries=0)
    summary = again.summary()
    assert isinstance(summary, pl.DataFrame)
    assert summary.columns == [
        "model", "variant", "n", "n_errors", "n_cached", "latency_p50_s", "latency_p95_s",
        "prompt_tokens", "completion_tokens", "mean_completion_tokens", "cost_usd",
    ]  # fmt: skip
    row = summary.row(0, named=True)
    assert (row["n"], row["n_errors"], row["n_cached"]) == (4, 1, 3)
    # 3 answered: "store 0" (2 words) -> "echo: store 0" (3 words)
    assert (row["prompt_tokens"], row["completion_tokens"]) == (6, 9)
    assert row["mean_completion_tokens"] == 3.0
    assert row["cost_usd"] is None  # the fake model has no price: unknown, not 0
    assert again.overview().equals(summary)
    cmp = Store(tmp_path).compare([r.id])
    assert cmp.columns == ["run_id", *summary.columns]
    assert cmp.drop("run_id").equals(summary)


def test_html_view_escapes_model_names(server, tmp_path):
    r = wb.run(_cases(1), _model(server, "<b>evil</b>"), project=tmp_path, progress=False)
    page = r._repr_html_()
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page
    assert "<table>" in page and "n_errors" in page


def test_loaded_run_keeps_its_case_set(server, tmp_path):
    cases = CaseSet.from_records(
        [
            {"id": "c1", "input": "hello", "reference": "hi", "context": ["a", "b"], "tags": ["x", "y"],
             "n": 1, "score": 0.5, "flag": True, "day": dt.date(2024, 5, 1), "note": None},
            {"id": "c2", "input": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
             "n": 2, "score": 1.5, "flag": False, "day": dt.date(2024, 5, 2), "note": "n"},
        ]
    )  # fmt: skip
    r = wb.run(cases, _model(server, "a"), project=tmp_path, progress=False)
    assert r.cases is cases
    loaded = Store(tmp_path).load(r.id)
    assert loaded.cases is not None
    assert loaded.cases.version == cases.version
    assert loaded.cases.to_polars().equals(cases.to_polars())
    assert loaded.cases.ids == cases.ids
    # a run stored before case sets were kept loads without them
    (tmp_path / ".workbench" / "runs" / r.id / "cases.parquet").unlink()
    assert Store(tmp_path).load(r.id).cases is None


def test_changed_cases_file_is_an_error_naming_it(server, tmp_path):
    r = wb.run(_cases(2), _model(server, "a"), project=tmp_path, progress=False)
    path = tmp_path / ".workbench" / "runs" / r.id / "cases.parquet"
    _cases(3).to_polars().write_parquet(path)
    with pytest.raises(ValueError, match=f"{path}.*version"):
        Store(tmp_path).load(r.id).cases  # noqa: B018
