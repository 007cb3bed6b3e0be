"""The Agreement record: dict, repr, escaped HTML."""

from __future__ import annotations

import math

from workbench.agreement import Agreement, percent_agreement


def _agreement(**kw) -> Agreement:
    base = dict(
        statistic="cohen_kappa",
        value=0.4,
        ci_lo=0.1,
        ci_hi=0.65,
        n_items=50,
        n_raters=2,
        n_labels=100,
        method="unweighted; 95% percentile bootstrap over items, 1000 resamples",
        level="nominal",
        note=None,
    )
    base.update(kw)
    return Agreement(**base)


def test_to_dict_has_every_field_in_order() -> None:
    d = _agreement().to_dict()
    assert list(d) == [
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
    assert d["value"] == 0.4 and d["note"] is None


def test_repr_is_readable() -> None:
    text = repr(_agreement(note="3 items labelled by only one of 'a' and 'b' left out"))
    assert text.startswith("Agreement(cohen_kappa=0.400 [0.100, 0.650], n_items=50, n_raters=2")
    assert "note=\"3 items labelled by only one of 'a' and 'b' left out\"" in text
    assert repr(_agreement(value=math.nan, ci_lo=math.nan, ci_hi=math.nan)).startswith(
        "Agreement(cohen_kappa=nan, n_items"
    )


def test_html_is_escaped() -> None:
    html = _agreement(statistic="<b>x</b>", note="rater <script>")._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "[0.100, 0.650]" in html and "50 items, 2 raters, 100 labels" in html


def test_frozen_and_comparable() -> None:
    rows = [{"case_id": i, "rater": r, "label": i % 2} for i in range(6) for r in "ab"]
    a = percent_agreement(rows)
    assert a == percent_agreement(rows)
    try:
        a.value = 0.0  # type: ignore[misc]
    except AttributeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("Agreement must be frozen")


def test_table_summary_pandas_and_interval() -> None:
    a = _agreement()
    assert a.interval == (0.1, 0.65)
    assert a.table.columns == list(a.to_dict())
    assert a.table.row(0, named=True) == a.to_dict()
    assert a.summary().equals(a.table)
    assert a.to_pandas()["value"].tolist() == [0.4] and list(a.to_pandas().columns) == list(a.to_dict())
