"""Executing calls: in this process's event loop, or spread over several processes.

litellm spends milliseconds of CPU per call, so one event loop saturates one core long before a
server does. ``workers > 1`` shards the HTTP calls over extra processes, each with its own loop,
litellm and connection pool; every process commits finished calls to the same SQLite cache, and
the parent gathers the rows through a queue, so an interrupted parallel run resumes exactly like
a serial one.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue as queue_mod
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.runner._cache import CallCache, is_secret_param
from workbench.runner._call import call_model, import_litellm
from workbench.runner._retry import RetryPolicy
from workbench.runner._spec import Model

Done = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True)
class Call:
    """One model call to make: where its row goes, and everything that determines it."""

    index: int
    model: Model
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    key: str


async def execute_calls(
    calls: list[Call], cache: CallCache, policy: RetryPolicy, stream: bool, seed: int, done: Done
) -> None:
    """Make the calls under each model's concurrency limit; commit successes to the cache."""
    litellm = import_litellm()
    if any(c.model.is_local for c in calls):
        from workbench.runner._local import ensure_local_provider

        ensure_local_provider()
    limits = {c.model.label: asyncio.Semaphore(c.model.limit) for c in calls}
    rng = random.Random(seed)

    async def one(call: Call) -> None:
        secrets = [str(v) for k, v in call.params.items() if is_secret_param(k) and isinstance(v, str)]
        async with limits[call.model.label]:
            outcome = await call_model(litellm, call.model, call.messages, call.params, policy, stream, rng, secrets)
        data = outcome.as_dict()
        if outcome.error_type is None:
            cache.put(call.key, data, data["started_at"])
        done(call.index, data)

    tasks = [asyncio.ensure_future(one(c)) for c in calls]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _share(model: Model, workers: int) -> Model:
    """The model with its concurrency limit split between the processes."""
    per = max(1, -(-model.limit // workers))
    return Model(model.model, name=model.name, params=dict(model.params), concurrency=per)


def _picklable(call: Call, workers: int) -> tuple[Any, ...]:
    m = call.model
    return (call.index, (m.model, m.name, dict(m.params), m.concurrency), call.messages, call.params, call.key)


def _worker(payload: list[tuple[Any, ...]], cache_path: str, policy: RetryPolicy, stream: bool, seed: int, out: Any) -> None:
    """Entry point of a worker process: run its shard, report each row, then ``None``."""
    calls = [
        Call(i, Model(m[0], name=m[1], params=m[2], concurrency=m[3]), msgs, params, key)
        for i, m, msgs, params, key in payload
    ]
    cache = CallCache(cache_path)
    try:
        asyncio.run(execute_calls(calls, cache, policy, stream, seed, lambda i, d: out.put((i, d))))
    finally:
        cache.close()
        out.put(None)


async def execute_parallel(
    calls: list[Call], cache: CallCache, policy: RetryPolicy, stream: bool, seed: int, done: Done, workers: int
) -> None:
    """Shard HTTP calls over ``workers`` processes (this one included); local models stay here."""
    remote = [c for c in calls if not c.model.is_local]
    if workers <= 1 or len(remote) < 2 * workers:
        await execute_calls(calls, cache, policy, stream, seed, done)
        return
    local = [c for c in calls if c.model.is_local]
    shared = [Call(c.index, _share(c.model, workers), c.messages, c.params, c.key) for c in remote]
    shards = [shared[i::workers] for i in range(workers)]
    ctx = mp.get_context("spawn")  # fork is unsafe with threads (Jupyter, SQLite, llama.cpp)
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=([_picklable(c, workers) for c in shard], str(cache.path), policy, stream, seed + n + 1, out),
            daemon=True,
        )
        for n, shard in enumerate(shards[1:])
    ]
    for p in procs:
        p.start()
    loop = asyncio.get_running_loop()

    async def drain() -> None:
        alive = len(procs)
        while alive:
            try:
                item = await loop.run_in_executor(None, out.get, True, 0.5)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs) and out.empty():
                    dead = [p.exitcode for p in procs]
                    raise RuntimeError(f"a runner worker process died (exit codes {dead})") from None
                continue
            if item is None:
                alive -= 1
            else:
                done(*item)

    try:
        await asyncio.gather(execute_calls(shards[0] + local, cache, policy, stream, seed, done), drain())
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join(timeout=5)
