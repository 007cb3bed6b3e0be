"""One vocabulary: every public function and class of every subpackage uses the same name (and the
same default) for the same statistical parameter, and takes its options by keyword."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import workbench as wb

#: synonym -> the one name used everywhere
SYNONYMS = {
    "ci": "confidence",
    "conf": "confidence",
    "confidence_level": "confidence",
    "level_ci": "confidence",
    "n_boot": "n_resamples",
    "n_bootstrap": "n_resamples",
    "n_bootstraps": "n_resamples",
    "bootstrap": "n_resamples",
    "n_resample": "n_resamples",
    "random_state": "seed",
    "random_seed": "seed",
    "model_a": "a",
    "model_b": "b",
    "candidate": "a",
    "baseline": "b",
}

#: parameters whose default must be the same wherever they appear
SAME_DEFAULT = ("confidence", "seed", "level")

#: data arguments that may be given positionally even when optional (the tables a function reads)
DATA_ARGS = {
    "results",
    "scores",
    "cases",
    "data",
    "labels",
    "human_labels",
    "pairwise",
    "fields",
    "corpus",
    "texts",
    "project",  # a store's one argument: LabelStore(project), like Store(project)
}

#: subpackages whose records keep positional fields (wb.Prompt("support", "{input}"), Model, Rubric,
#: Score, Case read as they should); every other subpackage, including each new one, takes its
#: options by keyword
POSITIONAL_RECORDS = ("runner.", "metrics.", "cases.", "store.", "embed.", "report.")


def _public_callables() -> Iterator[tuple[str, Any]]:
    seen: set[int] = set()
    for sub in wb._SUBPACKAGES:
        module = importlib.import_module(f"workbench.{sub}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isclass(obj):
                if obj.__init__ is not object.__init__:
                    yield f"{sub}.{name}", obj
                for meth_name, meth in vars(obj).items():
                    if not meth_name.startswith("_") and inspect.isfunction(meth):
                        yield f"{sub}.{name}.{meth_name}", meth
            elif callable(obj):
                yield f"{sub}.{name}", obj


def _parameters(obj: Any) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return []


CALLABLES = dict(_public_callables())


def test_the_walk_finds_the_api() -> None:
    assert len(CALLABLES) > 150
    assert {"stats.summarize", "agreement.krippendorff_alpha", "calibration.calibrate"} <= set(CALLABLES)


def test_no_synonyms_for_the_shared_parameters() -> None:
    wrong = [
        f"{where}({p.name}=...) should be {SYNONYMS[p.name]}="
        for where, obj in CALLABLES.items()
        for p in _parameters(obj)
        if p.name in SYNONYMS
    ]
    assert wrong == []


@pytest.mark.parametrize("name", SAME_DEFAULT)
def test_one_default_per_shared_parameter(name: str) -> None:
    defaults: dict[Any, list[str]] = {}
    for where, obj in CALLABLES.items():
        for p in _parameters(obj):
            if p.name == name and p.default is not inspect.Parameter.empty:
                defaults.setdefault(repr(p.default), []).append(where)
    assert len(defaults) == 1, f"{name} has several defaults: {defaults}"


def test_options_of_the_analysis_functions_are_keyword_only() -> None:
    positional_options = []
    for where, obj in CALLABLES.items():
        if where.startswith(POSITIONAL_RECORDS):
            continue
        for p in _parameters(obj):
            if p.name in ("self", "cls") or p.name in DATA_ARGS:
                continue
            if p.default is not inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD:
                positional_options.append(f"{where}({p.name})")
    assert positional_options == []
