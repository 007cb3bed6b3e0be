"""``CaseBrowser``: filter, page through and inspect cases with their outputs and scores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import polars as pl
import traitlets as t

from workbench.cases import TagExpressionError
from workbench.widgets._detail import case_detail
from workbench.widgets._filters import (
    FILTER_KINDS,
    FilterError,
    Filters,
    jsonable,
    n_pages,
    page_indices,
    page_rows,
    table_columns,
)
from workbench.widgets._frame import Joined, browser_sources, join_frame
from workbench.widgets._snapshot import active_filters, browser_html

if TYPE_CHECKING:
    import pandas as pd

STATIC = Path(__file__).parent / "static"

#: Metadata columns with at most this many distinct values get a drop-down filter.
MAX_FACET_VALUES = 50
MAX_PAGE_SIZE = 1000


def facets(joined: Joined) -> dict[str, list[Any]]:
    """Distinct values of the low-cardinality metadata columns (for drop-down filters)."""
    out: dict[str, list[Any]] = {}
    for col in joined.metadata_columns:
        series = joined.frame.get_column(col)
        if isinstance(series.dtype, pl.List | pl.Array | pl.Struct | pl.Object):
            continue
        values = series.drop_nulls().unique()
        if 0 < values.len() <= MAX_FACET_VALUES:
            out[col] = [jsonable(v) for v in values.sort().to_list()]
    return out


class CaseBrowser(anywidget.AnyWidget):
    """Browse cases with their outputs and scores: filters, paging, a detail view, selection.

    The filters are synced traits, set from the front end or from Python, and combine with AND:
    ``tag_expr`` (a tag expression; an invalid one sets ``error`` and leaves the table as it
    was), ``query`` (case-insensitive text in the id, input, reference or any output),
    ``metadata`` (``{column: value or [values]}``) and ``score_filter`` (``{"metric", "model",
    "op", "value"}``, e.g. ``{"metric": "exact", "op": "failed"}``) and ``case_ids`` (a list of
    case ids, e.g. set by :meth:`workbench.cluster.Clusterer.link`; empty: no filter). Only the current page's rows
    are sent to the front end. Setting ``selected_id`` fills ``detail`` with the full case, every
    model's output with a word diff against the reference (or the first model's output) and every
    score with its rationale.

    Give it the cases, results and scores, or just what knows them: ``CaseBrowser(run)`` (the
    run's cases and results), ``CaseBrowser(run, scores)``, ``CaseBrowser(scores)`` (the cases and
    results of the run that was scored). Each table may be a polars DataFrame or LazyFrame, a
    pandas DataFrame or a workbench object (read by :func:`workbench._table.as_table`).

    :attr:`table` is the rows the filters keep (what the browser shows, across every page) and
    :attr:`frame` the whole joined table; both have one row per case with the case columns, the
    metadata, then ``output[k]``/``error[k]`` per model/variant ``k`` and ``score[m][k]``/
    ``passed[m][k]`` per metric ``m``.

    Args:
        cases: a CaseSet or a cases frame (``case_id``, ``input``, ``tags``...); or a Run or
            Scores, whose cases (and results, and scores) are then used.
        results: a Run or its results frame (one row per case/model/variant/sample); default:
            the run of ``scores`` when it is a Scores that knows it. After a Run or Scores given
            first: the scores (resp. results).
        scores: a Scores or a scores frame (``workbench._schema.SCORE_COLUMNS``).
        page_size: rows per page.
        tag_expr, query, metadata, score_filter, case_ids: initial filters.

    Example:
        >>> browser = CaseBrowser(run, scores)                          # doctest: +SKIP
        >>> browser.score_filter = {"metric": "exact", "op": "failed"}  # doctest: +SKIP
        >>> browser.table                         # the cases shown, as a polars DataFrame  # doctest: +SKIP
    """

    _esm = STATIC / "browser.js"
    _css = STATIC / "widgets.css"

    tag_expr = t.Unicode("").tag(sync=True)
    query = t.Unicode("").tag(sync=True)
    metadata = t.Dict().tag(sync=True)
    score_filter = t.Dict().tag(sync=True)
    case_ids = t.List(t.Unicode()).tag(sync=True)
    page = t.Int(0).tag(sync=True)
    page_size = t.Int(50).tag(sync=True)
    n_total = t.Int(0).tag(sync=True)
    n_filtered = t.Int(0).tag(sync=True)
    n_pages = t.Int(1).tag(sync=True)
    columns = t.List(t.Dict()).tag(sync=True)
    rows = t.List(t.Dict()).tag(sync=True)
    facets = t.Dict().tag(sync=True)
    metrics = t.List(t.Unicode()).tag(sync=True)
    models = t.List(t.Unicode()).tag(sync=True)
    selected_id = t.Unicode("").tag(sync=True)
    detail = t.Dict().tag(sync=True)
    selection = t.List(t.Unicode()).tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(
        self,
        cases: Any = None,
        results: Any = None,
        scores: Any = None,
        *,
        page_size: int = 50,
        tag_expr: str = "",
        query: str = "",
        metadata: Mapping[str, Any] | None = None,
        score_filter: Mapping[str, Any] | None = None,
        case_ids: Iterable[str] | None = None,
    ) -> None:
        joined = join_frame(*browser_sources(cases, results, scores))
        self._joined = joined
        self._filters = Filters(joined)
        self._errors: dict[str, str] = {}
        self._deferred: dict[str, bool] | None = None
        self._busy = True  # no observer runs until every trait is in place
        super().__init__(
            page_size=page_size,
            n_total=joined.frame.height,
            columns=table_columns(joined),
            facets=facets(joined),
            metrics=list(joined.metrics),
            models=list(joined.keys),
            tag_expr=tag_expr,
            query=query,
            metadata=dict(metadata or {}),
            score_filter=dict(score_filter or {}),
            case_ids=[str(c) for c in case_ids or ()],
        )
        for kind in FILTER_KINDS:
            self._apply(kind, getattr(self, kind))
        self._busy = False
        self._refresh(reset_page=True)

    # -- synced state ---------------------------------------------------------------------------

    @t.validate("page_size")
    def _valid_page_size(self, proposal: dict[str, Any]) -> int:
        value = proposal["value"]
        if not 1 <= value <= MAX_PAGE_SIZE:
            raise t.TraitError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {value}")
        return value

    @t.validate("page")
    def _valid_page(self, proposal: dict[str, Any]) -> int:
        return max(0, min(int(proposal["value"]), self.n_pages - 1))

    @t.validate("selection")
    def _valid_selection(self, proposal: dict[str, Any]) -> list[str]:
        return list(dict.fromkeys(proposal["value"]))  # drop repeats, keep the order

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply a message from the front end; several filters changed at once refresh the page once."""
        self._deferred = {"refresh": False, "reset": False}
        try:
            super().set_state(sync_data)
        finally:
            pending, self._deferred = self._deferred, None
        if pending["refresh"]:
            self._refresh(reset_page=pending["reset"])

    @t.observe(*FILTER_KINDS)
    def _on_filter(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        self._apply(change["name"], change["new"])
        self._request_refresh(reset_page=True)

    @t.observe("page", "page_size")
    def _on_page(self, change: dict[str, Any]) -> None:
        if not self._busy:
            self._request_refresh(reset_page=change["name"] == "page_size")

    def _request_refresh(self, reset_page: bool) -> None:
        if self._deferred is None:
            self._refresh(reset_page)
        else:
            self._deferred["refresh"] = True
            self._deferred["reset"] = self._deferred["reset"] or reset_page

    @t.observe("selected_id")
    def _on_selected_id(self, change: dict[str, Any]) -> None:
        case_id = change["new"]
        self._errors.pop("selected_id", None)
        detail: dict[str, Any] = {}
        if case_id:
            try:
                detail = case_detail(self._joined, case_id)
            except KeyError as e:
                self._errors["selected_id"] = str(e.args[0])
        with self.hold_sync():
            self.detail = detail
            self.error = self._error_text()

    def _apply(self, kind: str, value: Any) -> None:
        try:
            self._filters.set(kind, value)
        except (FilterError, TagExpressionError) as e:
            self._errors[kind] = str(e)
        else:
            self._errors.pop(kind, None)

    def _error_text(self) -> str:
        return "\n".join(self._errors[k] for k in (*FILTER_KINDS, "selected_id") if k in self._errors)

    def _refresh(self, reset_page: bool) -> None:
        indices = self._filters.indices()
        self._busy = True
        try:
            with self.hold_sync():
                self.n_filtered = indices.len()
                self.n_pages = n_pages(indices.len(), self.page_size)
                self.page = 0 if reset_page else self.page  # the validator clamps to the pages there are
                self.rows = page_rows(self._joined, page_indices(indices, self.page, self.page_size))
                self.error = self._error_text()
        finally:
            self._busy = False

    # -- Python side ----------------------------------------------------------------------------

    @property
    def table(self) -> pl.DataFrame:
        """The rows the current filters keep (every page), in table order; columns as :attr:`frame`."""
        return self._joined.frame[self._filters.indices()]

    @property
    def frame(self) -> pl.DataFrame:
        """The whole joined table: one row per case with ``output[k]``, ``score[m][k]``... columns."""
        return self._joined.frame

    @property
    def selected(self) -> list[str]:
        """Ids of the cases checked in the front end (the ``selection`` trait), in the order checked."""
        return list(self.selection)

    @selected.setter
    def selected(self, case_ids: Iterable[str]) -> None:
        ids = [str(c) for c in case_ids]
        column = self._joined.frame.get_column("case_id")
        present = set(column.filter(column.is_in(ids)).to_list())
        unknown = [c for c in ids if c not in present]
        if unknown:
            raise KeyError(f"selected: no case with id {unknown[0]!r} ({len(unknown)} unknown id(s))")
        self.selection = ids

    @property
    def selected_frame(self) -> pl.DataFrame:
        """The checked cases' rows of :attr:`frame`."""
        return self._joined.frame.filter(pl.col("case_id").is_in(self.selection))

    def to_pandas(self) -> pd.DataFrame:
        """:attr:`table` (the rows the filters keep) as a pandas DataFrame."""
        return self.table.to_pandas()

    def to_html(self) -> str:
        """A static, escaped HTML snapshot: counts, active filters and the current page."""
        return browser_html(
            columns=self.columns,
            rows=self.rows,
            n_total=self.n_total,
            n_filtered=self.n_filtered,
            page=self.page,
            n_pages=self.n_pages,
            filters=self._active_filters(),
            error=self.error,
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        # The widget view for a live kernel; text/html for exports that have no widget state.
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        return {**data, "text/html": self.to_html()}, meta

    def _active_filters(self) -> list[str]:
        filters = active_filters(self.tag_expr, self.query, self.metadata, self.score_filter)
        if self.case_ids:
            shown = ", ".join(self.case_ids[:5]) + (", ..." if len(self.case_ids) > 5 else "")
            filters.append(f"case ids ({len(self.case_ids)}): {shown}")
        return filters

    def __repr__(self) -> str:
        filters = self._active_filters()
        where = f"; {'; '.join(filters)}" if filters else ""
        return f"CaseBrowser({self.n_filtered} of {self.n_total} cases{where})"
