"""Automatic k on many groups, with the real all-MiniLM-L6-v2 vectors: 50 intents x 60 texts.

The default Clusterer must reach the NMI of KMeans told the true k (within 0.03), measured here on
the same vectors, with under 10% of the rows unassigned; HDBSCAN's default too (its noise is
re-assigned). The set is tests/cluster/eval_set.py; its vectors are embedded once per module with
the ONNX backend (the same vectors as torch) into the project's embedding cache, so re-runs only
read them back.
"""

import time

import numpy as np
import pytest

from tests.cluster.eval_set import INTENTS, eval_set
from workbench.cluster import Clusterer
from workbench.embed import Embedder

pytestmark = pytest.mark.slow

TRUE_K = len(INTENTS)


def nmi(a, b):
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(a, b)


@pytest.fixture(scope="module")
def data():
    texts, truth = eval_set()
    vectors = Embedder(backend="onnx").encode(texts)
    return texts, np.array(truth), vectors


@pytest.fixture(scope="module")
def reference(data):
    """NMI of KMeans at the true k (the Clusterer with n_clusters=50, same seed)."""
    texts, truth, vectors = data
    told = Clusterer(n_clusters=TRUE_K).fit(texts, embeddings=vectors)
    assert told.n_clusters_ == TRUE_K and told.silhouette_ == {}
    return nmi(truth, told.labels_)


def test_the_labelled_set_has_many_groups_of_varied_texts(data):
    texts, truth, vectors = data
    assert len(texts) == 3000 == len(set(texts)) and vectors.shape == (3000, 384)
    assert np.bincount(truth).tolist() == [60] * TRUE_K and TRUE_K >= 40


def test_default_kmeans_reaches_the_nmi_of_the_true_k(data, reference):
    texts, truth, vectors = data
    t0 = time.perf_counter()
    auto = Clusterer().fit(texts, embeddings=vectors)
    took = time.perf_counter() - t0
    again = Clusterer().fit(texts, embeddings=vectors)
    ours = nmi(truth, auto.labels_)
    unassigned = float(np.mean(auto.labels_ < 0)) + auto.noise_
    print(
        f"\ndefault (kmeans): k={auto.n_clusters_} NMI {ours:.3f} unassigned {unassigned:.1%} "
        f"in {took:.1f} s; KMeans at true k={TRUE_K}: NMI {reference:.3f}"
    )
    assert ours >= reference - 0.03
    assert unassigned < 0.10
    assert 30 <= auto.n_clusters_ <= 80  # tens of clusters for tens of groups
    np.testing.assert_array_equal(auto.labels_, again.labels_)  # same seed, same clusters
    assert auto.silhouette_ == again.silhouette_ and max(auto.silhouette_) == 54  # sqrt(3000)


def test_old_fixed_range_was_too_coarse(data, reference):
    texts, truth, vectors = data
    old = Clusterer(k_range=(2, 12)).fit(texts, embeddings=vectors)
    print(f"\nk_range=(2, 12): k={old.n_clusters_} NMI {nmi(truth, old.labels_):.3f}")
    assert old.n_clusters_ <= 12 and nmi(truth, old.labels_) < reference - 0.1


def test_default_hdbscan_reaches_the_nmi_of_the_true_k(data, reference):
    texts, truth, vectors = data
    t0 = time.perf_counter()
    hdb = Clusterer(method="hdbscan").fit(texts, embeddings=vectors)
    took = time.perf_counter() - t0
    ours = nmi(truth, hdb.labels_)
    print(
        f"\nhdbscan (UMAP 10-d, min_cluster_size=20): k={hdb.n_clusters_} NMI {ours:.3f} "
        f"noise re-assigned {hdb.noise_:.1%} in {took:.1f} s; true k: NMI {reference:.3f}"
    )
    assert ours >= reference - 0.03
    assert hdb.labels_.min() == 0 and 30 <= hdb.n_clusters_ <= 100  # no row left unassigned
    assert 0.0 < hdb.noise_ < 0.3
