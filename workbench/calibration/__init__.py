"""Judge calibration: how far an LLM judge agrees with a human panel, and how it is biased.

>>> from workbench.calibration import calibrate, load_human_labels           # doctest: +SKIP
>>> labels = load_human_labels("data/human_labels.csv")                     # doctest: +SKIP
>>> cal = calibrate(judge_scores, labels, criterion="helpfulness")          # doctest: +SKIP
>>> cal      # agreement with intervals, confusion, slices, disagreements  # doctest: +SKIP

``judge_scores`` may be the ``Scores`` that ``score`` returned: its cases and run are then used for
the per-slice table and the excerpts, so ``cases=`` and ``results=`` need not be passed. Every
result has its main table as ``.table``, ``summary()`` (a one-row polars frame), ``to_pandas()``
and an escaped HTML view; ``level="auto"`` treats labels as ordinal when every label is a number.

Pairwise verdicts are calibrated with :func:`calibrate_pairwise` (the two set-ups of the MT-Bench
paper); :func:`position_bias`, :func:`self_preference` and :func:`verbosity_bias` measure a
judge's biases; :func:`compare_judges` re-calibrates several judge prompt versions on the same labels.
"""

from workbench.calibration._bias import BiasCheck, Figure, position_bias, self_preference
from workbench.calibration._calibrate import Calibration, calibrate
from workbench.calibration._compare import JudgeComparison, compare_judges
from workbench.calibration._load import LabelFileError, load_candidate_responses, load_human_labels
from workbench.calibration._pairwise import PairwiseCalibration, calibrate_pairwise
from workbench.calibration._verbosity import verbosity_bias

__all__ = [
    "BiasCheck",
    "Calibration",
    "Figure",
    "JudgeComparison",
    "LabelFileError",
    "PairwiseCalibration",
    "calibrate",
    "calibrate_pairwise",
    "compare_judges",
    "load_candidate_responses",
    "load_human_labels",
    "position_bias",
    "self_preference",
    "verbosity_bias",
]
