"""Rows to cluster: failing result rows of a run, or any texts, as one frame with an id per row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from workbench._frames import polars_frame
from workbench._schema import RESULT_KEY
from workbench.stats._common import one_metric

#: The columns that identify a result row; the ones present are kept with every item.
ID_COLUMNS = ("case_id", "model", "variant", "sample")


def as_polars(data: Any, name: str) -> pl.DataFrame:
    """A polars DataFrame from polars/pandas, a Run/Scores/CaseSet (``to_polars``) or a LazyFrame."""
    frame = polars_frame(data)
    if frame is not None:
        return frame
    if hasattr(data, "to_polars"):
        frame = data.to_polars()
        if isinstance(frame, pl.DataFrame):
            return frame
    raise TypeError(
        f"{name} must be a polars or pandas DataFrame (or a Run/Scores), got {type(data).__name__}"
    )


def case_texts(cases: Any) -> pl.DataFrame:
    """``case_id``, ``input`` (chat turns as ``role: content`` lines) and ``reference`` of the cases."""
    if hasattr(cases, "ids") and hasattr(cases, "__iter__") and hasattr(cases, "to_polars"):  # a CaseSet
        rows = [
            {
                "case_id": case.id,
                "input": case.input
                if isinstance(case.input, str)
                else "\n".join(f"{m['role']}: {m['content']}" for m in case.messages()),
                "reference": case.reference,
            }
            for case in cases
        ]
        schema = {"case_id": pl.Utf8, "input": pl.Utf8, "reference": pl.Utf8}
        return pl.DataFrame(rows, schema=schema)
    frame = as_polars(cases, "cases")
    if "case_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename({"id": "case_id"})
    if "case_id" not in frame.columns:
        raise ValueError(f"cases has no 'case_id' column; columns: {', '.join(frame.columns)}")
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


def scored_rows(
    results: Any, scores: Any = None, *, metric: str | None = None, cases: Any = None
) -> pl.DataFrame:
    """Result rows joined with one metric's score and the cases' input and reference.

    Columns: the result key (``run_id``, ``case_id``, ``model``, ``variant``, ``sample``), ``input``,
    ``output``, ``reference``, ``metric``, ``value``, ``passed``, ``rationale``, ``label``,
    ``error_type``, ``error`` (those present). ``cases`` defaults to the ``cases`` of a ``Scores``.
    """
    res = as_polars(results.results if hasattr(results, "results") else results, "results")
    if "case_id" not in res.columns:
        raise ValueError(f"results has no 'case_id' column; columns: {', '.join(res.columns)}")
    if cases is None and scores is not None:
        cases = getattr(scores, "cases", None)
    res_cols = [
        c for c in (*RESULT_KEY, "output", "error_type", "error", "finish_reason") if c in res.columns
    ]
    rows = res.select(res_cols)
    if scores is not None:
        table = as_polars(scores.table if hasattr(scores, "table") else scores, "scores")
        table = table.filter(pl.col("metric") == pick_metric(table, metric))
        keys = [c for c in RESULT_KEY if c in table.columns and c in rows.columns]
        wanted = ["metric", "value", "passed", "rationale", "label"]
        score_cols = keys + [c for c in wanted if c in table.columns]
        table = table.select(score_cols)
        rows = rows.join(table, on=keys, how="inner", nulls_equal=True)
    if cases is not None:
        rows = rows.with_columns(pl.col("case_id").cast(pl.Utf8)).join(
            case_texts(cases), on="case_id", how="left"
        )
    order = [c for c in (*RESULT_KEY, "input", "output", "reference") if c in rows.columns]
    return rows.select(*order, *[c for c in rows.columns if c not in order])


def pick_metric(table: pl.DataFrame, metric: str | None) -> str:
    """The metric to use: the one given (checked) or the only one in ``table``."""
    return one_metric(table, metric)


def failures(
    results: Any,
    scores: Any,
    metric: str | None = None,
    *,
    threshold: float | None = None,
    cases: Any = None,
) -> pl.DataFrame:
    """The failing rows of a run on one metric, joined with their case, output and rationale.

    A row fails when its ``passed`` verdict is False, or, with ``threshold``, when its ``value`` is
    below the threshold. Rows the scorer could not score (null value) are not failures.

    Args:
        results: a Run or its results frame.
        scores: a Scores object or a scores frame.
        metric: the metric; may be omitted when ``scores`` holds one metric.
        threshold: fail rows whose value is below it (instead of ``passed == False``).
        cases: a CaseSet or cases frame for ``input`` and ``reference`` (default: ``scores.cases``).

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
    rows = scored_rows(results, scores, metric=metric, cases=cases)
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise TypeError(f"failures(threshold=...) must be a number, got {threshold!r}")
        return rows.filter(pl.col("value").fill_nan(None) < threshold)
    if "passed" not in rows.columns or rows.get_column("passed").is_null().all():
        name = rows.get_column("metric")[0] if rows.height and "metric" in rows.columns else metric
        raise ValueError(
            f"metric {name!r} has no pass/fail verdicts (passed is null); pass threshold= to fail "
            "rows whose value is below it"
        )
    return rows.filter(pl.col("passed") == False)  # noqa: E712 (null is neither)


def items_frame(data: Any, fields: Sequence[str] | None, cases: Any = None) -> tuple[pl.DataFrame, list[str]]:
    """Normalise what to cluster into a frame with ``case_id`` (an id per row) and the text fields.

    ``data`` is a list of strings, a polars/pandas frame, a CaseSet, or a Run (every result row,
    joined with ``cases``). Returns the frame and the fields used (defaults: ``text`` for a list,
    ``input`` for a CaseSet, ``output`` for a Run, else the first of text/output/input present).
    """
    if isinstance(data, str):
        raise TypeError(
            "fit() takes a list of texts, a frame, a CaseSet or a Run; wrap a single text in a list"
        )
    if isinstance(data, list | tuple):
        bad = [i for i, t in enumerate(data) if not isinstance(t, str)]
        if bad:
            raise TypeError(f"text {bad[0]} is {type(data[bad[0]]).__name__}, expected str")
        frame = pl.DataFrame({"case_id": [str(i) for i in range(len(data))], "text": list(data)})
        frame = frame.with_columns(pl.col("text").cast(pl.Utf8))
    elif hasattr(data, "ids") and hasattr(data, "slice"):  # CaseSet
        frame = case_texts(data)
        fields = fields or ["input"]
    elif hasattr(data, "results") and hasattr(data, "config"):  # Run
        frame = scored_rows(data, None, cases=cases)
        fields = fields or ["output"]
    else:
        frame = as_polars(data, "data")
        if cases is not None and "case_id" in frame.columns and "input" not in frame.columns:
            frame = frame.with_columns(pl.col("case_id").cast(pl.Utf8)).join(
                case_texts(cases), on="case_id", how="left"
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
