"""Toy tables for the chart tests: scores with slices, results, pairwise verdicts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

# model -> topic -> values of cases (two per topic); gaps between a and b: billing 0, refund 0.5,
# shipping 1.0, so by gap the slices sort shipping, refund, billing (the reverse of by name)
EXACT = {
    "a": {"billing": [1.0, 1.0], "refund": [1.0, 0.0], "shipping": [1.0, 1.0]},
    "b": {"billing": [1.0, 1.0], "refund": [1.0, 1.0], "shipping": [0.0, 0.0]},
}
TOPICS = ["billing", "billing", "refund", "refund", "shipping", "shipping"]


def make_scores(models: dict[str, dict[str, list[float]]] = EXACT) -> pl.DataFrame:
    rows = []
    for model, by_topic in models.items():
        values = [v for topic in ("billing", "refund", "shipping") for v in by_topic[topic]]
        for i, v in enumerate(values):
            for metric, value in (("exact", v), ("sim", 0.5 + v / 4 + i / 100)):
                rows.append(
                    {
                        "run_id": "r",
                        "case_id": f"c{i + 1}",
                        "model": model,
                        "variant": "v",
                        "sample": 0,
                        "metric": metric,
                        "value": value,
                        "passed": (value == 1.0) if metric == "exact" else None,
                    }
                )
    return pl.DataFrame(rows, schema_overrides={"passed": pl.Boolean})


@pytest.fixture
def scores() -> pl.DataFrame:
    return make_scores()


@pytest.fixture
def cases() -> pl.DataFrame:
    # c7 is a "returns" case that no model was scored on: an empty slice
    return pl.DataFrame({"case_id": [f"c{i}" for i in range(1, 8)], "topic": [*TOPICS, "returns"]})


def make_results(n: int, models: tuple[str, ...] = ("a", "b", "c"), seed: int = 0) -> pl.DataFrame:
    """A results table: lognormal latencies, 2% timeouts (with a latency), costs per model."""
    rng = np.random.default_rng(seed)
    model = rng.choice(list(models), n)
    scale = np.select([model == m for m in models], [0.5 * (i + 1) for i in range(len(models))])
    failed = rng.random(n) < 0.02
    return pl.DataFrame(
        {
            "run_id": "r",
            "case_id": [f"c{i % 1000}" for i in range(n)],
            "model": model,
            "variant": "v",
            "sample": 0,
            "latency_s": rng.lognormal(0.0, 0.6, n) * scale,
            "cost_usd": np.select(
                [model == m for m in models], [0.001 * (i + 1) for i in range(len(models))]
            ),
            "error_type": pl.Series([("Timeout" if f else None) for f in failed], dtype=pl.Utf8),
        }
    )


@pytest.fixture
def pairwise() -> pl.DataFrame:
    """Verdicts among x, y, z. Hand count:

    x vs y: x wins 2 (rows 0, 3), y wins 1 (row 1), tie 1 (row 2) -> x: (2 + 0.5) / 4 = 0.625
    x vs z: x wins 1 (row 4), z wins 2 (rows 5, 6), null 1 (row 7) -> x: 1 / 3
    y vs z: tie 2 (rows 8, 9) -> 0.5 each; y and z never otherwise meet
    """
    return pl.DataFrame(
        {
            "case_id": [str(i) for i in range(10)],
            "model_a": ["x", "y", "x", "y", "x", "z", "x", "x", "y", "z"],
            "model_b": ["y", "x", "y", "x", "z", "x", "z", "z", "z", "y"],
            "winner": ["a", "a", "tie", "b", "a", "a", "b", None, "tie", "tie"],
        }
    )
