"""Golden set from traffic at scale: scrub, de-duplicate and sample 1,000,000 requests.

Reproduce: ``.venv/bin/python benchmarks/bench_traffic.py`` (or ``make bench``).

The traffic is the demo log's generator (``data/make_traffic.py``) at 1,000,000 rows: the same
mix of popular repeats, near-duplicates (typos, casing, greetings), rare intents, injections and
personal data in about 8% of requests. Timed, as a notebook would run them one after the other:

1. ``scrub(traffic, columns=("input", "output"))``: every PII detector on both text columns;
2. ``dedupe(scrubbed)``: exact duplicates by normalised text, then MinHash LSH near-duplicates;
3. ``sample_for_coverage(deduped, 500, strata="true_intent", floor=5)``.

Generating the rows is not timed. The target is under 60 s for the three steps together.

The PII detectors' precision and recall per type on the two labelled sets (the hand-written
``tests/traffic/pii_examples.jsonl`` and the Faker set ``data/pii_eval.jsonl``, 30 locales) are
recorded beside the timings, as ``traffic_pii_eval``, with the microseconds per text.

Two traffic mixes are timed. ``demo`` is the generator as it is: its inputs come from a few hundred
support questions, so after scrubbing (which also unifies the personal data) only a few hundred
distinct requests remain and near-duplicate search has little to do. ``diverse`` is the same traffic
with a quarter of the requests quoting their own reference number, about 250,000 distinct texts,
which is the hard case for the MinHash stage. The machine's load average is recorded with the
figures: other processes on a 2-core machine slow every figure down.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data"))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from benchmarks._common import record  # noqa: E402

N_ROWS = 1_000_000
SAMPLE = 500
FLOOR = 5
TARGET_S = 60.0


def diverse(traffic: pl.DataFrame, seed: int = 2) -> pl.DataFrame:
    """A quarter of the requests quote a random reference number: many distinct texts."""
    rng = np.random.default_rng(seed)
    quoted = pl.Series(rng.random(traffic.height) < 0.25)
    ref = pl.Series(rng.integers(100_000, 999_999, size=traffic.height)).cast(pl.Utf8)
    return traffic.with_columns(
        pl.when(quoted)
        .then(pl.concat_str(pl.col("input"), pl.lit(" (ref "), ref, pl.lit(")")))
        .otherwise(pl.col("input"))
        .alias("input")
    )


def timed(name: str, traffic: pl.DataFrame, generate_s: float) -> dict[str, object]:
    from workbench.golden import dedupe, sample_for_coverage
    from workbench.traffic import scrub

    load_before = os.getloadavg()[0]

    t0 = time.perf_counter()
    scrubbed, report = scrub(traffic, columns=("input", "output"))
    t1 = time.perf_counter()
    deduped = dedupe(scrubbed, text="input")
    t2 = time.perf_counter()
    sample = sample_for_coverage(deduped, SAMPLE, strata="true_intent", floor=FLOOR)
    t3 = time.perf_counter()

    coverage = sample.coverage
    floors_met = bool(coverage.get_column("floor_met").all()) if "floor_met" in coverage.columns else None
    total = t3 - t0
    figures: dict[str, object] = {
        "rows": traffic.height,
        "distinct_inputs": traffic.get_column("input").n_unique(),
        "generate_s (not timed)": round(generate_s, 2),
        "scrub_s": round(t1 - t0, 2),
        "dedupe_s": round(t2 - t1, 2),
        "sample_s": round(t3 - t2, 2),
        "total_s": round(total, 2),
        "meets_target": total < TARGET_S,
        "pii_rows_affected": report.rows_affected,
        "pii_findings": report.total,
        "unique_after_dedupe": deduped.table.height,
        "exact_duplicates": deduped.stats.exact_duplicates,
        "near_duplicates": deduped.stats.near_duplicates,
        "sampled": sample.table.height,
        "strata": coverage.height,
        "floors_met": floors_met,
        "load_avg_1min_before": round(load_before, 2),
        "load_avg_1min_after": round(os.getloadavg()[0], 2),
    }
    print(f"== {name}")
    for k, v in figures.items():
        print(f"{k}: {v}")
    return figures


def pii_accuracy_figures(path: Path) -> dict[str, object]:
    """workbench.traffic.pii_accuracy on one labelled file, as figures for results.json."""
    from workbench.traffic import load_pii_examples, pii_accuracy

    table = pii_accuracy(load_pii_examples(path))
    per_type = {
        r["type"]: {
            "labelled": r["labelled"],
            "found": r["found"],
            "precision": round(r["precision"], 3),
            "recall": round(r["recall"], 3),
        }
        for r in table.iter_rows(named=True)
    }
    return {
        "texts": table["texts"][0],
        "us_per_text": round(table["us_per_text"][0], 1),
        "per_type": per_type,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Time scrub + dedupe + sample on generated traffic.")
    parser.add_argument("--rows", type=int, default=N_ROWS, help=f"rows of traffic (default {N_ROWS:,})")
    args = parser.parse_args()
    from make_traffic import make_traffic  # type: ignore[import-not-found]

    accuracy = {
        "hand_written": pii_accuracy_figures(ROOT / "tests" / "traffic" / "pii_examples.jsonl"),
        "faker_30_locales": pii_accuracy_figures(ROOT / "data" / "pii_eval.jsonl"),
    }
    for name, figures in accuracy.items():
        print(f"== PII {name}: {json.dumps(figures)}")
    t = time.perf_counter()
    traffic = make_traffic(args.rows, 1)
    generate_s = time.perf_counter() - t
    demo = timed("demo", traffic, generate_s)
    hard = timed("diverse", diverse(traffic), generate_s)
    record(
        "traffic_1m",
        {
            "command": ".venv/bin/python benchmarks/bench_traffic.py",
            "target_s": TARGET_S,
            "demo": demo,
            "diverse": hard,
        },
    )
    record("traffic_pii_eval", accuracy)


if __name__ == "__main__":
    main()
