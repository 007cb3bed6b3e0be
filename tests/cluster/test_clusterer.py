"""The Clusterer on toy vectors (exact results, no model); the real model is in test_quality.py."""

import numpy as np
import polars as pl
import pytest

from tests.cluster.conftest import toy_run
from workbench.cases import CaseSet
from workbench.cluster import Clusterer, failures

CASES = CaseSet.from_records(
    [
        {"id": f"c{i}", "input": f"question {i}", "reference": f"answer {i}", "tags": ["all"]}
        for i in range(1, 7)
    ]
)
# one direction per kind of failing output: refund..., password..., and the html one
KIND = {"refund": [1.0, 0.0, 0.0], "password": [0.0, 1.0, 0.0], "<b>x</b>": [0.0, 0.0, 1.0]}


def toy_failures():
    results, scores = toy_run()
    fails = failures(results, scores, metric="em", cases=CASES)
    vectors = np.array([KIND[next(k for k in KIND if out.startswith(k))] for out in fails["output"]])
    return fails, vectors


@pytest.fixture
def fitted():
    fails, vectors = toy_failures()
    return Clusterer("output", n_clusters=3).fit(fails, embeddings=vectors)


def test_fit_returns_self_with_fitted_attributes(fitted):
    assert fitted.n_clusters_ == 3 and fitted.fields_ == ["output"]
    assert fitted.labels_.tolist() == [0, 0, 1, 0, 0, 1, 1, 2]  # largest cluster first
    assert fitted.embeddings_.shape == (8, 3) and fitted.silhouette_ == {}
    assert fitted.items_.columns[-3:] == ["text", "cluster", "cluster_name"]
    assert fitted.dropped_.height == 0


def test_names_sizes_and_examples(fitted):
    table = fitted.clusters_
    assert table["name"].to_list() == ["refund / denied / refused", "password / locked / error", "cluster 2"]
    assert table["size"].to_list() == [4, 3, 1]
    assert table["share"].to_list() == [0.5, 0.375, 0.125]
    assert table["terms"][1].to_list() == ["password", "locked", "error"]
    assert table["example_ids"][2].to_list() == ["c6"] and table["examples"][2].to_list() == ["<b>x</b>"]
    assert len(table["examples"][0]) == 3  # n_examples


def test_share_of_failures_per_model(fitted):
    # m1 failed on c1, c2 (refund) and c5 (password); m2 on c1, c2 (refund), c3, c4 (password), c6 (html)
    table = fitted.clusters_
    assert table["share[m1]"].to_list() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert table["share[m2]"].to_list() == pytest.approx([2 / 5, 2 / 5, 1 / 5])
    long = fitted.shares_.filter(pl.col("model") == "m2")
    assert long["n"].to_list() == [2, 2, 1] and long["name"][2] == "cluster 2"
    assert fitted.shares_.group_by("model").agg(pl.col("share").sum()).sort("model")["share"].to_list() == [
        pytest.approx(1.0),
        pytest.approx(1.0),
    ]


def test_auto_k_is_deterministic_and_caps_small_sets():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(4, 16))
    x = np.repeat(centers, 10, axis=0) + rng.normal(scale=0.05, size=(40, 16))
    texts = [f"text {i}" for i in range(40)]
    first = Clusterer().fit(texts, embeddings=x)
    again = Clusterer().fit(texts, embeddings=x)
    assert first.n_clusters_ == 4 and sorted(first.silhouette_) == list(range(2, 7))  # k <= sqrt(40)
    np.testing.assert_array_equal(first.labels_, again.labels_)
    assert np.bincount(first.labels_).tolist() == [10, 10, 10, 10]
    # 8 rows: at most 2 clusters (8 // 3, sqrt(8)) are tried
    small = Clusterer().fit(texts[:8], embeddings=x[:8])
    assert sorted(small.silhouette_) == [2]


def test_refit_reuses_the_embeddings(fitted):
    before = fitted.embeddings_
    fitted.refit(n_clusters=2)
    assert fitted.n_clusters_ == 2 and fitted.embeddings_ is before
    assert fitted.clusters_["size"].sum() == 8 and fitted.embeddings_ is before
    fitted.refit(n_clusters=3)
    assert fitted.labels_.tolist() == [0, 0, 1, 0, 0, 1, 1, 2]
    with pytest.raises(ValueError, match="re-uses the embeddings"):
        fitted.refit(fields="input")


def test_hdbscan_reassigns_noise():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.05, (20, 5)) + 3, rng.normal(0, 0.05, (20, 5)) - 3, [[0, 0, 0, 0, 0]]])
    cl = Clusterer(method="hdbscan").fit([f"t{i}" for i in range(41)], embeddings=x)
    assert cl.n_clusters_ == 2 and cl.labels_.min() == 0 and sorted(np.bincount(cl.labels_)) in ([20, 21],)


@pytest.mark.parametrize(
    ("data", "params", "message"),
    [
        (
            pl.DataFrame({"output": []}, schema={"output": pl.Utf8}),
            {},
            r"nothing to cluster: no rows \(no failures",
        ),
        (pl.DataFrame({"output": ["only"]}), {}, r"only one row to cluster \(case '0'\)"),
        (
            pl.DataFrame({"output": ["a", "b", "c"]}),
            {"n_clusters": 4},
            "n_clusters=4 but there are only 3 rows",
        ),
        (pl.DataFrame({"output": [" ", None]}), {}, "no rows with non-blank output"),
        (pl.DataFrame({"output": ["a", "b"]}), {"n_clusters": 0}, "n_clusters must be a positive integer"),
        (pl.DataFrame({"output": ["a", "b"]}), {"method": "dbscan"}, "method must be one of kmeans, hdbscan"),
        (
            pl.DataFrame({"output": ["a", "b"]}),
            {"method": "hdbscan", "n_clusters": 2},
            "leave n_clusters=None",
        ),
        (pl.DataFrame({"output": ["a", "b"]}), {"k_range": (1, 5)}, "k_range must be"),
    ],
)
@pytest.mark.filterwarnings("ignore:Clusterer")
def test_edge_cases_raise_clear_errors(data, params, message):
    with pytest.raises(ValueError, match=message):
        Clusterer(**params).fit(data, embeddings=np.eye(data.height, 3) if data.height else None)


def test_blank_texts_are_dropped_with_a_warning():
    data = pl.DataFrame({"case_id": ["a", "b", "c", "d"], "output": ["x", "  ", "y", None]})
    with pytest.warns(UserWarning, match=r"2 row\(s\) with blank output left out \(e.g. b, d\)"):
        cl = Clusterer(n_clusters=2).fit(data, embeddings=np.eye(4))
    assert cl.dropped_["case_id"].to_list() == ["b", "d"] and cl.items_["case_id"].to_list() == ["a", "c"]


def test_two_rows_give_one_cluster_and_bad_embeddings_raise():
    cl = Clusterer().fit(["a", "b"], embeddings=np.eye(2))
    assert cl.n_clusters_ == 1 and cl.clusters_["size"].to_list() == [2]
    with pytest.raises(ValueError, match=r"one row per row of data \(2\), got shape \(3, 3\)"):
        Clusterer().fit(["a", "b"], embeddings=np.eye(3))


def test_params_and_repr(fitted):
    assert Clusterer().get_params()["n_clusters"] is None
    assert repr(Clusterer("output", n_clusters=3)) == "Clusterer(fields='output', n_clusters=3)"
    with pytest.raises(ValueError, match="unknown parameter 'k'"):
        Clusterer().set_params(k=3)
    html = fitted._repr_html_()
    assert "<b>3 clusters</b>" in html and "3 clusters of 8 rows (output)" in html
    assert "<td>refund / denied / refused</td>" in html and "example_ids" not in html
    assert "not fitted yet" in Clusterer()._repr_html_()
    with pytest.raises(ValueError, match="not fitted yet"):
        Clusterer().tags_frame()


def test_cluster_lookup(fitted):
    assert fitted.cluster_id("password / locked / error") == 1
    assert (
        fitted.cluster_id("password-locked-error") == 1 == fitted.cluster_id("cluster:password-locked-error")
    )
    assert fitted.tag(0) == "cluster:refund-denied-refused"
    assert fitted.case_ids(0) == ["c1", "c2"]  # both models failed there: each case once
    with pytest.raises(ValueError, match="no cluster named 'billing'; clusters: 'refund"):
        fitted.cluster_id("billing")
    with pytest.raises(ValueError, match=r"cluster 5 does not exist; clusters are 0..2"):
        fitted.cluster_id(5)


def test_a_200000_character_token_is_bounded_in_names_examples_and_points():
    huge = "z" * 200_000
    texts = [f"{huge} refund", "refund money", "password reset", "reset password link"]
    cl = Clusterer(n_clusters=2).fit(texts, embeddings=np.array([[1.0, 0], [1, 0.1], [0, 1], [0.1, 1]]))
    table = cl.clusters_
    assert table["name"].to_list() == ["refund / money / " + "z" * 29 + "…", "password / reset / link"]
    assert max(len(t) for ts in table["terms"].to_list() for t in ts) == 30
    assert table["examples"][0].to_list() == ["refund money", huge[:199] + "…"]
    assert cl.items_["cluster_name"].str.len_chars().max() <= 60
    assert cl.points(method="pca")["excerpt"].str.len_chars().max() == 160
    assert len(cl.tag(0)) < 80 and len(cl._repr_html_()) < 5_000


def test_result_shape(fitted):
    assert fitted.table.equals(fitted.clusters_) and fitted.to_pandas().shape[0] == 3
    assert fitted.summary().columns == ["cluster", "name", "size", "share", "share[m1]", "share[m2]"]
    with pytest.raises(ValueError, match="not fitted yet"):
        Clusterer().table  # noqa: B018


def test_fit_takes_a_run_or_scores_that_know_their_cases():
    from workbench.metrics import Scores
    from workbench.runner import Run

    results, scores = toy_run()
    run = Run({"run_id": "r"}, results, cases=CASES)
    by_run = Clusterer("input", n_clusters=2).fit(run, embeddings=np.eye(12, 3)[[i % 3 for i in range(12)]])
    assert by_run.items_["input"].null_count() == 0 and by_run.items_.height == 12
    wrapped = Scores(scores, run=run)
    by_scores = Clusterer(n_clusters=2).fit(wrapped, embeddings=np.eye(12, 3)[[i % 3 for i in range(12)]])
    assert by_scores.fields_ == ["output"] and by_scores.items_["input"].null_count() == 0
    fails = failures(wrapped)  # a Scores knows its run, and so its cases
    assert fails.equals(failures(results, scores, metric="em", cases=CASES))


def test_the_k_range_grows_with_the_rows():
    from workbench.cluster._fit import k_grid, max_k, min_cluster_size

    assert [max_k(n) for n in (8, 40, 150, 3000, 10_000)] == [2, 6, 12, 54, 100]
    assert k_grid(2, 6) == [2, 3, 4, 5, 6] and k_grid(8, 24) == list(range(8, 13)) + [14, 16, 18, 21, 24]
    assert k_grid(2, 54) == [*range(2, 13), 14, 16, 18, 21, 24, 28, 32, 37, 43, 49, 54]
    assert [min_cluster_size(n) for n in (41, 150, 3000, 10_000)] == [5, 5, 20, 67]


def test_auto_k_finds_more_than_twelve_groups():
    # 24 tight groups of 25 rows: the old fixed range (2..12) could not find them; sqrt(600) = 24
    rng = np.random.default_rng(3)
    centers = rng.normal(size=(24, 32))
    x = np.repeat(centers, 25, axis=0) + rng.normal(scale=0.05, size=(600, 32))
    cl = Clusterer().fit([f"t{i}" for i in range(600)], embeddings=x)
    assert cl.n_clusters_ == 24 and max(cl.silhouette_) == 24 and cl.noise_ == 0.0
    assert np.bincount(cl.labels_).tolist() == [25] * 24
    assert Clusterer(k_range=(2, 12)).fit([f"t{i}" for i in range(600)], embeddings=x).n_clusters_ == 12
    # k chosen on a 300-row sample: capped at sqrt(600) rows = 24, not at sqrt(300) = 17
    sampled = Clusterer(k_range=(20, 100), sample_size=300).fit([f"t{i}" for i in range(600)], embeddings=x)
    assert sampled.n_clusters_ == 24 and max(sampled.silhouette_) == 24


def test_hdbscan_on_umap_reports_and_reassigns_noise():
    # 8 groups of 40 rows in 32 dimensions (>= 200 rows: HDBSCAN runs on a UMAP reduction)
    rng = np.random.default_rng(4)
    x = np.repeat(rng.normal(size=(8, 32)), 40, axis=0) + rng.normal(scale=0.1, size=(320, 32))
    texts = [f"t{i}" for i in range(320)]
    cl = Clusterer(method="hdbscan", seed=1).fit(texts, embeddings=x)
    again = Clusterer(method="hdbscan", seed=1).fit(texts, embeddings=x)
    assert cl.n_clusters_ == 8 and sorted(np.bincount(cl.labels_).tolist()) == [40] * 8
    np.testing.assert_array_equal(cl.labels_, again.labels_)
    assert 0.0 <= cl.noise_ < 0.1 and cl.labels_.min() == 0
    with pytest.raises(ValueError, match="min_cluster_size must be an integer >= 2 or None, got 1"):
        Clusterer(method="hdbscan", min_cluster_size=1).fit(texts, embeddings=x)
