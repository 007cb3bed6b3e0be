"""The cases a golden-set builder works on, from whatever holds them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workbench._table import as_table, cases_of
from workbench.cases import Case, CaseSet


def as_cases(cases: Any, func: str, param: str = "cases") -> list[Case]:
    """A list of cases from one :class:`Case`, a CaseSet, a list (or iterator) of cases, a Run or
    Scores that knows its cases, or a cases table (polars or pandas, as ``CaseSet.to_polars()``)."""
    if isinstance(cases, Case):
        return [cases]
    known = cases_of(cases)
    if known is not None:
        return list(known)
    if isinstance(cases, list | tuple | Iterator):
        out = list(cases)
        for i, c in enumerate(out):
            if not isinstance(c, Case):
                raise TypeError(
                    f"{func}(): {param}[{i}] is {type(c).__name__}, expected a Case (use load_cases)"
                )
        return out
    return list(CaseSet.from_polars(as_table(cases, want="cases", param=param, func=func)))
