"""Notebook widgets: a case browser, a slice explorer and an annotator for human labels.

>>> from workbench.widgets import CaseBrowser, SliceExplorer              # doctest: +SKIP
>>> browser = CaseBrowser(run, scores)        # the run's cases and outputs, the scores   # doctest: +SKIP
>>> SliceExplorer(scores, metric="exact").link(browser)   # sliced by the cases' tags    # doctest: +SKIP
>>> Annotator(queue, run, rubric=helpful, rater="ana")                    # doctest: +SKIP

Every table is read by ``workbench._table.as_table``: a polars DataFrame or LazyFrame, a pandas
DataFrame, a Run (its cases and results) or a Scores (its cases and the run it scored).

The widgets need ``anywidget`` and ``ipywidgets`` (``pip install 'workbench[notebook]'``), which
load when a widget class is first used, so importing this package stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from workbench.widgets._diff import word_diff

_LAZY = {
    "Annotator": "workbench.widgets._annotator",
    "CaseBrowser": "workbench.widgets._browser",
    "SliceExplorer": "workbench.widgets._explorer",
}

__all__ = ["Annotator", "CaseBrowser", "SliceExplorer", "word_diff"]

if TYPE_CHECKING:
    from workbench.widgets._annotator import Annotator
    from workbench.widgets._browser import CaseBrowser
    from workbench.widgets._explorer import SliceExplorer


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'workbench.widgets' has no attribute {name!r}")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name in ("anywidget", "ipywidgets", "traitlets"):
            raise ImportError(
                f"workbench.widgets.{name} needs {e.name}, which is not installed: "
                "pip install 'workbench[notebook]'"
            ) from e
        raise
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
