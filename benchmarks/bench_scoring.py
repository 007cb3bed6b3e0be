"""Scoring a million result rows: exact_match + token_f1 (vectorised), then a sliced summary.

Reproduce: ``.venv/bin/python benchmarks/bench_scoring.py`` (or ``make bench``).

The data are synthetic and seeded: 200,000 cases x 5 models = 1,000,000 result rows, outputs and
references of 5-30 words drawn from a 2,000-word vocabulary (with capitalised words, punctuation
and articles, so normalisation has work to do), about 30% of outputs equal to their reference and
1% failed calls; every case carries 1-3 of 20 tags, which give the 20 slices of the summary. The
timed steps are what a notebook cell does: ``score(results, [exact_match, token_f1], cases=...)``
and ``scores.summary(by="model", slices=<20 tags>, cases=...)`` (``workbench.stats.summarize``
of the columns it reads). The machine's load average is
recorded too: other processes on a 2-core machine slow every figure down.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import record  # noqa: E402

N_CASES = 200_000
N_MODELS = 5
N_TAGS = 20
MAX_WORDS = 30
REPEATS = 3
SEED = 0
TARGET_S = 10.0


def vocabulary(rng: np.random.Generator) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = {"".join(rng.choice(letters, size=rng.integers(2, 9))) for _ in range(2200)}
    vocab = sorted(words)[:1900]
    vocab += (
        [w.capitalize() for w in vocab[:50]]
        + [w + "," for w in vocab[50:80]]
        + [w + "." for w in vocab[80:100]]
    )
    vocab += ["the", "a", "an", "The"] * 5
    return vocab


def texts(rng: np.random.Generator, vocab: list[str], n: int) -> pl.Series:
    """``n`` texts of 5-30 words: a word matrix with the tail of each row blanked, joined by spaces."""
    lengths = rng.integers(5, MAX_WORDS + 1, size=n)
    idx = rng.integers(0, len(vocab), size=(n, MAX_WORDS))
    words = pl.Series(vocab)
    cols = {
        f"w{j}": pl.select(
            pl.when(pl.Series(lengths > j)).then(words.gather(idx[:, j])).otherwise(None)
        ).to_series()
        for j in range(MAX_WORDS)
    }
    return pl.DataFrame(cols).select(pl.concat_str(pl.all(), separator=" ", ignore_nulls=True)).to_series()


def make_data() -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(SEED)
    vocab = vocabulary(rng)
    case_ids = pl.Series([f"case{i:06d}" for i in range(N_CASES)])
    references = texts(rng, vocab, N_CASES)
    tag_names = [f"slice{t:02d}" for t in range(N_TAGS)]
    n_tags = rng.integers(1, 4, size=N_CASES)
    tag_idx = rng.integers(0, N_TAGS, size=(N_CASES, 3))
    tags = [sorted({tag_names[t] for t in row[:k]}) for row, k in zip(tag_idx, n_tags, strict=True)]
    cases = pl.DataFrame({"case_id": case_ids, "reference": references, "tags": tags})

    n = N_CASES * N_MODELS
    outputs = texts(rng, vocab, n)
    same = pl.Series(rng.random(n) < 0.3)
    failed = pl.Series(rng.random(n) < 0.01)
    ref_per_row = pl.concat([references] * N_MODELS)
    results = pl.DataFrame(
        {
            "run_id": "bench",
            "case_id": pl.concat([case_ids] * N_MODELS),
            "model": np.repeat([f"model{m}" for m in range(N_MODELS)], N_CASES),
            "variant": "default",
            "sample": 0,
            "output": outputs,
        }
    ).with_columns(
        pl.when(failed).then(None).when(same).then(ref_per_row).otherwise(pl.col("output")).alias("output"),
        pl.when(failed).then(pl.lit("Timeout")).otherwise(None).alias("error_type"),
    )
    return results, cases


def main() -> dict[str, object]:
    from workbench.metrics import exact_match, score, token_f1

    t0 = time.perf_counter()
    results, cases = make_data()
    setup_s = time.perf_counter() - t0
    slices = sorted({t for ts in cases["tags"].to_list() for t in ts})

    scoring, summary, totals, cpu = [], [], [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        scores = score(results, [exact_match, token_f1], cases=cases, save=False)
        t1 = time.perf_counter()
        table = scores.summary(by="model", slices=slices, cases=cases)  # workbench.stats.summarize
        t2, c2 = time.perf_counter(), time.process_time()
        scoring.append(t1 - t0)
        summary.append(t2 - t1)
        totals.append(t2 - t0)
        cpu.append(c2 - c0)
    assert table.height == 2 * N_MODELS * N_TAGS, table.shape

    # the row-by-row path on a sample, for comparison (scaled to the full table)
    sample = results.head(20_000)
    t0 = time.perf_counter()
    score(sample, [exact_match, token_f1], cases=cases, save=False, vectorized=False)
    row_path_s = (time.perf_counter() - t0) * results.height / sample.height

    em = scores.table.filter(pl.col("metric") == "exact_match")
    figures: dict[str, object] = {
        "command": ".venv/bin/python benchmarks/bench_scoring.py",
        "rows": results.height,
        "cases": N_CASES,
        "models": N_MODELS,
        "slices": N_TAGS,
        "metrics": ["exact_match", "token_f1"],
        "exact_match_rate": round(float(em["value"].mean()), 4),
        "failed_rows": int(em["value"].null_count()),
        "setup_s": round(setup_s, 2),
        "score_s_median": round(statistics.median(scoring), 3),
        "summarize_s_median": round(statistics.median(summary), 3),
        "total_s_median": round(statistics.median(totals), 3),
        "total_s_min": round(min(totals), 3),
        "total_s_runs": [round(x, 3) for x in totals],
        # CPU seconds of all threads: what the work costs, whatever else runs on the machine
        "total_cpu_s_median": round(statistics.median(cpu), 3),
        "target_s": TARGET_S,
        "meets_target": statistics.median(totals) < TARGET_S,
        "row_path_estimate_s": round(row_path_s, 1),
        "load_average_1min_before": round(os.getloadavg()[0], 2),
    }
    return figures


if __name__ == "__main__":
    load = os.getloadavg()[0]
    figures = main()
    figures["load_average_1min_before"] = round(load, 2)
    record("scoring", figures)
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
