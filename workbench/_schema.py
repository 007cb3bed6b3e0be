"""Column names and dtypes of workbench's tidy tables.

Every table is long and keyed the same way (``run_id``, ``case_id``, ``model``, ``variant``,
``sample``) so that summaries, charts and widgets are group-bys on one table.
"""

from __future__ import annotations

from typing import Any

# One row per (case, model, variant, sample) call of a run.
RESULT_KEY = ("run_id", "case_id", "model", "variant", "sample")

RESULT_COLUMNS: dict[str, str] = {
    "run_id": "str",
    "case_id": "str",
    "model": "str",  # display name of the model (unique within a run)
    "variant": "str",  # prompt/parameter variant name
    "sample": "int",  # 0..n-1 repeated sample index
    "output": "str?",  # None when the call failed; never "" for a failure
    "latency_s": "float?",
    "ttft_s": "float?",  # time to first token, streaming only
    "prompt_tokens": "int?",
    "completion_tokens": "int?",
    "cost_usd": "float?",
    "error_type": "str?",  # e.g. "RateLimitError", "Timeout"; None on success
    "error": "str?",  # the error message; None on success
    "attempts": "int",
    "cached": "bool",
    "started_at": "datetime",  # UTC, when the (original) call started
    "litellm_model": "str",  # the litellm model string actually called
    "finish_reason": "str?",
    "cache_key": "str",
}

# One row per (result row, metric).
SCORE_KEY = ("run_id", "case_id", "model", "variant", "sample", "metric")

SCORE_COLUMNS: dict[str, str] = {
    "run_id": "str",
    "case_id": "str",
    "model": "str",
    "variant": "str",
    "sample": "int",
    "metric": "str",
    "value": "float?",  # None when the scorer could not score (an error), never 0 for that
    "passed": "bool?",
    "label": "str?",
    "rationale": "str?",
    "error": "str?",
    "scorer": "str",  # JSON: {"name": ..., "args": {...}}
    "judge_self": "bool?",  # an LLM judge grading its own model's output (it favours itself)
}


# One row per human (or judge) label given in the annotation widget. Append-only: a rater who
# changes their mind adds a newer row; the latest row per (run_id, item, criterion, rater) wins.
LABEL_KEY = ("run_id", "case_id", "criterion", "rater")

LABEL_COLUMNS: dict[str, str] = {
    "run_id": "str",  # the run whose outputs were labelled ("" for labels on cases alone)
    "case_id": "str",
    "kind": "str",  # "single" (one output graded) or "pairwise" (two outputs compared)
    "model": "str?",  # single: the model whose output was graded
    "variant": "str?",  # single: its prompt variant
    "sample": "int?",  # single: its sample index
    "model_a": "str?",  # pairwise: the first output in canonical (sorted) order, "model/variant"
    "model_b": "str?",  # pairwise: the second one
    "shown_first": "str?",  # pairwise: which of model_a/model_b was shown on the left ("a" or "b")
    "criterion": "str",  # rubric criterion name
    "rater": "str",
    "label": "str?",  # the label as given: a scale point ("4"), a class ("pass"), or "a"/"b"/"tie"
    "value": "float?",  # numeric value of the label on an ordinal/interval scale, else None
    "note": "str?",
    "blind": "bool",  # model names were hidden from the rater
    "created_at": "datetime",  # UTC
}


def polars_schema(columns: dict[str, Any]) -> dict[str, Any]:
    """Map the column spec above to a polars schema."""
    import polars as pl

    kinds = {
        "str": pl.Utf8,
        "int": pl.Int64,
        "float": pl.Float64,
        "bool": pl.Boolean,
        "datetime": pl.Datetime("us", "UTC"),
    }
    return {name: kinds[kind.rstrip("?")] for name, kind in columns.items()}
