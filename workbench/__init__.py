"""workbench: a Jupyter-first workbench for evaluating LLM-powered product features.

>>> import workbench as wb
>>> cases = wb.load_cases("data/support_golden.jsonl")            # doctest: +SKIP
>>> run = wb.run(cases, ["local/smollm2-135m"])                    # doctest: +SKIP
>>> scores = wb.score(run, [wb.exact_match, wb.token_f1])          # doctest: +SKIP
>>> wb.summarize(scores, slices=["intent:billing"])                # doctest: +SKIP

The root namespace holds the core verbs a notebook uses; specialised names live in their
subpackages (``from workbench.calibration import position_bias``), each reachable as an attribute
too (``wb.charts.metric_by_model``). Importing this package is instant: every heavy library
(litellm, llama_cpp, torch, sentence-transformers, scikit-learn, polars) loads the first time a
feature needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: The one list of root exports: module -> the names taken from it, resolved on first attribute
#: access (PEP 562). ``__all__`` and ``__dir__`` are derived from it.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "workbench.cases": ("CaseSet", "load_cases"),
    "workbench.runner": ("Model", "Prompt", "run"),
    "workbench.store": ("Store",),
    "workbench.metrics": (
        "score",
        "scorer",
        "Score",
        "Scores",
        "exact_match",
        "token_f1",
        "contains",
        "regex_match",
        "json_valid",
        "json_schema",
        "semantic_similarity",
        "Rubric",
        "judge",
        "pairwise_judge",
        "groundedness",
    ),
    "workbench.stats": (
        "summarize",
        "compare",
        "win_rate",
        "operational_summary",
        "required_sample_size",
    ),
    "workbench.widgets": ("CaseBrowser", "SliceExplorer", "Annotator"),
    "workbench.cluster": ("Clusterer", "failures"),
    "workbench.labels": ("LabelStore", "queue_sample"),
    "workbench.agreement": ("agreement_table",),
    "workbench.calibration": ("calibrate",),
    "workbench.traffic": ("scan_traffic", "scrub"),
    "workbench.golden": ("dedupe", "sample_for_coverage", "export_golden"),
    "workbench.report": ("enable_offline_charts",),
}

#: Subpackages reachable as attributes (``wb.charts``), imported on first use.
_SUBPACKAGES = (
    "agreement",
    "calibration",
    "cases",
    "charts",
    "cluster",
    "embed",
    "golden",
    "labels",
    "metrics",
    "report",
    "runner",
    "stats",
    "store",
    "traffic",
    "widgets",
)

_LAZY = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(import_module(module), name)
    elif name in _SUBPACKAGES:
        value = import_module(f"workbench.{name}")
    else:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*__all__, *_SUBPACKAGES]
