"""``compare_judges``: calibrate several judge (prompt) versions on the same human labels, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench import _html
from workbench._table import as_table
from workbench.agreement._frame import LevelOption
from workbench.calibration._align import Consensus
from workbench.calibration._calibrate import Calibration, calibrate
from workbench.calibration._pairwise import PairwiseCalibration, calibrate_pairwise

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class JudgeComparison:
    """Calibrations of several judge versions on the same labels.

    Attributes:
        table: one row per version, best first: ``rank``, ``version``, then the columns of each
            calibration's ``summary()`` (kappa with its interval, agreement, mean difference and the
            humans' alpha for single scores; MT-Bench S2 / S1 agreement and the position flip rate
            for pairwise verdicts).
        calibrations: version name -> its :class:`Calibration` or :class:`PairwiseCalibration`.
    """

    table: pl.DataFrame
    calibrations: dict[str, Calibration | PairwiseCalibration]

    @property
    def best(self) -> str:
        """The version ranked first."""
        return str(self.table.get_column("version")[0])

    def summary(self) -> pl.DataFrame:
        """The ranking: :attr:`table` (it is already one row per version)."""
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        """:attr:`table` as pandas."""
        return self.table.to_pandas()

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table.to_dicts(),
                "calibrations": {k: v.to_dict() for k, v in self.calibrations.items()}}  # fmt: skip

    def __repr__(self) -> str:
        return f"JudgeComparison(versions={list(self.table.get_column('version'))}, best={self.best!r})"

    def _repr_html_(self) -> str:
        parts = [_html.section("Judge versions, best first", _html.table(self.table))]
        for version, cal in self.calibrations.items():
            parts.append(_html.section(f"{version}: agreement", _html.table(cal.table)))
        return _html.report(repr(self), parts)


def compare_judges(
    versions: Mapping[str, Any],
    human_labels: Any,
    *,
    metric: str | None = None,
    criterion: str | None = None,
    level: LevelOption = "auto",
    categories: Sequence[Any] | None = None,
    consensus: Consensus = "majority",
    cases: Any = None,
    results: Any = None,
    slices: Any = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> JudgeComparison:
    """Calibrate each judge version (e.g. prompt v1 vs a revised v2) on the same human labels.

    Args:
        versions: version name -> that judge's scores (a ``Scores`` or a score table; single-output)
            or pairwise table (``winner``); all of one kind.
        human_labels: the human labels (``LABEL_COLUMNS``) or a label file.
        metric, categories, consensus, cases, results, slices: as in :func:`calibrate`
            (single-output versions only).
        criterion: the human criterion (needed when the labels have several).
        level: the labels' level of measurement: "nominal", "ordinal", "interval" or "ratio";
            "auto" (the default) is "ordinal" when every label is a number, else "nominal".
            The result records the level used. For single-output versions only (pairwise verdicts
            are nominal).
        confidence, n_resamples, seed: the level, bootstrap resamples and seed of every interval.

    Returns:
        One row per version, best first (by kappa for single scores, by S2 agreement for pairwise
        verdicts), in ``.table``; each version's calibration in ``.calibrations``.

    >>> compare_judges({"v1": scores_v1, "v2": scores_v2}, labels)    # doctest: +SKIP
    """
    if not versions:
        raise ValueError("compare_judges needs at least one version: {'v1': scores_v1, ...}")
    kinds = {name: "pairwise" if "winner" in as_table(t, want="scores", param=f"versions[{name!r}]",
                                                      func="compare_judges").columns else "single"
             for name, t in versions.items()}  # fmt: skip
    if len(set(kinds.values())) > 1:
        raise ValueError(
            f"compare_judges: mix of single-output and pairwise tables {kinds}; compare one kind at a time"
        )
    pairwise = next(iter(kinds.values())) == "pairwise"
    if pairwise:
        single_only = {"metric": metric, "categories": categories, "cases": cases, "results": results,
                       "slices": slices}  # fmt: skip
        given = [k for k, v in single_only.items() if v is not None]
        given += [k for k, v, d in (("level", level, "auto"), ("consensus", consensus, "majority")) if v != d]
        if given:
            raise ValueError(
                f"compare_judges: {', '.join(given)} apply to single-output judges only; these versions "
                "are pairwise tables"
            )
    cals: dict[str, Calibration | PairwiseCalibration] = {}
    rows = []
    for name, scores in versions.items():
        cal: Calibration | PairwiseCalibration
        if pairwise:
            cal = calibrate_pairwise(
                scores, human_labels, criterion=criterion, confidence=confidence, n_resamples=n_resamples,
                seed=seed,
            )  # fmt: skip
        else:
            cal = calibrate(
                scores, human_labels, metric=metric, criterion=criterion, level=level, categories=categories,
                consensus=consensus, cases=cases, results=results, slices=slices, confidence=confidence,
                n_resamples=n_resamples, seed=seed,
            )  # fmt: skip
        cals[name] = cal
        rows.append(cal.summary().with_columns(pl.lit(name).alias("version")))
    key = "s2_agreement" if pairwise else "kappa"
    table = pl.concat(rows).sort(key, descending=True, nulls_last=True, maintain_order=True)
    table = table.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    table = table.select("rank", "version", pl.exclude("rank", "version"))
    return JudgeComparison(table=table, calibrations=cals)
