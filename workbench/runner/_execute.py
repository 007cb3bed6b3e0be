"""Executing calls: in this process's event loop, or spread over several processes.

litellm spends milliseconds of CPU per call, so one event loop saturates one core long before a
server does. ``workers > 1`` shards the HTTP calls over extra processes, each with its own loop,
litellm and connection pool; every process commits finished calls to the same SQLite cache, and
the parent gathers the rows through a queue, so an interrupted parallel run resumes exactly like
a serial one.

Processes that run the same calls at once (two kernels on one run) make each call once: the calls
are leased in the cache before they are made, and a call another live process holds is awaited
(see :func:`execute_once` and :class:`~workbench.runner._cache.CallCache`).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue as queue_mod
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from workbench.runner._cache import CACHED_FIELDS, CallCache, is_secret_param
from workbench.runner._call import call_model, import_litellm
from workbench.runner._retry import RetryPolicy
from workbench.runner._spec import Model

#: ``done(index, data, cached)``: the row of call ``index`` is ready; ``cached`` when another
#: process made the call (its row came from the cache).
Done = Callable[[int, dict[str, Any], bool], None]

POLL_S = 0.2  # how often a call another process is making is looked for in the cache


@dataclass(frozen=True)
class Call:
    """One model call to make: where its row goes, and everything that determines it."""

    index: int
    model: Model
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    key: str


class Executor:
    """Makes calls in this process under each model's concurrency limit.

    A success is committed to the cache (which frees its lease); a failure frees its lease, so a
    process waiting for that key takes the call over. litellm is imported on the first call.
    """

    def __init__(
        self, cache: CallCache, policy: RetryPolicy, stream: bool, jitter_seed: int, done: Done
    ) -> None:
        self.cache = cache
        self.policy = policy
        self.stream = stream
        self.done = done
        self.jitter_seed = jitter_seed
        self._rng = random.Random(jitter_seed)
        self._limits: dict[str, asyncio.Semaphore] = {}
        self._litellm: Any = None

    async def run(self, calls: list[Call]) -> None:
        if not calls:
            return
        if self._litellm is None:
            self._litellm = import_litellm()
        if any(c.model.is_local for c in calls):
            from workbench.runner._local import ensure_local_provider

            ensure_local_provider()
        await gather_or_cancel([self._one(c) for c in calls])

    async def _one(self, call: Call) -> None:
        secrets = [str(v) for k, v in call.params.items() if is_secret_param(k) and isinstance(v, str)]
        limit = self._limits.setdefault(call.model.label, asyncio.Semaphore(call.model.limit))
        async with limit:
            outcome = await call_model(
                self._litellm,
                call.model,
                call.messages,
                call.params,
                self.policy,
                self.stream,
                self._rng,
                secrets,
            )
        data = outcome.as_dict()
        if outcome.error_type is None:
            self.cache.put(call.key, data, data["started_at"])
        else:
            self.cache.release([call.key])
        self.done(call.index, data, False)


async def gather_or_cancel(aws: Iterable[Awaitable[Any]]) -> None:
    """Await all; if one fails (or this is cancelled), cancel the others, wait for them, re-raise."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def execute_once(
    calls: list[Call],
    cache: CallCache,
    policy: RetryPolicy,
    stream: bool,
    jitter_seed: int,
    done: Done,
    workers: int = 1,
) -> None:
    """Make the calls, each once across processes: a call another live process is making is awaited.

    The calls are claimed in the cache (:meth:`CallCache.claim`); this process makes the ones it
    leases and polls the cache for the others' rows, taking a call over when its lease is freed
    (the other process's call failed) or lapses (that process died).
    """
    executor = Executor(cache, policy, stream, jitter_seed, done)
    with cache.renewing():
        claim = cache.claim(c.key for c in calls)
        theirs: dict[str, list[Call]] = {}
        mine = []
        for c in calls:
            if c.key in claim.rows:
                done(c.index, dict(zip(CACHED_FIELDS, claim.rows[c.key], strict=True)), True)
            elif c.key in claim.mine:
                mine.append(c)
            else:
                theirs.setdefault(c.key, []).append(c)
        await gather_or_cancel([execute_parallel(mine, executor, workers), _await_others(theirs, executor)])


async def _await_others(pending: dict[str, list[Call]], executor: Executor) -> None:
    """Deliver the rows other processes make for ``pending``; make the calls they give up."""
    taken: list[asyncio.Future[None]] = []
    try:
        while pending:
            await asyncio.sleep(POLL_S)
            claim = executor.cache.claim(list(pending))
            for key, row in claim.rows.items():
                for c in pending.pop(key):
                    executor.done(c.index, dict(zip(CACHED_FIELDS, row, strict=True)), True)
            mine = [c for key in claim.mine for c in pending.pop(key)]
            if mine:
                taken.append(asyncio.ensure_future(executor.run(mine)))
        await gather_or_cancel(taken)
    except BaseException:
        for t in taken:
            t.cancel()
        await asyncio.gather(*taken, return_exceptions=True)
        raise


def _share(model: Model, workers: int) -> Model:
    """The model with its concurrency limit split between the processes."""
    per = max(1, -(-model.limit // workers))
    return Model(model.model, name=model.name, params=dict(model.params), concurrency=per)


def _picklable(call: Call) -> tuple[Any, ...]:
    m = call.model
    return (
        call.index,
        (m.model, m.name, dict(m.params), m.concurrency),
        call.messages,
        call.params,
        call.key,
    )


def _worker(
    payload: list[tuple[Any, ...]],
    cache_path: str,
    owner: str,
    policy: RetryPolicy,
    stream: bool,
    jitter_seed: int,
    out: Any,
) -> None:
    """Entry point of a worker process: make its shard's calls (leased by ``owner``), report each row, then ``None``."""
    calls = [
        Call(i, Model(m[0], name=m[1], params=m[2], concurrency=m[3]), msgs, params, key)
        for i, m, msgs, params, key in payload
    ]
    cache = CallCache(cache_path, owner=owner)
    try:
        executor = Executor(cache, policy, stream, jitter_seed, lambda i, d, _cached: out.put((i, d)))
        asyncio.run(executor.run(calls))
    finally:
        cache.close()
        out.put(None)


async def execute_parallel(calls: list[Call], executor: Executor, workers: int) -> None:
    """Shard HTTP calls over ``workers`` processes (this one included); local models stay here."""
    remote = [c for c in calls if not c.model.is_local]
    if workers <= 1 or len(remote) < 2 * workers:
        await executor.run(calls)
        return
    local = [c for c in calls if c.model.is_local]
    shared = [Call(c.index, _share(c.model, workers), c.messages, c.params, c.key) for c in remote]
    shards = [shared[i::workers] for i in range(workers)]
    ctx = mp.get_context("spawn")  # fork is unsafe with threads (Jupyter, SQLite, llama.cpp)
    out = ctx.Queue()
    cache, seed = executor.cache, executor.jitter_seed
    procs = [
        ctx.Process(
            target=_worker,
            args=(
                [_picklable(c) for c in shard],
                str(cache.path),
                cache.owner,
                executor.policy,
                executor.stream,
                seed + n + 1,
                out,
            ),
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
                executor.done(item[0], item[1], False)

    try:
        await gather_or_cancel([executor.run(shards[0] + local), drain()])
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join(timeout=5)
