"""The case browser's table: cases joined with pivoted outputs and scores (pure polars).

One row per case. For every model/variant ``k`` of the results there are columns ``output[k]``
(the output of its first sample) and ``error[k]`` (the error type of that call), and for every
metric ``m`` of the scores ``score[m][k]`` (the mean value over samples) and ``passed[m][k]``
(True when every judged sample passed, False when one failed, null when none was judged).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench._table import Want, as_table, cases_of, kind_of, require_columns, run_of

#: Case columns every browser frame has, in this order, before the metadata columns.
CASE_COLUMNS = ("case_id", "input", "is_chat", "reference", "context", "tags")

_CASES = "a CaseSet or a cases table (case_id or id, input, tags...)"
_RESULTS = "a Run or a results table (case_id, model, variant, sample, output...)"
_SCORES = "a Scores or a score table (case_id, model, variant, sample, metric, value...)"

_CHAT = pl.List(pl.Struct({"role": pl.Utf8, "content": pl.Utf8}))


def output_col(key: str) -> str:
    """Column of the pivoted output of model/variant ``key``."""
    return f"output[{key}]"


def error_col(key: str) -> str:
    """Column of the error type of model/variant ``key`` (null on success)."""
    return f"error[{key}]"


def score_col(metric: str, key: str) -> str:
    """Column of the mean score of ``metric`` for model/variant ``key``."""
    return f"score[{metric}][{key}]"


def passed_col(metric: str, key: str) -> str:
    """Column of the pass/fail verdict of ``metric`` for model/variant ``key``."""
    return f"passed[{metric}][{key}]"


@dataclass(frozen=True)
class Joined:
    """The joined table and what the filters and the detail view need beside it.

    Attributes:
        frame: one row per case (case columns, metadata, then output/error/score/passed columns).
        keys: model/variant keys (``"model/variant"``) in order of first appearance.
        metrics: metric names in order of first appearance.
        metadata_columns: the cases' metadata columns.
        key_models: model name of each key.
        input_text: the input as display text (chat turns as ``role: content`` lines), per row.
        haystack: lower-cased id, input, reference and outputs, per row, for the text search.
        tag_sets: the distinct tag lists (column ``tags``); a tag expression is evaluated on these.
        tag_group: per row, the index of its tag list in ``tag_sets``.
        results: long result rows with a ``key`` column (for the detail view), or None.
        scores: long score rows with a ``key`` column, or None.
    """

    frame: pl.DataFrame
    keys: tuple[str, ...]
    metrics: tuple[str, ...]
    metadata_columns: tuple[str, ...]
    key_models: dict[str, str]
    input_text: pl.Series
    haystack: pl.Series
    tag_sets: pl.DataFrame
    tag_group: pl.Series
    results: pl.DataFrame | None
    scores: pl.DataFrame | None


def _table(data: Any, want: Want, param: str) -> pl.DataFrame:
    """:func:`~workbench._table.as_table`, or the rows of a list of tables (Runs, frames) stacked."""
    if isinstance(data, list | tuple):
        if not data:
            raise ValueError(f"{param} is an empty list; pass a table or leave it out")
        parts = [as_table(d, want=want, param=f"{param}[{i}]") for i, d in enumerate(data)]
        return pl.concat(parts, how="diagonal_relaxed")
    return as_table(data, want=want, param=param)


def is_run_or_scores(data: Any) -> bool:
    """Whether ``data`` is a workbench ``Run`` or ``Scores`` (which know their cases)."""
    return kind_of(data) in ("run", "scores")


def known_cases(cases: Any, *sources: Any) -> Any:
    """The cases to use: ``cases`` itself (a CaseSet or cases table), the cases of ``cases`` when it
    is a Run or Scores, else the first cases a source (Run, Scores) knows; None when none does."""
    if cases is not None and not is_run_or_scores(cases):
        return cases
    return cases_of(*(s for s in (cases, *sources) if s is not None))


def browser_sources(cases: Any, results: Any, scores: Any) -> tuple[Any, Any, Any]:
    """``(cases, results, scores)`` of the forms ``(cases, results, scores)``, ``(run)``,
    ``(run, scores)`` and ``(scores)`` (or ``(scores, results)``).

    A Run gives its cases; a Scores its cases and, when no results are given, its run's results.
    """
    if kind_of(cases) == "run":
        if scores is not None:
            raise TypeError(
                "CaseBrowser(run, scores) takes two tables after a Run, not three: "
                "pass CaseBrowser(cases, run, scores) to give the cases"
            )
        cases, results, scores = None, cases, results
    elif kind_of(cases) == "scores":
        if scores is not None:
            raise TypeError(
                "CaseBrowser(scores, results) takes two tables after a Scores, not three: "
                "pass CaseBrowser(cases, run, scores) to give the cases"
            )
        cases, results, scores = None, results, cases
    if results is None and kind_of(scores) == "scores":
        results = run_of(scores)
    found = known_cases(cases, results, scores)
    if found is None:
        knower = (
            "the Run" if kind_of(results) == "run" else "the Scores" if kind_of(scores) == "scores" else None
        )
        if knower is None:
            raise ValueError(
                "CaseBrowser: no cases given: pass them first, CaseBrowser(cases, results, scores)"
            )
        raise ValueError(
            f"CaseBrowser: no cases given and {knower} does not know its cases (e.g. a run loaded from a "
            "store that did not keep them): pass them first, CaseBrowser(cases, run, scores)"
        )
    return found, results, scores


def normalize_cases(cases: Any) -> pl.DataFrame:
    """Cases with the :data:`CASE_COLUMNS` (missing optional ones filled) then metadata columns."""
    frame = as_table(cases, want="cases", param="cases")
    if "case_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename({"id": "case_id"})
    require_columns(frame, ["case_id", "input"], param="cases", expected=_CASES)
    fill = {
        "is_chat": pl.lit(False),
        "reference": pl.lit(None, dtype=pl.Utf8),
        "context": pl.lit([], dtype=pl.List(pl.Utf8)),
        "tags": pl.lit([], dtype=pl.List(pl.Utf8)),
    }
    frame = frame.with_columns(
        [expr.alias(col) for col, expr in fill.items() if col not in frame.columns]
    ).with_columns(
        pl.col("case_id").cast(pl.Utf8),
        pl.col("input").cast(pl.Utf8),
        pl.col("is_chat").cast(pl.Boolean).fill_null(False),
        pl.col("reference").cast(pl.Utf8),
    )
    for col in ("context", "tags"):
        if frame.schema[col] in (pl.Null, pl.List(pl.Null)):  # all empty: pandas keeps no element type
            frame = frame.with_columns(pl.col(col).cast(pl.List(pl.Utf8)))
        if frame.schema[col] != pl.List(pl.Utf8):
            raise ValueError(f"cases column {col!r} must be a list of strings, got {frame.schema[col]}")
    dup = frame.get_column("case_id").is_duplicated()
    if dup.any():
        examples = frame.get_column("case_id").filter(dup).unique(maintain_order=True).head(3).to_list()
        raise ValueError(f"cases has duplicate case_id values, e.g. {', '.join(map(repr, examples))}")
    meta = [c for c in frame.columns if c not in CASE_COLUMNS]
    return frame.select([*CASE_COLUMNS, *meta])


def _with_key(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``key`` = ``model/variant`` (just ``model`` when the variant is null or absent)."""
    model = pl.col("model").cast(pl.Utf8)
    if "variant" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias("variant"))
    variant = pl.col("variant").cast(pl.Utf8)
    key = pl.when(variant.is_null()).then(model).otherwise(pl.concat_str([model, variant], separator="/"))
    if "sample" not in frame.columns:
        frame = frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("sample"))
    return frame.with_columns(pl.col("case_id").cast(pl.Utf8), key.alias("key"))


def _check_unique(frame: pl.DataFrame, keys: list[str], name: str) -> None:
    dup = frame.select(keys).is_duplicated()
    if not dup.any():
        return
    row = frame.filter(dup).row(0, named=True)
    where = ", ".join(f"{k}={row[k]!r}" for k in keys)
    what = ", ".join("model/variant" if k == "key" else k for k in keys)
    message = f"{name} has several rows for the same ({what}), e.g. {where}"
    runs = frame.get_column("run_id").n_unique() if "run_id" in frame.columns else 1
    if runs > 1:
        message += f"; they come from {runs} runs: pass one run's rows (filter by run_id)"
    else:
        message += "; drop the repeated rows"
    raise ValueError(message)


def _warn_unknown(frame: pl.DataFrame, cases: pl.DataFrame, name: str) -> None:
    unknown = frame.select("case_id").unique().join(cases.select("case_id"), on="case_id", how="anti")
    if unknown.height:
        examples = ", ".join(repr(c) for c in unknown.get_column("case_id").head(3).to_list())
        warnings.warn(
            f"{unknown.height} case_id(s) of {name} are not in cases (e.g. {examples}); the browser ignores them",
            UserWarning,
            stacklevel=4,
        )


def _pivot(long: pl.DataFrame, names: pl.Expr, values: str) -> pl.DataFrame:
    return long.with_columns(names.alias("_col")).pivot(
        on="_col", index="case_id", values=values, aggregate_function=None
    )


def _normalize_results(results: Any, cases: pl.DataFrame) -> pl.DataFrame:
    frame = _table(results, "results", "results")
    require_columns(frame, ["case_id", "model", "output"], param="results", expected=_RESULTS)
    frame = _with_key(frame)
    for col, dtype in (("error_type", pl.Utf8), ("error", pl.Utf8), ("latency_s", pl.Float64)):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(col))
    _check_unique(frame, ["case_id", "key", "sample"], "results")
    _warn_unknown(frame, cases, "results")
    return frame.select(
        "case_id", "key", pl.col("model").cast(pl.Utf8), pl.col("variant").cast(pl.Utf8), pl.col("sample").cast(pl.Int64),
        pl.col("output").cast(pl.Utf8), pl.col("error_type").cast(pl.Utf8), pl.col("error").cast(pl.Utf8),
        pl.col("latency_s").cast(pl.Float64),
    ).sort("sample", maintain_order=True)  # fmt: skip


def _normalize_scores(scores: Any, cases: pl.DataFrame) -> pl.DataFrame:
    frame = _table(scores, "scores", "scores")
    require_columns(frame, ["case_id", "model", "metric", "value"], param="scores", expected=_SCORES)
    frame = _with_key(frame)
    for col, dtype in (
        ("passed", pl.Boolean),
        ("label", pl.Utf8),
        ("rationale", pl.Utf8),
        ("error", pl.Utf8),
    ):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(col))
    _check_unique(frame, ["case_id", "key", "sample", "metric"], "scores")
    _warn_unknown(frame, cases, "scores")
    return frame.select(
        "case_id", "key", pl.col("model").cast(pl.Utf8), pl.col("variant").cast(pl.Utf8), pl.col("sample").cast(pl.Int64),
        pl.col("metric").cast(pl.Utf8),
        # NaN is "could not score" like null (as in workbench.stats), never a number to average.
        pl.col("value").cast(pl.Float64).fill_nan(None), pl.col("passed").cast(pl.Boolean),
        pl.col("label").cast(pl.Utf8), pl.col("rationale").cast(pl.Utf8), pl.col("error").cast(pl.Utf8),
    ).sort("sample", maintain_order=True)  # fmt: skip


def _first_seen(series: pl.Series) -> tuple[str, ...]:
    return tuple(series.drop_nulls().unique(maintain_order=True).to_list())


def join_frame(cases: Any, results: Any = None, scores: Any = None) -> Joined:
    """Join cases with pivoted results and scores; see the module docstring for the columns.

    Every table is read by :func:`workbench._table.as_table` (polars, LazyFrame, pandas or a
    workbench object); results and scores may also be lists of tables, stacked.

    Args:
        cases: a CaseSet, or a frame with ``case_id`` (or ``id``) and ``input``.
        results: a Run, its ``results`` frame (``case_id``, ``model``, ``variant``, ``sample``,
            ``output``, ``error_type``...), or a list of those.
        scores: a Scores or a scores frame (``case_id``, ``model``, ``variant``, ``sample``,
            ``metric``, ``value``, ``passed``, ``label``, ``rationale``...), or a list of those.
    """
    frame = normalize_cases(cases)
    meta = tuple(frame.columns[len(CASE_COLUMNS) :])
    keys: list[str] = []
    metrics: tuple[str, ...] = ()
    res = sc = None
    if results is not None:
        res = _normalize_results(results, frame)
        keys += _first_seen(res.get_column("key"))
        first = res.unique(["case_id", "key"], keep="first", maintain_order=True)
        for values, name in (("output", output_col), ("error_type", error_col)):
            wide = _pivot(first, pl.format(name("{}"), pl.col("key")), values)
            frame = frame.join(wide, on="case_id", how="left")
    if scores is not None:
        sc = _normalize_scores(scores, frame)
        keys += [k for k in _first_seen(sc.get_column("key")) if k not in keys]
        metrics = _first_seen(sc.get_column("metric"))
        agg = sc.group_by("case_id", "metric", "key", maintain_order=True).agg(
            pl.col("value").mean(),
            pl.when(pl.col("passed").count() == 0)
            .then(pl.lit(None, dtype=pl.Boolean))
            .otherwise(pl.col("passed").all(ignore_nulls=True))
            .alias("passed"),
        )
        for values, fmt in (("value", "score[{}][{}]"), ("passed", "passed[{}][{}]")):
            frame = frame.join(
                _pivot(agg, pl.format(fmt, pl.col("metric"), pl.col("key")), values), on="case_id", how="left"
            )
    frame = _complete(frame, tuple(keys), metrics, res is not None, sc is not None)
    key_models: dict[str, str] = {}
    for long in (res, sc):
        if long is not None:
            for key, model in long.select("key", "model").unique(maintain_order=True).iter_rows():
                key_models.setdefault(key, str(model))
    input_text = display_input(frame)
    tag_sets, tag_group = _tag_groups(frame)
    return Joined(
        frame=frame,
        keys=tuple(keys),
        metrics=metrics,
        metadata_columns=meta,
        key_models=key_models,
        input_text=input_text,
        haystack=_haystack(frame, input_text, tuple(keys) if res is not None else ()),
        tag_sets=tag_sets,
        tag_group=tag_group,
        results=res,
        scores=sc,
    )


def _complete(
    frame: pl.DataFrame, keys: tuple[str, ...], metrics: tuple[str, ...], has_results: bool, has_scores: bool
) -> pl.DataFrame:
    """Every expected pivot column present (all-null when a key has no rows) and in a stable order."""
    wanted: list[tuple[str, pl.DataType]] = []
    if has_results:
        for k in keys:
            wanted += [(output_col(k), pl.Utf8()), (error_col(k), pl.Utf8())]
    for m in metrics if has_scores else ():
        for k in keys:
            wanted += [(score_col(m, k), pl.Float64()), (passed_col(m, k), pl.Boolean())]
    frame = frame.with_columns(
        [pl.lit(None, dtype=dtype).alias(c) for c, dtype in wanted if c not in frame.columns]
    )
    base = [c for c in frame.columns if not c.startswith(("output[", "error[", "score[", "passed["))]
    wanted_names = [c for c, _ in wanted]
    extra = [c for c in frame.columns if c not in base and c not in wanted_names]
    return frame.select([*base, *wanted_names, *extra])


def display_input(frame: pl.DataFrame) -> pl.Series:
    """The input column as text: chat message lists become ``role: content`` lines."""
    chat = (
        pl.col("input")
        .str.json_decode(_CHAT)
        .list.eval(
            pl.concat_str(
                [pl.element().struct.field("role"), pl.lit(": "), pl.element().struct.field("content")]
            )
        )
        .list.join("\n")
    )
    if not frame.get_column("is_chat").any():
        return frame.get_column("input").alias("input_text")
    try:
        return frame.select(
            pl.when(pl.col("is_chat")).then(chat).otherwise(pl.col("input")).alias("input_text")
        ).to_series()
    except pl.exceptions.PolarsError as e:
        raise ValueError(f"cases: {_bad_chat(frame) or str(e).splitlines()[0]}") from None


def _bad_chat(frame: pl.DataFrame) -> str | None:
    """Name the first chat case whose input is not a JSON message list (only called on an error)."""
    chats = frame.filter(pl.col("is_chat")).select("case_id", "input")
    for case_id, text in chats.iter_rows():
        try:
            messages = json.loads(text)
            ok = isinstance(messages, list) and all(isinstance(m, dict) for m in messages)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            return f"case {case_id!r} has is_chat=true but its input is not a JSON list of {{role, content}} messages"
    return None


def _haystack(frame: pl.DataFrame, input_text: pl.Series, keys: tuple[str, ...]) -> pl.Series:
    parts = [pl.col("case_id"), pl.lit(input_text), pl.col("reference")]
    parts += [pl.col(output_col(k)) for k in keys]
    # \x00 between fields: a query cannot match across two fields.
    return frame.select(
        pl.concat_str(parts, separator="\x00", ignore_nulls=True).str.to_lowercase().alias("haystack")
    ).to_series()


def _tag_groups(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """Distinct tag lists and each row's index among them.

    Golden sets reuse a few tag combinations, so a tag expression evaluated on the distinct lists
    and gathered back to the rows costs far less than evaluating it on every row.
    """
    groups = (
        frame.select("tags")
        .with_row_index("row")
        .group_by("tags", maintain_order=True)
        .agg("row")
        .with_row_index("group")
    )
    group = groups.select("group", "row").explode("row").sort("row").get_column("group")
    return groups.select("tags"), group
