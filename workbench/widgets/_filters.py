"""The case browser's filters (vectorised boolean masks over the joined table) and paging."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any

import polars as pl

from workbench.cases import parse_tag_expr
from workbench.widgets._frame import Joined, passed_col, score_col

#: Cell text is cut to this many characters in the table (the detail view shows it whole).
CELL_CHARS = 200

#: Score filter operators: comparisons need a ``value``; the others do not.
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
VERDICTS = ("failed", "passed", "missing")

FILTER_KINDS = ("tag_expr", "query", "metadata", "score_filter", "case_ids")


class FilterError(ValueError):
    """A filter value the browser cannot apply; the message says which part and what was expected."""


def tag_mask(joined: Joined, expr: str) -> pl.Series | None:
    """Rows whose tags match the tag expression (None for an empty expression: no filter).

    Raises:
        TagExpressionError: the parser's message, with the position of the problem.
    """
    if not isinstance(expr, str):
        raise FilterError(f"tag_expr must be a string, got {type(expr).__name__}")
    if not expr.strip():
        return None
    parsed = parse_tag_expr(expr)
    return joined.tag_sets.select(parsed.to_polars("tags")).to_series().gather(joined.tag_group)


def query_mask(joined: Joined, query: str, previous: tuple[str, pl.Series] | None = None) -> pl.Series | None:
    """Rows whose id, input, reference or an output contains ``query``, ignoring case.

    ``previous`` is the last (lower-cased query, mask): when the new query extends it, only the
    rows it matched are searched (typing a word narrows the search instead of repeating it).
    """
    if not isinstance(query, str):
        raise FilterError(f"query must be a string, got {type(query).__name__}")
    needle = query.strip().lower()
    if not needle:
        return None
    if previous is not None and previous[0] and previous[0] in needle:
        rows = previous[1].arg_true()
        hits = joined.haystack.gather(rows).str.contains(needle, literal=True).fill_null(False)
        mask = pl.repeat(False, joined.haystack.len(), dtype=pl.Boolean, eager=True)
        return mask.scatter(rows.filter(hits), True)
    return joined.haystack.str.contains(needle, literal=True).fill_null(False)


def metadata_mask(joined: Joined, filters: Mapping[str, Any]) -> pl.Series | None:
    """Rows whose metadata equal the given values: ``{column: value or [values]}``.

    ``None`` matches null; an empty list places no constraint on that column (nothing chosen).
    """
    if not isinstance(filters, Mapping):
        raise FilterError(f"metadata must be a dict of column -> value(s), got {type(filters).__name__}")
    frame, exprs = joined.frame, []
    allowed = [*joined.metadata_columns, "is_chat"]
    for col, wanted in filters.items():
        if col not in allowed:
            raise FilterError(f"metadata filter: no column {col!r}; metadata columns: {', '.join(allowed)}")
        values = list(wanted) if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
        if not values:
            continue
        dtype = frame.schema[col]
        if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object):
            raise FilterError(f"metadata filter {col!r}: cannot filter a column of type {dtype} by value")
        present = [_coerce(col, dtype, v) for v in values if v is not None]
        expr = _is_in(col, dtype, present)
        if any(v is None for v in values):
            expr = expr | pl.col(col).is_null()
        exprs.append(expr)
    if not exprs:
        return None
    return frame.select(pl.all_horizontal(exprs).fill_null(False)).to_series()


def _coerce(col: str, dtype: pl.DataType, value: Any) -> Any:
    if dtype == pl.Boolean:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise FilterError(f"metadata filter {col!r}: expected true/false for a boolean column, got {value!r}")
    if dtype.is_numeric():
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            raise FilterError(
                f"metadata filter {col!r}: expected a number for a {dtype} column, got {value!r}"
            ) from None
    if dtype.is_temporal() and not isinstance(dtype, pl.Duration):
        return _temporal(col, dtype, value)
    if isinstance(value, _dt.date | _dt.datetime | _dt.time):
        return value.isoformat()
    return str(value)


def _temporal(col: str, dtype: pl.DataType, value: Any) -> Any:
    """A date/datetime/time from the ISO text the front end sends (facets are sent as ISO text)."""
    if isinstance(value, _dt.date | _dt.time):
        return value
    base = dtype.base_type()
    kind: type[_dt.date] | type[_dt.time] | type[_dt.datetime] = (
        _dt.date if base == pl.Date else _dt.time if base == pl.Time else _dt.datetime
    )
    try:
        return kind.fromisoformat(str(value))
    except ValueError:
        raise FilterError(
            f"metadata filter {col!r}: expected an ISO {kind.__name__} for a {dtype} column, got {value!r}"
        ) from None


def _is_in(col: str, dtype: pl.DataType, values: list[Any]) -> pl.Expr:
    if not values:
        return pl.lit(False)
    if dtype == pl.Boolean or dtype.is_numeric():
        series = pl.Series(values, dtype=pl.Boolean if dtype == pl.Boolean else pl.Float64)
        target = pl.col(col) if dtype == pl.Boolean else pl.col(col).cast(pl.Float64)
        return target.is_in(series.implode())
    if dtype.is_temporal() and not isinstance(dtype, pl.Duration):
        return pl.col(col).is_in(pl.Series(values, dtype=dtype).implode())
    # Strings, categoricals...: compare the text, as the front end sends it.
    return pl.col(col).cast(pl.Utf8).is_in(pl.Series(values, dtype=pl.Utf8).implode())


def score_mask(joined: Joined, spec: Mapping[str, Any]) -> pl.Series | None:
    """Rows whose score passes ``spec``: ``{"metric", "model", "op", "value"}``.

    ``op`` is a comparison (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``, against ``value``) or
    ``failed`` / ``passed`` (the pass verdict) or ``missing`` (no score). ``model`` is a
    ``model/variant`` key or a model name; without it, a case is kept when any model matches.
    A missing score never satisfies a comparison. An empty dict is no filter.
    """
    if not isinstance(spec, Mapping):
        raise FilterError(f"score_filter must be a dict, got {type(spec).__name__}")
    if not spec or not spec.get("metric"):
        return None
    unknown = set(spec) - {"metric", "model", "op", "value"}
    if unknown:
        raise FilterError(
            f"score_filter: unknown field(s) {', '.join(sorted(map(repr, unknown)))}; expected metric, model, op, value"
        )
    metric = spec["metric"]
    if metric not in joined.metrics:
        raise FilterError(
            f"score_filter: no metric {metric!r} in scores; metrics: {', '.join(joined.metrics) or '(no scores given)'}"
        )
    keys = _resolve_model(joined, spec.get("model"))
    op = spec.get("op", "failed")
    if op in COMPARISONS:
        value = spec.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise FilterError(f"score_filter: op {op!r} needs a numeric value, got {value!r}")
        exprs = [_compare(pl.col(score_col(metric, k)), op, float(value)) for k in keys]
    elif op == "failed":
        exprs = [pl.col(passed_col(metric, k)).not_() for k in keys]
    elif op == "passed":
        exprs = [pl.col(passed_col(metric, k)) for k in keys]
    elif op == "missing":
        exprs = [pl.col(score_col(metric, k)).is_null() for k in keys]
    else:
        raise FilterError(
            f"score_filter: unknown op {op!r}; expected one of {', '.join(COMPARISONS + VERDICTS)}"
        )
    return joined.frame.select(pl.any_horizontal([e.fill_null(False) for e in exprs])).to_series()


def case_ids_mask(joined: Joined, case_ids: Any) -> pl.Series | None:
    """Rows whose case id is one of ``case_ids`` (an empty list is no filter).

    Ids that are not in the table match nothing (a selection made elsewhere, e.g. on a cluster map
    of another run, may name cases this browser does not show).
    """
    if isinstance(case_ids, str) or not isinstance(case_ids, list | tuple | set | frozenset):
        raise FilterError(f"case_ids must be a list of case ids, got {type(case_ids).__name__}")
    bad = [c for c in case_ids if not isinstance(c, str | int) or isinstance(c, bool)]
    if bad:
        raise FilterError(f"case_ids: ids must be strings, got {bad[0]!r}")
    if not case_ids:
        return None
    wanted = pl.Series([str(c) for c in case_ids], dtype=pl.Utf8)
    return joined.frame.select(pl.col("case_id").cast(pl.Utf8).is_in(wanted.implode())).to_series()


def _resolve_model(joined: Joined, model: Any) -> list[str]:
    if model in (None, "", "any"):
        return list(joined.keys)
    if model in joined.keys:
        return [model]
    keys = [k for k in joined.keys if joined.key_models.get(k) == model]
    if not keys:
        raise FilterError(
            f"score_filter: no model {model!r}; models (model/variant): {', '.join(joined.keys) or '(none)'}"
        )
    return keys


def _compare(col: pl.Expr, op: str, value: float) -> pl.Expr:
    return {
        "<": col < value,
        "<=": col <= value,
        ">": col > value,
        ">=": col >= value,
        "==": col == value,
        "!=": col != value,
    }[op]


class Filters:
    """The active filters of one browser: one cached mask per kind, combined into row indices.

    Setting one kind recomputes only that kind's mask. A value that cannot be applied raises and
    leaves that kind's previous mask (and so the result) unchanged.
    """

    def __init__(self, joined: Joined) -> None:
        self.joined = joined
        self._masks: dict[str, pl.Series | None] = dict.fromkeys(FILTER_KINDS)
        self._query: tuple[str, pl.Series] | None = None
        self._indices: pl.Series | None = None

    def set(self, kind: str, value: Any) -> None:
        """Apply a new value of one filter kind (raises FilterError or TagExpressionError)."""
        if kind == "tag_expr":
            mask = tag_mask(self.joined, value)
        elif kind == "query":
            mask = query_mask(self.joined, value, self._query)
            self._query = None if mask is None else (value.strip().lower(), mask)
        elif kind == "metadata":
            mask = metadata_mask(self.joined, value)
        elif kind == "score_filter":
            mask = score_mask(self.joined, value)
        elif kind == "case_ids":
            mask = case_ids_mask(self.joined, value)
        else:
            raise ValueError(f"unknown filter kind {kind!r}; expected one of {', '.join(FILTER_KINDS)}")
        self._masks[kind] = mask
        self._indices = None

    def indices(self) -> pl.Series:
        """Row indices (UInt32, in table order) of the rows every active filter keeps."""
        if self._indices is None:
            masks = [m for m in self._masks.values() if m is not None]
            if not masks:
                self._indices = pl.int_range(0, self.joined.frame.height, dtype=pl.UInt32, eager=True)
            else:
                combined = masks[0]
                for m in masks[1:]:
                    combined = combined & m
                self._indices = combined.arg_true()
        return self._indices


def n_pages(n_rows: int, page_size: int) -> int:
    """Pages needed for ``n_rows`` (at least one, empty, page)."""
    return max(1, -(-n_rows // page_size))


def page_indices(indices: pl.Series, page: int, page_size: int) -> pl.Series:
    """The row indices shown on ``page`` (0-based)."""
    return indices.slice(page * page_size, page_size)


def short(value: Any, width: int = CELL_CHARS) -> str:
    """One-line text of at most ``width`` characters (whitespace runs collapsed, ``…`` when cut)."""
    raw = "" if value is None else str(value)
    head = raw[: 4 * width]  # long outputs: collapse only what can be shown
    text = " ".join(head.split())
    cut = len(head) < len(raw)
    if cut and len(text) < width:  # mostly whitespace: look further
        text, cut = " ".join(raw.split()), False
    return text if len(text) <= width and not cut else text[: width - 1] + "…"


def jsonable(value: Any) -> Any:
    """A value the front end can receive as JSON (no NaN/inf, dates as ISO strings)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, _dt.date | _dt.datetime | _dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def table_columns(joined: Joined) -> list[dict[str, str]]:
    """The table's columns for the front end: ``{key, label, kind}`` (+ ``error``/``passed`` keys)."""
    cols = [
        {"key": "case_id", "label": "id", "kind": "id"},
        {"key": "input", "label": "input", "kind": "text"},
        {"key": "reference", "label": "reference", "kind": "text"},
        {"key": "tags", "label": "tags", "kind": "tags"},
    ]
    cols += [{"key": m, "label": m, "kind": "meta"} for m in joined.metadata_columns]
    if joined.results is not None:
        cols += [
            {"key": f"output[{k}]", "label": k, "kind": "output", "error": f"error[{k}]"} for k in joined.keys
        ]
    for m in joined.metrics:
        cols += [
            {"key": score_col(m, k), "label": f"{m} · {k}", "kind": "score", "passed": passed_col(m, k)}
            for k in joined.keys
        ]
    return cols


def page_rows(joined: Joined, rows: pl.Series) -> list[dict[str, Any]]:
    """The table rows at these row indices: small dicts with texts cut to :data:`CELL_CHARS`."""
    page = joined.frame[rows].drop("input", "is_chat", "context")
    columns: dict[str, list[Any]] = {
        "case_id": page.get_column("case_id").to_list(),  # never cut: the front end sends it back
        "input": [short(v) for v in joined.input_text.gather(rows).to_list()],
    }
    for name, series in zip(page.columns, page.get_columns(), strict=True):
        if name == "case_id":
            continue
        values = series.to_list()
        if name == "tags":
            columns[name] = [[short(t, 60) for t in v or []] for v in values]
        elif series.dtype.is_numeric() or series.dtype == pl.Boolean:
            columns[name] = [jsonable(v) for v in values]
        else:
            columns[name] = [None if v is None else short(v) for v in values]
    names = list(columns)
    return [dict(zip(names, cells, strict=True)) for cells in zip(*columns.values(), strict=True)]
