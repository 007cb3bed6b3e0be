"""level="auto": ordinal when every label is a number, else nominal; the result records the level used."""

from __future__ import annotations

import re

import krippendorff
import numpy as np
import pytest

from tests.agreement._data import KRIPPENDORFF_2011, KRIPPENDORFF_2011_PUBLISHED, long_from_matrix
from workbench.agreement import agreement_table, cohen_kappa, krippendorff_alpha
from workbench.agreement._frame import LEVEL_DOC, resolve_level


def test_auto_is_ordinal_for_numbers_and_matches_the_published_value() -> None:
    rows = long_from_matrix(KRIPPENDORFF_2011)
    auto = krippendorff_alpha(rows, n_resamples=0)
    assert auto.level == "ordinal"
    assert round(auto.value, 3) == KRIPPENDORFF_2011_PUBLISHED["ordinal"]
    ref = krippendorff.alpha(np.array(KRIPPENDORFF_2011), level_of_measurement="ordinal")
    assert auto.value == pytest.approx(ref, abs=1e-12)
    assert krippendorff_alpha(rows, n_resamples=50) == krippendorff_alpha(
        rows, level="ordinal", n_resamples=50
    )


def test_auto_is_nominal_for_words_and_numeric_strings() -> None:
    words = long_from_matrix([["yes", "no", "yes"], ["yes", "no", "no"]])
    assert krippendorff_alpha(words).level == "nominal"
    digits = long_from_matrix([["1", "2", "3"], ["1", "2", "2"]])  # strings: no order without categories
    res = krippendorff_alpha(digits, n_resamples=0)
    assert res.level == "nominal"
    assert krippendorff_alpha(digits, n_resamples=50) == krippendorff_alpha(
        digits, level="nominal", n_resamples=50
    )
    assert resolve_level("auto", [True, False]) == "nominal"  # booleans are not numbers here


def test_an_explicit_level_is_kept_and_recorded() -> None:
    rows = long_from_matrix(KRIPPENDORFF_2011)
    for level, published in KRIPPENDORFF_2011_PUBLISHED.items():
        res = krippendorff_alpha(rows, level=level, n_resamples=0)  # type: ignore[arg-type]
        assert res.level == level and round(res.value, 3) == published


def test_agreement_table_records_the_level_of_each_statistic() -> None:
    panel = agreement_table(long_from_matrix(KRIPPENDORFF_2011), n_resamples=0)
    assert dict(zip(panel["statistic"], panel["level"], strict=True)) == {
        "percent_agreement": "nominal",
        "fleiss_kappa": "nominal",
        "krippendorff_alpha": "ordinal",
    }
    assert round(panel.filter(statistic="krippendorff_alpha")["value"][0], 3) == 0.815
    two = long_from_matrix(KRIPPENDORFF_2011[1:3])
    table = agreement_table(two, n_resamples=0)
    cohen = table.filter(statistic="cohen_kappa").row(0, named=True)
    assert cohen["level"] == "ordinal" and cohen["method"].startswith("linear-weighted")
    assert cohen["value"] == cohen_kappa(two, weights="linear", n_resamples=0).value
    words = agreement_table(long_from_matrix([["a", "b", "a"], ["a", "b", "b"]]), n_resamples=0)
    assert set(words["level"]) == {"nominal"}


def test_cohen_level_follows_the_weights() -> None:
    rows = long_from_matrix(KRIPPENDORFF_2011[1:3])
    levels = [cohen_kappa(rows, weights=w, n_resamples=0).level for w in (None, "linear", "quadratic")]
    assert levels == ["nominal", "ordinal", "interval"]


def _flat(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "")


@pytest.mark.parametrize("fn", [krippendorff_alpha, agreement_table])
def test_level_is_documented_the_same_way(fn) -> None:
    assert LEVEL_DOC in _flat(fn.__doc__)
