"""Saving a cluster as a case tag: the next summary reports it as a slice."""

import polars as pl
import pytest

from tests.cluster.conftest import toy_run
from tests.cluster.test_clusterer import CASES, toy_failures
from workbench.cases import CaseSet
from workbench.cluster import Clusterer, tag_cases
from workbench.stats import summarize


@pytest.fixture
def fitted():
    fails, vectors = toy_failures()
    return Clusterer("output", n_clusters=3).fit(fails, embeddings=vectors)


def test_tag_round_trip_through_summarize(fitted):
    _, scores = toy_run()
    tagged = fitted.tag_cases(CASES, "password / locked / error")
    assert isinstance(tagged, CaseSet) and tagged is not CASES
    tag = "cluster:password-locked-error"
    assert tagged.slice(tag).ids == ("c3", "c4", "c5")
    assert CASES.tag_counts()["tag"].to_list() == ["all"]  # the original is unchanged
    assert tagged["c3"].tags == ("all", tag)
    table = summarize(scores, by="model", slices=[tag], cases=tagged)
    # em on c3, c4, c5: m1 passed, passed, failed; m2 failed, failed, passed
    assert table.select("model", "slice", "n", "mean").rows() == [
        ("m1", tag, 3, pytest.approx(2 / 3)),
        ("m2", tag, 3, pytest.approx(1 / 3)),
    ]


def test_frame_form(fitted):
    _, scores = toy_run()
    frame = fitted.tag_cases(CASES.to_polars(), 0)
    assert isinstance(frame, pl.DataFrame)
    assert frame.filter(pl.col("tags").list.contains("cluster:refund-denied-refused"))[
        "case_id"
    ].to_list() == [
        "c1",
        "c2",
    ]
    table = summarize(scores, by="model", slices=["cluster:refund-denied-refused"], cases=frame)
    assert table["mean"].to_list() == [0.0, 0.0]  # both models failed c1 and c2
    assert fitted.tags_frame().rows() == [
        ("c1", "cluster:refund-denied-refused"),
        ("c2", "cluster:refund-denied-refused"),
        ("c5", "cluster:password-locked-error"),
        ("c3", "cluster:password-locked-error"),
        ("c4", "cluster:password-locked-error"),
        ("c6", "cluster:cluster-2"),
    ]
    assert fitted.tags_frame(clusters=[2]).rows() == [("c6", "cluster:cluster-2")]


def test_tagging_twice_adds_the_tag_once_and_unknown_cases_raise(fitted):
    once = fitted.tag_cases(CASES, 0)
    assert once == fitted.tag_cases(once, 0)
    with pytest.raises(ValueError, match=r"1 clustered case id\(s\) are not in cases \(e.g. 'c6'\)"):
        tag_cases(CASES.filter(lambda c: c.id != "c6"), ["c6"], "cluster:x")
    frame = fitted.tag_cases(pl.DataFrame({"case_id": ["c6", "c7"]}), 2, tag="cluster:html")
    assert frame["tags"].to_list() == [["cluster:html"], []]
