"""Semantic similarity: cosine of output and reference sentence embeddings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from workbench.metrics._frame import null_field_error
from workbench.metrics._scorer import Score, scorer


def _embedder(model_path: str | None) -> Any:
    from workbench.embed import Embedder

    return Embedder(model_path=model_path)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # rows are L2-normalised: the cosine is the dot product (clipped: rounding can pass 1)
    return np.clip(np.einsum("ij,ij->i", a.astype(np.float64), b.astype(np.float64)), -1.0, 1.0)


def _semantic_frame(
    df: pl.DataFrame, *, field: str, threshold: float | None, model_path: str | None
) -> pl.DataFrame:
    refs = df.get_column(field)
    known = np.flatnonzero(refs.is_not_null().to_numpy())
    values = np.full(len(df), np.nan)
    if known.size:
        outputs = df.get_column("output").gather(known).to_list()
        expected = refs.gather(known).to_list()
        vectors = _embedder(model_path).encode(outputs + expected)  # one call: one batch stream
        values[known] = _cosines(vectors[: known.size], vectors[known.size :])
    errors = pl.select(
        pl.when(refs.is_null()).then(pl.lit(null_field_error(field))).otherwise(pl.lit(None, pl.Utf8))
    ).to_series()
    return pl.DataFrame([pl.Series("value", values).fill_nan(None), errors.alias("error")])


@scorer(vectorized=_semantic_frame, columns={"field": "text"})
def semantic_similarity(
    output: str,
    row: Mapping[str, Any],
    *,
    field: str = "reference",
    threshold: float | None = None,
    model_path: str | None = None,
) -> Score | float:
    """Cosine similarity of the output's and the reference's sentence embeddings (value in [-1, 1]).

    The embeddings come from :class:`workbench.embed.Embedder` (all-MiniLM-L6-v2 by default,
    ``model_path`` for another sentence-transformers folder) and are cached in the project, so
    re-scoring embeds nothing. All rows are embedded in one batched call. ``passed`` is
    ``value >= threshold`` when a threshold is given.

    Example:
        >>> semantic_similarity(threshold=0.7)      # doctest: +SKIP
    """
    ref = row[field]
    if ref is None:
        return Score(error=null_field_error(field))
    vectors = _embedder(model_path).encode([output, ref])
    return float(_cosines(vectors[:1], vectors[1:])[0])
