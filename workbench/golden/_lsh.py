"""MinHash LSH for near-duplicate texts: shingling, signatures, banding, center grouping.

numba compiles the two hot loops when it is installed; the numpy/Python fallback gives the same
results.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-mixed 64-bit hash of each uint64."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_codes(texts: list[str], ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every character ``ngram`` (over UTF-8 bytes) of each text and per-text offsets.

    A text shorter than ``ngram`` bytes is one shingle (itself). Returns ``(codes, starts)``
    with ``codes[starts[i]:starts[i+1]]`` the shingles of text ``i``.
    """
    # Texts separated by ngram-1 bytes 0xFF (never in UTF-8), short ones padded with NUL, so a
    # window is a shingle exactly when it holds no 0xFF.
    pad = b"\x00" * ngram
    sep = b"\xff" * max(ngram - 1, 1)
    encoded = [t.encode("utf-8") for t in texts]
    lens = np.fromiter((max(len(b), ngram) for b in encoded), dtype=np.int64, count=len(encoded))
    buf = np.frombuffer(
        sep.join(b if len(b) >= ngram else (b + pad)[:ngram] for b in encoded) + sep, dtype=np.uint8
    )
    windows = buf.size - ngram + 1
    codes = np.zeros(windows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(ngram):
            codes = codes * np.uint64(1099511628211) + buf[k : k + windows].astype(np.uint64)
    bad = np.concatenate([[0], np.cumsum(buf == 0xFF)])
    codes = codes[(bad[ngram : ngram + windows] - bad[:windows]) == 0]
    n_sh = lens - ngram + 1
    starts = np.concatenate([[0], np.cumsum(n_sh)])
    return codes, starts


def minhash_signatures(texts: list[str], *, num_perm: int = 64, ngram: int = 3, seed: int = 0) -> np.ndarray:
    """MinHash signatures, an ``(n, num_perm)`` uint32 array, computed without a Python loop per text.

    Shingles are hashed into 2**24 buckets; permutation j hashes bucket v as ``mix64(v ^ salt_j)``;
    a text's signature is the minimum per permutation. Equal texts get equal signatures whatever
    else is in ``texts``. Uses numba when it is installed (about 10x faster), else numpy.
    """
    if not texts:
        return np.zeros((0, num_perm), dtype=np.uint32)
    codes, starts = shingle_codes(texts, ngram)
    buckets = (_mix64(codes) >> np.uint64(40)).astype(np.int64)  # 24-bit bucket per shingle
    present = np.zeros(1 << 24, dtype=bool)
    present[buckets] = True
    vocab = np.flatnonzero(present)
    remap = np.zeros(1 << 24, dtype=np.int32)
    remap[vocab] = np.arange(vocab.size, dtype=np.int32)
    inverse = remap[buckets]
    with np.errstate(over="ignore"):
        offset = np.uint64(seed & 0xFFFFFFFFFFFFFFFF) * np.uint64(0x9E3779B97F4A7C15)
        salts = _mix64(np.arange(1, num_perm + 1, dtype=np.uint64) + offset)
    table = (_mix64(vocab.astype(np.uint64)[:, None] ^ salts[None, :]) >> np.uint64(32)).astype(np.uint32)
    kernels = _numba_kernels()
    if kernels is not None:
        return kernels[0](table, inverse, starts.astype(np.int64))
    sig = np.empty((len(texts), num_perm), dtype=np.uint32)
    table_t = np.ascontiguousarray(table.T)
    for j in range(num_perm):
        sig[:, j] = np.minimum.reduceat(table_t[j][inverse], starts[:-1])
    return sig


_KERNELS: list[Any] = []


def _numba_kernels() -> tuple[Any, Any] | None:
    """(signatures, center grouping) compiled with numba, or None when numba is not installed."""
    if not _KERNELS:
        try:
            import numba
        except ImportError:
            _KERNELS.append(None)
        else:

            def _signatures(table: np.ndarray, inverse: np.ndarray, starts: np.ndarray) -> np.ndarray:
                n, k = starts.size - 1, table.shape[1]
                out = np.empty((n, k), dtype=np.uint32)
                for d in numba.prange(n):
                    for j in range(k):
                        out[d, j] = np.uint32(0xFFFFFFFF)
                    for s in range(starts[d], starts[d + 1]):
                        row = table[inverse[s]]
                        for j in range(k):
                            if row[j] < out[d, j]:
                                out[d, j] = row[j]
                return out

            jit = numba.njit(parallel=True, cache=True, nogil=True)
            _KERNELS.append((jit(_signatures), numba.njit(cache=True, nogil=True)(_center_groups)))
    return _KERNELS[0]


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows minimising false positives plus false negatives around ``threshold``."""
    xs = np.linspace(0, 1, 201)
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        r = num_perm // b
        p = 1 - (1 - xs**r) ** b
        fp = np.trapezoid(np.where(xs < threshold, p, 0), xs)
        fn = np.trapezoid(np.where(xs >= threshold, 1 - p, 0), xs)
        if fp + fn < best_err:
            best, best_err = (b, r), fp + fn
    return best


def _lsh_buckets(sig: np.ndarray, bands: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LSH buckets holding two or more texts, as CSR.

    Returns ``(text_bucket, starts, members)``: ``text_bucket[b, i]`` is text i's bucket in band b
    (-1 when it is alone there), and ``members[starts[k]:starts[k+1]]`` are the texts of bucket k.
    """
    n = sig.shape[0]
    text_bucket = np.full((bands, n), -1, dtype=np.int64)
    sizes: list[np.ndarray] = []
    members: list[np.ndarray] = []
    n_buckets = 0
    for b in range(bands):
        band = sig[:, b * rows : (b + 1) * rows].astype(np.uint64)
        key = np.full(n, np.uint64(b), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(rows):
                key = _mix64(key ^ band[:, j])
        order = np.argsort(key, kind="stable")
        sk = key[order]
        run_start = np.ones(n, dtype=bool)
        run_start[1:] = sk[1:] != sk[:-1]
        run_id = np.cumsum(run_start) - 1
        run_size = np.bincount(run_id)
        shared = run_size[run_id] >= 2
        if not shared.any():
            continue
        keep_runs = np.flatnonzero(run_size >= 2)
        new_id = np.full(run_size.size, -1, dtype=np.int64)
        new_id[keep_runs] = np.arange(keep_runs.size) + n_buckets
        text_bucket[b, order[shared]] = new_id[run_id[shared]]
        members.append(order[shared])  # already grouped by bucket, buckets in id order
        sizes.append(run_size[keep_runs])
        n_buckets += keep_runs.size
    if not members:
        return text_bucket, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(np.concatenate(sizes))]).astype(np.int64)
    return text_bucket, starts, np.concatenate(members).astype(np.int64)


def _center_groups(
    priority: np.ndarray,
    sig: np.ndarray,
    text_bucket: np.ndarray,
    starts: np.ndarray,
    members: np.ndarray,
    threshold: float,
) -> np.ndarray:
    """Greedy center grouping: each text's label is the index of its group's center.

    Texts are visited in ``priority`` order; an unassigned one becomes a center and takes every
    unassigned text in its LSH buckets whose estimated Jaccard similarity with the center is at
    least ``threshold``. Members leave their buckets as they are assigned (swap-remove), so each
    bucket entry is dropped once. Plain Python that numba compiles when it is installed.
    """
    n, k = sig.shape
    bands = text_bucket.shape[0]
    label = np.full(n, -1, dtype=np.int64)
    seen = np.full(n, -1, dtype=np.int64)
    live = starts[1:] - starts[:-1]
    mem = members.copy()
    for c in priority:
        if label[c] >= 0:
            continue
        label[c] = c
        for b in range(bands):
            bk = text_bucket[b, c]
            if bk < 0:
                continue
            s = starts[bk]
            j = 0
            while j < live[bk]:
                x = mem[s + j]
                take = False
                if label[x] < 0 and seen[x] != c:
                    seen[x] = c
                    same = 0
                    for p in range(k):
                        if sig[c, p] == sig[x, p]:
                            same += 1
                    if same / k >= threshold:
                        label[x] = c
                        take = True
                if take or label[x] >= 0:  # assigned (now or before): drop it from the bucket
                    live[bk] -= 1
                    mem[s + j] = mem[s + live[bk]]
                else:
                    j += 1
    return label


def near_duplicate_labels(
    texts: list[str], priority: np.ndarray, threshold: float, num_perm: int, ngram: int, seed: int
) -> np.ndarray:
    """Group label (the center's index) of each text; ``priority`` is the order to visit texts."""
    n = len(texts)
    if n < 2:
        return np.arange(n)
    sig = minhash_signatures(texts, num_perm=num_perm, ngram=ngram, seed=seed)
    bands, rows = lsh_params(threshold, num_perm)
    text_bucket, starts, members = _lsh_buckets(sig, bands, rows)
    if members.size == 0:
        return np.arange(n)
    kernels = _numba_kernels()
    group = kernels[1] if kernels is not None else _center_groups
    return group(
        np.ascontiguousarray(priority, dtype=np.int64), sig, text_bucket, starts, members, float(threshold)
    )
