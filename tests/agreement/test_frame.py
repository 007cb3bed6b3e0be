"""Input handling: polars, pandas, list of dicts; missing labels; duplicates; errors that name things."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tests.agreement._data import KRIPPENDORFF_2011, long_from_matrix, random_matrix
from workbench.agreement import (
    agreement_table,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from workbench.agreement._frame import prepare


def test_prepare_builds_the_code_matrix() -> None:
    rows = [
        {"case_id": "q1", "rater": "bob", "label": "no"},
        {"case_id": "q1", "rater": "ann", "label": "yes"},
        {"case_id": "q2", "rater": "ann", "label": None},
        {"case_id": "q2", "rater": "bob", "label": "yes"},
    ]
    r = prepare(rows, item="case_id", rater="rater", label="label")
    assert r.items == ["q1", "q2"]
    assert r.raters == ["ann", "bob"]
    assert r.categories == ["no", "yes"]
    assert r.codes.tolist() == [[1, 0], [-1, 1]]
    assert r.counts.tolist() == [[1.0, 1.0], [0.0, 1.0]]


def test_pandas_polars_and_dicts_give_the_same_result() -> None:
    rows = long_from_matrix(KRIPPENDORFF_2011)
    as_pl = pl.DataFrame(rows)
    as_pd = pd.DataFrame(rows)
    for fn in (percent_agreement, fleiss_kappa, krippendorff_alpha):
        assert fn(rows) == fn(as_pl) == fn(as_pd) == fn(as_pl.lazy())
    assert agreement_table(as_pd, level="ordinal").equals(agreement_table(as_pl, level="ordinal"))


def test_null_label_and_nan_count_as_missing_like_an_absent_row() -> None:
    m = random_matrix(3, 20, 3, seed=4, missing=0.2)
    absent = pl.DataFrame(long_from_matrix(m))
    full = pl.DataFrame(
        [{"case_id": f"u{u:02d}", "rater": f"r{r}", "label": m[r, u]} for r in range(3) for u in range(20)]
    )
    assert full.get_column("label").is_nan().sum() > 0
    as_null = full.with_columns(pl.col("label").fill_nan(None))
    for level in ("nominal", "interval"):
        ref = krippendorff_alpha(absent, level=level)
        assert krippendorff_alpha(full, level=level) == ref
        assert krippendorff_alpha(as_null, level=level) == ref
    pandas_none = full.to_pandas()
    assert fleiss_kappa(pandas_none) == fleiss_kappa(absent)


def test_numeric_value_column() -> None:
    rows = [
        {"case_id": u, "rater": r, "label": str(int(v)), "value": v}
        for r, row in zip("abcd", KRIPPENDORFF_2011, strict=True)
        for u, v in enumerate(row)
        if not np.isnan(v)
    ]
    res = krippendorff_alpha(rows, label="value", level="interval", n_resamples=0)
    assert round(res.value, 3) == 0.849
    with pytest.raises(ValueError, match=r"level='interval' needs an order.*pass categories=.*label='value'"):
        krippendorff_alpha(rows, level="interval")
    with pytest.raises(ValueError, match=r"weights='linear' needs an order"):
        cohen_kappa([r for r in rows if r["rater"] in "ab"], weights="linear")


def test_duplicates_without_created_at_name_the_item_and_rater() -> None:
    rows = [
        {"case_id": "q1", "rater": "ann", "label": "yes"},
        {"case_id": "q1", "rater": "bob", "label": "yes"},
        {"case_id": "q1", "rater": "ann", "label": "no"},
    ]
    with pytest.raises(ValueError, match=r"case_id='q1', rater='ann'.*no created_at column"):
        percent_agreement(rows)
    mixed = [dict(r, criterion=c) for r in rows[:2] for c in ("tone", "facts")]
    with pytest.raises(ValueError, match="several criterion values: filter to one criterion first"):
        fleiss_kappa(mixed)


def test_duplicates_with_created_at_keep_the_latest() -> None:
    t = [datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2, 3)]
    rows = [
        {"case_id": "q1", "rater": "ann", "label": "no", "created_at": t[2]},  # latest, listed first
        {"case_id": "q1", "rater": "ann", "label": "yes", "created_at": t[0]},
        {"case_id": "q1", "rater": "bob", "label": "no", "created_at": t[1]},
        {"case_id": "q2", "rater": "ann", "label": "yes", "created_at": t[0]},
        {"case_id": "q2", "rater": "bob", "label": "yes", "created_at": t[0]},
    ]
    assert percent_agreement(rows, n_resamples=0).value == 1.0
    r = prepare(pl.DataFrame(rows), item="case_id", rater="rater", label="label")
    assert r.codes.tolist() == [[0, 0], [1, 1]]


def test_errors_name_the_column_parameter_and_label() -> None:
    rows = long_from_matrix([[1, 2, 3], [1, 2, 2]])
    with pytest.raises(
        ValueError,
        match=r"percent_agreement: labels has no column 'item_id'; expected item='item_id'.*"
        r"Columns present: case_id, rater, label",
    ):
        percent_agreement(rows, item="item_id")
    with pytest.raises(
        ValueError, match=r"fleiss_kappa: labels has no column 'score'; expected label='score'"
    ):
        fleiss_kappa(rows, label="score")
    with pytest.raises(ValueError, match=r"categories: label 3 in column 'label' is not one of"):
        krippendorff_alpha(rows, level="ordinal", categories=[1, 2])
    with pytest.raises(ValueError, match=r"level='binary': expected one of auto, nominal, ordinal"):
        krippendorff_alpha(rows, level="binary")
    with pytest.raises(ValueError, match=r"weights='cubic'"):
        cohen_kappa(rows, weights="cubic")
    with pytest.raises(ValueError, match=r"rater: column 'rater' is null in 1 row"):
        percent_agreement([*rows, {"case_id": "u00", "rater": None, "label": 1}])
    with pytest.raises(TypeError, match="labels must be a polars or pandas DataFrame"):
        percent_agreement("labels.csv")
    with pytest.raises(ValueError, match=r"confidence=1.5"):
        percent_agreement(rows, confidence=1.5)
    with pytest.raises(ValueError, match=r"level='ratio' needs numeric categories"):
        krippendorff_alpha(long_from_matrix([["1", "2"], ["1", "1"]]), level="ratio", categories=["1", "2"])


def test_raters_subset() -> None:
    m = random_matrix(4, 30, 3, seed=9)
    rows = long_from_matrix(m, raters=["a", "b", "c", "d"])
    sub = percent_agreement(rows, raters=["a", "c"], n_resamples=0)
    assert sub.n_raters == 2
    assert sub.value == pytest.approx(float(np.mean(m[0] == m[2])))


def test_a_later_null_label_withdraws_the_earlier_one() -> None:
    t = [datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2)]
    rows = [
        {"case_id": "q1", "rater": "ann", "label": "yes", "created_at": t[0]},
        {"case_id": "q1", "rater": "ann", "label": None, "created_at": t[1]},
        {"case_id": "q1", "rater": "bob", "label": "no", "created_at": t[0]},
        {"case_id": "q2", "rater": "ann", "label": "yes", "created_at": t[0]},
        {"case_id": "q2", "rater": "bob", "label": "yes", "created_at": t[0]},
    ]
    res = percent_agreement(rows, n_resamples=0)
    assert (res.value, res.n_items) == (1.0, 1)
    assert res.note == "1 item with a single label left out"


def test_list_of_dicts_with_mixed_types_is_a_clear_error() -> None:
    rows = [{"case_id": "q1", "rater": "a", "label": 1}, {"case_id": "q1", "rater": "b", "label": "x"}]
    with pytest.raises(ValueError, match=r"label: column 'label' mixes types: 1 \(number\), 'x' \(str\)"):
        percent_agreement(rows)


def test_agreement_table_errors_name_the_level() -> None:
    rows = long_from_matrix([["lo", "hi"], ["lo", "lo"]])
    with pytest.raises(ValueError, match=r"level='ordinal' needs an order"):
        agreement_table(rows, level="ordinal")
