"""Runner overhead against bare litellm and a raw HTTP client; cached re-run; import time.

Reproduce: ``make bench`` (all benchmarks) or ``.venv/bin/python benchmarks/bench_runner.py``.
Every figure is measured in a fresh child process against one local fake server process
(tests/fakeserver.py) with 50 ms latency, so the ratios compare like with like in one run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import record, run_child  # noqa: E402
from tests.fakeserver import FakeServer  # noqa: E402

N = 2000
CONCURRENCY = 64
LATENCY_MS = 50
N_CACHED = 10_000

_PRELUDE = """
import asyncio, json, os, sys, time
base, n, conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prompts = [f"benchmark question number {i}" for i in range(n)]
"""

RAW = _PRELUDE + """
import aiohttp
async def main():
    sem = asyncio.Semaphore(conc)
    conn = aiohttp.TCPConnector(limit=conc)
    async with aiohttp.ClientSession(connector=conn) as s:
        async def one(p):
            async with sem:
                async with s.post(base + "/chat/completions", json={"model": "fake", "messages": [{"role": "user", "content": p}]},
                                  headers={"Authorization": "Bearer x"}) as r:
                    d = await r.json()
                    return d["choices"][0]["message"]["content"]
        out = await asyncio.gather(*(one(p) for p in prompts))
        assert len(out) == n and all(out)
w0, c0 = time.perf_counter(), time.process_time()
asyncio.run(main())
print(json.dumps({"wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0}))
"""

BARE = _PRELUDE + """
import contextlib
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import litellm
litellm.suppress_debug_info = True
quiet = sys.argv[4] == "quiet"
from litellm._internal_context import internal_sub_call
async def main():
    sem = asyncio.Semaphore(conc)
    async def one(p):
        async with sem:
          with (internal_sub_call() if quiet else contextlib.nullcontext()):
            r = await litellm.acompletion(model="openai/fake", messages=[{"role": "user", "content": p}],
                                          api_base=base, api_key="x", num_retries=0)
            return r.choices[0].message.content
    out = await asyncio.gather(*(one(p) for p in prompts))
    assert len(out) == n and all(out)
# warm up: the first call builds litellm's HTTP client
asyncio.run(litellm.acompletion(model="openai/fake", messages=[{"role": "user", "content": "warm"}], api_base=base, api_key="x"))
w0, c0 = time.perf_counter(), time.process_time()
asyncio.run(main())
print(json.dumps({"wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0}))
"""

RUNNER = _PRELUDE + """
project, workers = sys.argv[4], int(sys.argv[5])
import resource
import workbench as wb
from workbench.cases import CaseSet
cases = CaseSet.from_records([{"id": f"b{i:05d}", "input": p} for i, p in enumerate(prompts)])
model = wb.Model("openai/fake", name="fake", params={"api_base": base, "api_key": "x"}, concurrency=conc)
warm = CaseSet.from_records([{"id": "w", "input": "warm"}])
wb.run(warm, model, project=project + "-warm", progress=False)
def cpu_all():  # this process and its finished worker processes
    return time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
w0, c0 = time.perf_counter(), cpu_all()
r = wb.run(cases, model, project=project, progress=False, workers=workers)
wall, cpu = time.perf_counter() - w0, cpu_all() - c0
assert r.results.height == n and r.errors.height == 0 and not r.results["cached"].any()
print(json.dumps({"wall_s": wall, "cpu_s": cpu}))
"""

CACHED = _PRELUDE + """
project = sys.argv[4]
import workbench as wb
from workbench.cases import CaseSet
cases = CaseSet.from_records([{"id": f"b{i:05d}", "input": p} for i, p in enumerate(prompts)])
model = wb.Model("openai/fake", name="fake", params={"api_base": base, "api_key": "x"}, concurrency=conc)
w0 = time.perf_counter()
r = wb.run(cases, model, project=project, progress=False)
wall = time.perf_counter() - w0
assert r.results.height == n and r.results["cached"].all()
print(json.dumps({"wall_s": wall, "litellm_imported": "litellm" in sys.modules}))
"""

IMPORT = """
import json, sys, time
t = time.perf_counter()
import workbench
dt = time.perf_counter() - t
heavy = [m for m in ("litellm", "torch", "sentence_transformers", "llama_cpp", "sklearn", "scipy", "polars", "pandas") if m in sys.modules]
print(json.dumps({"import_s": dt, "heavy_loaded": heavy}))
"""


def per_call_ms(fig: dict[str, float]) -> float:
    return 1000 * fig["cpu_s"] / N


def main() -> None:
    ideal = N * LATENCY_MS / 1000 / CONCURRENCY
    with FakeServer(latency_ms=LATENCY_MS) as server, tempfile.TemporaryDirectory() as tmp:
        args = (server.base_url, str(N), str(CONCURRENCY))
        raw = run_child(RAW, *args)
        bare = run_child(BARE, *args, "plain")
        bare_quiet = run_child(BARE, *args, "quiet")
        runner = run_child(RUNNER, *args, str(Path(tmp) / "p1"), "1")
        runner2 = run_child(RUNNER, *args, str(Path(tmp) / "p3"), "2")
        server.configure(latency_ms=0)
        cached_args = (server.base_url, str(N_CACHED), str(CONCURRENCY), str(Path(tmp) / "p2"))
        run_child(RUNNER.replace("r.errors.height == 0", "True"), *cached_args, "2")  # fill the cache
        cached = [run_child(CACHED, *cached_args) for _ in range(3)]
    imports = [run_child(IMPORT) for _ in range(5)]

    figures = {
        "command": ".venv/bin/python benchmarks/bench_runner.py",
        "n_requests": N,
        "concurrency": CONCURRENCY,
        "server_latency_ms": LATENCY_MS,
        "ideal_wall_s": ideal,
        "raw_http": raw | {"cpu_ms_per_call": per_call_ms(raw), "x_ideal": raw["wall_s"] / ideal},
        "bare_litellm": bare | {"cpu_ms_per_call": per_call_ms(bare), "x_ideal": bare["wall_s"] / ideal},
        "bare_litellm_quiet": bare_quiet
        | {"cpu_ms_per_call": per_call_ms(bare_quiet), "x_ideal": bare_quiet["wall_s"] / ideal},
        "runner": runner | {"cpu_ms_per_call": per_call_ms(runner), "x_ideal": runner["wall_s"] / ideal},
        "runner_2_workers": runner2 | {"cpu_ms_per_call": per_call_ms(runner2), "x_ideal": runner2["wall_s"] / ideal},
        "runner_over_bare_litellm_wall": runner["wall_s"] / bare["wall_s"],
        "runner_over_bare_litellm_cpu": runner["cpu_s"] / bare["cpu_s"],
        "quiet_logging_cpu_gain": bare["cpu_s"] / bare_quiet["cpu_s"],
        "runner_2_workers_over_bare_litellm_wall": runner2["wall_s"] / bare["wall_s"],
        "cached_rerun": {
            "rows": N_CACHED,
            "wall_s_median": statistics.median(c["wall_s"] for c in cached),
            "litellm_imported": any(c["litellm_imported"] for c in cached),
        },
        "import_workbench": {
            "import_s_median": statistics.median(i["import_s"] for i in imports),
            "heavy_loaded": imports[0]["heavy_loaded"],
        },
    }
    record("runner", figures)
    print(
        f"ideal {ideal:.2f}s | raw {raw['wall_s']:.2f}s | bare litellm {bare['wall_s']:.2f}s "
        f"({per_call_ms(bare):.2f} ms CPU/call) | runner {runner['wall_s']:.2f}s "
        f"({per_call_ms(runner):.2f} ms CPU/call) | runner/bare {figures['runner_over_bare_litellm_wall']:.3f} | "
        f"2 workers {runner2['wall_s']:.2f}s (/bare {figures['runner_2_workers_over_bare_litellm_wall']:.3f}) | "
        f"litellm quiet logging CPU gain {figures['quiet_logging_cpu_gain']:.3f}x\n"
        f"cached re-run of {N_CACHED} rows: {figures['cached_rerun']['wall_s_median']:.3f}s | "
        f"import workbench: {figures['import_workbench']['import_s_median'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
