"""Running GGUF models in-process with llama.cpp: loading, generating and streaming.

The engine behind the ``local`` litellm provider of ``workbench.runner._local``, whose
``registry`` owns the model names and the loaded models: this module asks it for both. Each model is loaded once per process and gets
its own worker thread; generations on it are serialised (llama.cpp is not thread-safe) and each
starts from an empty KV cache, so an output depends only on the messages and parameters.

``llama_cpp`` and ``litellm`` are imported on first use, not by importing this module.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from workbench.runner import _local

# OpenAI-style parameters handed to llama's create_chat_completion as they are.
_LLAMA_PARAMS = frozenset(
    "temperature top_p top_k min_p max_tokens seed stop presence_penalty frequency_penalty "
    "repeat_penalty response_format".split()
)
# Parameters that mean nothing for an in-process model.
_IGNORED_PARAMS = frozenset({"stream", "stream_options", "user", "max_retries"})
_CONTEXT_ERROR = re.compile(r"Requested tokens \((\d+)\) exceed context window of (\d+)")
_CTX_PAD = 256  # llama.cpp rounds n_ctx up to a multiple of this


def padded_n_ctx(n_tokens: int) -> int:
    """``n_tokens`` rounded up to a context window size llama.cpp does not pad further.

    llama.cpp pads n_ctx but llama-cpp-python sizes its token buffer by the unpadded value, so a
    prompt between the two crashes with a numpy broadcast error: registered models ask for the
    padded size up front (and ``_load`` re-creates a model whose real window still differs).
    """
    return -(-n_tokens // _CTX_PAD) * _CTX_PAD


@dataclass
class Loaded:
    """A loaded model, its generation lock and the single thread async calls run on."""

    llama: Any
    n_ctx: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-local")
    )


def _load(name: str, spec: _local.Spec) -> Loaded:
    if not spec.path.is_file():
        raise _local.LocalModelFileError(f"GGUF file for local model {name!r} not found: {spec.path}")

    def make(n_ctx: int) -> Any:
        return _llama_class()(
            model_path=str(spec.path),
            n_ctx=n_ctx,
            n_threads=spec.n_threads,
            chat_format=spec.chat_format,
            verbose=False,  # also makes llama-cpp-python silence llama.cpp's load log on the C stderr
            **spec.llama_kwargs,
        )

    llama = make(spec.n_ctx)
    if llama.n_ctx() != spec.n_ctx:  # padded otherwise than expected: size the buffers to the real window
        real = llama.n_ctx()
        llama.close()
        llama = make(real)
    return Loaded(llama=llama, n_ctx=llama.n_ctx())


_llama_cls: Any = None


def _llama_class() -> Any:
    """``llama_cpp.Llama`` extended to count the tokens of streamed generations."""
    global _llama_cls
    if _llama_cls is not None:
        return _llama_cls
    try:
        import llama_cpp
    except ImportError as e:
        raise ModuleNotFoundError(
            f"local models need llama-cpp-python; install it with: {_local.INSTALL_HINT}"
        ) from e

    is_eog = getattr(llama_cpp, "llama_vocab_is_eog", None)

    class CountingLlama(llama_cpp.Llama):  # type: ignore[misc, name-defined]
        # llama's stream chunks carry no usage; generate() sees the prompt tokens and every sampled one.
        wb_prompt_tokens = 0
        wb_sampled: list[int] = []

        def generate(self, tokens: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            self.wb_prompt_tokens = len(tokens)
            self.wb_sampled = sampled = []
            for token in super().generate(tokens, *args, **kwargs):
                sampled.append(token)
                yield token

        def wb_usage(self) -> dict[str, int]:
            # llama stops on an end-of-generation token without counting it; anything else is counted
            done = self.wb_sampled and (
                is_eog(self._model.vocab, self.wb_sampled[-1])
                if is_eog
                else self.wb_sampled[-1] == self.token_eos()
            )
            completion = len(self.wb_sampled) - (1 if done else 0)
            return {
                "prompt_tokens": self.wb_prompt_tokens,
                "completion_tokens": completion,
                "total_tokens": self.wb_prompt_tokens + completion,
            }

    _llama_cls = CountingLlama
    return _llama_cls


def _generation_kwargs(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Map litellm's optional_params to create_chat_completion arguments, refusing unknown ones."""
    out: dict[str, Any] = {"max_tokens": _local.DEFAULT_MAX_TOKENS}
    unknown = []
    for key, value in params.items():
        if value is None or key in _IGNORED_PARAMS:
            continue
        if key in _LLAMA_PARAMS:
            out[key] = value
        elif key == "max_completion_tokens":
            out["max_tokens"] = value
        elif key == "n" and value == 1:
            continue
        else:
            unknown.append(key)
    if unknown and not _local.import_litellm().drop_params:
        raise _local.LocalModelRequestError(
            f"local model {name!r} does not support the parameter(s) {sorted(unknown)}; supported: "
            f"{sorted(_LLAMA_PARAMS | {'max_completion_tokens'})} (or set litellm.drop_params = True to ignore them)"
        )
    return out


def _text_messages(name: str, messages: list[Any]) -> list[dict[str, str]]:
    """Chat messages with string content (litellm may hand over content as a list of parts)."""
    out = []
    for i, message in enumerate(messages):
        content = message.get("content")
        if isinstance(content, list):
            if any(part.get("type") != "text" for part in content):
                raise _local.LocalModelRequestError(
                    f"local model {name!r}: message {i} has non-text content; only text works"
                )
            content = "".join(part["text"] for part in content)
        out.append({"role": message["role"], "content": "" if content is None else str(content)})
    return out


def _context_error(name: str, loaded: Loaded, gen: dict[str, Any], error: ValueError) -> ValueError:
    match = _CONTEXT_ERROR.search(str(error))
    if match is None:
        return error
    need = padded_n_ctx(int(match[1]) + int(gen.get("max_tokens") or 0))
    return _local.LocalModelRequestError(
        f"local model {name!r}: the prompt is {match[1]} tokens, which does not fit its context window "
        f"n_ctx={loaded.n_ctx}; shorten the prompt or register the model with a larger n_ctx, e.g. "
        f"register_local_model({name!r}, path, n_ctx={need})"
    )


def complete(name: str, loaded: Loaded, messages: list[dict[str, str]], gen: dict[str, Any]) -> Any:
    """One non-streaming generation; returns a litellm ModelResponse."""
    with loaded.lock:
        loaded.llama.reset()  # no KV-cache reuse: the output must not depend on earlier calls
        try:
            out = loaded.llama.create_chat_completion(messages=messages, **gen)
        except ValueError as e:
            raise _context_error(name, loaded, gen, e) from e
    litellm = _local.import_litellm()
    choice = out["choices"][0]
    return litellm.ModelResponse(
        id=out["id"],
        created=out["created"],
        model=f"{_local.PROVIDER}/{name}",
        choices=[
            {
                "index": 0,
                "finish_reason": choice["finish_reason"],
                "message": {"role": "assistant", "content": choice["message"]["content"]},
            }
        ],
        usage=litellm.Usage(**out["usage"]),
    )


def _chunk(text: str, finish_reason: str = "", usage: dict[str, int] | None = None) -> dict[str, Any]:
    """A litellm GenericStreamingChunk."""
    return {
        "text": text,
        "tool_use": None,
        "is_finished": bool(finish_reason),
        "finish_reason": finish_reason,
        "usage": usage,
        "index": 0,
    }


def _stream(
    name: str,
    loaded: Loaded,
    messages: list[dict[str, str]],
    gen: dict[str, Any],
    cancel: threading.Event | None = None,
) -> Iterator[dict[str, Any]]:
    """One streaming generation under the model's lock (run it on the model's thread)."""
    with loaded.lock:
        llama = loaded.llama
        llama.reset()
        stream = llama.create_chat_completion(messages=messages, stream=True, **gen)
        finish = "stop"
        try:
            for part in stream:
                choice = part["choices"][0]
                finish = choice.get("finish_reason") or finish
                text = choice["delta"].get("content")
                if text:
                    yield _chunk(text)
                if cancel is not None and cancel.is_set():
                    return
        except ValueError as e:
            raise _context_error(name, loaded, gen, e) from e
        finally:
            stream.close()
        yield _chunk("", finish, llama.wb_usage())


def _start_stream(
    name: str,
    loaded: Loaded,
    messages: list[dict[str, str]],
    gen: dict[str, Any],
    emit: Callable[[bool, Any], None],
    cancel: threading.Event,
) -> None:
    """Stream on the model's own thread, handing ``emit`` (True, chunk)... then (False, None) or (False, error).

    The model's lock is held by that thread, never by the consumer: a stream a notebook leaves half-read
    (still referenced by ``Out[]``) finishes in the background instead of blocking the next call.
    """

    def work() -> None:
        try:
            for chunk in _stream(name, loaded, messages, gen, cancel):
                emit(True, chunk)
        except BaseException as e:  # handed to the consumer, which re-raises it
            emit(False, e)
        else:
            emit(False, None)

    loaded.executor.submit(work)


def sync_stream(
    name: str, loaded: Loaded, messages: list[dict[str, str]], gen: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    chunks: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
    cancel = threading.Event()
    _start_stream(name, loaded, messages, gen, lambda ok, item: chunks.put((ok, item)), cancel)
    return _drain(chunks, cancel)


def _drain(chunks: queue.SimpleQueue[tuple[bool, Any]], cancel: threading.Event) -> Iterator[dict[str, Any]]:
    try:
        while True:
            ok, item = chunks.get()
            if ok:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        cancel.set()  # the consumer stopped early: stop generating


def prepare(
    model: str, messages: list[Any], kwargs: dict[str, Any]
) -> tuple[Loaded, list[dict[str, str]], dict[str, Any]]:
    gen = _generation_kwargs(model, kwargs.get("optional_params") or {})
    msgs = _text_messages(model, messages)
    return _local.registry.loaded(model, _load), msgs, gen


async def aprepare(
    model: str, messages: list[Any], kwargs: dict[str, Any]
) -> tuple[Loaded, list[dict[str, str]], dict[str, Any]]:
    if _local.registry.is_loaded(model):  # no thread hop needed
        return prepare(model, messages, kwargs)
    return await asyncio.to_thread(prepare, model, messages, kwargs)  # loading takes a while


async def astream(model: str, messages: list[Any], kwargs: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    loaded, msgs, gen = await aprepare(model, messages, kwargs)
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
    cancel = threading.Event()

    def emit(ok: bool, item: Any) -> None:
        try:
            loop.call_soon_threadsafe(chunks.put_nowait, (ok, item))
        except RuntimeError:  # the event loop is gone: stop generating
            cancel.set()

    _start_stream(model, loaded, msgs, gen, emit, cancel)
    try:
        while True:
            ok, item = await chunks.get()
            if ok:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        cancel.set()  # the consumer stopped early (or the task was cancelled): free the model
