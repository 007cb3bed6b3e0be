"""The run store: list, load, compare and delete runs; manifests keep what was run."""

from __future__ import annotations

import json

import polars as pl
import pytest

import workbench as wb
from workbench.cases import CaseSet
from workbench.store import Store


def _cases(n: int) -> CaseSet:
    return CaseSet.from_records([{"id": f"s{i}", "input": f"store {i}"} for i in range(n)])


def _model(server, name: str) -> wb.Model:
    return wb.Model("openai/fake-model", name=name, params={"api_base": server.base_url, "api_key": "sk-hidden-123456789", "temperature": 0})


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
