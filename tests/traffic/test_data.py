"""data/traffic.parquet: size, span, and the messy parts it promises, measured with the scrubber."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from workbench.traffic import scan_traffic, scrub

DATA = Path(__file__).resolve().parents[2] / "data"
TRAFFIC = DATA / "traffic.parquet"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_traffic", DATA / "make_traffic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_traffic", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def traffic() -> pl.DataFrame:
    return scan_traffic(TRAFFIC).collect()


def test_size_span_and_columns(traffic: pl.DataFrame) -> None:
    assert TRAFFIC.stat().st_size < 10_000_000
    assert traffic.height >= 50_000
    assert traffic["timestamp"].dt.date().n_unique() >= 60
    assert traffic.columns == [
        "request_id",
        "timestamp",
        "session_id",
        "user_id",
        "input",
        "output",
        "model",
        "latency_s",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "feedback",
        "true_intent",
    ]
    assert traffic["request_id"].n_unique() == traffic.height
    assert set(traffic["model"].unique()) == {"gpt-4o-mini", "claude-3-5-haiku", "gpt-4o"}
    assert set(traffic["feedback"].drop_nulls().unique()) == {"up", "down"}


def test_weekly_seasonality_and_model_switch(traffic: pl.DataFrame) -> None:
    weekday = traffic["timestamp"].dt.weekday()
    per_day = traffic.group_by(traffic["timestamp"].dt.date().alias("d"), weekday.alias("w")).len()
    assert (
        per_day.filter(pl.col("w") <= 5)["len"].mean() > 1.8 * per_day.filter(pl.col("w") >= 6)["len"].mean()
    )
    first = traffic.filter(pl.col("timestamp") < traffic["timestamp"].min() + pl.duration(days=30))
    last = traffic.filter(pl.col("timestamp") > traffic["timestamp"].max() - pl.duration(days=20))
    assert "claude-3-5-haiku" not in first["model"].to_list()
    assert "gpt-4o-mini" not in last["model"].to_list()


def test_repeats_near_duplicates_rare_intents_and_injections(traffic: pl.DataFrame) -> None:
    n = traffic.height
    assert traffic["input"].is_duplicated().mean() > 0.5  # popular questions asked verbatim again
    # Near-duplicates: among repeated questions, many differ only in casing, spacing or punctuation.
    repeated = traffic.filter(pl.col("input").is_duplicated())["input"]
    normalised = repeated.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    assert normalised.n_unique() < 0.85 * repeated.n_unique()
    shares = traffic["true_intent"].value_counts().with_columns(share=pl.col("count") / n)
    injection = shares.filter(pl.col("true_intent") == "prompt_injection")["share"].item()
    assert 0.007 < injection < 0.013
    rare = shares.filter(pl.col("share") < 0.005)
    assert rare.height >= 5 and rare["count"].min() >= 50


def test_pii_share_measured_by_the_scrubber(traffic: pl.DataFrame) -> None:
    _, report = scrub(traffic, columns=["input"])
    share = report.rows_affected / traffic.height
    assert 0.065 < share < 0.095
    assert set(report.by_type()) == {
        "EMAIL",
        "PHONE",
        "CREDIT_CARD",
        "IBAN",
        "NATIONAL_ID",
        "IP_ADDRESS",
        "STREET_ADDRESS",
        "PERSON",
    }


def test_generator_is_deterministic_and_matches_the_committed_file(traffic: pl.DataFrame) -> None:
    make = generator().make_traffic
    small = make(3000, 5)
    assert small.equals(make(3000, 5))
    assert not small.equals(make(3000, 6))
    committed = pl.read_parquet(TRAFFIC)
    assert make().equals(committed)
