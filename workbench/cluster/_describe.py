"""What each cluster is: its name, size, examples closest to its centre, and shares per model."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from workbench.cluster._names import class_tfidf, cluster_names, shorten

#: Longest example text kept in the cluster table (the items keep the whole text).
EXAMPLE_CHARS = 200


def describe(
    base: pl.DataFrame,
    labels: np.ndarray,
    embeddings: np.ndarray,
    by: str | None,
    n_terms: int,
    n_examples: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """The items with their cluster, one row per cluster, and the long table of shares per ``by``.

    ``base`` has a ``case_id`` and a ``text`` column, one row per row of ``embeddings``; ``labels``
    numbers the clusters 0..k-1.
    """
    texts = base.get_column("text").to_list()
    ids = base.get_column("case_id").to_list()
    k = int(labels.max()) + 1
    terms = class_tfidf(texts, labels, n_terms=n_terms)
    names = cluster_names(terms)
    items = base.with_columns(
        pl.Series("cluster", labels, dtype=pl.Int64),
        pl.Series("cluster_name", [names[c] for c in labels], dtype=pl.Utf8),
    )
    rows = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        centroid = embeddings[members].mean(axis=0)
        norm = np.linalg.norm(centroid)
        sims = embeddings[members] @ (centroid / norm if norm else centroid)
        best = members[np.argsort(-sims, kind="stable")[:n_examples]]
        rows.append(
            {
                "cluster": c,
                "name": names[c],
                "size": int(members.size),
                "share": members.size / len(texts),
                "terms": terms[c],
                "examples": [shorten(texts[i], EXAMPLE_CHARS) for i in best],
                "example_ids": [ids[i] for i in best],
            }
        )
    schema: dict[str, Any] = {
        "cluster": pl.Int64,
        "name": pl.Utf8,
        "size": pl.Int64,
        "share": pl.Float64,
        "terms": pl.List(pl.Utf8),
        "examples": pl.List(pl.Utf8),
        "example_ids": pl.List(pl.Utf8),
    }
    clusters = pl.DataFrame(rows, schema=schema)
    shares = group_shares(items, by, names)
    if shares is not None and by is not None:
        for value in shares.get_column(by).unique(maintain_order=True).to_list():
            part = shares.filter(pl.col(by) == value).select(
                "cluster", pl.col("share").alias(f"share[{value}]")
            )
            clusters = clusters.join(part, on="cluster", how="left")
    return items, clusters, shares


def group_shares(items: pl.DataFrame, by: str | None, names: list[str]) -> pl.DataFrame | None:
    """Per cluster and value of ``by``: ``n`` rows and ``share`` of that value's rows in the cluster.

    None when ``by`` is None or not a column of the items (a plain list of texts).
    """
    if by is None or by not in items.columns:
        return None
    items = items.with_columns(pl.col(by).cast(pl.Utf8).fill_null("(none)"))
    totals = items.group_by(by).agg(pl.len().alias("_total"))
    counts = items.group_by("cluster", by).agg(pl.len().cast(pl.Int64).alias("n"))
    grid = pl.DataFrame({"cluster": list(range(len(names)))}, schema={"cluster": pl.Int64}).join(
        totals.select(by), how="cross"
    )
    out = (
        grid.join(counts, on=["cluster", by], how="left")
        .join(totals, on=by)
        .with_columns(pl.col("n").fill_null(0))
        .with_columns((pl.col("n") / pl.col("_total")).alias("share"))
        .with_columns(
            pl.col("cluster")
            .replace_strict(list(range(len(names))), names, return_dtype=pl.Utf8)
            .alias("name")
        )
        .sort("cluster", by)
    )
    return out.select("cluster", "name", by, "n", "share")
