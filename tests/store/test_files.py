"""Crash-safe files in a run folder: a killed writer's temp file goes, a live writer's stays."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl

import workbench as wb
from workbench._files import atomic_write_bytes, remove_stale_temps
from workbench.cases import CaseSet
from workbench.store import Store

# A writer that is killed inside the results write: polars has written part of the temp file.
KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    import polars as pl
    from workbench.store import Store

    def stuck(self, file, **kwargs):
        with open(file, "wb") as fh:
            fh.write(b"PAR1 half a parquet file")
        print("WRITING", flush=True)
        time.sleep(600)

    pl.DataFrame.write_parquet = stuck
    Store(sys.argv[1]).write_table(sys.argv[2], "results", pl.DataFrame({"x": [1]}))
    """
)


def cases() -> CaseSet:
    return CaseSet.from_records([{"id": f"w{i}", "input": f"write {i}"} for i in range(3)])


def model(server) -> wb.Model:
    return wb.Model("openai/fake-model", name="w", params={"api_base": server.base_url, "api_key": "x"})


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp"))


def test_temp_file_of_a_killed_results_write_is_removed_by_the_next_write(server, tmp_path):
    first = wb.run(cases(), model(server), project=tmp_path, progress=False)
    folder = tmp_path / ".workbench" / "runs" / first.id
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), first.id], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "WRITING"
        (live,) = temps(folder)
        assert live.startswith(".results.parquet.")
        # the writer is alive: its temp file is not stale, and another write leaves it alone
        again = wb.run(cases(), model(server), project=tmp_path, progress=False)
        assert temps(folder) == [live]
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert temps(folder) == [live]  # what the killed writer left
    third = wb.run(cases(), model(server), project=tmp_path, progress=False)
    assert temps(folder) == []
    assert third.results.sort("case_id")["output"].equals(again.results.sort("case_id")["output"])
    assert pl.read_parquet(folder / "results.parquet").height == 3


def test_remove_stale_temps_keeps_other_files(tmp_path):
    (tmp_path / ".run.json.abc.tmp").write_text("{")  # no writer holds it: stale
    (tmp_path / "notes.tmp").write_text("kept: not a hidden temp file")
    (tmp_path / ".dir.tmp").mkdir()
    removed = remove_stale_temps(tmp_path)
    assert [p.name for p in removed] == [".run.json.abc.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dir.tmp", "notes.tmp"]


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.json", b"{}")
        Store(tmp_path).write_table("run-x", "results", pl.DataFrame({"x": [1]}))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644
    results = tmp_path / ".workbench" / "runs" / "run-x" / "results.parquet"
    assert stat.S_IMODE(results.stat().st_mode) == 0o644


def test_run_lock_is_held_only_while_running(server, tmp_path):
    store = Store(tmp_path)
    r = wb.run(cases(), model(server), project=tmp_path, progress=False)
    manifest = store.manifest(r.id)
    store.write_manifest(r.id, {**manifest, "status": "running"})  # as a process that died would leave it
    assert store.manifest(r.id)["status"] == "interrupted"
    with store.lock_run(r.id):  # this process runs it now
        assert store.manifest(r.id)["status"] == "running"
        t0 = time.perf_counter()
        store.list_runs()
        assert time.perf_counter() - t0 < 1
    assert store.manifest(r.id)["status"] == "interrupted"
