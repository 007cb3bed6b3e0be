"""CaseBrowser latency on 100,000 cases: filter changes, page turns, the detail view.

Reproduce: ``make bench`` (all benchmarks) or ``.venv/bin/python benchmarks/bench_widgets.py``.
Synthetic cases (tags, metadata) with results of 3 models and a score. Every figure is the
wall time of ``browser.set_state({...})``, which is what a message from the front end runs:
the filter, the counts and the new page of rows, as sent back to the front end.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import record  # noqa: E402
from workbench.cases import CaseSet  # noqa: E402
from workbench.widgets import CaseBrowser  # noqa: E402

N = 100_000
MODELS = ["model-a", "model-b", "model-c"]
SEED = 0
WORDS = (
    "account billing refund invoice password reset login email plan upgrade cancel charge card "
    "subscription team user seat export report tax currency bank sync error page settings please "
    "help thanks the a to my is not why how when can you i we it for on with was"
).split()

# ~20 filter changes, in the order a user might make them (the query is typed letter by letter).
FILTER_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("tag", {"tag_expr": "intent:billing"}),
    ("tag", {"tag_expr": "intent:billing and not difficulty:hard"}),
    ("tag", {"tag_expr": "lang:* and (intent:refund or intent:login)"}),
    ("tag", {"tag_expr": ""}),
    ("query", {"query": "r"}),
    ("query", {"query": "re"}),
    ("query", {"query": "ref"}),
    ("query", {"query": "refund"}),
    ("query", {"query": "password reset"}),
    ("query", {"query": ""}),
    ("metadata", {"metadata": {"tier": "pro"}}),
    ("metadata", {"metadata": {"tier": ["pro", "enterprise"], "channel": "email"}}),
    ("metadata", {"metadata": {}}),
    ("score", {"score_filter": {"metric": "quality", "model": "model-a/v1", "op": "<", "value": 0.3}}),
    ("score", {"score_filter": {"metric": "quality", "op": "failed"}}),
    ("score", {"score_filter": {}}),
    ("combined", {"tag_expr": "intent:billing or intent:refund", "query": "invoice",
                  "metadata": {"tier": "free"}, "score_filter": {"metric": "quality", "op": "failed"}}),
    ("combined", {"tag_expr": "not difficulty:easy", "query": "cancel my",
                  "metadata": {"channel": ["chat", "email"]},
                  "score_filter": {"metric": "quality", "model": "model-b", "op": ">=", "value": 0.5}}),
    ("combined", {"tag_expr": "lang:en", "query": "", "metadata": {"tier": "enterprise"}}),
    ("combined", {"tag_expr": "", "query": "", "metadata": {}, "score_filter": {}}),
]  # fmt: skip


def sentences(rng: np.random.Generator, n: int, lo: int, hi: int) -> list[str]:
    lengths = rng.integers(lo, hi, n)
    words = np.array(WORDS)[rng.integers(0, len(WORDS), int(lengths.sum()))]
    out, start = [], 0
    for length in lengths:
        out.append(" ".join(words[start : start + length]))
        start += length
    return out


def build(n: int) -> tuple[CaseSet, pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(SEED)
    intents = np.array(["billing", "refund", "login", "export", "tax", "team"])
    difficulty = np.array(["easy", "medium", "hard"])
    langs = np.array(["en", "de", "fr"])
    tags = [
        [f"intent:{a}", f"difficulty:{b}", f"lang:{c}"] + (["escalation"] if e else [])
        for a, b, c, e in zip(
            intents[rng.integers(0, 6, n)], difficulty[rng.integers(0, 3, n)], langs[rng.integers(0, 3, n)],
            rng.random(n) < 0.05, strict=True,
        )
    ]  # fmt: skip
    ids = [f"case-{i:06d}" for i in range(n)]
    cases = pl.DataFrame(
        {
            "id": ids,
            "input": sentences(rng, n, 10, 40),
            "reference": sentences(rng, n, 5, 20),
            "tags": tags,
            "tier": np.array(["free", "pro", "enterprise"])[rng.integers(0, 3, n)],
            "channel": np.array(["email", "chat", "phone"])[rng.integers(0, 3, n)],
            "seats": rng.integers(1, 200, n),
        }
    )
    results, scores = [], []
    for model in MODELS:
        failed = pl.Series(rng.random(n) < 0.01)
        frame = pl.DataFrame(
            {"run_id": "bench", "case_id": ids, "model": model, "variant": "v1", "sample": 0}
        )
        frame = frame.with_columns(
            pl.when(failed).then(None).otherwise(pl.Series(sentences(rng, n, 20, 60))).alias("output"),
            pl.Series(rng.gamma(2.0, 0.4, n)).alias("latency_s"),
            pl.when(failed).then(pl.lit("Timeout")).otherwise(None).alias("error_type"),
        )
        results.append(frame)
        value = pl.when(failed).then(None).otherwise(pl.Series(rng.random(n)))
        scores.append(
            frame.select("run_id", "case_id", "model", "variant", "sample").with_columns(
                pl.lit("quality").alias("metric"),
                value.alias("value"),
                (value >= 0.5).alias("passed"),
                pl.lit("the judge's reasons").alias("rationale"),
            )
        )
    return CaseSet.from_polars(cases), pl.concat(results), pl.concat(scores)


def timed(browser: CaseBrowser, state: dict[str, Any]) -> float:
    start = time.perf_counter()
    browser.set_state(state)
    return (time.perf_counter() - start) * 1000


def summary_ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": float(np.percentile(ordered, 95)),
        "max_ms": ordered[-1],
        "n": len(ordered),
    }


def main() -> None:
    t0 = time.perf_counter()
    cases, results, scores = build(N)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    browser = CaseBrowser(cases, results, scores, page_size=50)
    construct_s = time.perf_counter() - t0

    timed(browser, {"tag_expr": "intent:tax"})  # warm up polars' thread pool and caches
    timed(browser, {"tag_expr": ""})
    by_kind: dict[str, list[float]] = {}
    all_ms, counts = [], []
    for kind, state in FILTER_CHANGES:
        ms = timed(browser, state)
        by_kind.setdefault(kind, []).append(ms)
        all_ms.append(ms)
        counts.append(browser.n_filtered)
        assert len(browser.rows) <= 50

    rng = np.random.default_rng(1)
    pages = [int(p) for p in rng.integers(0, browser.n_pages, 20)]
    page_ms = [timed(browser, {"page": p}) for p in pages]
    ids = [str(i) for i in browser.frame.get_column("case_id").sample(10, seed=2).to_list()]
    detail_ms = [timed(browser, {"selected_id": i}) for i in ids]
    page_bytes = len(json.dumps(browser.rows))

    figures = {
        "command": ".venv/bin/python benchmarks/bench_widgets.py",
        "n_cases": N,
        "n_models": len(MODELS),
        "page_size": 50,
        "synthetic_data_s": build_s,
        "construct_s": construct_s,
        "filter": summary_ms(all_ms),
        "filter_by_kind_median_ms": {k: statistics.median(v) for k, v in by_kind.items()},
        "filter_n_filtered": counts,
        "page_turn": summary_ms(page_ms),
        "detail": summary_ms(detail_ms),
        "page_payload_bytes": page_bytes,
        "load_average_1m": os.getloadavg()[0],
        "target_filter_ms": 100,
        "meets_target": max(all_ms) < 100,
    }
    record("widgets", figures)
    f, p, d = figures["filter"], figures["page_turn"], figures["detail"]
    kinds = ", ".join(f"{k} {v:.1f}" for k, v in figures["filter_by_kind_median_ms"].items())
    print(
        f"{N:,} cases x {len(MODELS)} models: browser built in {construct_s:.2f}s\n"
        f"filter change: median {f['median_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, max {f['max_ms']:.1f} ms "
        f"(target < 100 ms) | by kind (median ms): {kinds}\n"
        f"page turn: median {p['median_ms']:.2f} ms, p95 {p['p95_ms']:.2f} ms | "
        f"detail view: median {d['median_ms']:.2f} ms | one page of rows = {page_bytes / 1024:.1f} KiB | "
        f"load average {figures['load_average_1m']:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
