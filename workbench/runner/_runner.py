"""The runner: models x prompt variants x samples over a case set, through litellm's async API."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench._schema import RESULT_COLUMNS, polars_schema
from workbench.runner._cache import (
    CACHED_FIELDS,
    CallCache,
    call_prefix,
    key_from_parts,
    messages_blob,
)
from workbench.runner._execute import Call, execute_once
from workbench.runner._loop import run_in_thread
from workbench.runner._result import Run
from workbench.runner._retry import RetryPolicy
from workbench.runner._spec import Model, Prompt, spec_fingerprint

ModelLike = str | Model
PromptLike = str | Prompt


@dataclass(frozen=True)
class _Job:
    index: int
    case_id: str
    model: Model
    prompt: Prompt
    sample: int
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    key: str


def _as_models(models: ModelLike | Iterable[ModelLike]) -> list[Model]:
    items = [models] if isinstance(models, (str, Model)) else list(models)
    out = [m if isinstance(m, Model) else Model(m) for m in items]
    if not out:
        raise ValueError("run() needs at least one model")
    seen: dict[str, int] = {}
    for m in out:
        seen[m.label] = seen.get(m.label, 0) + 1
    dupes = [k for k, v in seen.items() if v > 1]
    if dupes:
        raise ValueError(
            f"model names must be unique within a run; repeated: {', '.join(dupes)} "
            "(give parameter variants a name, e.g. Model('local/smollm2-135m', name='smol-t07', ...))"
        )
    return out


def _as_prompts(prompts: PromptLike | Iterable[PromptLike] | None) -> list[Prompt]:
    if prompts is None:
        return [Prompt()]
    items = [prompts] if isinstance(prompts, (str, Prompt)) else list(prompts)
    out = [p if isinstance(p, Prompt) else Prompt(name=f"prompt{i}", template=p) for i, p in enumerate(items)]
    names = [p.name for p in out]
    if len(set(names)) != len(names):
        raise ValueError(f"prompt variant names must be unique within a run, got {names}")
    return out


def _case_values(case: Any) -> dict[str, Any]:
    ctx = case.context
    values: dict[str, Any] = dict(case.metadata or {})
    values["input"] = case.input if isinstance(case.input, str) else ""
    values["context"] = "\n\n".join(ctx) if ctx else ""
    values["id"] = case.id
    return values


def _build_jobs(cases: Any, models: list[Model], prompts: list[Prompt], samples: int) -> list[_Job]:
    # Hashing is the replay path's main cost: share the model/params part of each key and the
    # messages' JSON across models and samples instead of re-serialising them per call.
    setups = []
    for model in models:
        for prompt in prompts:
            base = {**model.params, **prompt.params}
            per_sample = []
            for s in range(samples):
                params = dict(base)
                if model.is_local and "seed" not in params:
                    params["seed"] = 0  # llama.cpp otherwise chains seeds: outputs would depend on call order
                if samples > 1 and isinstance(params.get("seed"), int):
                    params["seed"] = params["seed"] + s  # one reproducible stream per sample
                per_sample.append((params, call_prefix(model.model, params)))
            setups.append((model, prompt, per_sample))
    jobs: list[_Job] = []
    for case in cases:
        values = _case_values(case)
        chat = None if isinstance(case.input, str) else [dict(m) for m in case.input]
        rendered: dict[str, tuple[list[dict[str, Any]], str]] = {}
        for model, prompt, per_sample in setups:
            if prompt.name not in rendered:
                try:
                    messages = prompt.render(values, chat)
                except KeyError as e:
                    raise KeyError(f"case {case.id!r}: {e.args[0]}") from None
                rendered[prompt.name] = (messages, messages_blob(messages))
            messages, blob = rendered[prompt.name]
            for s, (params, prefix) in enumerate(per_sample):
                key = key_from_parts(prefix, blob, s)
                jobs.append(_Job(len(jobs), case.id, model, prompt, s, messages, params, key))
    return jobs


def _run_id(case_version: str, models: list[Model], prompts: list[Prompt], samples: int) -> str:
    blob = spec_fingerprint(
        {
            "cases": case_version,
            "models": [m.describe() | {"concurrency": None} for m in models],
            "prompts": [p.describe() for p in prompts],
            "samples": samples,
        }
    )
    return "run-" + hashlib.sha256(blob.encode()).hexdigest()[:12]


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _row(job: _Job, run_id: str, data: dict[str, Any], cached: bool) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "case_id": job.case_id,
        "model": job.model.label,
        "variant": job.prompt.name,
        "sample": job.sample,
        "output": data.get("output"),
        "latency_s": data.get("latency_s"),
        "ttft_s": data.get("ttft_s"),
        "prompt_tokens": data.get("prompt_tokens"),
        "completion_tokens": data.get("completion_tokens"),
        "cost_usd": data.get("cost_usd"),
        "error_type": data.get("error_type"),
        "error": data.get("error"),
        "attempts": data.get("attempts", 1),
        "cached": cached,
        "started_at": data.get("started_at"),
        "litellm_model": job.model.model,
        "finish_reason": data.get("finish_reason"),
        "cache_key": job.key,
    }


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = polars_schema(RESULT_COLUMNS)
    raw = {**schema, "started_at": pl.Float64}
    df = pl.DataFrame(rows, schema=raw, orient="row" if rows and not isinstance(rows[0], dict) else None)
    return df.with_columns((pl.col("started_at") * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us", "UTC")))


def _progress(total: int, initial: int, enabled: bool, desc: str) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit="call", dynamic_ncols=True)


async def arun(
    cases: Any,
    models: ModelLike | Iterable[ModelLike],
    prompts: PromptLike | Iterable[PromptLike] | None = None,
    *,
    samples: int = 1,
    name: str | None = None,
    project: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    max_retries: int = 4,
    backoff: float = 0.5,
    stream: bool = False,
    progress: bool = True,
    jitter_seed: int = 0,
    workers: int = 1,
) -> Run:
    """Async version of :func:`run` (for code already inside an event loop); same parameters."""
    from workbench.cases import CaseSet, load_cases
    from workbench.store._store import Store

    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    case_set = cases if isinstance(cases, CaseSet) else load_cases(cases)
    if len(case_set) == 0:
        raise ValueError("the case set is empty: nothing to run")
    model_list = _as_models(models)
    prompt_list = _as_prompts(prompts)
    policy = RetryPolicy(max_retries=max_retries, base_delay=backoff, timeout=timeout)
    store = Store(project)
    jobs = _build_jobs(case_set, model_list, prompt_list, samples)
    run_id = _run_id(case_set.version, model_list, prompt_list, samples)

    from workbench import __version__

    manifest: dict[str, Any] = {
        "run_id": run_id,
        "name": name,
        "status": "running",
        "created_at": _now_iso(),
        "finished_at": None,
        "workbench_version": __version__,
        "case_set_version": case_set.version,
        "n_cases": len(case_set),
        "models": [m.describe() for m in model_list],
        "prompts": [p.describe() for p in prompt_list],
        "samples": samples,
        "retry": {"max_retries": policy.max_retries, "timeout_s": policy.timeout},
        "stream": stream,
        "jitter_seed": jitter_seed,
        "workers": workers,
    }
    try:  # keep the first creation time when a run is resumed
        manifest["created_at"] = store.manifest(run_id).get("created_at") or manifest["created_at"]
    except KeyError:
        pass
    # Held until the final status is written: while it is, the store reports the run as running;
    # if this process dies, the kernel drops it and the store reports the run as interrupted.
    with store.lock_run(run_id):
        store.write_manifest(run_id, manifest)
        store.write_cases(run_id, case_set)
        try:
            rows = await _call_jobs(
                jobs, run_id, store.cache_path, policy, stream, jitter_seed, progress, workers
            )
        except BaseException:
            manifest.update(status="interrupted", finished_at=_now_iso())
            store.write_manifest(run_id, manifest)
            raise

        results = _frame(rows)
        store.write_table(run_id, "results", results)
        errors = int(results["error_type"].is_not_null().sum())
        manifest.update(
            status="complete",
            finished_at=_now_iso(),
            n_rows=results.height,
            n_errors=errors,
            n_cached=int(results["cached"].sum()),
        )
        store.write_manifest(run_id, manifest)
    return Run(manifest, results, store=store, cases=case_set)


async def _call_jobs(
    jobs: list[_Job],
    run_id: str,
    cache_path: Any,
    policy: RetryPolicy,
    stream: bool,
    jitter_seed: int,
    progress: bool,
    workers: int = 1,
) -> list[dict[str, Any]]:
    """One row per job, in job order: from the cache where possible, else by calling the model.

    The all-cached path is one read of the cache per 900 keys; leases are taken only when some
    rows are missing.
    """
    cache = CallCache(cache_path)
    try:
        hits = cache.get_rows(j.key for j in jobs)
        rows: list[dict[str, Any] | None] = [None] * len(jobs)
        for job in jobs:
            hit = hits.get(job.key)
            if hit is not None:
                rows[job.index] = _row(job, run_id, dict(zip(CACHED_FIELDS, hit, strict=True)), cached=True)
        todo = [j for j in jobs if rows[j.index] is None]
        bar = _progress(len(jobs), len(jobs) - len(todo), progress and bool(todo), run_id)

        def done(index: int, data: dict[str, Any], cached: bool) -> None:
            rows[index] = _row(jobs[index], run_id, data, cached=cached)
            if bar is not None:
                bar.update(1)

        try:
            if todo:
                calls = [Call(j.index, j.model, j.messages, j.params, j.key) for j in todo]
                await execute_once(calls, cache, policy, stream, jitter_seed, done, workers)
        finally:
            if bar is not None:
                bar.close()
    finally:
        cache.close()
    return [r for r in rows if r is not None]


def run(
    cases: Any,
    models: ModelLike | Sequence[ModelLike],
    prompts: PromptLike | Sequence[PromptLike] | None = None,
    *,
    samples: int = 1,
    name: str | None = None,
    project: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    max_retries: int = 4,
    backoff: float = 0.5,
    stream: bool = False,
    progress: bool = True,
    jitter_seed: int = 0,
    workers: int = 1,
) -> Run:
    """Run models and prompt variants over a case set; cached, resumable, never losing a row.

    Args:
        cases: a :class:`~workbench.cases.CaseSet` or anything :func:`~workbench.cases.load_cases` takes.
        models: litellm model strings or :class:`Model` objects (``"local/smollm2-135m"`` runs offline).
        prompts: prompt templates or :class:`Prompt` variants (default: the case input as is).
        samples: calls per case, model and variant (for non-deterministic models).
        name: a label for the run.
        project: the project folder whose ``.workbench/`` holds the store and cache.
        timeout: seconds allowed per attempt.
        max_retries: retries on rate limits, 5xx, timeouts and dropped connections.
        backoff: seconds before the first retry, doubled (with jitter) for each further one;
            a server's ``Retry-After`` takes precedence.
        stream: stream responses to measure time to first token.
        progress: show a progress bar.
        jitter_seed: seeds the random jitter of the retry waits (only the waits: a model's own
            sampling ``seed`` is a generation parameter, set in ``Model(params=...)``).
        workers: processes to spread HTTP calls over (litellm costs milliseconds of CPU per call,
            so at high concurrency one process saturates one core); local models stay in this one.

    Returns:
        The :class:`Run`, already saved in the store with its case set. Every (case, model,
        variant, sample) has a row; a failed call is a row with ``error_type`` and ``error`` set
        and ``output`` null.

    Interrupting (KeyboardInterrupt, or killing the kernel) loses no finished call: run the same
    thing again and only the missing rows are called. Two processes running the same run at once
    make each call once (the second waits for the rows the first is making).
    """
    coro = arun(
        cases,
        models,
        prompts,
        samples=samples,
        name=name,
        project=project,
        timeout=timeout,
        max_retries=max_retries,
        backoff=backoff,
        stream=stream,
        progress=progress,
        jitter_seed=jitter_seed,
        workers=workers,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    return run_in_thread(coro)
