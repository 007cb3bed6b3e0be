"""Clustering 10,000 texts: embed with all-MiniLM-L6-v2 into a cold cache, then cluster with auto k.

Reproduce: ``.venv/bin/python benchmarks/bench_cluster.py`` (or ``make bench``).

The texts are synthetic and seeded: support-style messages of 6-20 words built from 8 intents
(each with its own phrases) plus shared greetings, product names and sign-offs, all distinct. The
timed steps are what a notebook cell does: ``Clusterer().fit(texts)`` with a fresh Embedder whose
cache lives in an empty temporary project (so every text is embedded), split into loading the
model, embedding and clustering (automatic k: KMeans on a 2,000-row sample reduced to 48 PCA
dimensions for k = 2..12 and then a 15% grid up to sqrt(10,000) = 100, each scored by its cosine
silhouette; the final KMeans on every row; c-TF-IDF names, representative examples). A second fit on the warm cache shows what re-clustering costs.
The machine's load average is recorded too: other processes on a 2-core machine slow every figure.

The pipeline runs with the Embedder backend given as ``--backend`` (default ``onnx``: the same
vectors as sentence-transformers, exported once to ONNX and run with onnxruntime). In the same run,
torch (sentence-transformers) and the backend each embed the same 1,000-text sample, without cache,
for a like-for-like speed ratio and the cosine between their vectors.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from benchmarks._common import record  # noqa: E402

N_TEXTS = 10_000
SEED = 0
TARGET_S = 60.0
SAMPLE = 1_000  # texts embedded by both torch and the backend, for the ratio

INTENTS = {
    "refund": [
        "want a refund for",
        "need my money back for",
        "charged twice for",
        "reimburse the payment for",
    ],
    "login": ["cannot log in to", "forgot the password for", "locked out of", "two-factor code fails for"],
    "shipping": [
        "still waiting for delivery of",
        "tracking shows nothing for",
        "parcel lost with",
        "courier damaged",
    ],
    "cancel": ["want to cancel", "please end my subscription to", "stop renewing", "close my account on"],
    "crash": [
        "app crashes when opening",
        "screen freezes in",
        "error 500 while saving in",
        "keeps force closing",
    ],
    "invoice": [
        "need an invoice for",
        "wrong VAT number on the bill for",
        "send a receipt for",
        "fix billing address of",
    ],
    "upgrade": ["how do I upgrade", "want more seats on", "compare plans for", "move to the team tier of"],
    "export": [
        "cannot export data from",
        "CSV download is empty in",
        "need an API export of",
        "backup fails for",
    ],
}
PRODUCTS = [
    "Tallyo",
    "the mobile app",
    "my workspace",
    "the Pro plan",
    "our team account",
    "the web dashboard",
]
OPENERS = ["", "Hi,", "Hello team,", "Urgent:", "Quick question:", "Good morning,"]
CLOSERS = ["", "Thanks.", "Please help.", "Regards, Sam.", "This is blocking us.", "Any update?"]
DETAILS = [
    "since Monday",
    "after the update",
    "on Android",
    "on my laptop",
    "for order {n}",
    "again today",
    "",
]


def make_texts(n: int, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    texts: dict[str, None] = {}
    while len(texts) < n:
        phrase = rng.choice(INTENTS[rng.choice(list(INTENTS))])
        detail = rng.choice(DETAILS).format(n=rng.randint(1000, 99999))
        parts = [rng.choice(OPENERS), "I", phrase, rng.choice(PRODUCTS), detail, rng.choice(CLOSERS)]
        texts[" ".join(p for p in parts if p)] = None
    return list(texts)


def compare_with_torch(texts: list[str], backend: str) -> dict[str, object]:
    """Embed the same texts with torch and ``backend`` (no cache, models loaded first)."""
    import numpy as np

    from workbench.embed import Embedder

    rates, vectors = {}, {}
    for name in dict.fromkeys(["torch", backend]):
        embedder = Embedder(backend=name, cache=False)
        _ = embedder.model
        embedder.encode(texts[:64])  # warm-up: first-call allocations
        t0 = time.perf_counter()
        vectors[name] = embedder.encode(texts)
        rates[name] = len(texts) / (time.perf_counter() - t0)
    cosine = np.sum(vectors["torch"] * vectors[backend], axis=1)
    return {
        "sample_texts": len(texts),
        "sample_torch_texts_per_s": round(rates["torch"], 1),
        f"sample_{backend}_texts_per_s": round(rates[backend], 1),
        "speedup_vs_torch": round(rates[backend] / rates["torch"], 2),
        "cosine_to_torch_min": round(float(cosine.min()), 6),
        "cosine_to_torch_mean": round(float(cosine.mean()), 6),
        "load_average_1min_after_sample": round(os.getloadavg()[0], 2),
    }


def main(backend: str = "onnx") -> dict[str, object]:
    from workbench.cluster import Clusterer
    from workbench.embed import Embedder

    texts = make_texts(N_TEXTS)
    with tempfile.TemporaryDirectory() as project:
        embedder = Embedder(project=project, backend=backend)
        t0, c0 = time.perf_counter(), time.process_time()
        _ = embedder.model  # load the model (once per process; ONNX: export once per machine)
        t1 = time.perf_counter()
        vectors = embedder.encode(texts)
        t2 = time.perf_counter()
        clusterer = Clusterer(embedder=embedder).fit(texts, embeddings=vectors)
        t3, c3 = time.perf_counter(), time.process_time()
        warm = Clusterer(embedder=Embedder(project=project, backend=backend))
        t4 = time.perf_counter()
        warm.fit(texts)  # every vector from the SQLite cache
        t5 = time.perf_counter()
        assert warm.embedder_.model_calls == 0 and embedder.texts_computed == N_TEXTS
        assert (warm.labels_ == clusterer.labels_).all()

    return {
        "command": ".venv/bin/python benchmarks/bench_cluster.py",
        "texts": N_TEXTS,
        "model": "all-MiniLM-L6-v2 (CPU)",
        "backend": backend,
        "batch_size": embedder.batch_size,
        "load_model_s": round(t1 - t0, 2),
        "embed_s": round(t2 - t1, 2),
        "embed_texts_per_s": round(N_TEXTS / (t2 - t1), 1),
        "cluster_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "total_cpu_s": round(c3 - c0, 2),
        "refit_warm_cache_s": round(t5 - t4, 2),
        "n_clusters_chosen": clusterer.n_clusters_,
        "target_s": TARGET_S,
        "meets_target": (t3 - t0) < TARGET_S,
        "load_average_1min_after_fit": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="onnx", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--no-compare", action="store_true", help="skip the torch comparison")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = main(args.backend)
    figures["load_average_1min_before"] = round(load, 2)
    if not args.no_compare:
        figures.update(compare_with_torch(make_texts(SAMPLE, seed=SEED + 1), args.backend))
    record("cluster", figures)
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
