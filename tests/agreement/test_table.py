"""agreement_table and pairwise_kappa."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import cohen_kappa_score

from tests.agreement._data import KRIPPENDORFF_2011, long_from_matrix, random_matrix
from workbench.agreement import (
    agreement_table,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pairwise_kappa,
    percent_agreement,
)

COLUMNS = [
    "statistic",
    "value",
    "ci_lo",
    "ci_hi",
    "n_items",
    "n_raters",
    "n_labels",
    "method",
    "level",
    "note",
]


def test_table_for_a_panel_has_no_cohen_row() -> None:
    rows = long_from_matrix(KRIPPENDORFF_2011)
    table = agreement_table(rows, level="ordinal", n_resamples=200)
    assert table.columns == COLUMNS
    assert table.get_column("statistic").to_list() == [
        "percent_agreement",
        "fleiss_kappa",
        "krippendorff_alpha",
    ]
    alpha = table.filter(statistic="krippendorff_alpha").row(0, named=True)
    assert alpha == krippendorff_alpha(rows, level="ordinal", n_resamples=200).to_dict()
    assert round(alpha["value"], 3) == 0.815
    fleiss = table.filter(statistic="fleiss_kappa").row(0, named=True)
    assert fleiss == fleiss_kappa(rows, n_resamples=200).to_dict()


@pytest.mark.parametrize(
    ("level", "weights"),
    [("nominal", None), ("ordinal", "linear"), ("interval", "quadratic"), ("ratio", "quadratic")],
)
def test_two_raters_add_cohen_weighted_to_match_the_level(level: str, weights: str | None) -> None:
    rows = long_from_matrix(random_matrix(2, 40, 4, seed=6, missing=0.1))
    table = agreement_table(rows, level=level, n_resamples=100)
    assert table.get_column("statistic").to_list() == [
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
    ]
    cohen = table.filter(statistic="cohen_kappa").row(0, named=True)
    assert cohen == cohen_kappa(rows, weights=weights, n_resamples=100).to_dict()
    assert table.row(0, named=True) == percent_agreement(rows, n_resamples=100).to_dict()


def test_table_of_single_category_keeps_nan_and_notes() -> None:
    table = agreement_table(long_from_matrix([["ok"] * 4] * 2), n_resamples=50)
    values = dict(zip(table["statistic"], table["value"], strict=True))
    assert values["percent_agreement"] == 1.0
    assert all(math.isnan(values[s]) for s in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha"))
    assert table.filter(statistic="fleiss_kappa")["note"].str.contains("single category").all()


def test_pairwise_kappa_matches_sklearn_for_every_pair() -> None:
    m = random_matrix(3, 30, 3, seed=12, missing=0.2)
    names = ["ann", "bob", "cy"]
    out = pairwise_kappa(long_from_matrix(m, raters=names), weights="linear", categories=[1, 2, 3])
    assert out.columns == ["rater_a", "rater_b", "kappa", "n_items"]
    assert out.height == 6
    for row in out.iter_rows(named=True):
        a, b = names.index(row["rater_a"]), names.index(row["rater_b"])
        both = ~np.isnan(m[a]) & ~np.isnan(m[b])
        ref = cohen_kappa_score(m[a, both], m[b, both], weights="linear", labels=[1, 2, 3])
        assert row["kappa"] == pytest.approx(ref, abs=1e-12)
        assert row["n_items"] == int(both.sum())
    matrix = out.pivot(on="rater_b", index="rater_a", values="kappa").sort("rater_a")
    assert matrix["ann"][1] == matrix["bob"][0]  # symmetric


def test_pairwise_kappa_no_shared_items_is_nan() -> None:
    rows = [
        {"case_id": "q1", "rater": "ann", "label": "y"},
        {"case_id": "q1", "rater": "bob", "label": "n"},
        {"case_id": "q2", "rater": "cy", "label": "y"},
    ]
    out = pairwise_kappa(pl.DataFrame(rows)).filter(rater_a="ann", rater_b="cy")
    assert out["n_items"].to_list() == [0]
    assert math.isnan(out["kappa"][0])


def test_raters_restricts_every_statistic() -> None:
    m = random_matrix(4, 30, 3, seed=14, missing=0.1)
    names = ["ann", "bob", "cy", "judge"]
    rows = long_from_matrix(m, raters=names)
    humans = [r for r in rows if r["rater"] != "judge"]
    kw = {"n_resamples": 50}
    assert fleiss_kappa(rows, raters=names[:3], **kw) == fleiss_kappa(humans, **kw)
    assert krippendorff_alpha(rows, raters=names[:3], **kw) == krippendorff_alpha(humans, **kw)
    assert agreement_table(rows, raters=names[:3], **kw).equals(agreement_table(humans, **kw))
    two = agreement_table(rows, raters=["ann", "judge"], **kw)
    assert "cohen_kappa" in two["statistic"].to_list()
    assert pairwise_kappa(rows, raters=["ann", "judge"]).height == 2
