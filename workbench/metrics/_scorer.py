"""The ``@scorer`` decorator, the :class:`Scorer` it builds, and the :class:`Score` record.

A scorer is a small function of one model output (and, optionally, its :class:`~workbench.cases.Case`
and its result row). The decorator records the function's name and the arguments it is bound with,
so every score row can be traced to exactly what produced it (the ``scorer`` column holds
``{"name": ..., "args": {...}}`` as JSON).
"""

from __future__ import annotations

import inspect
import json
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import polars as pl

#: Parameter names with a fixed meaning; every other parameter is an argument of the scorer.
SPECIAL_PARAMS = ("output", "case", "row")
#: What a column named by a scorer argument must hold (checked before scoring).
COLUMN_KINDS = ("text", "text_or_number", "any")
#: Columns a vectorised function may return.
SCORE_FIELDS = ("value", "passed", "label", "rationale", "error")

_EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class Score:
    """The score of one output.

    Args:
        value: the number (1.0/0.0 for pass/fail scorers); None when the output could not be scored.
        passed: the verdict, for scorers that have one.
        label: a category (a judge's grade, a detected language...).
        rationale: why: the first JSON Schema error, a judge's explanation...
        error: why no value could be given ("no output: Timeout", "ValueError: ..."); never a 0.

    Example:
        >>> Score(value=1.0, passed=True)
        Score(value=1.0, passed=True, label=None, rationale=None, error=None)
    """

    value: float | None = None
    passed: bool | None = None
    label: str | None = None
    rationale: str | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        value = self.value
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"Score.value must be a number or None, got {type(value).__name__} {value!r}")
            object.__setattr__(self, "value", float(value))
        if self.passed is not None:
            if not isinstance(self.passed, bool | np.bool_):
                raise TypeError(f"Score.passed must be a bool or None, got {type(self.passed).__name__}")
            object.__setattr__(self, "passed", bool(self.passed))


def as_score(result: Any) -> Score:
    """Turn what a scorer function returned into a :class:`Score`.

    A bool gives value 1.0/0.0 and ``passed``; a number gives ``value``; a NaN becomes an error
    (a NaN is "could not score", never a number to average).
    """
    if isinstance(result, Score):
        score = result
    elif isinstance(result, bool | np.bool_):
        return Score(value=1.0 if result else 0.0, passed=bool(result))
    elif isinstance(result, numbers.Real):
        score = Score(value=float(result))
    else:
        return Score(
            error=f"TypeError: scorer returned {type(result).__name__} {result!r:.60}; "
            "expected a bool, a number or a Score"
        )
    if score.value is not None and math.isnan(score.value):
        return Score(label=score.label, rationale=score.rationale, error=score.error or "scorer returned NaN")
    return score


def error_score(exc: BaseException) -> Score:
    """The score of a row whose scorer raised: the exception's type and message, no value."""
    return Score(error=f"{type(exc).__name__}: {exc}")


class Scorer:
    """A scorer function bound to its arguments; build one with :func:`scorer`.

    Calling a scorer with keyword arguments returns a new scorer with those arguments bound (the
    original is unchanged); ``metric=`` renames the metric it produces. To score a single output in
    a notebook cell, use :meth:`score_one`.

    Attributes:
        name: the function's name (or the name given to the decorator).
        metric: the metric name written in the ``metric`` column (default: ``name``).
        args: every argument's value, defaults included.
        spec: ``{"name": ..., "args": {...}}`` as JSON: the ``scorer`` column of each score row.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str,
        vectorized: Callable[..., pl.DataFrame] | None = None,
        columns: Iterable[str] | Mapping[str, str] | None = None,
        validate: Callable[..., None] | None = None,
        args: Mapping[str, Any] | None = None,
        metric: str | None = None,
    ) -> None:
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())
        if not params or params[0].name != "output":
            raise TypeError(
                f"@scorer {name}: the first parameter must be named 'output' (the model's output text), "
                f"got ({', '.join(p.name for p in params)})"
            )
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"@scorer {name}: *args/**kwargs are not supported; name each argument")
            if p.name == "metric":
                raise TypeError(f"@scorer {name}: 'metric' is reserved (it renames the metric); rename it")
        self.fn = fn
        self.name = name
        self.vectorized = vectorized
        self.validate = validate
        self.takes_case = "case" in sig.parameters
        self.takes_row = "row" in sig.parameters
        arg_params = [p for p in params if p.name not in SPECIAL_PARAMS]
        self.params = tuple(p.name for p in arg_params)
        self.positional = tuple(p.name for p in arg_params if p.kind == p.POSITIONAL_OR_KEYWORD)
        self.defaults = {p.name: p.default for p in arg_params if p.default is not _EMPTY}
        # None: not declared, so the scorer may read any column (all case columns are joined)
        self.declared_columns = columns is not None
        if columns is None:
            columns = ()
        kinds = dict(columns) if isinstance(columns, Mapping) else dict.fromkeys(columns, "any")
        for arg, kind in kinds.items():
            if arg not in self.params:
                raise TypeError(f"@scorer {name}: columns names {arg!r}, which is not an argument")
            if kind not in COLUMN_KINDS:
                raise ValueError(
                    f"@scorer {name}: column kind {kind!r} for {arg!r}; expected one of {COLUMN_KINDS}"
                )
        self.column_kinds = kinds
        self._args = {**self.defaults, **dict(args or {})}
        self.metric = metric or name
        if not isinstance(self.metric, str) or not self.metric:
            raise ValueError(f"{name}: metric must be a non-empty string, got {self.metric!r}")
        # `wb.exact_match?` and help() show the scorer's own docs; the signature shown is that of
        # calling the scorer (binding its arguments), with the values bound so far as defaults.
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.__module__ = getattr(fn, "__module__", None) or type(self).__module__
        self.__qualname__ = getattr(fn, "__qualname__", name)
        self.__name__ = name
        self.__signature__ = inspect.Signature(
            [p.replace(kind=p.KEYWORD_ONLY, default=self._args.get(p.name, p.default)) for p in arg_params]
            + [
                inspect.Parameter(
                    "metric", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None"
                )
            ]
        )

    # -- binding ----------------------------------------------------------------------------------

    def __call__(self, *args: Any, metric: str | None = None, **kwargs: Any) -> Scorer:
        """A new scorer with these arguments bound (positional ones fill the arguments before ``*``)."""
        if len(args) > len(self.positional):
            if self.positional:
                expected = (
                    f"at most {len(self.positional)} positional argument(s) ({', '.join(self.positional)})"
                )
            else:
                expected = "arguments by keyword only"
            raise TypeError(
                f"{self.name}() takes {expected}; calling a scorer binds its arguments. "
                f"To score one output use {self.name}.score_one(output, case=..., row=...)"
            )
        bound = dict(zip(self.positional, args, strict=False))
        for key, value in kwargs.items():
            if key not in self.params:
                valid = ", ".join(self.params) or "none"
                raise TypeError(f"{self.name}() got an unexpected argument {key!r}; its arguments: {valid}")
            if key in bound:
                raise TypeError(f"{self.name}() got multiple values for argument {key!r}")
            bound[key] = value
        new = Scorer(
            self.fn,
            name=self.name,
            vectorized=self.vectorized,
            columns=self.column_kinds if self.declared_columns else None,
            validate=self.validate,
            args={**self._args, **bound},
            metric=metric or (self.metric if self.metric != self.name else None),
        )
        if not new.missing_args():
            new.check()
        return new

    @property
    def args(self) -> dict[str, Any]:
        return dict(self._args)

    @property
    def spec(self) -> str:
        return json.dumps(
            {"name": self.name, "args": self._args}, sort_keys=True, ensure_ascii=False, default=repr
        )

    def missing_args(self) -> list[str]:
        return [p for p in self.params if p not in self._args]

    def check(self) -> None:
        """Raise if the scorer cannot run: a required argument unbound, or invalid arguments."""
        missing = self.missing_args()
        if missing:
            example = ", ".join(f"{m}=..." for m in missing)
            raise TypeError(
                f"{self.name} needs argument(s) {', '.join(map(repr, missing))}; bind them: {self.name}({example})"
            )
        threshold = self._args.get("threshold")
        if "threshold" in self.params and threshold is not None:
            if (
                isinstance(threshold, bool)
                or not isinstance(threshold, numbers.Real)
                or math.isnan(threshold)
            ):
                raise ValueError(f"{self.name}(threshold={threshold!r}): threshold must be a number or None")
        if self.validate is not None:
            self.validate(**self._args)

    def columns(self) -> dict[str, tuple[str, str]]:
        """The columns (of the results or the cases) this scorer reads, as bound: column -> (arg, kind)."""
        cols: dict[str, tuple[str, str]] = {}
        for arg, kind in self.column_kinds.items():
            value = self._args.get(arg)
            if value is None:
                continue
            if not isinstance(value, str):
                raise TypeError(f"{self.name}({arg}={value!r}): a column name (str) is expected")
            cols[value] = (arg, kind)
        return cols

    # -- scoring ----------------------------------------------------------------------------------

    @property
    def threshold(self) -> float | None:
        return self._args.get("threshold") if "threshold" in self.params else None

    def score_one(self, output: str, case: Any = None, row: Mapping[str, Any] | None = None) -> Score:
        """Score one output (exceptions propagate: this is for trying a scorer out).

        Example:
            >>> @scorer
            ... def mentions(output: str, *, word: str = "refund") -> bool:
            ...     return word in output.lower()
            >>> mentions(word="sorry").score_one("Sorry about that")
            Score(value=1.0, passed=True, label=None, rationale=None, error=None)
        """
        self.check()
        kwargs: dict[str, Any] = dict(self._args)
        if self.takes_case:
            kwargs["case"] = case
        if self.takes_row:
            kwargs["row"] = {} if row is None else row
        return self.apply_threshold(as_score(self.fn(output, **kwargs)))

    def apply_threshold(self, score: Score) -> Score:
        t = self.threshold
        if t is None or score.passed is not None or score.value is None:
            return score
        return Score(score.value, score.value >= t, score.label, score.rationale, score.error)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._args.items())
        metric = "" if self.metric == self.name else f", metric={self.metric!r}"
        return f"{self.name}({args}{metric})"


@overload
def scorer(fn: Callable[..., Any], /) -> Scorer: ...


@overload
def scorer(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    vectorized: Callable[..., pl.DataFrame] | None = None,
    columns: Iterable[str] | Mapping[str, str] | None = None,
    validate: Callable[..., None] | None = None,
) -> Callable[[Callable[..., Any]], Scorer]: ...


def scorer(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    vectorized: Callable[..., pl.DataFrame] | None = None,
    columns: Iterable[str] | Mapping[str, str] | None = None,
    validate: Callable[..., None] | None = None,
) -> Scorer | Callable[[Callable[..., Any]], Scorer]:
    """Make a function a scorer: ``fn(output, [case], [row], *, arg=default, ...)``.

    The function gets the model's output text and, if it has parameters of those names, the
    :class:`~workbench.cases.Case` and the result row (a dict of the result's and the case's
    columns). It returns a bool (pass/fail: value 1.0/0.0), a number, or a :class:`Score`. Other
    parameters are its arguments: give them defaults and bind them by calling the scorer,
    ``mentions(word="sorry")``. A scorer with a ``threshold`` argument sets ``passed`` to
    ``value >= threshold`` when the threshold is not None.

    Args:
        fn: the function (the decorator works with and without parentheses).
        name: the scorer's (and default metric's) name; default the function's name.
        vectorized: optional ``(df, **args) -> DataFrame`` with some of the columns value, passed,
            label, rationale, error and one row per row of ``df`` (which has the ``output`` column,
            never null, and the result's and case's columns). It must give the same scores as the
            row function; :func:`~workbench.metrics.score` uses it for speed.
        columns: arguments whose values are names of columns the scorer reads, e.g. ``("field",)``,
            or a dict ``{"field": "text"}`` that also says what the column must hold ("text",
            "text_or_number" or "any"); a missing or mistyped column is reported before anything is
            scored. A scorer that declares its columns (even ``()``) is given only those case
            columns; one that does not is given all of them.
        validate: ``(**args) -> None`` raising ValueError for invalid arguments, run when they are bound.

    Example:
        >>> @scorer
        ... def mentions_refund(output: str, *, word: str = "refund") -> bool:
        ...     return word in output.lower()
        >>> mentions_refund(word="credit")
        mentions_refund(word='credit')
        >>> mentions_refund.score_one("We will refund you").passed
        True
    """

    def wrap(f: Callable[..., Any]) -> Scorer:
        return Scorer(f, name=name or f.__name__, vectorized=vectorized, columns=columns, validate=validate)

    return wrap if fn is None else wrap(fn)
