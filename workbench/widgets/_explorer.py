"""``SliceExplorer``: a metric by slice x model, largest gap first, linked to a CaseBrowser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import anywidget
import polars as pl
import traitlets as t

from workbench._table import as_table
from workbench.widgets._browser import STATIC, CaseBrowser
from workbench.widgets._frame import known_cases
from workbench.widgets._slices import STATS, is_summary, slice_filter, slice_table
from workbench.widgets._snapshot import explorer_html

if TYPE_CHECKING:
    import pandas as pd

Stat = Literal["mean", "pass_rate"]


class SliceExplorer(anywidget.AnyWidget):
    """A table of a metric by slice and model with counts and intervals, largest gap first.

    Give it a ``Scores`` (it then calls :func:`workbench.stats.summarize` over the cases the
    Scores knows), a score table with ``cases``, or a sliced summary (``summarize(..., slices=...)``);
    polars, LazyFrame or pandas. Choosing a slice sets the ``selected_slice`` trait; :meth:`link`
    makes that filter a :class:`CaseBrowser` to the slice's cases.

    :attr:`table` is the table shown (one row per slice), :meth:`summary` the summary behind it
    (every metric) and :meth:`to_pandas` the table in pandas.

    Args:
        data: a Scores, a score table or a sliced summary.
        metric: the metric shown first (default: the first one).
        cases: the cases, to slice scores by tags or metadata (a CaseSet, a cases table, or a Run
            or Scores that knows them); default: the cases ``data`` knows.
        slices: how to slice: ``"tags"`` (default: one slice per tag), a metadata column, a list
            of tag expressions or a dict name -> expression (see ``summarize``). With a summary,
            say how it was sliced so that :meth:`link` can filter the browser exactly.
        by: the model columns (``summarize``'s ``by``).
        stat: ``"mean"`` or ``"pass_rate"``.
        confidence, seed, n_resamples: passed to ``summarize``.

    Example:
        >>> explorer = SliceExplorer(scores, metric="exact")         # doctest: +SKIP
        >>> explorer.link(CaseBrowser(scores))                       # doctest: +SKIP
        >>> explorer.table                                           # doctest: +SKIP
    """

    _esm = STATIC / "explorer.js"
    _css = STATIC / "widgets.css"

    metric = t.Unicode("").tag(sync=True)
    metrics = t.List(t.Unicode()).tag(sync=True)
    stat = t.Unicode("mean").tag(sync=True)
    columns = t.List(t.Unicode()).tag(sync=True)
    rows = t.List(t.Dict()).tag(sync=True)
    selected_slice = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(
        self,
        data: Any,
        *,
        metric: str | None = None,
        cases: Any = None,
        slices: Any = None,
        by: str | Sequence[str] = ("model", "variant"),
        stat: Stat = "mean",
        confidence: float = 0.95,
        seed: int = 0,
        n_resamples: int = 2000,
    ) -> None:
        frame = as_table(data, want="scores", param="data", func="SliceExplorer")
        if is_summary(frame):
            summary = frame
        else:
            from workbench.stats import summarize

            slices = "tags" if slices is None else slices
            summary = summarize(
                frame,
                by=by,
                slices=slices,
                cases=known_cases(cases, data),
                confidence=confidence,
                seed=seed,
                n_resamples=n_resamples,
            )
        metrics = [str(m) for m in summary.get_column("metric").unique(maintain_order=True).to_list()]
        if not metrics:
            raise ValueError("the summary has no rows: nothing to explore")
        metric = metrics[0] if metric is None else metric
        if metric not in metrics:
            raise ValueError(f"metric {metric!r} is not in the scores; metrics: {', '.join(metrics)}")
        if stat not in STATS:
            raise ValueError(f"stat must be one of {', '.join(STATS)}, got {stat!r}")
        self._summary = summary
        self._slices = slices
        self._names: dict[str, Any] = {}
        self._links: list[tuple[CaseBrowser, Callable[[dict[str, Any]], None]]] = []
        super().__init__(metric=metric, metrics=metrics, stat=stat)
        self._update()

    def summary(self) -> pl.DataFrame:
        """The summary behind the table (every metric, every slice): ``summarize`` output."""
        return self._summary

    @t.observe("metric", "stat")
    def _on_view(self, change: dict[str, Any]) -> None:
        self._update()

    def _update(self) -> None:
        try:
            keys, rows = slice_table(self._summary, self.metric, self.stat)
        except ValueError as e:
            self.error = str(e)
            return
        self._names = {r["label"]: r["slice"] for r in rows}
        with self.hold_sync():
            self.columns = keys
            self.rows = [{k: v for k, v in r.items() if k != "slice"} for r in rows]
            self.error = ""

    @property
    def table(self) -> pl.DataFrame:
        """The table shown, for the current metric and stat: one row per slice, largest gap first
        (``slice``, ``gap``, then per model ``est[k]``, ``lo[k]``, ``hi[k]``, ``n[k]``)."""
        keys, rows = slice_table(self._summary, self.metric, self.stat)
        records = []
        for r in rows:
            rec: dict[str, Any] = {"slice": r["label"], "gap": r["gap"]}
            for cell in r["cells"]:
                for field in ("est", "lo", "hi", "n"):
                    rec[f"{field}[{cell['key']}]"] = cell[field]
            records.append(rec)
        schema = {"slice": pl.Utf8, "gap": pl.Float64}
        for k in keys:
            schema |= {
                f"est[{k}]": pl.Float64,
                f"lo[{k}]": pl.Float64,
                f"hi[{k}]": pl.Float64,
                f"n[{k}]": pl.Int64,
            }
        return pl.DataFrame(records, schema=schema)

    def to_pandas(self) -> pd.DataFrame:
        """:attr:`table` as a pandas DataFrame."""
        return self.table.to_pandas()

    # -- linking ---------------------------------------------------------------------------------

    def link(self, browser: CaseBrowser) -> SliceExplorer:
        """Show the selected slice's cases in ``browser`` (via its ``tag_expr`` or ``metadata``).

        Clearing the selection clears the filter this link set. Returns ``self``.
        """
        if not isinstance(browser, CaseBrowser):
            raise TypeError(f"link() takes a CaseBrowser, got {type(browser).__name__}")
        state: dict[str, Any] = {"applied": {}}

        def on_change(change: dict[str, Any]) -> None:
            self._show(browser, change["new"], state)

        self.observe(on_change, names="selected_slice")
        self._links.append((browser, on_change))
        if self.selected_slice:
            self._show(browser, self.selected_slice, state)
        return self

    def unlink(self, *browsers: CaseBrowser) -> SliceExplorer:
        """Stop filtering ``browsers`` (every linked browser when none is given); their filters stay
        as they are. Returns ``self``."""
        keep = []
        for linked, handler in self._links:
            if not browsers or any(linked is b for b in browsers):
                self.unobserve(handler, names="selected_slice")
            else:
                keep.append((linked, handler))
        self._links = keep
        return self

    def _show(self, browser: CaseBrowser, label: str, state: dict[str, Any]) -> None:
        previous = state["applied"]
        wanted: dict[str, Any] = {}
        if label:
            if label not in self._names:
                self.error = f"selected_slice: no slice {label!r}; slices: {', '.join(self._names)}"
                return
            try:
                wanted = slice_filter(self._names[label], self._slices)
            except ValueError as e:
                self.error = str(e)
                return
        self.error = ""
        with browser.hold_sync():
            if "tag_expr" in wanted:
                browser.tag_expr = wanted["tag_expr"]
            elif "tag_expr" in previous:
                browser.tag_expr = ""
            meta = {k: v for k, v in browser.metadata.items() if k not in previous.get("metadata", {})}
            meta.update(wanted.get("metadata", {}))
            if meta != browser.metadata:
                browser.metadata = meta
        state["applied"] = wanted

    # -- display ---------------------------------------------------------------------------------

    def to_html(self) -> str:
        """A static, escaped HTML snapshot of the table."""
        return explorer_html(
            metric=self.metric,
            stat=self.stat,
            columns=self.columns,
            rows=self.rows,
            selected_slice=self.selected_slice,
            error=self.error,
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        return {**data, "text/html": self.to_html()}, meta

    def __repr__(self) -> str:
        return f"SliceExplorer({self.stat} of {self.metric!r}: {len(self.rows)} slices x {len(self.columns)} models)"
