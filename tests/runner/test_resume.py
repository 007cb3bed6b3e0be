"""A run killed with SIGKILL mid-way and started again completes with no row lost or duplicated."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import workbench as wb
from workbench.cases import CaseSet

N = 60

SCRIPT = textwrap.dedent(
    """
    import sys, workbench as wb
    from workbench.cases import CaseSet
    base, project, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cases = CaseSet.from_records([{"id": f"k{i:03d}", "input": f"kill me {i}"} for i in range(n)])
    model = wb.Model("openai/fake-model", name="victim", params={"api_base": base, "api_key": "x"}, concurrency=2)
    wb.run(cases, model, project=project, progress=False)
    """
)


def cached_rows(project: Path) -> int:
    db = project / ".workbench" / "cache.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def test_kill_9_then_rerun_completes_exactly(server, tmp_path):
    server.configure(latency_ms=40)
    script = tmp_path / "victim.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, str(script), server.base_url, str(tmp_path), str(N)], env=env)
    try:
        deadline = time.monotonic() + 120
        while cached_rows(tmp_path) < 15:
            assert proc.poll() is None, "the run finished or died before it could be killed"
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    survived = cached_rows(tmp_path)
    assert 15 <= survived < N
    server.reset()
    cases = CaseSet.from_records([{"id": f"k{i:03d}", "input": f"kill me {i}"} for i in range(N)])
    model = wb.Model(
        "openai/fake-model",
        name="victim",
        params={"api_base": server.base_url, "api_key": "x"},
        concurrency=2,
    )
    r = wb.run(cases, model, project=tmp_path, progress=False)

    df = r.results
    assert df.height == N, "a row was lost or duplicated"
    assert df["case_id"].n_unique() == N
    assert df["error_type"].null_count() == N
    assert int(df["cached"].sum()) == survived
    # only the missing rows were called again, each exactly once
    stats = server.stats()
    assert stats["requests"] == N - survived
    assert max(stats["by_prompt"].values()) == 1
    assert r.status == "complete"
