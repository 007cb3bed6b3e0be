"""workbench: a Jupyter-first workbench for evaluating LLM-powered product features.

>>> import workbench as wb
>>> cases = wb.load_cases("data/support_golden.jsonl")            # doctest: +SKIP
>>> run = wb.run(cases, ["local/smollm2-135m"])                    # doctest: +SKIP

Importing this package is instant: every heavy library (litellm, llama_cpp, torch,
sentence-transformers, scikit-learn) loads the first time a feature needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it; resolved on first attribute access (PEP 562)
_LAZY = {
    "Case": "workbench.cases",
    "CaseSet": "workbench.cases",
    "load_cases": "workbench.cases",
    "Model": "workbench.runner",
    "Prompt": "workbench.runner",
    "Run": "workbench.runner",
    "run": "workbench.runner",
    "arun": "workbench.runner",
    "register_local_model": "workbench.runner",
    "DEFAULT_LOCAL_MODEL": "workbench.runner",
    "Store": "workbench.store",
}

__all__ = sorted([*_LAZY, "__version__"])

if TYPE_CHECKING:
    from workbench.cases import Case, CaseSet, load_cases
    from workbench.runner import DEFAULT_LOCAL_MODEL, Model, Prompt, Run, arun, register_local_model, run
    from workbench.store import Store


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
