"""``score``: run scorers over a run's results and return (and save) the tidy scores table."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl

from workbench._schema import RESULT_KEY, SCORE_KEY
from workbench._table import as_table, cases_of
from workbench.metrics._frame import SCORE_SCHEMA, conform_scores, scores_frame
from workbench.metrics._save import save_scores
from workbench.metrics._scorer import SCORE_FIELDS, Score, Scorer, as_score, error_score
from workbench.metrics._scores import Scores

#: Case fields a scorer may name (they come from ``cases=``, not from the results).
CASE_FIELDS = ("input", "reference", "context", "tags", "is_chat")


def score(
    run_or_results: Any,
    scorers: Scorer | Iterable[Any],
    *,
    cases: Any = None,
    save: bool = True,
    vectorized: bool = True,
) -> Scores:
    """Score every result row with every scorer; one score row per (result row, metric).

    A row whose call failed (null ``output``) gets value None and error ``"no output: <error_type>"``:
    it is missing, never a 0. A scorer that raises on a row gives that row an error
    (``"<ExcType>: message"``) and no value; the other rows are unaffected. Configuration errors
    (a column that does not exist, an invalid schema or regex, a scorer that needs the cases when
    none were given) are raised before anything is scored.

    Args:
        run_or_results: a :class:`~workbench.runner.Run`, or a results DataFrame (polars or pandas)
            with at least ``case_id`` and ``output``; missing ``run_id``/``model``/``variant`` are
            null and a missing ``sample`` is 0.
        scorers: a scorer or a list of scorers (see :func:`~workbench.metrics.scorer`). An object
            with a ``metric`` name and a ``score(results, cases) -> DataFrame`` method (the LLM
            judges) is also accepted: it scores the whole table itself, and any columns it adds
            beyond the score columns are kept.
        cases: the :class:`~workbench.cases.CaseSet` the run used, or a cases frame with
            ``case_id``. Needed by scorers that read a case field (``reference``...) or the
            ``case``. Case columns are joined to the result rows by ``case_id``; a case column
            whose name is also a results column is given as ``<name>_case``.
        save: with a Run that has a store, merge the scores into the run's ``scores`` table
            (replacing earlier scores of the same metric and row, keeping the others).
        vectorized: use scorers' vectorised paths (False scores row by row, to check one).

    Returns:
        :class:`Scores`, wrapping the table with the columns of ``workbench._schema.SCORE_COLUMNS``.

    Example:
        >>> import polars as pl
        >>> from workbench.metrics import exact_match, token_f1
        >>> results = pl.DataFrame({"case_id": ["a", "b"], "model": "m", "output": ["Paris", None],
        ...                         "reference": ["paris", "Rome"]})
        >>> s = score(results, [exact_match, token_f1])
        >>> s.table.select("case_id", "metric", "value", "error").rows()
        [('a', 'exact_match', 1.0, None), ('b', 'exact_match', None, 'no output'), ('a', 'token_f1', 1.0, None), ('b', 'token_f1', None, 'no output')]
    """
    from workbench.runner._result import Run

    store = run_id = None
    run = run_or_results if isinstance(run_or_results, Run) else None
    cases = cases_of(run_or_results, cases=cases)
    if isinstance(run_or_results, Run):
        results = run_or_results.results
        store, run_id = run_or_results.store, run_or_results.id
        check_duplicates = False  # the runner writes one row per key
    else:
        results = as_table(run_or_results, want="results", param="run_or_results", func="score")
        check_duplicates = True
    items = _as_scorers(scorers)
    scorer_list = [s for s in items if isinstance(s, Scorer)]
    results = _prepare_results(results, check_duplicates)
    case_frame = _cases_frame(cases)
    if case_frame is not None:
        _check_case_ids(results, case_frame)
    _check_needs(scorer_list, results, case_frame)
    frame = _join_cases(results, case_frame, scorer_list)
    caseset = _caseset(cases, case_frame) if any(s.takes_case for s in scorer_list) else None

    has_output = frame.get_column("output").is_not_null()
    all_output = bool(has_output.all())
    scorable = frame if all_output else frame.filter(has_output)
    keys = frame.select(RESULT_KEY)
    # each result row's position among the scorable rows (failed calls are filled in after)
    position = None if all_output else (has_output.cast(pl.Int64).cum_sum() - 1).clip(lower_bound=0)
    parts = []
    for s in items:
        if not isinstance(s, Scorer):
            parts.append(_table_scores(s, results, cases))
            continue
        scored = _score_rows(s, scorable, caseset, vectorized)
        if position is not None:
            scored = _with_failed_rows(scored, position, has_output, frame.get_column("error_type"))
        part = pl.concat([keys, scored], how="horizontal")
        parts.append(
            conform_scores(
                part.with_columns(pl.lit(s.metric).alias("metric"), pl.lit(s.spec).alias("scorer"))
            )
        )
    table = pl.concat(parts, how="diagonal_relaxed")
    if save and store is not None and run_id is not None:
        save_scores(store, run_id, table)
    return Scores(table, cases=cases, run=run)


# -- inputs ----------------------------------------------------------------------------------------


def is_table_scorer(obj: Any) -> bool:
    """Whether ``obj`` scores a whole table itself (LLM judges): ``.metric`` and ``.score(results, cases)``."""
    return (
        not isinstance(obj, Scorer)
        and isinstance(getattr(obj, "metric", None), str)
        and callable(getattr(obj, "score", None))
    )


def _as_scorers(scorers: Any) -> list[Any]:
    items: list[Any] = (
        [scorers]
        if isinstance(scorers, Scorer) or is_table_scorer(scorers) or callable(scorers)
        else list(scorers)
    )
    for i, s in enumerate(items):
        if not isinstance(s, Scorer) and not is_table_scorer(s):
            what = getattr(s, "__name__", type(s).__name__)
            raise TypeError(f"scorers[{i}] ({what}) is not a scorer; decorate the function with @scorer")
    if not items:
        raise ValueError("score() needs at least one scorer")
    for s in items:
        if isinstance(s, Scorer):
            s.check()
    seen: dict[str, Any] = {}
    for s in items:
        if s.metric in seen:
            name = getattr(s, "name", type(s).__name__)
            raise ValueError(
                f"two scorers produce the metric {s.metric!r}: {seen[s.metric]!r} and {s!r}; "
                f"name one with metric=..., e.g. {name}(..., metric='{s.metric}_2')"
            )
        seen[s.metric] = s
    return items


def _prepare_results(results: pl.DataFrame, check_duplicates: bool) -> pl.DataFrame:
    for col in ("case_id", "output"):
        if col not in results.columns:
            raise ValueError(
                f"the results have no {col!r} column; columns: {', '.join(results.columns) or '(none)'}"
            )
    if results.schema["output"] not in (pl.Utf8, pl.Null):
        raise ValueError(f"the results' 'output' column must hold text, got {results.schema['output']}")
    fill = [
        pl.lit(None, dtype=pl.Utf8).alias(c)
        for c in ("run_id", "model", "variant", "error_type")
        if c not in results.columns
    ]
    if "sample" not in results.columns:
        fill.append(pl.lit(0, dtype=pl.Int64).alias("sample"))
    results = results.with_columns(fill).with_columns(
        pl.col("case_id", "output", "run_id", "model", "variant", "error_type").cast(pl.Utf8),
        pl.col("sample").cast(pl.Int64),
    )
    # distinct row hashes prove distinct keys; only on a (rare) clash look closer
    if (
        check_duplicates
        and results.height
        and results.select(RESULT_KEY).hash_rows().n_unique() < results.height
    ):
        dup = results.select(RESULT_KEY).is_duplicated()
        if dup.any():
            example = results.filter(dup).row(0, named=True)
            shown = ", ".join(f"{k}={example[k]!r}" for k in RESULT_KEY)
            raise ValueError(
                f"the results have {int(dup.sum())} rows that share their key ({shown}); "
                "each (run_id, case_id, model, variant, sample) must be one row: add a 'sample' column "
                "numbering repeated outputs"
            )
    return results


def _cases_frame(cases: Any) -> pl.DataFrame | None:
    if cases is None:
        return None
    frame = as_table(cases, want="cases", param="cases", func="score", columns=["case_id"])
    frame = frame.with_columns(pl.col("case_id").cast(pl.Utf8))
    dup = frame.get_column("case_id").is_duplicated()
    if dup.any():
        raise ValueError(f"cases has repeated case ids, e.g. {frame.filter(dup)['case_id'][0]!r}")
    return frame


def _check_case_ids(results: pl.DataFrame, case_frame: pl.DataFrame) -> None:
    ids = results.select(pl.col("case_id").unique())
    unknown = ids.join(case_frame.select("case_id"), on="case_id", how="anti").get_column("case_id")
    if len(unknown):
        shown = ", ".join(repr(c) for c in unknown.sort().head(3).to_list())
        raise ValueError(
            f"{len(unknown)} case id(s) of the results are not in cases (e.g. {shown}); "
            "pass the case set the run used"
        )


def _check_needs(scorers: list[Scorer], results: pl.DataFrame, case_frame: pl.DataFrame | None) -> None:
    available = dict(results.schema)
    if case_frame is not None:
        for c, t in case_frame.schema.items():
            available.setdefault(c, t)
    for s in scorers:
        if s.takes_case and case_frame is None:
            raise ValueError(
                f"{s.name} reads the case (its 'case' parameter): pass cases= (the CaseSet the run used)"
            )
        for col, (arg, kind) in s.columns().items():
            if col not in available:
                where = "the results" if case_frame is None else "the results or the cases"
                hint = ""
                if case_frame is None and col in CASE_FIELDS:
                    hint = f"; {col!r} is a case field: pass cases= (the CaseSet the run used)"
                raise ValueError(
                    f"{s.name}({arg}={col!r}): column {col!r} is not in {where}; "
                    f"available columns: {', '.join(available)}{hint}"
                )
            dtype = available[col]
            ok = (
                kind == "any"
                or dtype in (pl.Utf8, pl.Null)
                or (kind == "text_or_number" and dtype.is_numeric())
            )
            if not ok:
                expected = "text" if kind == "text" else "text or numbers"
                raise ValueError(f"{s.name}({arg}={col!r}): column {col!r} must hold {expected}, got {dtype}")


def _join_cases(
    results: pl.DataFrame, case_frame: pl.DataFrame | None, scorers: list[Scorer]
) -> pl.DataFrame:
    if case_frame is None:
        return results
    if any(not s.declared_columns for s in scorers):
        wanted = [c for c in case_frame.columns if c != "case_id"]
    else:
        wanted = list(dict.fromkeys(c for s in scorers for c in s.columns() if c not in results.columns))
    if not wanted:
        return results
    right = case_frame.select("case_id", *wanted)
    return results.join(right, on="case_id", how="left", suffix="_case", maintain_order="left")


def _caseset(cases: Any, case_frame: pl.DataFrame | None) -> Any:
    from workbench.cases import CaseSet

    if isinstance(cases, CaseSet):
        return cases
    assert case_frame is not None
    return CaseSet.from_polars(case_frame, source="cases")


# -- scoring ---------------------------------------------------------------------------------------


def _score_rows(s: Scorer, frame: pl.DataFrame, caseset: Any, vectorized: bool) -> pl.DataFrame:
    if vectorized and s.vectorized is not None and frame.height:
        try:
            result = s.vectorized(frame, **s.args)
        except Exception as e:  # the row path isolates the failure to the rows that cause it
            warnings.warn(
                f"{s.name}: the vectorised path raised {type(e).__name__}: {e}; scoring row by row",
                RuntimeWarning,
                stacklevel=3,
            )
        else:
            return _vector_scores(s, result, frame.height)
    return scores_frame(_row_path(s, frame, caseset))


def _row_path(s: Scorer, frame: pl.DataFrame, caseset: Any) -> list[Score]:
    outputs = frame.get_column("output").to_list()
    rows: Iterator[dict[str, Any]] | None = None
    if s.takes_row:
        rows = iter(frame.iter_rows(named=True))
    case_ids = frame.get_column("case_id").to_list() if s.takes_case else None
    out = []
    for i, output in enumerate(outputs):
        kwargs = dict(s.args)
        if rows is not None:
            kwargs["row"] = next(rows)
        try:
            if case_ids is not None:
                kwargs["case"] = caseset[case_ids[i]]
            score = as_score(s.fn(output, **kwargs))
        except Exception as e:  # one bad row must not lose the others' scores
            score = error_score(e)
        out.append(s.apply_threshold(score))
    return out


def _vector_scores(s: Scorer, result: Any, height: int) -> pl.DataFrame:
    if not isinstance(result, pl.DataFrame):
        raise TypeError(
            f"{s.name}: the vectorised path must return a polars DataFrame, got {type(result).__name__}"
        )
    extra = [c for c in result.columns if c not in SCORE_FIELDS]
    if extra or result.height != height:
        raise ValueError(
            f"{s.name}: the vectorised path must return {height} rows with columns among "
            f"{', '.join(SCORE_FIELDS)}; got {result.height} rows with {', '.join(result.columns)}"
        )
    result = result.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in SCORE_SCHEMA.items() if c not in result.columns]
    ).select([pl.col(c).cast(t) for c, t in SCORE_SCHEMA.items()])
    nan = pl.col("value").is_nan().fill_null(False)
    result = result.with_columns(
        pl.when(nan).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(nan).then(None).otherwise(pl.col("passed")).alias("passed"),
        pl.when(nan)
        .then(pl.coalesce("error", pl.lit("scorer returned NaN")))
        .otherwise(pl.col("error"))
        .alias("error"),
    )
    t = s.threshold
    if t is not None:
        result = result.with_columns(
            pl.when(pl.col("passed").is_null() & pl.col("value").is_not_null())
            .then(pl.col("value") >= t)
            .otherwise(pl.col("passed"))
            .alias("passed")
        )
    return result


def _with_failed_rows(
    scored: pl.DataFrame, position: pl.Series, has_output: pl.Series, error_type: pl.Series
) -> pl.DataFrame:
    """Scores of every result row: scored rows in place, failed calls missing with the reason."""
    reason = pl.coalesce(pl.concat_str(pl.lit("no output: "), pl.lit(error_type)), pl.lit("no output"))
    ok = pl.lit(has_output)
    if scored.height == 0:  # every call failed: one null row to gather from
        scored = scores_frame([Score()])
    return scored.gather(position).select(
        *[pl.when(ok).then(pl.col(c)).otherwise(None).alias(c) for c in SCORE_SCHEMA if c != "error"],
        pl.when(ok).then(pl.col("error")).otherwise(reason).alias("error"),
    )


def _table_scores(s: Any, results: pl.DataFrame, cases: Any) -> pl.DataFrame:
    """Scores from a table scorer, checked to have the score key and its own metric."""
    table = as_table(s.score(results, cases), param=f"{s.metric}.score()", func="score")
    missing = [c for c in (*SCORE_KEY, "value") if c not in table.columns]
    if missing:
        raise ValueError(f"{s!r}.score() returned a table without {', '.join(missing)}")
    return conform_scores(table, keep_extra=True)
