"""The clustering itself: KMeans with k chosen by silhouette over a range that grows with n, or
HDBSCAN on a UMAP reduction with noise re-assigned."""

from __future__ import annotations

import numpy as np

#: KMeans restarts per k (the best inertia wins); seeded, so the result is deterministic.
N_INIT = 3


def kmeans_labels(x: np.ndarray, k: int, seed: int, n_init: int = N_INIT) -> np.ndarray:
    """KMeans labels of the rows of ``x`` (k=1: every row in cluster 0), best of ``n_init`` starts."""
    if k == 1:
        return np.zeros(x.shape[0], dtype=np.int64)
    from sklearn.cluster import KMeans

    # float64: for float32 input scikit-learn computes k-means++ distances in slow upcast chunks
    x64 = np.asarray(x, dtype=np.float64)
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(x64).astype(np.int64)


#: k up to this value is tried one by one; above it, on a geometric grid (steps of about 15%).
DENSE_UP_TO = 12
#: the search for k runs KMeans on a PCA reduction to this many dimensions (the silhouette is measured
#: on the full vectors): 8 to 10 times faster on 384-dimensional sentence embeddings, same choices.
SEARCH_DIMS = 48
GRID_STEP = 1.15


def max_k(n: int) -> int:
    """The largest k tried by default for ``n`` rows: the square root of n (and at most a third of n).

    It grows with the data: 12 for 150 rows, 54 for 3,000, 100 for 10,000.
    """
    return max(1, min(int(np.sqrt(n)), n // 3))


def k_grid(lo: int, hi: int) -> list[int]:
    """The ks tried between ``lo`` and ``hi``: every k up to 12, then about 15% apart, and ``hi``."""
    ks = list(range(lo, min(hi, DENSE_UP_TO) + 1))
    k = max(lo, DENSE_UP_TO)
    while True:
        k = max(k + 1, int(round(k * GRID_STEP)))
        if k * 1.05 >= hi:  # hi itself comes last
            break
        ks.append(k)
    if hi > DENSE_UP_TO and hi >= lo:
        ks.append(hi)
    return sorted(set(ks))


def choose_k(
    x: np.ndarray, k_range: tuple[int, int] | None, seed: int, sample_size: int
) -> tuple[int, dict[int, float]]:
    """The k with the best silhouette (cosine) over ``k_range``, and every k's silhouette.

    ``k_range=None`` tries k from 2 to :func:`max_k` of the rows (the square root of n: the range
    grows with the data, since a fixed small range makes the silhouette pick a handful of coarse
    clusters on thousands of texts). k is also capped at a third of the (sampled) rows (on a few
    dozen rows the silhouette keeps rising as clusters shrink to pairs of near-duplicates, and clusters
    of two rows name nothing) and at the number of distinct rows; with fewer than 6 rows, or all rows
    alike, k is 1 and no silhouette is formed. Above k=12 the ks form a geometric grid (see
    :func:`k_grid`; one KMeans start each there, three below). With more than ``sample_size`` rows,
    k is chosen on a seeded sample of ``sample_size`` rows (KMeans on its 48 PCA dimensions and
    the silhouette on the sample; the final KMeans then runs on every row), which keeps the choice
    to seconds for 10,000 rows. The square-root cap is that of all the rows, not of the sample.
    """
    from sklearn.metrics import silhouette_score

    x = np.asarray(x, dtype=np.float64)
    n_all = x.shape[0]
    if x.shape[0] > sample_size:
        rng = np.random.default_rng(seed)
        x = x[np.sort(rng.choice(x.shape[0], size=sample_size, replace=False))]
    n = x.shape[0]
    distinct = np.unique(np.round(x, 6), axis=0).shape[0]
    lo, hi = k_range if k_range is not None else (2, max_k(n_all))
    hi = min(hi, n // 3, int(np.sqrt(n_all)), distinct)  # the square root of every row, not the sample's
    if hi < lo:
        return 1, {}
    from sklearn.metrics import pairwise_distances

    distances = pairwise_distances(x, metric="cosine")  # once, not once per k
    np.fill_diagonal(distances, 0.0)
    space = x
    if x.shape[1] > SEARCH_DIMS and n > SEARCH_DIMS:  # the search's KMeans on a PCA reduction
        from sklearn.decomposition import PCA

        space = PCA(n_components=SEARCH_DIMS, random_state=seed).fit_transform(x)
    scores: dict[int, float] = {}
    for k in k_grid(lo, hi):
        # restarts where one start is noisy (few clusters); one start on the grid above 12
        labels = kmeans_labels(space, k, seed, N_INIT if k <= DENSE_UP_TO else 1)
        if np.unique(labels).size < 2:
            continue
        scores[k] = float(silhouette_score(distances, labels, metric="precomputed"))
    if not scores:
        return 1, {}
    best = max(scores, key=lambda k: (round(scores[k], 6), -k))  # ties: fewer clusters
    return best, scores


#: HDBSCAN runs on a UMAP reduction of the vectors to this many dimensions (when there are more).
UMAP_DIMS = 10
#: fewer rows than this: HDBSCAN on the vectors themselves (UMAP needs neighbours to work with).
UMAP_MIN_ROWS = 200


def min_cluster_size(n: int) -> int:
    """The default HDBSCAN ``min_cluster_size`` for n rows: n / 150, at least 5 (20 for 3,000 rows)."""
    return max(5, round(n / 150))


def hdbscan_labels(x: np.ndarray, seed: int = 0, size: int | None = None) -> tuple[np.ndarray, float]:
    """HDBSCAN labels and the share of noise; noise points (-1) join the most similar centroid.

    Sentence embeddings are too high-dimensional for density estimates: with at least 200 rows and
    more than 10 dimensions, HDBSCAN runs on a seeded UMAP reduction to 10 dimensions (cosine,
    15 neighbours, ``min_dist=0``), as topic models of short texts do. ``size`` is the
    ``min_cluster_size`` (default :func:`min_cluster_size`, scaled to n). Noise is re-assigned in the
    original space, to the cluster whose mean vector is the most similar (cosine).
    """
    from sklearn.cluster import HDBSCAN

    n = x.shape[0]
    size = size or min_cluster_size(n)
    if n < size + 1:
        return np.zeros(n, dtype=np.int64), 0.0
    space = np.asarray(x, dtype=np.float64)
    if n >= UMAP_MIN_ROWS and space.shape[1] > UMAP_DIMS:
        import warnings

        import umap

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "n_jobs overridden by random_state": seeded, so serial
            reducer = umap.UMAP(
                n_components=UMAP_DIMS, n_neighbors=15, min_dist=0.0, metric="cosine", random_state=seed
            )
            space = reducer.fit_transform(space)
    labels = HDBSCAN(min_cluster_size=size, metric="euclidean", copy=True).fit_predict(space).astype(np.int64)
    found = sorted(set(labels.tolist()) - {-1})
    if not found:
        return np.zeros(n, dtype=np.int64), 1.0
    noise = labels == -1
    if noise.any():
        centroids = np.stack([x[labels == c].mean(axis=0) for c in found])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        labels[noise] = np.array(found)[np.argmax(x[noise] @ centroids.T, axis=1)]
    return labels, float(noise.mean())
