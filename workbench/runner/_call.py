"""One model call through litellm, with timeout, retries, streaming and cost."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from workbench.runner._retry import RetryPolicy, is_retryable, scrub_secrets
from workbench.runner._spec import Model


def import_litellm() -> Any:
    """Import litellm without letting it fetch its price table or print to notebooks."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


_CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "input_callback",
)


def quiet_litellm_context(litellm: Any) -> contextlib.AbstractContextManager[Any]:
    """Skip litellm's own success logging when nobody listens to it.

    After each call litellm builds a standard logging payload and prices the response for its
    callbacks; the runner records latency, tokens and cost itself, so when the user has
    registered no litellm callback that work is wasted CPU (litellm is CPU-bound at high
    concurrency). litellm marks its own nested calls with a context variable that skips exactly
    this; the runner sets it for its calls. With any callback configured (Langfuse, OTel...),
    litellm logs as usual.
    """
    if any(getattr(litellm, name, None) for name in _CALLBACK_LISTS):
        return contextlib.nullcontext()
    try:
        from litellm._internal_context import internal_sub_call
    except ImportError:  # another litellm version: keep its logging
        return contextlib.nullcontext()
    return internal_sub_call()


@dataclass
class CallOutcome:
    output: str | None = None
    latency_s: float | None = None
    ttft_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    error: str | None = None
    attempts: int = 0
    started_at: float = 0.0
    finish_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class EmptyResponse(Exception):
    """The server answered, but with no text (or no choice at all): recorded as an error, never
    as an empty output. Its ``error_type`` in result rows is ``"EmptyResponse"``."""


def _no_choices(resp: Any) -> EmptyResponse:
    try:
        body = resp.model_dump_json()
    except Exception:  # not a pydantic response: show what there is
        body = repr(resp)
    return EmptyResponse(f"the server replied 200 with no choices: {body[:200]}")


@lru_cache(maxsize=256)
def _unit_prices(litellm: Any, model: str) -> tuple[float, float] | None:
    """Per-token (input, output) prices from litellm's cost map, looked up once per model."""
    try:
        p_in, _ = litellm.cost_per_token(model=model, prompt_tokens=1, completion_tokens=0)
        _, p_out = litellm.cost_per_token(model=model, prompt_tokens=0, completion_tokens=1)
        return float(p_in), float(p_out)
    except Exception:  # not in the cost map: the cost is unknown, not zero
        return None


def _cost(litellm: Any, model: Model, usage: tuple[int | None, int | None]) -> float | None:
    if model.is_local:
        return 0.0
    prices = _unit_prices(litellm, model.model)
    if prices is None or usage[0] is None or usage[1] is None:
        return None
    return usage[0] * prices[0] + usage[1] * prices[1]


def _usage(obj: Any) -> tuple[int | None, int | None]:
    usage = getattr(obj, "usage", None)
    if usage is None:
        return None, None
    return getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)


async def _once(
    litellm: Any,
    model: Model,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
    policy: RetryPolicy,
    stream: bool,
    out: CallOutcome,
) -> None:
    t0 = time.perf_counter()
    kwargs = dict(params)
    kwargs.setdefault("timeout", policy.timeout)
    kwargs["num_retries"] = 0  # retries are ours: counted, jittered, honouring Retry-After
    async with asyncio.timeout(policy.timeout):
        with quiet_litellm_context(litellm):
            if stream:
                text, finish, (pt, ct), ttft = await _streamed(litellm, model, messages, kwargs, t0)
            else:
                resp = await litellm.acompletion(model=model.model, messages=messages, **kwargs)
                if not resp.choices:
                    raise _no_choices(resp)
                choice = resp.choices[0]
                text, finish, (pt, ct), ttft = (
                    choice.message.content,
                    choice.finish_reason,
                    _usage(resp),
                    None,
                )
    out.latency_s = time.perf_counter() - t0
    if not text:
        raise EmptyResponse(f"the model returned no text (finish_reason={finish!r})")
    out.output, out.ttft_s, out.finish_reason = text, ttft, finish
    out.prompt_tokens, out.completion_tokens = pt, ct
    out.cost_usd = _cost(litellm, model, (pt, ct))


async def _streamed(
    litellm: Any, model: Model, messages: list[dict[str, Any]], kwargs: dict[str, Any], t0: float
) -> tuple[str, str | None, tuple[int | None, int | None], float | None]:
    """Consume a streamed response; the time to the first content chunk is the TTFT."""
    kwargs.setdefault("stream_options", {"include_usage": True})
    resp = await litellm.acompletion(model=model.model, messages=messages, stream=True, **kwargs)
    parts: list[str] = []
    ttft: float | None = None
    finish: str | None = None
    usage: tuple[int | None, int | None] = (None, None)
    async for chunk in resp:
        if chunk.choices:
            piece = getattr(chunk.choices[0].delta, "content", None)
            if piece:
                if ttft is None:
                    ttft = time.perf_counter() - t0
                parts.append(piece)
            finish = chunk.choices[0].finish_reason or finish
        chunk_usage = _usage(chunk)
        if chunk_usage[0] is not None:
            usage = chunk_usage
    return "".join(parts), finish, usage, ttft


async def call_model(
    litellm: Any,
    model: Model,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
    policy: RetryPolicy,
    stream: bool,
    rng: random.Random,
    secrets: list[str],
) -> CallOutcome:
    """Call a model until it answers or the retries run out; never raises for a model failure."""
    out = CallOutcome(started_at=time.time())
    for attempt in range(1, policy.max_retries + 2):
        out.attempts = attempt
        try:
            await _once(litellm, model, messages, params, policy, stream, out)
            out.error_type = out.error = None
            return out
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a failed call becomes a row, never a crash of the run
            err: BaseException = e
            if isinstance(e, TimeoutError) and not type(e).__module__.startswith("litellm"):
                err = TimeoutError(f"no answer within {policy.timeout:g} s")
            out.error_type = "Timeout" if isinstance(err, TimeoutError) else type(err).__name__
            out.error = scrub_secrets(str(err) or repr(err), secrets)[:2000]
            out.output = None
            if attempt > policy.max_retries or not is_retryable(err):
                return out
            await asyncio.sleep(policy.delay(attempt, err, rng))
    return out
