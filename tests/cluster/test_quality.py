"""The Clusterer with the real all-MiniLM-L6-v2 model: quality against a TF-IDF baseline, seeds, cache.

The labelled set (tests/cluster/conftest.py) has 6 support intents x 25 messages, worded differently
within an intent and sharing greetings and sign-offs across intents, as real tickets do.
"""

import sqlite3

import numpy as np
import pytest

from workbench.cluster import Clusterer
from workbench.cluster._map import project_2d
from workbench.embed import Embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return tmp_path_factory.mktemp("cluster-project")


@pytest.fixture(scope="module")
def fitted(project, labelled):
    texts, _ = labelled
    embedder = Embedder(project=project)
    clusterer = Clusterer(embedder=embedder).fit(texts)
    return clusterer, embedder


def baseline_nmi(texts, truth, k, seed=0):
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import normalized_mutual_info_score

    x = TfidfVectorizer(stop_words="english").fit_transform(texts)
    return normalized_mutual_info_score(truth, KMeans(k, n_init=3, random_state=seed).fit_predict(x))


def test_beats_a_tfidf_kmeans_baseline(fitted, labelled):
    from sklearn.metrics import normalized_mutual_info_score

    texts, truth = labelled
    clusterer, _ = fitted
    ours = normalized_mutual_info_score(truth, clusterer.labels_)
    base_true_k = baseline_nmi(texts, truth, 6)
    base_same_k = baseline_nmi(texts, truth, clusterer.n_clusters_)
    print(
        f"\nNMI: clusterer (auto k={clusterer.n_clusters_}) {ours:.3f}; "
        f"TF-IDF + KMeans k=6 {base_true_k:.3f}, k={clusterer.n_clusters_} {base_same_k:.3f}"
    )
    print(clusterer.clusters_.select("name", "size"))
    assert ours > base_true_k and ours > base_same_k
    assert ours > 0.7
    assert 5 <= clusterer.n_clusters_ <= 8


def test_same_seed_same_clusters(fitted, labelled):
    texts, _ = labelled
    first, embedder = fitted
    again = Clusterer(embedder=embedder).fit(texts)
    np.testing.assert_array_equal(first.labels_, again.labels_)
    assert first.clusters_["name"].to_list() == again.clusters_["name"].to_list()
    assert first.silhouette_ == again.silhouette_


def test_second_fit_reads_the_cache(fitted, project, labelled):
    texts, _ = labelled
    first, embedder = fitted
    assert embedder.texts_computed == len(set(texts))
    fresh = Embedder(project=project)  # another notebook of the same project
    Clusterer(embedder=fresh, n_clusters=4).fit(texts)
    assert fresh.model_calls == 0 and fresh.texts_computed == 0
    with sqlite3.connect(project / ".workbench" / "embeddings.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == len(set(texts))
    calls = embedder.model_calls
    first.refit(n_clusters=6)
    assert embedder.model_calls == calls and first.n_clusters_ == 6
    first.refit(n_clusters=None)


def test_umap_layout_is_reproducible(fitted):
    clusterer, _ = fitted
    a, used = project_2d(clusterer.embeddings_, method="auto", seed=0)
    b, _ = project_2d(clusterer.embeddings_, method="umap", seed=0)
    assert used == "umap" and a.shape == (150, 2)
    np.testing.assert_allclose(a, b)
