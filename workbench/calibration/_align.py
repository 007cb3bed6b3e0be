"""Lining up a judge's scores with human labels of the same outputs, and the human consensus."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

import polars as pl

from workbench._table import as_table, require_columns
from workbench.agreement._frame import Level, LevelOption, check_level
from workbench.calibration._load import as_labels
from workbench.stats._common import one_metric

KEY = ("case_id", "model", "variant", "sample")
ITEM = "item"

#: How the human panel's labels of one output are combined.
Consensus = Literal["majority", "median"]


def fmt_label(value: float | None) -> str | None:
    """A numeric grade as a label.

    >>> fmt_label(4.0), fmt_label(2.5), fmt_label(None)
    ('4', '2.5', None)
    """
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def judge_name(scores: pl.DataFrame, metric: str) -> str:
    """``judge:<metric>@<judge model>`` from the scorer spec, or ``judge:<metric>``."""
    if "scorer" in scores.columns and scores.height:
        spec = scores.get_column("scorer").drop_nulls().head(1).to_list()
        try:
            model = json.loads(spec[0])["args"]["model"]
            label = model.get("name") if isinstance(model, dict) else model
            if label:
                return f"judge:{metric}@{label}"
        except (IndexError, KeyError, TypeError, ValueError, AttributeError):
            pass
    return f"judge:{metric}"


def pick_metric(
    scores: pl.DataFrame, metric: str | None, param: str = "judge_scores"
) -> tuple[pl.DataFrame, str]:
    """The rows of one metric; with several metrics and none named, say which to choose."""
    metric = one_metric(scores, metric, param)
    return scores.filter(pl.col("metric") == metric), metric


def pick_criterion(labels: pl.DataFrame, criterion: str | None, kind: str) -> tuple[pl.DataFrame, str | None]:
    """Human labels of one kind and criterion (the only one there when none is named)."""
    if "kind" in labels.columns:
        labels = labels.filter(pl.col("kind") == kind)
    if labels.height == 0:
        raise ValueError(f"human_labels has no rows of kind {kind!r}")
    if "criterion" not in labels.columns:
        return labels, criterion
    names = labels.get_column("criterion").unique(maintain_order=True).drop_nulls().to_list()
    if criterion is None:
        if len(names) > 1:
            raise ValueError(f"human_labels has {len(names)} criteria {names}; choose one with criterion=...")
        return labels, names[0] if names else None
    if criterion not in names:
        raise ValueError(f"criterion {criterion!r} is not in human_labels ({kind}); criteria there: {names}")
    return labels.filter(pl.col("criterion") == criterion), criterion


def latest(labels: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """The newest row per (keys, rater): a rater who changed their mind added a newer row."""
    if "created_at" in labels.columns:
        labels = labels.sort("created_at", nulls_last=False, maintain_order=True)
    return labels.unique(subset=[*keys, "rater"], keep="last", maintain_order=True)


def _keyed(frame: pl.DataFrame, param: str, func: str | None = None) -> pl.DataFrame:
    require_columns(
        frame, KEY, param=param, func=func, expected=f"the columns rows are matched on, {list(KEY)}"
    )
    return frame.with_columns(
        pl.col("case_id").cast(pl.Utf8),
        pl.col("model").cast(pl.Utf8),
        pl.col("variant").cast(pl.Utf8).fill_null(""),
        pl.col("sample").cast(pl.Int64).fill_null(0),
    ).with_columns(pl.concat_str([pl.col(k).cast(pl.Utf8) for k in KEY], separator=" | ").alias(ITEM))


def judge_frame(judge_scores: Any, func: str | None = None, param: str = "judge_scores") -> pl.DataFrame:
    """The judge's score table (a Scores, or a polars / pandas score table) as polars."""
    return as_table(judge_scores, want="scores", param=param, func=func)


def judge_table(
    judge_scores: Any, metric: str | None, level: Level, func: str | None = None
) -> tuple[pl.DataFrame, str, int]:
    """(rows with ``item``, ``j_label``, ``j_value``, ``rationale``, ``judge_self``; metric; n errors)."""
    scores, metric = pick_metric(judge_frame(judge_scores, func), metric)
    scores = _keyed(scores, "judge_scores", func)
    require_columns(
        scores, ["value"], param="judge_scores", func=func, expected="a score table (SCORE_COLUMNS)"
    )
    scores = scores.with_columns(pl.col("value").cast(pl.Float64).fill_nan(None))
    errors = scores.filter(pl.col("value").is_null()).height
    scores = scores.filter(pl.col("value").is_not_null())
    dup = scores.group_by(ITEM).len().filter(pl.col("len") > 1)
    if dup.height:
        raise ValueError(
            f"judge_scores has {dup.height} output(s) scored more than once for metric {metric!r} "
            f"(e.g. {dup.get_column(ITEM)[0]!r}); pass one run's scores"
        )
    if level == "nominal" and "label" in scores.columns:
        lab = pl.coalesce(pl.col("label"), pl.col("value").map_elements(fmt_label, return_dtype=pl.Utf8))
    else:
        lab = pl.col("value").map_elements(fmt_label, return_dtype=pl.Utf8)
    extra = [pl.col(c) if c in scores.columns else pl.lit(None, dtype=t).alias(c)
             for c, t in (("rationale", pl.Utf8), ("judge_self", pl.Boolean))]  # fmt: skip
    out = scores.select(ITEM, *KEY, lab.alias("j_label"), pl.col("value").alias("j_value"), *extra)
    return out, metric, errors


def human_table(
    human_labels: Any, criterion: str | None, level: LevelOption, func: str | None = None
) -> tuple[pl.DataFrame, str | None, Level]:
    """Single-output human labels: ``item``, keys, ``rater``, ``h_label``, ``h_value``, ``note``;
    the criterion; and the level, "auto" resolved: ordinal when every label has a numeric value."""
    check_level(level)
    labels, criterion = pick_criterion(as_labels(human_labels, func=func), criterion, "single")
    labels = latest(_keyed(labels, "human_labels", func), [ITEM])
    value = pl.col("value").cast(pl.Float64) if "value" in labels.columns else pl.lit(None, dtype=pl.Float64)
    labels = labels.filter(pl.col("label").is_not_null() | value.is_not_null())
    labels = labels.with_columns(
        pl.coalesce(value, pl.col("label").cast(pl.Float64, strict=False)).alias("h_value")
    )
    if level == "auto":
        numeric = labels.height > 0 and labels.get_column("h_value").null_count() == 0
        level = "ordinal" if numeric else "nominal"
    if level != "nominal":
        bad = labels.filter(pl.col("h_value").is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise ValueError(
                f"human_labels: label {row['label']!r} of rater {row['rater']!r} on case {row['case_id']!r} "
                f"has no numeric value; level={level!r} needs numbers (or use level='nominal')"
            )
        lab = pl.col("h_value").map_elements(fmt_label, return_dtype=pl.Utf8)
    else:
        lab = pl.coalesce(pl.col("label"), pl.col("h_value").map_elements(fmt_label, return_dtype=pl.Utf8))
    note = pl.col("note") if "note" in labels.columns else pl.lit(None, dtype=pl.Utf8).alias("note")
    out = labels.select(ITEM, *KEY, pl.col("rater").cast(pl.Utf8), lab.alias("h_label"), "h_value", note)
    return out, criterion, level


def no_overlap_error(
    judge: pl.DataFrame, human: pl.DataFrame, what: str = "(case_id, model, variant, sample)"
) -> ValueError:
    """Why no judge row matches a human label: which key columns share no value, with examples."""
    problems = []
    for name in KEY:
        left = set(judge.get_column(name).to_list())
        right = set(human.get_column(name).to_list())
        if not left & right:
            problems.append(
                f"{name}: judge has {sorted(map(str, left))[:3]}, humans have {sorted(map(str, right))[:3]}"
            )
    j = judge.select(KEY).row(0, named=True) if judge.height else None
    h = human.select(KEY).row(0, named=True) if human.height else None
    detail = "; ".join(problems) if problems else "each column overlaps but no full key does"
    return ValueError(
        f"no judge score matches a human label on {what}: {detail}. "
        f"Example judge key: {j}; example human key: {h}"
    )


def consensus_label(values: list[float], labels: list[str], method: Consensus, level: Level) -> str | None:
    """The human consensus of one item: the majority label (ties broken by the lower median for
    ordered scales, none for nominal ones), or the lower median.

    >>> consensus_label([2.0, 4.0], ["2", "4"], "majority", "ordinal")
    '2'
    >>> consensus_label([], ["pass", "fail"], "majority", "nominal") is None
    True
    """
    if method == "median":
        if level == "nominal":
            raise ValueError(
                "consensus='median' needs an ordered scale; use consensus='majority' for nominal labels"
            )
        return fmt_label(statistics.median_low(values))
    if method != "majority":
        raise ValueError(f"consensus must be 'majority' or 'median', got {method!r}")
    counts = Counter(labels).most_common()
    top = [lab for lab, n in counts if n == counts[0][1]]
    if len(top) == 1:
        return top[0]
    if level == "nominal":
        return None
    return fmt_label(statistics.median_low(values))


def consensus_table(human: pl.DataFrame, method: Consensus, level: Level) -> pl.DataFrame:
    """One row per item: ``h_label`` (consensus), ``h_value``, ``n_raters``, ``ratings``, ``notes``."""
    rows = []
    for (item,), group in human.sort("rater").group_by([ITEM], maintain_order=True):
        values = [v for v in group.get_column("h_value").to_list() if v is not None]
        labels = group.get_column("h_label").to_list()
        label = consensus_label(values, labels, method, level)
        value = float(label) if label is not None and level != "nominal" else None
        notes = [f"{r}: {n}" for r, n in zip(group["rater"], group["note"], strict=True) if n]
        rows.append(
            {
                ITEM: item,
                "h_label": label,
                "h_value": value,
                "n_raters": group.height,
                "ratings": ", ".join(f"{r}={lab}" for r, lab in zip(group["rater"], labels, strict=True)),
                "h_spread": (max(values) - min(values)) if values else None,
                "notes": " | ".join(notes) or None,
            }
        )
    schema = {ITEM: pl.Utf8, "h_label": pl.Utf8, "h_value": pl.Float64, "n_raters": pl.Int64,
              "ratings": pl.Utf8, "h_spread": pl.Float64, "notes": pl.Utf8}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def ordered_categories(
    labels: Sequence[str | None], level: Level, categories: Sequence[Any] | None
) -> list[str]:
    """The label categories in scale order (numeric order for numbers, else first seen)."""
    if categories is not None:
        return [
            str(fmt_label(c)) if isinstance(c, int | float) and not isinstance(c, bool) else str(c)
            for c in categories
        ]
    seen = list(dict.fromkeys(lab for lab in labels if lab is not None))
    try:
        return sorted(seen, key=float)
    except ValueError:
        if level != "nominal":
            raise ValueError(
                f"labels {seen[:6]} are not numbers: give their order with categories=[...] for level={level!r}"
            ) from None
        return sorted(seen)


def long_labels(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """A wide (item, label columns) frame -> long (case_id=item, rater, label) for the agreement functions."""
    parts = [
        frame.select(pl.col(ITEM).alias("case_id"), pl.lit(rater).alias("rater"), pl.col(col).alias("label"))
        for rater, col in columns.items()
    ]
    return pl.concat(parts).filter(pl.col("label").is_not_null())
