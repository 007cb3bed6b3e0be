"""Rows to cluster: failing result rows of a run, or any texts, as one frame with an id per row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from workbench._schema import RESULT_KEY
from workbench._table import as_table, cases_of, kind_of, require_columns, run_of
from workbench.stats._common import one_metric

#: The columns that identify a result row; the ones present are kept with every item.
ID_COLUMNS = ("case_id", "model", "variant", "sample")


def case_texts(cases: Any, func: str = "failures") -> pl.DataFrame:
    """``case_id``, ``input`` (chat turns as ``role: content`` lines) and ``reference`` of the cases
    (a CaseSet, a Run or Scores that knows its cases, or a cases table)."""
    known = cases_of(cases)
    frame = as_table(known if known is not None else cases, want="cases", param="cases", func=func)
    if "case_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename({"id": "case_id"})
    require_columns(frame, ["case_id"], param="cases", func=func, expected="one row per case")
    out = frame.select(
        pl.col("case_id").cast(pl.Utf8),
        (pl.col("input") if "input" in frame.columns else pl.lit(None)).cast(pl.Utf8).alias("input"),
        (pl.col("reference") if "reference" in frame.columns else pl.lit(None))
        .cast(pl.Utf8)
        .alias("reference"),
    )
    if "is_chat" in frame.columns and frame.get_column("is_chat").any():
        texts = [
            _chat_text(text) if chat else text
            for text, chat in zip(out["input"].to_list(), frame["is_chat"].to_list(), strict=True)
        ]
        out = out.with_columns(pl.Series("input", texts, dtype=pl.Utf8))
    return out


def _chat_text(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        messages = json.loads(text)
        return "\n".join(f"{m['role']}: {m['content']}" for m in messages)
    except (ValueError, TypeError, KeyError):
        return text


def _sources(data: Any, scores: Any, func: str) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The results and scores tables of ``(data, scores)``: a Run (or results table) and its scores,
    a Scores alone (its run's results), or one frame that already holds the scores."""
    if scores is None and kind_of(data) == "scores":
        results = as_table(data, want="results", param="data", func=func) if run_of(data) else None
        return results, as_table(data, want="scores", param="data", func=func)
    if scores is None:
        return as_table(data, want="results", param="data", func=func), None
    return (
        as_table(data, want="results", param="data", func=func),
        as_table(scores, want="scores", param="scores", func=func),
    )


def scored_rows(
    data: Any, scores: Any = None, *, metric: str | None = None, cases: Any = None
) -> pl.DataFrame:
    """Result rows joined with one metric's score and the cases' input and reference.

    ``data`` is a Run or a results table, with ``scores`` a Scores or score table; or a Scores
    alone, when it knows its run; or, without ``scores``, a table that already holds the scores
    (a ``value`` or ``passed`` column), or a Run or results table alone (no score columns then).
    Columns: the result key (``run_id``, ``case_id``, ``model``, ``variant``, ``sample``), ``input``,
    ``output``, ``reference``, ``metric``, ``value``, ``passed``, ``rationale``, ``label``,
    ``error_type``, ``error`` (those present). ``cases`` defaults to the cases a Run or Scores knows.
    """
    return _scored_rows(data, scores, metric=metric, cases=cases, func="scored_rows")


def _scored_rows(data: Any, scores: Any, *, metric: str | None, cases: Any, func: str) -> pl.DataFrame:
    cases = cases_of(data, scores, cases=cases)
    res, table = _sources(data, scores, func)
    if res is None:  # a Scores of a bare table: its rows are all there is
        res = table
    assert res is not None
    require_columns(res, ["case_id"], param="data", func=func, expected="one row per result")
    if table is None and {"value", "passed"} & set(res.columns):
        table = res  # one table that already holds the scores
    if table is not None:
        joined = table is not res
        if "metric" in table.columns:
            table = table.filter(pl.col("metric") == pick_metric(table, metric))
        if joined:
            keys = [c for c in RESULT_KEY if c in table.columns and c in res.columns]
            wanted = ["metric", "value", "passed", "rationale", "label"]
            score_cols = keys + [c for c in wanted if c in table.columns]
            res_cols = [
                c for c in (*RESULT_KEY, "output", "error_type", "error", "finish_reason") if c in res.columns
            ]
            rows = res.select(res_cols).join(table.select(score_cols), on=keys, how="inner", nulls_equal=True)
        else:
            rows = table
    else:
        rows = res
    if cases is not None and "input" not in rows.columns:
        rows = rows.with_columns(pl.col("case_id").cast(pl.Utf8)).join(
            case_texts(cases, func), on="case_id", how="left"
        )
    order = [c for c in (*RESULT_KEY, "input", "output", "reference") if c in rows.columns]
    return rows.select(*order, *[c for c in rows.columns if c not in order])


def pick_metric(table: pl.DataFrame, metric: str | None) -> str:
    """The metric to use: the one given (checked) or the only one in ``table``."""
    return one_metric(table, metric)


def failures(
    data: Any,
    scores: Any = None,
    *,
    metric: str | None = None,
    threshold: float | None = None,
    cases: Any = None,
) -> pl.DataFrame:
    """The failing rows of a run on one metric, joined with their case, output and rationale.

    A row fails when its ``passed`` verdict is False, or, with ``threshold``, when its ``value`` is
    below the threshold. Rows the scorer could not score (null value) are not failures.

    Args:
        data: a Run (or its results table) with ``scores``; or a Scores alone (it knows its run);
            or one table that already holds the scores (``passed``/``value``, and ``output``...).
        scores: a Scores or a score table, when ``data`` is the results.
        metric: the metric; may be omitted when the scores hold one metric.
        threshold: fail rows whose value is below it (instead of ``passed == False``).
        cases: a CaseSet or cases table for ``input`` and ``reference`` (default: the cases the
            Run or Scores knows).

    Returns:
        A polars DataFrame: ``run_id``, ``case_id``, ``model``, ``variant``, ``sample``, ``input``,
        ``output``, ``reference``, ``metric``, ``value``, ``passed``, ``rationale``... (those present);
        empty when nothing failed.

    Example:
        >>> import polars as pl
        >>> res = pl.DataFrame({"case_id": ["a", "b"], "model": "m", "output": ["4", "five"]})
        >>> sc = pl.DataFrame({"case_id": ["a", "b"], "model": "m", "metric": "exact",
        ...                    "value": [1.0, 0.0], "passed": [True, False]})
        >>> failures(res, sc).select("case_id", "output").rows()
        [('b', 'five')]
    """
    rows = _scored_rows(data, scores, metric=metric, cases=cases, func="failures")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise TypeError(f"failures(threshold=...) must be a number, got {threshold!r}")
        require_columns(rows, ["value"], param="data", func="failures", expected="scores with a value column")
        return rows.filter(pl.col("value").fill_nan(None) < threshold)
    if "passed" not in rows.columns and "value" not in rows.columns:
        raise ValueError(
            "failures: no scores to find failures in: pass them (failures(run, scores)), or a Scores "
            f"that knows its run (failures(scores)); columns present: {', '.join(rows.columns)}"
        )
    if "passed" not in rows.columns or rows.get_column("passed").is_null().all():
        name = rows.get_column("metric")[0] if rows.height and "metric" in rows.columns else metric
        raise ValueError(
            f"metric {name!r} has no pass/fail verdicts (passed is null); pass threshold= to fail "
            "rows whose value is below it"
        )
    return rows.filter(pl.col("passed") == False)  # noqa: E712 (null is neither)


def items_frame(data: Any, fields: Sequence[str] | None, cases: Any = None) -> tuple[pl.DataFrame, list[str]]:
    """Normalise what to cluster into a frame with ``case_id`` (an id per row) and the text fields.

    ``data`` is a list of strings, a polars/pandas frame, a CaseSet, a Run (every result row, with
    the input and reference of its cases) or a Scores (every score row, with its run's outputs).
    ``cases`` defaults to the cases a Run or Scores knows. Returns the frame and the fields used
    (defaults: ``text`` for a list, ``input`` for a CaseSet, ``output`` for a Run, else the first of
    text/output/input present).
    """
    func = "Clusterer.fit"
    kind = kind_of(data)
    if isinstance(data, str):
        raise TypeError(
            "fit() takes a list of texts, a frame, a CaseSet, a Run or a Scores; wrap a single text in a list"
        )
    if isinstance(data, list | tuple):
        bad = [i for i, t in enumerate(data) if not isinstance(t, str)]
        if bad:
            raise TypeError(f"text {bad[0]} is {type(data[bad[0]]).__name__}, expected str")
        frame = pl.DataFrame({"case_id": [str(i) for i in range(len(data))], "text": list(data)})
        frame = frame.with_columns(pl.col("text").cast(pl.Utf8))
    elif kind == "cases":
        frame = case_texts(data, func)
        fields = fields or ["input"]
    elif kind == "run":
        frame = _scored_rows(data, None, metric=None, cases=cases, func=func)
        fields = fields or ["output"]
    else:
        frame = as_table(data, param="data", func=func)
        run = run_of(data)
        if run is not None and "output" not in frame.columns:  # a Scores: its run's outputs
            results = as_table(run, want="results")
            keys = [c for c in RESULT_KEY if c in frame.columns and c in results.columns]
            extra = [c for c in ("output", "error_type", "error") if c in results.columns]
            frame = frame.join(results.select(*keys, *extra), on=keys, how="left", nulls_equal=True)
        cases = cases_of(data, cases=cases)
        if cases is not None and "case_id" in frame.columns and "input" not in frame.columns:
            frame = frame.with_columns(pl.col("case_id").cast(pl.Utf8)).join(
                case_texts(cases, func), on="case_id", how="left"
            )
    if "case_id" not in frame.columns:
        frame = frame.with_row_index("case_id").with_columns(pl.col("case_id").cast(pl.Utf8))
    if not fields:
        present = [c for c in ("text", "output", "input") if c in frame.columns]
        if not present:
            raise ValueError(
                f"no text column to cluster: pass fields=[...]; columns: {', '.join(frame.columns)}"
            )
        fields = present[:1]
    fields = [fields] if isinstance(fields, str) else list(fields)
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        raise ValueError(
            f"fields: column(s) {', '.join(map(repr, missing))} not in the data; "
            f"columns: {', '.join(frame.columns)}"
        )
    return frame.with_columns(pl.col("case_id").cast(pl.Utf8)), fields


def combined_text(frame: pl.DataFrame, fields: Sequence[str]) -> pl.Series:
    """The fields of each row joined by blank lines (missing or blank fields left out)."""
    parts = [
        pl.when(pl.col(f).cast(pl.Utf8).str.strip_chars() != "").then(pl.col(f).cast(pl.Utf8)) for f in fields
    ]
    joined = pl.concat_str(parts, separator="\n\n", ignore_nulls=True)
    return frame.select(joined.fill_null("").alias("text")).to_series()
