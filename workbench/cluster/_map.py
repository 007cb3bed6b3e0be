"""The 2-D map of clustered items: UMAP (or PCA) coordinates and an interactive Altair scatter."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import polars as pl

from workbench.charts._common import PALETTE, finish, inline

if TYPE_CHECKING:
    import altair as alt

#: Below this many items UMAP's neighbour graph is too thin to mean anything: PCA is used instead.
MIN_UMAP_ITEMS = 16
#: How the map's 2-D coordinates are made.
Projection = Literal["auto", "umap", "pca"]
METHODS: tuple[Projection, ...] = get_args(Projection)
#: Characters of text shown in a point's tooltip.
EXCERPT_CHARS = 160
POINT = "pick"  # the click selection (case ids)
BRUSH = "brush"  # the drag selection (a rectangle of the map)


def project_2d(
    embeddings: np.ndarray, *, method: Projection = "auto", seed: int = 0
) -> tuple[np.ndarray, str]:
    """2-D coordinates of the rows of ``embeddings`` and the method used ("umap" or "pca").

    ``auto`` uses UMAP (cosine metric, ``random_state=seed``, so the layout is reproducible) from
    :data:`MIN_UMAP_ITEMS` items on, and PCA below that.
    """
    if method not in METHODS:
        raise ValueError(f"map method must be one of {', '.join(METHODS)}, got {method!r}")
    n = embeddings.shape[0]
    if n < 2:
        raise ValueError(f"a map needs at least 2 items, got {n}")
    if method == "umap" and n < 4:
        raise ValueError(f"UMAP needs at least 4 items, got {n}; use method='pca'")
    if method == "pca" or (method == "auto" and n < MIN_UMAP_ITEMS):
        from sklearn.decomposition import PCA

        n_comp = min(2, n, embeddings.shape[1])
        xy = PCA(n_components=n_comp, random_state=seed).fit_transform(embeddings)
        if n_comp < 2:
            xy = np.column_stack([xy, np.zeros(n)])
        return xy.astype(np.float64), "pca"
    try:
        import umap
    except ImportError as e:
        raise ImportError(
            "the UMAP map needs umap-learn: pip install umap-learn (or use method='pca')"
        ) from e
    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=min(15, n - 1),
        min_dist=0.1,
        metric="cosine",
        random_state=seed,
        init="spectral" if n >= MIN_UMAP_ITEMS else "random",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n_jobs overridden by random_state; tiny-graph notes
        xy = reducer.fit_transform(embeddings)
    return np.asarray(xy, dtype=np.float64), "umap"


def excerpt(text: str | None, *, width: int = EXCERPT_CHARS) -> str:
    """One line of at most ``width`` characters (whitespace collapsed, ``…`` when cut)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def map_chart(points: pl.DataFrame, *, title: str = "Failure clusters", configure: bool = True) -> alt.Chart:
    """The scatter of ``points`` (``x``, ``y``, ``cluster``, ``cluster_name``, ``case_id``, ``excerpt``...).

    Colour is the cluster; the tooltip shows the case id, model, variant, cluster and an excerpt.
    Two selections: ``pick`` (click a point, shift-click for several; fields ``case_id``) and
    ``brush`` (drag a rectangle). Untrusted text (outputs, names) travels only in the inline data.
    """
    import altair as alt

    k = int(points.get_column("cluster").to_numpy().max()) + 1
    width = len(str(k - 1))
    data = points.with_columns(
        pl.concat_str(
            [pl.col("cluster").cast(pl.Utf8).str.zfill(width), pl.lit(": "), pl.col("cluster_name")]
        ).alias("cluster_label")
    )
    pick = alt.selection_point(name=POINT, fields=["case_id"], on="click", toggle="event.shiftKey")
    brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    tooltip = [alt.Tooltip("case_id:N", title="case")]
    tooltip += [alt.Tooltip(f"{c}:N", title=c) for c in ("model", "variant") if c in data.columns]
    tooltip += [alt.Tooltip("cluster_label:N", title="cluster"), alt.Tooltip("excerpt:N", title="text")]
    colors = [PALETTE[i % len(PALETTE)] for i in range(k)]
    chart = (
        alt.Chart(inline(data.select(_chart_columns(data))), title=title)
        .mark_circle(size=70)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            color=alt.Color(
                "cluster_label:N",
                title="cluster",
                scale=alt.Scale(range=colors),
                legend=alt.Legend(orient="right", labelLimit=260),
            ),
            opacity=alt.condition(pick & brush, alt.value(0.9), alt.value(0.2)),
            tooltip=tooltip,
        )
        .add_params(pick, brush)
        .properties(width=480, height=360)
    )
    return finish(chart, configure)


def _chart_columns(data: pl.DataFrame) -> list[str]:
    wanted = ("x", "y", "cluster", "cluster_label", "case_id", "model", "variant", "sample", "excerpt")
    return [c for c in wanted if c in data.columns]


def selected_case_ids(selection: Any, points: pl.DataFrame) -> list[str] | None:
    """Case ids of a JupyterChart selection (point or interval); None when nothing is selected."""
    value = getattr(selection, "value", None)
    if not value:
        return None
    if isinstance(value, list):  # point selection: [{"case_id": ...}, ...]
        ids = [str(v["case_id"]) for v in value if isinstance(v, dict) and v.get("case_id") is not None]
        return list(dict.fromkeys(ids)) or None
    if isinstance(value, dict):  # interval selection: {"x": [lo, hi], "y": [lo, hi]}
        mask = pl.lit(True)
        for field in ("x", "y"):
            if field in value and len(value[field]) == 2:
                lo, hi = sorted(float(v) for v in value[field])
                mask = mask & pl.col(field).is_between(lo, hi)
        ids = points.filter(mask).get_column("case_id").cast(pl.Utf8).to_list()
        return list(dict.fromkeys(ids))
    return None


def link_widget(widget: Any, browser: Any, points: pl.DataFrame) -> Callable[[dict[str, Any]], None]:
    """Make the JupyterChart ``widget``'s selections set ``browser.case_ids``; returns the handler.

    The latest selection wins; clearing it clears the filter this link set (one the user typed
    into the browser since is left alone).
    """
    state: dict[str, list[str] | None] = {"set": None}

    def on_change(change: dict[str, Any]) -> None:
        ids = selected_case_ids(change["new"], points)
        if ids is None:
            if state["set"] is not None and list(browser.case_ids) == state["set"]:
                browser.case_ids = []
            state["set"] = None
            return
        browser.case_ids = ids
        state["set"] = list(ids)

    widget.selections.observe(on_change, names=[POINT, BRUSH])
    return on_change
