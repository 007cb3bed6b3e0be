"""The call cache's leases: processes running the same calls at once make each call once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from workbench.runner._cache import LEASE_TTL_S, CallCache

ROW = {"output": "hi", "latency_s": 0.1, "attempts": 1, "started_at": 1.0}


def dead_pid() -> int:
    """A pid that no process has (a child that has exited and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_claim_answers_leases_and_defers(tmp_path):
    a = CallCache(tmp_path / "c.sqlite")
    b = CallCache(tmp_path / "c.sqlite")
    a.put("done", ROW, 1.0)
    first = a.claim(["done", "k1", "k2"])
    assert set(first.rows) == {"done"} and first.mine == {"k1", "k2"} and first.theirs == set()
    # another live owner (this very process, through another cache object) must wait for them
    second = b.claim(["k1", "k2", "k3"])
    assert second.mine == {"k3"} and second.theirs == {"k1", "k2"} and second.rows == {}
    # a success frees its lease and answers the waiter; a failure frees the lease for the waiter to take
    a.put("k1", ROW, 1.0)
    a.release(["k2"])
    third = b.claim(["k1", "k2"])
    assert set(third.rows) == {"k1"} and third.mine == {"k2"} and third.theirs == set()
    # claiming again what one holds already is a renewal, not a conflict
    assert b.claim(["k2"]).mine == {"k2"}
    a.close()
    b.close()


def test_leases_of_a_dead_or_silent_owner_are_taken_over(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    host = socket.gethostname()
    now = time.time()
    with cache._lock:  # leases as other processes left them
        cache._conn.executemany(
            "INSERT INTO leases (key, owner, expires) VALUES (?, ?, ?)",
            [
                ("killed", f"{host}:{dead_pid()}:abcd", now + LEASE_TTL_S),  # this machine, pid gone
                ("elsewhere", "other-host:1:abcd", now + LEASE_TTL_S),  # another machine, renewed
                ("lapsed", "other-host:1:abcd", now - 1),  # another machine, not renewed
                ("alive", f"{host}:{os.getppid()}:abcd", now + LEASE_TTL_S),  # a live process here
            ],
        )
    claim = cache.claim(["killed", "elsewhere", "lapsed", "alive"])
    assert claim.mine == {"killed", "lapsed"}
    assert claim.theirs == {"elsewhere", "alive"}
    cache.close()


def test_renewing_extends_and_finally_frees_the_leases(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    with cache.renewing():
        cache.claim(["k"])
        before = cache._conn.execute("SELECT expires FROM leases").fetchone()[0]
        time.sleep(0.01)
        cache.renew()
        after = cache._conn.execute("SELECT expires FROM leases").fetchone()[0]
        assert after > before
    assert cache._conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0
    cache.close()


TWIN = textwrap.dedent(
    """
    import json, sys, time, workbench as wb
    from workbench.cases import CaseSet
    base, project, n, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    cases = CaseSet.from_records([{"id": f"t{i:03d}", "input": f"twin {i}"} for i in range(n)])
    model = wb.Model("openai/fake-model", name="twin", params={"api_base": base, "api_key": "x"}, concurrency=4)
    while time.time() < start:  # both processes start their run at the same moment
        time.sleep(0.001)
    r = wb.run(cases, model, project=project, progress=False, max_retries=0, backoff=0.01)
    df = r.results
    print(json.dumps({"rows": df.height, "ids": df["case_id"].n_unique(), "errors": r.errors.height,
                      "cached": int(df["cached"].sum()), "status": r.status}))
    """
)


def run_twins(server, tmp_path: Path, n: int) -> list[dict]:
    script = tmp_path / "twin.py"
    script.write_text(TWIN)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    start = time.time() + 8  # after both have imported workbench and litellm
    args = [sys.executable, str(script), server.base_url, str(tmp_path), str(n), str(start)]
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    return [json.loads(o.strip().splitlines()[-1]) for o in outs]


def test_two_processes_on_one_run_call_each_model_once(server, tmp_path):
    server.configure(latency_ms=50)
    n = 40
    reports = run_twins(server, tmp_path, n)
    for rep in reports:
        assert rep == {**rep, "rows": n, "ids": n, "errors": 0, "status": "complete"}
    stats = server.stats()
    assert stats["requests"] == n, "a call was made by both processes"
    assert max(stats["by_prompt"].values()) == 1
    # each row was called by one process and served from the cache (the other's call) in the other
    assert sum(r["cached"] for r in reports) == n


def test_a_failed_call_is_taken_over_by_the_waiting_process(server, tmp_path):
    server.configure(latency_ms=50, faults=[{"kind": "500", "match": "twin 1", "first_attempts": 1}])
    n = 20  # "twin 1", "twin 10".."twin 19": 11 prompts whose first request fails
    reports = run_twins(server, tmp_path, n)
    for rep in reports:
        assert (rep["rows"], rep["ids"], rep["status"]) == (n, n, "complete")
    stats = server.stats()
    # The process that held a failing call recorded its error and freed the lease (errors are not
    # cached); the other, waiting for that row, took the call over: each failing prompt was sent
    # twice (one failure, one answer), every other prompt once, and no row was lost.
    failing = {p for p in stats["by_prompt"] if "twin 1" in p}
    assert len(failing) == 11
    assert stats["requests"] == n + 11 and stats["completions"] == n
    assert {p: c for p, c in stats["by_prompt"].items() if c != 1} == {p: 2 for p in failing}
    assert sum(r["errors"] for r in reports) == 11


@pytest.mark.parametrize("n_keys", [2000])
def test_claim_is_one_transaction_for_many_keys(tmp_path, n_keys):
    cache = CallCache(tmp_path / "c.sqlite")
    keys = [f"k{i}" for i in range(n_keys)]
    t0 = time.perf_counter()
    claim = cache.claim(keys)
    assert len(claim.mine) == n_keys
    assert time.perf_counter() - t0 < 1.0
    cache.close()
