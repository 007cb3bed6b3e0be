"""Calling one model on many prompts with the runner's cache, retries and limits."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any

from workbench.runner._cache import call_prefix, key_from_parts, messages_blob
from workbench.runner._loop import run_in_thread
from workbench.runner._retry import RetryPolicy
from workbench.runner._runner import ModelLike, _as_models, _call_jobs, _Job
from workbench.runner._spec import Prompt


async def acomplete(
    model: ModelLike,
    requests: Sequence[str | list[dict[str, Any]]],
    *,
    project: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    max_retries: int = 4,
    backoff: float = 0.5,
    progress: bool = False,
    jitter_seed: int = 0,
    tag: str = "complete",
) -> list[dict[str, Any]]:
    """Call one model on many prompts with the runner's cache, retries and concurrency limit.

    This is the building block for judges and generators that are not runs over a case set.

    Args:
        model: a litellm model string or :class:`Model`.
        requests: each a user message (str) or a list of chat messages.
        project: the project folder whose ``.workbench/`` holds the call cache.
        timeout: seconds allowed per attempt.
        max_retries: retries on rate limits, 5xx, timeouts and dropped connections.
        backoff: seconds before the first retry, doubled (with jitter) for each further one.
        progress: show a progress bar.
        jitter_seed: seeds the random jitter of the retry waits (not the model's sampling ``seed``,
            which is a generation parameter of the :class:`Model`).
        tag: the value of ``run_id`` in the returned rows.

    Returns:
        One dict per request, in order, with the result-row fields (``output``, ``error_type``,
        ``error``, ``latency_s``, tokens, ``cost_usd``, ``attempts``, ``cached``...).
    """
    from workbench.store._store import Store

    (m,) = _as_models(model)
    policy = RetryPolicy(max_retries=max_retries, base_delay=backoff, timeout=timeout)
    prefix = call_prefix(m.model, dict(m.params))
    prompt = Prompt()
    jobs = []
    for i, req in enumerate(requests):
        messages = [{"role": "user", "content": req}] if isinstance(req, str) else [dict(x) for x in req]
        key = key_from_parts(prefix, messages_blob(messages), 0)
        jobs.append(_Job(i, str(i), m, prompt, 0, messages, dict(m.params), key))
    return await _call_jobs(jobs, tag, Store(project).cache_path, policy, False, jitter_seed, progress)


def complete(
    model: ModelLike,
    requests: Sequence[str | list[dict[str, Any]]],
    *,
    project: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    max_retries: int = 4,
    backoff: float = 0.5,
    progress: bool = False,
    jitter_seed: int = 0,
    tag: str = "complete",
) -> list[dict[str, Any]]:
    """Synchronous :func:`acomplete` (safe inside Jupyter's running loop); same parameters."""
    coro = acomplete(
        model,
        requests,
        project=project,
        timeout=timeout,
        max_retries=max_retries,
        backoff=backoff,
        progress=progress,
        jitter_seed=jitter_seed,
        tag=tag,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    return run_in_thread(coro)
