"""The one input protocol: every public function that takes a table goes through :func:`as_table`.

A table may be given as a polars DataFrame or LazyFrame, a pandas DataFrame, or a workbench object
that holds one: a ``Run`` (its results), a ``Scores`` (its score rows; its run's results where
results are wanted), a ``CaseSet`` (one row per case) or any result object with a ``.table``
frame. :func:`cases_of` finds the cases an object already knows, so ``cases=`` is optional
wherever a run or its scores are given.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, Literal

import polars as pl

#: What a function wants a table to be; a workbench object is turned into that table.
Want = Literal["any", "results", "scores", "cases"]

_WHAT = {
    "any": "a polars or pandas DataFrame, a Run, a Scores or a CaseSet",
    "results": "a results table (polars or pandas DataFrame) or a Run",
    "scores": "a score table (polars or pandas DataFrame) or a Scores",
    "cases": "a CaseSet or a cases table (polars or pandas DataFrame)",
}


def polars_frame(data: Any) -> pl.DataFrame | None:
    """``data`` as a polars DataFrame when it is a frame: a DataFrame as is, a LazyFrame collected,
    a pandas DataFrame converted (pandas is not imported to tell). None for anything else."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    if type(data).__module__.split(".")[0] == "pandas" and type(data).__name__ == "DataFrame":
        return pl.from_pandas(data)
    return None


def kind_of(data: Any) -> str | None:
    """'run', 'scores' or 'cases' for workbench's own objects, without importing their modules:
    an object of a class exists only once its module has been imported."""
    for module, cls, kind in (
        ("workbench.runner._result", "Run", "run"),
        ("workbench.metrics._scores", "Scores", "scores"),
        ("workbench.cases._caseset", "CaseSet", "cases"),
    ):
        mod = sys.modules.get(module)
        if mod is not None and isinstance(data, getattr(mod, cls)):
            return kind
    return None


def as_table(
    data: Any,
    *,
    want: Want = "any",
    param: str = "data",
    func: str | None = None,
    columns: Iterable[str] = (),
    expected: str | None = None,
) -> pl.DataFrame:
    """``data`` as a polars DataFrame, checked for ``columns``.

    Args:
        data: a polars DataFrame or LazyFrame, a pandas DataFrame, a Run, a Scores, a CaseSet or a
            result object with a ``.table`` frame.
        want: which table a workbench object stands for: a Run gives its results and a Scores its
            score rows (or, with ``want="results"``, the results of the run it scored); a CaseSet
            gives one row per case.
        param, func: the parameter and function named in errors.
        columns: columns the table must have.
        expected: what the table should be, in the user's words, for the error message.

    Raises:
        TypeError: ``data`` is none of the accepted things (or a workbench object that does not
            hold the wanted table).
        ValueError: a required column is missing; the message names every missing column, what
            was expected and the columns there are.
    """
    where = f"{func}: {param}" if func else param
    frame = polars_frame(data)
    if frame is None:
        frame = _unwrap(data, want, where)
    require_columns(frame, columns, param=param, func=func, expected=expected)
    return frame


def _unwrap(data: Any, want: Want, where: str) -> pl.DataFrame:
    kind = kind_of(data)
    if kind == "run":
        if want in ("any", "results"):
            return data.results
        if want == "cases" and data.cases is not None:
            return data.cases.to_polars()
        raise TypeError(
            f"{where} must be {_WHAT[want]}; got a Run, which has results only: "
            + ("score it first (wb.score(run, [...]))" if want == "scores" else "pass its cases")
        )
    if kind == "scores":
        if want in ("any", "scores"):
            return data.table
        source = data.run if want == "results" else data.cases
        if source is not None:
            return as_table(source, want=want)
        raise TypeError(
            f"{where} must be {_WHAT[want]}; got a Scores that does not know its "
            + ("run (it was scored from a bare table): pass the run" if want == "results" else "cases")
        )
    if kind == "cases":
        if want in ("any", "cases"):
            return data.to_polars()
        raise TypeError(f"{where} must be {_WHAT[want]}; got a CaseSet, which has no {want}")
    table = getattr(data, "table", None)
    if isinstance(table, pl.DataFrame) and not callable(table):
        return table
    raise TypeError(f"{where} must be {_WHAT[want]}, got {type(data).__name__}")


def require_columns(
    frame: pl.DataFrame,
    columns: Iterable[str],
    *,
    param: str = "data",
    func: str | None = None,
    expected: str | None = None,
    named_by: str | None = None,
) -> None:
    """Raise a ValueError naming every missing column, what was expected and the columns there are.

    ``named_by`` is the parameter that named the columns (``by``, ``metric=``...) when it is not
    ``param`` itself: the message then starts with it.
    """
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return
    where = ": ".join(x for x in (func, named_by) if x) + (": " if func or named_by else "") + param
    what = f"; expected {expected}" if expected else ""
    raise ValueError(
        f"{where} has no column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)}{what}. "
        f"Columns present: {', '.join(frame.columns) or '(none)'}"
    )


def cases_of(*sources: Any, cases: Any = None) -> Any:
    """The cases to use: ``cases`` when given, else the first the sources know (a CaseSet itself,
    a Run's cases, a Scores' cases or its run's), else None."""
    if cases is not None:
        return cases
    for source in sources:
        kind = kind_of(source)
        if kind == "cases":
            return source
        if kind in ("run", "scores"):
            found = getattr(source, "cases", None)
            if found is None and kind == "scores" and source.run is not None:
                found = source.run.cases
            if found is not None:
                return found
    return None


def run_of(*sources: Any) -> Any:
    """The Run among the sources, or the run a Scores was made from, or None."""
    for source in sources:
        kind = kind_of(source)
        if kind == "run":
            return source
        if kind == "scores" and source.run is not None:
            return source.run
    return None
