"""A run: its configuration, its tidy result rows and the case set it ran over."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench import _html

if TYPE_CHECKING:
    import pandas as pd

    from workbench.cases import CaseSet
    from workbench.store._store import Store

#: The columns of :meth:`Run.summary` and :meth:`~workbench.store.Store.compare` after the keys.
SUMMARY_COLUMNS = (
    "n",
    "n_errors",
    "n_cached",
    "latency_p50_s",
    "latency_p95_s",
    "prompt_tokens",
    "completion_tokens",
    "mean_completion_tokens",
    "cost_usd",
)


def summarize_results(results: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Per group of ``by``: calls, errors, cache hits, latency percentiles, tokens and cost.

    The one definition behind :meth:`Run.summary` (by model and variant) and
    :meth:`Store.compare` (by run, model and variant), so the two name the same things alike.
    Token and cost sums skip unknown values (null when none is known).
    """
    return results.group_by(*by, maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("error_type").is_not_null().sum().cast(pl.Int64).alias("n_errors"),
        pl.col("cached").sum().cast(pl.Int64).alias("n_cached"),
        pl.col("latency_s").median().alias("latency_p50_s"),
        pl.col("latency_s").quantile(0.95, "linear").alias("latency_p95_s"),
        _known_sum("prompt_tokens"),
        _known_sum("completion_tokens"),
        pl.col("completion_tokens").mean().alias("mean_completion_tokens"),
        _known_sum("cost_usd"),
    )


def _known_sum(column: str) -> pl.Expr:
    col = pl.col(column)
    return pl.when(col.is_not_null().any()).then(col.sum()).otherwise(None).alias(column)


class Run:
    """The outcome of running models and prompt variants over a case set.

    Attributes:
        id: the run's id (a fingerprint of its configuration; re-running the same configuration
            resumes and completes the same run).
        config: what was run (models, parameters without secrets, prompts, case set version...).
        results: one row per (case, model, variant, sample); see ``workbench._schema.RESULT_COLUMNS``.
        table: the same frame as ``results`` (every result object's main table is ``.table``).
        cases: the :class:`~workbench.cases.CaseSet` the run ran over (None for a run loaded from
            a store that did not keep it), so ``cases=`` need not be passed again.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        results: pl.DataFrame,
        store: Store | None = None,
        cases: CaseSet | Callable[[], CaseSet | None] | None = None,
    ) -> None:
        self.config = dict(config)
        self.results = results
        self.store = store
        # a stored run reads its cases when first asked for them
        self._cases: CaseSet | None = None if callable(cases) else cases
        self._load_cases: Callable[[], CaseSet | None] | None = cases if callable(cases) else None

    @classmethod
    def from_table(cls, results: Any, *, cases: Any, name: str | None = None) -> Run:
        """A Run over outputs made elsewhere (a file of candidate answers, a production log), so
        that it knows its cases as a Run from :func:`~workbench.runner.run` does.

        Args:
            results: a results table (polars, pandas, LazyFrame) with at least ``case_id`` and
                ``output``; ``model``, ``variant`` and ``sample`` are used when present.
            cases: the :class:`~workbench.cases.CaseSet` (or anything ``load_cases`` takes) that
                every ``case_id`` of the results belongs to.
            name: a label for the run.

        The run's id is a fingerprint of the cases' version and the table's content; it has no
        store (scores of it are not saved).

        Example:
            >>> answers = Run.from_table(load_candidate_responses(path), cases=cases)   # doctest: +SKIP
            >>> wb.score(answers, [wb.judge(rubric)])                                  # doctest: +SKIP
        """
        import hashlib

        from workbench._table import as_table
        from workbench.cases import CaseSet, load_cases

        frame = as_table(
            results, want="results", param="results", func="Run.from_table", columns=("case_id", "output")
        )
        case_set = cases if isinstance(cases, CaseSet) else load_cases(cases)
        unknown = sorted(set(frame.get_column("case_id").cast(pl.Utf8).to_list()) - set(case_set.ids))
        if unknown:
            shown = ", ".join(repr(c) for c in unknown[:3])
            raise ValueError(
                f"Run.from_table: {len(unknown)} case id(s) of the results are not in cases (e.g. {shown})"
            )
        digest = hashlib.sha256(case_set.version.encode())
        digest.update(frame.hash_rows().sort().to_numpy().tobytes())
        config = {
            "run_id": "table-" + digest.hexdigest()[:12],
            "name": name,
            "status": "complete",
            "case_set_version": case_set.version,
            "n_cases": len(case_set),
            "samples": frame.get_column("sample").n_unique() if "sample" in frame.columns else 1,
        }
        # the result columns a run's rows have (null where the table has nothing), then its own
        from workbench._schema import RESULT_COLUMNS, polars_schema

        given = {
            "run_id": pl.lit(config["run_id"]),
            "sample": pl.lit(0),
            "cached": pl.lit(False),
            "attempts": pl.lit(1),
        }
        fill = [
            given.get(c, pl.lit(None)).cast(t).alias(c)
            for c, t in polars_schema(RESULT_COLUMNS).items()
            if c not in frame.columns
        ]
        return cls(config, frame.with_columns(fill), store=None, cases=case_set)

    @property
    def cases(self) -> CaseSet | None:
        if self._load_cases is not None:
            self._cases, self._load_cases = self._load_cases(), None
        return self._cases

    @property
    def table(self) -> pl.DataFrame:
        return self.results

    @property
    def id(self) -> str:
        return str(self.config["run_id"])

    @property
    def name(self) -> str | None:
        return self.config.get("name")

    @property
    def status(self) -> str:
        return str(self.config.get("status"))

    @property
    def errors(self) -> pl.DataFrame:
        """The rows whose call failed (after retries)."""
        return self.results.filter(pl.col("error_type").is_not_null())

    def __len__(self) -> int:
        return self.results.height

    def to_pandas(self) -> pd.DataFrame:
        return self.results.to_pandas()

    def to_polars(self) -> pl.DataFrame:
        return self.results

    def summary(self) -> pl.DataFrame:
        """Per model and variant: calls (``n``), ``n_errors``, ``n_cached``, latency percentiles,
        token sums, mean completion tokens and cost; the same columns as :meth:`Store.compare`."""
        return summarize_results(self.results, ("model", "variant"))

    overview = summary  # the name the notebooks knew first

    # -- builders: a new Run over some of the rows (the original is unchanged) ----------------

    def filter(self, *predicates: pl.Expr, **equals: Any) -> Run:
        """The result rows matching polars predicates and ``column=value`` constraints, as a Run
        that keeps this one's configuration, store and cases.

        Example:
            >>> greedy = run.filter(model="smol-t0", variant="support")       # doctest: +SKIP
            >>> wb.score(greedy.head(3), [wb.judge(rubric)])                  # doctest: +SKIP
        """
        return self._derive(self.results.filter(*predicates, **equals), self.cases)

    def slice(self, tag_expr: str) -> Run:
        """The rows of the cases a tag expression selects (see :meth:`CaseSet.slice`); the new
        Run's cases are that slice."""
        if self.cases is None:
            raise ValueError(f"run {self.id} does not know its cases: slice its results by case_id instead")
        part = self.cases.slice(tag_expr)
        return self._derive(self.results.filter(pl.col("case_id").is_in(part.ids)), part)

    def head(self, n: int = 5, /) -> Run:
        """The first ``n`` result rows as a Run (e.g. to try a costly judge on a few)."""
        return self._derive(self.results.head(n), self.cases)

    def _derive(self, results: pl.DataFrame, cases: CaseSet | None) -> Run:
        return Run(self.config, results, store=self.store, cases=cases)

    def __repr__(self) -> str:
        n_err = self.errors.height
        return f"<Run {self.id} {self.status}: {len(self)} rows, {n_err} errors, {int(self.results['cached'].sum() or 0)} cached>"

    def _repr_html_(self) -> str:
        meta = (
            f"{self.status}; {len(self)} rows; case set {self.config.get('case_set_version')}; "
            f"{self.config.get('samples')} sample(s) per case"
        )
        title = f"Run {self.id}" + (f" ({self.name})" if self.name else "")
        return _html.report(title, [_html.note(meta), _html.table(self.summary())])
