"""The clustering itself: KMeans with k chosen by silhouette, or HDBSCAN with noise re-assigned."""

from __future__ import annotations

import numpy as np

#: KMeans restarts per k (the best inertia wins); seeded, so the result is deterministic.
N_INIT = 3


def kmeans_labels(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """KMeans labels of the rows of ``x`` (k=1: every row in cluster 0)."""
    if k == 1:
        return np.zeros(x.shape[0], dtype=np.int64)
    from sklearn.cluster import KMeans

    # float64: for float32 input scikit-learn computes k-means++ distances in slow upcast chunks
    x64 = np.asarray(x, dtype=np.float64)
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(x64).astype(np.int64)


def choose_k(
    x: np.ndarray, k_range: tuple[int, int], seed: int, sample_size: int
) -> tuple[int, dict[int, float]]:
    """The k with the best silhouette (cosine) over ``k_range``, and every k's silhouette.

    k is capped at the square root of the rows and at a third of them (on a few dozen rows the
    silhouette keeps rising as clusters shrink to pairs of near-duplicates, e.g. two variants' answers
    to one input, and clusters of two rows name nothing), and at the number of distinct rows; with
    fewer than 6 rows, or all rows alike, k is 1 and no silhouette is formed.
    With more than ``sample_size`` rows, k is chosen on a seeded sample of ``sample_size`` rows
    (KMeans and silhouette on the sample; the final KMeans then runs on every row), which keeps
    the choice to seconds for 10,000 rows.
    """
    from sklearn.metrics import silhouette_score

    x = np.asarray(x, dtype=np.float64)
    if x.shape[0] > sample_size:
        rng = np.random.default_rng(seed)
        x = x[np.sort(rng.choice(x.shape[0], size=sample_size, replace=False))]
    n = x.shape[0]
    distinct = np.unique(np.round(x, 6), axis=0).shape[0]
    lo, hi = k_range
    hi = min(hi, n // 3, int(np.sqrt(n)), distinct)
    if hi < lo:
        return 1, {}
    from sklearn.metrics import pairwise_distances

    distances = pairwise_distances(x, metric="cosine")  # once, not once per k
    np.fill_diagonal(distances, 0.0)
    scores: dict[int, float] = {}
    for k in range(lo, hi + 1):
        labels = kmeans_labels(x, k, seed)
        if np.unique(labels).size < 2:
            continue
        scores[k] = float(silhouette_score(distances, labels, metric="precomputed"))
    if not scores:
        return 1, {}
    best = max(scores, key=lambda k: (round(scores[k], 6), -k))  # ties: fewer clusters
    return best, scores


def hdbscan_labels(x: np.ndarray, min_cluster_size: int | None = None) -> np.ndarray:
    """HDBSCAN labels; noise points (-1) join the cluster with the most similar centroid."""
    from sklearn.cluster import HDBSCAN

    n = x.shape[0]
    size = min_cluster_size or max(3, n // 50)
    if n < size + 1:
        return np.zeros(n, dtype=np.int64)
    labels = HDBSCAN(min_cluster_size=size, metric="euclidean", copy=True).fit_predict(x).astype(np.int64)
    found = sorted(set(labels.tolist()) - {-1})
    if not found:
        return np.zeros(n, dtype=np.int64)
    noise = labels == -1
    if noise.any():
        centroids = np.stack([x[labels == c].mean(axis=0) for c in found])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        labels[noise] = np.array(found)[np.argmax(x[noise] @ centroids.T, axis=1)]
    return labels
