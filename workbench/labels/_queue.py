"""Label queues: which outputs (or pairs of outputs) to send to a person for review.

Every queue is a polars frame with one row per item: ``run_id, case_id, model, variant, sample``
for single outputs, ``run_id, case_id, model_a, model_b`` for pairs (``model_a``/``model_b`` are
``"model/variant"`` keys in sorted order, as the label store keeps them). Draws depend only on the
items and the seed, never on the order of the input rows. Results may be a ``Run`` or a results
table (polars or pandas), scores a ``Scores`` or a score table.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import polars as pl

from workbench._table import Want, as_table, cases_of, require_columns

SINGLE = ("run_id", "case_id", "model", "variant", "sample")
PAIR = ("run_id", "case_id", "model_a", "model_b")


def keyed(data: Any, name: str, func: str | None = None, want: Want = "results") -> pl.DataFrame:
    """Rows with the result key columns: a missing ``run_id`` becomes ``""``, ``variant`` null, ``sample`` 0."""
    frame = as_table(
        data, want=want, param=name, func=func, columns=("case_id", "model"), expected=f"a {want} table"
    )
    fill = {"run_id": pl.lit(""), "variant": pl.lit(None, dtype=pl.Utf8), "sample": pl.lit(0, dtype=pl.Int64)}
    frame = frame.with_columns([e.alias(c) for c, e in fill.items() if c not in frame.columns])
    return frame.with_columns(
        pl.col("run_id").cast(pl.Utf8).fill_null(""),
        pl.col("case_id").cast(pl.Utf8),
        pl.col("model").cast(pl.Utf8),
        pl.col("variant").cast(pl.Utf8),
        pl.col("sample").cast(pl.Int64),
    )


def output_key(model: str, variant: str | None) -> str:
    """``"model/variant"``, or just the model when there is no variant."""
    return model if not variant else f"{model}/{variant}"


def _key_expr() -> pl.Expr:
    variant = pl.col("variant")
    return (
        pl.when(variant.is_null() | (variant == ""))
        .then(pl.col("model"))
        .otherwise(pl.concat_str([pl.col("model"), variant], separator="/"))
    )


def as_queue(queue: Any) -> pl.DataFrame:
    """A queue frame (see the module docstring), checked: its item columns present, no repeats."""
    frame = as_table(queue, param="queue")
    if {"model_a", "model_b"} <= set(frame.columns):
        cols: Sequence[str] = PAIR
        if "run_id" not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias("run_id"))
        frame = frame.with_columns(pl.col("run_id").cast(pl.Utf8).fill_null(""))
    else:
        frame = keyed(frame, "queue")
        cols = SINGLE
    dup = frame.select(cols).is_duplicated()
    if dup.any():
        row = frame.filter(dup).row(0, named=True)
        raise ValueError(f"queue lists the same item twice: {', '.join(f'{c}={row[c]!r}' for c in cols)}")
    return frame


def _gradable(results: Any, models: Sequence[str] | None, func: str) -> pl.DataFrame:
    frame = keyed(results, "results", func)
    if "output" in frame.columns:
        frame = frame.filter(pl.col("output").is_not_null())  # a failed call has nothing to grade
    if models is not None:
        wanted = list(models)
        keys = frame.select(pl.col("model"), _key_expr().alias("_key"))
        known = set(keys.get_column("model").to_list()) | set(keys.get_column("_key").to_list())
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise ValueError(
                f"{func}: models: no results for {unknown[0]!r}; the results have: {', '.join(sorted(known))}"
            )
        frame = frame.filter(pl.col("model").is_in(wanted) | _key_expr().is_in(wanted))
    return frame


def _draw(frame: pl.DataFrame, n: int | None, seed: int, cols: Sequence[str], what: str) -> pl.DataFrame:
    """``n`` rows drawn by ``seed`` from the rows sorted by ``cols``, returned in their original order."""
    if n is None:
        return frame
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= frame.height:
        raise ValueError(f"n={n!r}: n must be an integer between 0 and {frame.height} (the {what})")
    indexed = frame.with_row_index("_row")
    order = indexed.sort(list(cols), nulls_last=True).get_column("_row").to_list()
    picked = sorted(random.Random(seed).sample(order, n))
    return indexed.filter(pl.col("_row").is_in(picked)).drop("_row")


def queue_sample(results: Any, n: int, *, seed: int = 0, models: Sequence[str] | None = None) -> pl.DataFrame:
    """``n`` random outputs of a run (failed calls left out), in the results' order.

    Args:
        results: a Run or its results table (polars or pandas).
        n: how many outputs to send for review.
        seed: the random seed.
        models: only these models (names or ``"model/variant"`` keys).

    Example:
        >>> res = pl.DataFrame({"case_id": ["c1", "c2", "c3"], "model": "m", "output": ["x", None, "z"]})
        >>> queue_sample(res, 2).get_column("case_id").to_list()
        ['c1', 'c3']
    """
    frame = _gradable(results, models, "queue_sample")
    return _draw(frame, n, seed, SINGLE, "outputs with an output").select(SINGLE)


def queue_slice(
    results: Any,
    tag_expr: str,
    *,
    cases: Any = None,
    n: int | None = None,
    seed: int = 0,
    models: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The outputs on the cases whose tags match ``tag_expr`` (all of them, or ``n`` drawn by ``seed``).

    Args:
        results: a Run or its results table (polars or pandas).
        tag_expr: a tag expression, e.g. ``"billing and not refund"``.
        cases: the cases with their tags (a CaseSet or a cases table); default: the run's cases.
        n, seed: draw this many outputs by ``seed`` (None: all of them).
        models: only these models (names or ``"model/variant"`` keys).

    Example:
        >>> from workbench.cases import load_cases
        >>> cs = load_cases([{"id": "a", "input": "x", "tags": ["billing"]}, {"id": "b", "input": "y"}])
        >>> res = pl.DataFrame({"case_id": ["a", "b"], "model": "m", "output": ["1", "2"]})
        >>> queue_slice(res, "billing", cases=cs).get_column("case_id").to_list()
        ['a']
    """
    from workbench.cases import parse_tag_expr

    func = "queue_slice"
    expr = parse_tag_expr(tag_expr)
    cases = cases_of(results, cases=cases)
    if cases is None:
        raise ValueError(
            f"{func}: the cases' tags are needed to match {tag_expr!r}: pass cases= (a CaseSet or a "
            "cases table), or a Run that knows its cases"
        )
    frame = as_table(cases, want="cases", param="cases", func=func)
    if "case_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename({"id": "case_id"})
    require_columns(
        frame,
        ("case_id", "tags"),
        param="cases",
        func=func,
        expected=f"the tags to match {tag_expr!r} against",
    )
    ids = frame.filter(expr.to_polars("tags").fill_null(False)).get_column("case_id").cast(pl.Utf8).to_list()
    frame = _gradable(results, models, func).filter(pl.col("case_id").is_in(ids))
    return _draw(frame, n, seed, SINGLE, f"outputs on cases matching {tag_expr!r}").select(SINGLE)


def _metric_rows(scores: pl.DataFrame, metric: str, prefix: str) -> pl.DataFrame:
    rows = scores.filter(pl.col("metric") == metric)
    if rows.height == 0:
        known = ", ".join(sorted(scores.get_column("metric").unique().to_list()))
        raise ValueError(f"scores have no metric {metric!r}; they have: {known}")
    value = pl.col("value").cast(pl.Float64)
    lo, hi = rows.select(value.min()).item(), rows.select(value.max()).item()
    # each metric's values on 0..1 over its own observed range, so a judge's 1-5 and a 0-1 match compare
    scaled = (
        ((value - lo) / (hi - lo))
        if lo is not None and hi is not None and hi > lo
        else pl.lit(None, pl.Float64)
    )
    return rows.select(
        *SINGLE,
        pl.col("passed").cast(pl.Boolean).alias(f"{prefix}_passed"),
        value.alias(f"{prefix}_value"),
        scaled.alias(f"_{prefix}_scaled"),
    )


def queue_disagreements(scores: Any, judge_metric: str, metric: str, *, n: int | None = None) -> pl.DataFrame:
    """Outputs where an LLM judge and a task metric disagree on ``passed``, most confident first.

    Confidence is the distance between the two values, each rescaled to 0..1 over the values the
    metric takes in ``scores``; rows without both values come last. Ties keep the key order.

    Args:
        scores: a ``Scores`` or a score table (polars or pandas) with both metrics.
        judge_metric, metric: the judge's metric and the task metric to compare it with.
        n: keep the first ``n`` (None: all of them).

    Returns:
        The item columns, then ``judge_passed``, ``metric_passed``, ``judge_value``,
        ``metric_value`` and ``confidence``.

    Example:
        >>> sc = pl.DataFrame({"case_id": ["c1", "c1", "c2", "c2"], "model": "m",
        ...                    "metric": ["judge", "exact"] * 2, "value": [5.0, 0.0, 4.0, 1.0],
        ...                    "passed": [True, False, True, True]})
        >>> queue_disagreements(sc, "judge", "exact").get_column("case_id").to_list()
        ['c1']
    """
    func = "queue_disagreements"
    frame = keyed(scores, "scores", func, want="scores")
    require_columns(frame, ("metric", "value", "passed"), param="scores", func=func, expected="a score table")
    judged = _metric_rows(frame, judge_metric, "judge")
    other = _metric_rows(frame, metric, "metric")
    both = judged.join(other, on=list(SINGLE), how="inner", nulls_equal=True)
    out = (
        both.filter(
            pl.col("judge_passed").is_not_null()
            & pl.col("metric_passed").is_not_null()
            & (pl.col("judge_passed") != pl.col("metric_passed"))
        )
        .with_columns((pl.col("_judge_scaled") - pl.col("_metric_scaled")).abs().alias("confidence"))
        .sort(["confidence", *SINGLE], descending=[True, False, False, False, False, False], nulls_last=True)
        .select(*SINGLE, "judge_passed", "metric_passed", "judge_value", "metric_value", "confidence")
    )
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n={n!r}: n must be a non-negative integer")
        out = out.head(n)
    return out


def _resolve(keys: Sequence[str], models: Sequence[str], wanted: str, name: str) -> str:
    if wanted in keys:
        return wanted
    matches = [k for k, m in zip(keys, models, strict=True) if m == wanted]
    if len(set(matches)) == 1:
        return matches[0]
    if matches:
        raise ValueError(
            f"queue_pairs: {name}={wanted!r} has several variants ({', '.join(sorted(set(matches)))}): name one"
        )
    raise ValueError(
        f"queue_pairs: {name}={wanted!r}: no such model or model/variant in results; they have: "
        f"{', '.join(sorted(set(keys)))}"
    )


def queue_pairs(
    results: Any, a: str, b: str, *, n: int | None = None, seed: int = 0, sample: int = 0
) -> pl.DataFrame:
    """Pairs of outputs to compare: every case (of a run) where both sides have an output.

    Args:
        results: a Run or its results table (polars or pandas).
        a, b: the two outputs to compare: a model name, or ``"model/variant"``.
        n: draw this many pairs by ``seed`` (None: all of them).
        sample: which sample of each model to compare.

    Returns:
        ``run_id, case_id, model_a, model_b`` with ``model_a < model_b`` (sorted, as stored).

    Example:
        >>> res = pl.DataFrame({"case_id": ["c1", "c1", "c2"], "model": ["y", "x", "x"], "output": "o"})
        >>> queue_pairs(res, "y", "x").rows()
        [('', 'c1', 'x', 'y')]
    """
    frame = (
        _gradable(results, None, "queue_pairs")
        .filter(pl.col("sample") == sample)
        .with_columns(_key_expr().alias("_key"))
    )
    keys, models = frame.get_column("_key").to_list(), frame.get_column("model").to_list()
    first, second = _resolve(keys, models, a, "a"), _resolve(keys, models, b, "b")
    if first == second:
        raise ValueError(f"queue_pairs: a and b are the same output {first!r}: name two different ones")
    lo, hi = sorted((first, second))
    left = frame.filter(pl.col("_key") == lo).select("run_id", "case_id").unique(maintain_order=True)
    right = frame.filter(pl.col("_key") == hi).select("run_id", "case_id").unique(maintain_order=True)
    pairs = left.join(right, on=["run_id", "case_id"], how="inner", maintain_order="left").with_columns(
        pl.lit(lo).alias("model_a"), pl.lit(hi).alias("model_b")
    )
    return _draw(pairs, n, seed, PAIR, "pairs with both outputs").select(PAIR)
