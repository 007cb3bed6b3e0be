"""A run: its configuration and its tidy result rows."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    import pandas as pd

    from workbench.cases import CaseSet
    from workbench.store._store import Store


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
        cases: CaseSet | None = None,
    ) -> None:
        self.config = dict(config)
        self.results = results
        self.store = store
        self.cases = cases

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

    def overview(self) -> pl.DataFrame:
        """Per model and variant: rows, errors, cache hits, latency percentiles, tokens, cost."""
        return (
            self.results.group_by("model", "variant", maintain_order=True)
            .agg(
                pl.len().alias("n"),
                pl.col("error_type").is_not_null().sum().alias("errors"),
                pl.col("cached").sum().alias("cached"),
                pl.col("latency_s").median().alias("latency_p50_s"),
                pl.col("latency_s").quantile(0.95, "linear").alias("latency_p95_s"),
                pl.col("prompt_tokens").sum().alias("prompt_tokens"),
                pl.col("completion_tokens").sum().alias("completion_tokens"),
                pl.col("cost_usd").sum().alias("cost_usd"),
            )
        )

    def __repr__(self) -> str:
        n_err = self.errors.height
        return f"<Run {self.id} {self.status}: {len(self)} rows, {n_err} errors, {int(self.results['cached'].sum() or 0)} cached>"

    def _repr_html_(self) -> str:
        ov = self.overview()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ov.columns)
        body = []
        for row in ov.iter_rows():
            cells = []
            for v in row:
                text = f"{v:.3g}" if isinstance(v, float) else ("" if v is None else str(v))
                cells.append(f"<td>{html.escape(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        title = html.escape(f"Run {self.id}" + (f" ({self.name})" if self.name else ""))
        meta = html.escape(
            f"{self.status}; {len(self)} rows; case set {self.config.get('case_set_version')}; "
            f"{self.config.get('samples')} sample(s) per case"
        )
        return (
            f"<div><b>{title}</b> <span>{meta}</span><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
