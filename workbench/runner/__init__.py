"""Running models and prompt variants over case sets: runner, cache, retries, local model."""

from workbench.runner._cache import CallCache, cache_key
from workbench.runner._complete import acomplete, complete
from workbench.runner._result import Run
from workbench.runner._retry import RetryPolicy
from workbench.runner._runner import arun, run
from workbench.runner._spec import Model, Prompt

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "CallCache",
    "Model",
    "Prompt",
    "RetryPolicy",
    "Run",
    "acomplete",
    "arun",
    "complete",
    "cache_key",
    "register_local_model",
    "run",
]


def __getattr__(name: str):  # the local provider module is only needed when used
    if name in ("DEFAULT_LOCAL_MODEL", "register_local_model"):
        from workbench.runner import _local

        return getattr(_local, name)
    raise AttributeError(f"module 'workbench.runner' has no attribute {name!r}")
