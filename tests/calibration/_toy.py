"""Toy judge and human tables for the calibration tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from workbench._schema import LABEL_COLUMNS, SCORE_COLUMNS, polars_schema

WHEN = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def judge_scores(
    values: Mapping[tuple[str, str], float | None],
    *,
    metric: str = "helpful",
    rationale: str | Mapping[tuple[str, str], str] = "ok",
    self_model: str | None = None,
) -> pl.DataFrame:
    """A judge score table: (case_id, model) -> value."""
    rows = []
    for (case, model), value in values.items():
        why = rationale if isinstance(rationale, str) else rationale.get((case, model), "ok")
        rows.append(
            {
                "run_id": "r1",
                "case_id": case,
                "model": model,
                "variant": "default",
                "sample": 0,
                "metric": metric,
                "value": value,
                "passed": None,
                "label": None,
                "rationale": why,
                "error": None if value is not None else "judge reply unparseable",
                "scorer": '{"args": {"model": {"name": "toy-judge"}}, "name": "judge"}',
                "judge_self": model == self_model,
            }
        )
    return pl.DataFrame(rows, schema=polars_schema(SCORE_COLUMNS))


def human_labels(
    ratings: Mapping[tuple[str, str], Mapping[str, float]],
    *,
    criterion: str = "helpfulness",
    notes: Mapping[tuple[str, str, str], str] | None = None,
) -> pl.DataFrame:
    """Single-output human labels: (case_id, model) -> {rater: value}."""
    rows = []
    for (case, model), by_rater in ratings.items():
        for rater, value in by_rater.items():
            rows.append(
                _label(
                    case_id=case,
                    kind="single",
                    model=model,
                    variant="default",
                    sample=0,
                    rater=rater,
                    label=str(int(value)) if float(value).is_integer() else str(value),
                    value=float(value),
                    criterion=criterion,
                    note=(notes or {}).get((case, model, rater)),
                )  # fmt: skip
            )
    return pl.DataFrame(rows, schema=polars_schema(LABEL_COLUMNS))


def pairwise_labels(
    votes: Sequence[tuple[str, str, str, str, str]], criterion: str = "helpfulness"
) -> pl.DataFrame:
    """Pairwise human labels: (case_id, rater, model_a, model_b, label)."""
    rows = [
        _label(
            case_id=case,
            kind="pairwise",
            model_a=a,
            model_b=b,
            shown_first="a",
            rater=rater,
            label=label,
            criterion=criterion,
        )  # fmt: skip
        for case, rater, a, b, label in votes
    ]
    return pl.DataFrame(rows, schema=polars_schema(LABEL_COLUMNS))


def _label(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in LABEL_COLUMNS}
    row.update(run_id="r1", blind=True, created_at=WHEN, **fields)
    return row


def results(outputs: Mapping[tuple[str, str], str]) -> pl.DataFrame:
    """A results-like frame: (case_id, model) -> output."""
    return pl.DataFrame(
        [
            {"run_id": "r1", "case_id": c, "model": m, "variant": "default", "sample": 0, "output": o}
            for (c, m), o in outputs.items()
        ]  # fmt: skip
    )
