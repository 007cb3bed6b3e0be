"""compare_judges: two judge prompt versions re-calibrated on the same human labels."""

from __future__ import annotations

import pytest

from tests.calibration._toy import human_labels, judge_scores
from tests.calibration.test_calibrate import CONSENSUS, PANEL
from tests.calibration.test_pairwise import human_table, judge_table
from workbench.calibration import Calibration, compare_judges


def test_the_better_version_ranks_first() -> None:
    v1 = judge_scores({k: min(5.0, v + 2) for k, v in CONSENSUS.items()})  # lenient and off
    v2 = judge_scores(CONSENSUS)  # the revised prompt matches the panel
    out = compare_judges({"v1": v1, "v2": v2}, human_labels(PANEL), n_resamples=50)
    assert out.best == "v2"
    assert out.table.get_column("version").to_list() == ["v2", "v1"]
    assert out.table.get_column("rank").to_list() == [1, 2]
    first = out.table.row(0, named=True)
    assert first["kappa"] == pytest.approx(1.0) and first["agreement"] == pytest.approx(1.0)
    assert out.table.row(1, named=True)["mean_difference"] > 1
    assert isinstance(out.calibrations["v1"], Calibration)
    assert "v2" in out._repr_html_()
    assert out.to_dict()["table"][0]["version"] == "v2"


def test_pairwise_versions_and_mixed_kinds() -> None:
    out = compare_judges({"p1": judge_table()}, human_table(), n_resamples=0)
    row = out.table.row(0, named=True)
    assert row["s2_agreement"] == pytest.approx(5 / 7)
    assert row["position_flip_rate"] == pytest.approx(3 / 8)
    with pytest.raises(ValueError, match="mix of single-output and pairwise"):
        compare_judges({"p1": judge_table(), "s1": judge_scores(CONSENSUS)}, human_table())


def test_options_reach_every_calibration_and_pairwise_refuses_single_only_ones() -> None:
    v1 = judge_scores({k: min(5.0, v + 1) for k, v in CONSENSUS.items()})
    out = compare_judges(
        {"v1": v1, "v2": judge_scores(CONSENSUS)}, human_labels(PANEL), level="nominal", confidence=0.8,
        n_resamples=30, seed=3,
    )  # fmt: skip
    assert out.summary().equals(out.table)
    assert out.table.columns[:2] == ["rank", "version"]
    assert set(out.table.get_column("level")) == {"nominal"}
    for cal in out.calibrations.values():
        assert isinstance(cal, Calibration) and cal.level == "nominal" and cal.confidence == 0.8
    assert out.to_pandas().shape == out.table.shape
    pairwise = compare_judges({"p1": judge_table()}, human_table(), confidence=0.8, n_resamples=0)
    assert pairwise.calibrations["p1"].confidence == 0.8
    with pytest.raises(ValueError, match="level, consensus apply to single-output judges only"):
        compare_judges({"p1": judge_table()}, human_table(), level="ordinal", consensus="median")
