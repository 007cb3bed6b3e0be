"""``compare_judges``: calibrate several judge (prompt) versions on the same human labels, side by side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.calibrate import _html
from workbench.calibrate._calibrate import Calibration, calibrate
from workbench.calibrate._pairwise import PairwiseCalibration, calibrate_pairwise
from workbench.stats._common import as_polars


@dataclass(frozen=True)
class JudgeComparison:
    """Calibrations of several judge versions on the same labels; ``summary`` ranks them, best first."""

    summary: pl.DataFrame
    calibrations: dict[str, Calibration | PairwiseCalibration]

    @property
    def best(self) -> str:
        """The version ranked first."""
        return str(self.summary.get_column("version")[0])

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary.to_dicts(),
                "calibrations": {k: v.to_dict() for k, v in self.calibrations.items()}}  # fmt: skip

    def __repr__(self) -> str:
        return f"JudgeComparison(versions={list(self.summary.get_column('version'))}, best={self.best!r})"

    def _repr_html_(self) -> str:
        parts = [_html.section("Judge versions, best first", _html.table(self.summary))]
        for version, cal in self.calibrations.items():
            parts.append(_html.section(f"{version}: agreement", _html.table(cal.summary)))
        return _html.report(repr(self), parts)


def _single_row(version: str, cal: Calibration) -> dict[str, Any]:
    s = cal.summary
    k = s.filter(pl.col("comparison") == "judge vs consensus", pl.col("statistic") == "cohen_kappa").row(
        0, named=True
    )
    diff = s.filter(pl.col("statistic") == "mean_difference")
    return {
        "version": version,
        "n_items": k["n_items"],
        "kappa": k["value"],
        "kappa_lo": k["ci_lo"],
        "kappa_hi": k["ci_hi"],
        "agreement": cal.percent_agreement,
        "mean_difference": diff.get_column("value")[0] if diff.height else None,
        "human_alpha": cal.human_alpha,
    }


def _pairwise_row(version: str, cal: PairwiseCalibration) -> dict[str, Any]:
    s2 = cal.summary.filter(pl.col("setup") == "S2", pl.col("comparison") == "judge-human").row(0, named=True)
    return {
        "version": version,
        "n_items": s2["n_items"],
        "s2_agreement": s2["agreement"],
        "s2_lo": s2["ci_lo"],
        "s2_hi": s2["ci_hi"],
        "s1_agreement": cal.agreement("S1"),
        "human_s2_agreement": cal.agreement("S2", "human-human"),
        "position_flip_rate": cal.position.value if cal.position is not None else None,
    }


def compare_judges(versions: Mapping[str, Any], human_labels: Any, **kwargs: Any) -> JudgeComparison:
    """Calibrate each judge version (e.g. prompt v1 vs a revised v2) on the same human labels.

    Args:
        versions: version name -> that judge's score table (single-output) or pairwise table (``winner``);
            all of one kind.
        human_labels: the human labels (``LABEL_COLUMNS``) or a label file.
        **kwargs: passed to :func:`calibrate` (single) or :func:`calibrate_pairwise` (pairwise).

    Returns:
        One row per version, best first: Cohen kappa (with interval), percent agreement and the
        judge's mean difference for single scores; MT-Bench S2 / S1 agreement and the position flip
        rate for pairwise verdicts.

    >>> compare_judges({"v1": scores_v1, "v2": scores_v2}, labels)    # doctest: +SKIP
    """
    if not versions:
        raise ValueError("compare_judges needs at least one version: {'v1': scores_v1, ...}")
    kinds = {name: "pairwise" if "winner" in as_polars(t, f"versions[{name!r}]").columns else "single"
             for name, t in versions.items()}  # fmt: skip
    if len(set(kinds.values())) > 1:
        raise ValueError(
            f"compare_judges: mix of single-output and pairwise tables {kinds}; compare one kind at a time"
        )
    pairwise = next(iter(kinds.values())) == "pairwise"
    cals: dict[str, Calibration | PairwiseCalibration] = {}
    rows = []
    for name, table in versions.items():
        if pairwise:
            pcal = calibrate_pairwise(table, human_labels, **kwargs)
            cals[name] = pcal
            rows.append(_pairwise_row(name, pcal))
        else:
            cal = calibrate(table, human_labels, **kwargs)
            cals[name] = cal
            rows.append(_single_row(name, cal))
    key = "s2_agreement" if pairwise else "kappa"
    summary = pl.DataFrame(rows).sort(key, descending=True, nulls_last=True, maintain_order=True)
    summary = summary.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    return JudgeComparison(summary=summary, calibrations=cals)
