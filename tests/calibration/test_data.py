"""data/human_labels.csv and data/candidate_responses.jsonl: reproducible, loadable, realistically noisy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from workbench.agreement import krippendorff_alpha
from workbench.calibration import calibrate, calibrate_pairwise, load_candidate_responses, load_human_labels

DATA = Path(__file__).resolve().parents[2] / "data"
LABELS = DATA / "human_labels.csv"
RESPONSES = DATA / "candidate_responses.jsonl"


@pytest.fixture(scope="module")
def labels() -> pl.DataFrame:
    return load_human_labels(LABELS)


def test_script_reproduces_the_committed_files(tmp_path: Path) -> None:
    script = DATA / "make_human_labels.py"
    subprocess.run([sys.executable, str(script), "--out-dir", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / "human_labels.csv").read_bytes() == LABELS.read_bytes()
    assert (tmp_path / "candidate_responses.jsonl").read_bytes() == RESPONSES.read_bytes()


def test_labels_have_several_raters_and_missing_labels(labels: pl.DataFrame) -> None:
    single = labels.filter(pl.col("kind") == "single")
    assert single.get_column("rater").n_unique() >= 2
    responses = load_candidate_responses(RESPONSES)
    assert responses.height == 120 and responses.get_column("case_id").n_unique() == 60
    per_rater = single.group_by("rater").len().sort("rater")
    assert per_rater.get_column("len").max() == responses.height
    assert per_rater.get_column("len").min() < responses.height  # rater-3 labelled only some
    assert set(labels.filter(pl.col("kind") == "pairwise").get_column("label")) == {"a", "b", "tie"}


def test_human_human_alpha_is_in_the_intended_band(labels: pl.DataFrame) -> None:
    single = labels.filter(pl.col("kind") == "single").with_columns(
        pl.concat_str("case_id", "model", separator="/").alias("item")
    )
    alpha = krippendorff_alpha(single, item="item", label="value", level="ordinal", n_resamples=0)
    assert 0.6 <= alpha.value <= 0.75


def test_a_judge_that_sees_the_true_quality_calibrates_on_the_demo_data(labels: pl.DataFrame) -> None:
    responses = load_candidate_responses(RESPONSES)
    scores = responses.select(
        "run_id", "case_id", "model", "variant", "sample",
        pl.lit("helpfulness").alias("metric"), pl.col("true_quality").cast(pl.Float64).alias("value"),
    )  # fmt: skip
    cal = calibrate(scores, labels, n_resamples=100)
    assert cal.aligned.height == 120
    assert cal.kappa > cal.human_alpha - 0.1  # the truth agrees with the panel at least as well as raters do
    pairs = responses.pivot(on="model", index="case_id", values="true_quality")
    verdicts = pairs.select(
        "case_id", pl.lit("assistant-a").alias("model_a"), pl.lit("assistant-b").alias("model_b"),
        pl.when(pl.col("assistant-a") > pl.col("assistant-b")).then(pl.lit("a"))
        .when(pl.col("assistant-a") < pl.col("assistant-b")).then(pl.lit("b")).otherwise(pl.lit("tie")).alias("winner"),
    )  # fmt: skip
    pcal = calibrate_pairwise(verdicts, labels, n_resamples=100)
    assert pcal.agreement("S2") > 0.7
