"""Exact and near-duplicate removal of traffic rows (normalised hash, then MinHash LSH)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from workbench.golden._frames import as_frame, require_columns

#: Leading greetings and trailing thanks that do not change what a request asks for.
_GREETING = r"^(?:(?:hi|hello|hey|hiya|dear \w+|good (?:morning|afternoon|evening)|greetings)(?: there| team| all| support)?\s+)+"
_CLOSING = r"(?:\s+(?:please|pls|thanks|thank you|thx|cheers|regards|best regards|many thanks)(?: (?:so much|a lot|in advance))?)+$"
_OUTPUT_COLUMNS = ("count", "member_ids", "group_id")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def normalize_text(expr: pl.Expr, *, strip_greetings: bool = True) -> pl.Expr:
    """Lowercase, drop punctuation, collapse whitespace (and optionally greetings/thanks)."""
    out = expr.str.to_lowercase().str.replace_all(r"[^\w\s]", "").str.replace_all(r"\s+", " ").str.strip_chars()
    if strip_greetings:
        out = out.str.replace(_GREETING, "").str.replace(_CLOSING, "").str.strip_chars()
    return out


@dataclass(frozen=True)
class DedupeStats:
    """Row counts of a de-duplication."""

    rows_in: int
    exact_duplicates: int  # rows removed because their normalised text repeated an earlier row
    near_duplicates: int  # unique texts removed because they were near-duplicates of a kept one
    rows_out: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("rows_in", "exact_duplicates", "near_duplicates", "rows_out")}


@dataclass(frozen=True)
class Deduped:
    """The result of :func:`dedupe`.

    Attributes:
        frame: One row per near-duplicate group: the representative traffic row with all its
            columns, plus ``group_id``, ``count`` (traffic rows the group covers) and
            ``member_ids`` (their ids, earliest first).
        groups: ``id`` -> ``group_id`` for every input row.
        stats: Rows in, exact and near duplicates removed, rows out.
        params: The parameters used (for provenance).
    """

    frame: pl.DataFrame
    groups: pl.DataFrame
    stats: DedupeStats
    params: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        s = self.stats
        return (
            f"<p><b>Deduped</b>: {s.rows_in:,} rows &rarr; {s.rows_out:,} groups "
            f"({s.exact_duplicates:,} exact and {s.near_duplicates:,} near duplicates removed)</p>"
            + self.frame.head(10)._repr_html_()
        )


def dedupe(
    frame: pl.DataFrame | pl.LazyFrame | Any,
    text: str = "input",
    *,
    id: str = "request_id",
    order_by: str | None = "timestamp",
    threshold: float = 0.7,
    num_perm: int = 64,
    ngram: int = 3,
    normalize: bool = True,
    seed: int = 0,
) -> Deduped:
    """Remove exact and near-duplicate requests, counting how often each kept one occurred.

    Exact duplicates are rows whose normalised text is equal (lowercased, punctuation removed,
    whitespace collapsed, leading greetings such as "hi there" and trailing thanks removed).
    Near-duplicates among the remaining unique texts are found with MinHash over character
    ``ngram``-shingles of the normalised text (robust to typos, unlike word shingles), LSH banding,
    and a check of each candidate pair's estimated Jaccard similarity against ``threshold``.
    Groups are formed around centers, not as connected components (which chain: A~B and B~C
    would put A and C together however different they are): the unique texts are visited from
    most to least frequent (ties: earliest first); each one not yet in a group becomes a center
    and takes every ungrouped text of its LSH buckets whose estimated similarity *to the center*
    is at least ``threshold``. Every member is thus within ``threshold`` of its representative.

    The representative of a group is its center: its most frequent exact text, ties going to the
    earliest row (by ``order_by`` if that column exists, else input order). Kept rows are in order of their
    representative's first appearance.

    Args:
        frame: Traffic rows (polars or pandas); needs the ``text`` and ``id`` columns.
        text: Column holding the request text.
        id: Column of unique row ids (``request_id``).
        order_by: Column deciding "earliest" (ignored when absent); None for input order.
        threshold: Estimated Jaccard similarity at or above which two texts are duplicates.
        num_perm: MinHash permutations (more is more exact and slower).
        ngram: Character shingle length.
        normalize: Normalise before hashing; False compares raw text (exact stage and shingles).
        seed: Seed of the hash functions (results are deterministic for a seed).

    Example:
        >>> df = pl.DataFrame({"request_id": ["a", "b", "c"],
        ...                    "input": ["Reset my password", "reset my password!!", "Cancel my plan"]})
        >>> d = dedupe(df)
        >>> d.frame.select("request_id", "count").rows(), d.stats.exact_duplicates
        ([('a', 2), ('c', 1)], 1)
    """
    start = time.perf_counter()
    df = as_frame(frame, "dedupe")
    require_columns(df, [text, id], "dedupe")
    clash = [c for c in _OUTPUT_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(f"dedupe(): the frame already has column(s) {clash}; drop or rename them first")
    if not 0 < threshold <= 1:
        raise ValueError(f"dedupe(): threshold must be in (0, 1], got {threshold!r}")
    if num_perm < 2 or ngram < 1:
        raise ValueError(f"dedupe(): need num_perm >= 2 and ngram >= 1, got {num_perm}, {ngram}")
    if df.schema[text] != pl.String:
        raise ValueError(f"dedupe(): column {text!r} must hold strings, got {df.schema[text]}")
    nulls = df.filter(pl.col(text).is_null())
    if nulls.height:
        ids = nulls[id].head(5).to_list()
        raise ValueError(f"dedupe(): {nulls.height} row(s) have no {text!r} (null), e.g. {id}={ids}")
    if df[id].n_unique() != df.height:
        dup = df.filter(pl.col(id).is_duplicated())[id].head(5).to_list()
        raise ValueError(f"dedupe(): column {id!r} must be unique; repeated values e.g. {dup}")

    df = df.with_row_index("__row")
    if order_by is not None and order_by in df.columns:
        df = df.sort([order_by, "__row"], nulls_last=True)
        df = df.with_row_index("__ord")
    else:
        df = df.with_columns(pl.col("__row").alias("__ord"))
    if normalize:  # normalise each distinct text once: traffic repeats itself a lot
        distinct = df.select(pl.col(text).unique()).with_columns(normalize_text(pl.col(text)).alias("__norm"))
        df = df.join(distinct, on=text, how="left", maintain_order="left")
    else:
        df = df.with_columns(pl.col(text).alias("__norm"))

    # Exact stage: one row per normalised text, with its count, earliest row and member ids.
    exact = (
        df.group_by("__norm")
        .agg(pl.len().alias("__n"), pl.col("__ord").min().alias("__first"))
        .sort("__first")
    )
    texts = exact["__norm"].to_list()
    # centers are visited most frequent first, ties earliest first: the center is the group's
    # representative and every member lies within `threshold` of it
    priority = np.lexsort((exact["__first"].to_numpy(), -exact["__n"].to_numpy().astype(np.int64)))
    labels = _near_duplicate_labels(texts, priority, threshold, num_perm, ngram, seed)
    exact = exact.with_columns(pl.Series("__grp", labels, dtype=pl.Int64))

    rep = (
        exact.sort(["__n", "__first"], descending=[True, False])
        .group_by("__grp", maintain_order=True)
        .agg(
            pl.col("__first").first().alias("__rep"),
            pl.col("__first").min().alias("__gfirst"),
            pl.col("__n").sum().cast(pl.Int64).alias("count"),
        )
        .sort("__gfirst")
        .with_row_index("group_id")
        .with_columns(pl.col("group_id").cast(pl.Int64))
    )
    groups = (
        df.select(id, "__norm", "__row", "__ord")
        .join(exact.select("__norm", "__grp"), on="__norm")
        .join(rep.select("__grp", "group_id"), on="__grp")
    )
    members = groups.group_by("group_id").agg(pl.col(id).sort_by("__ord").alias("member_ids"))
    groups = groups.sort("__row").select(id, "group_id")
    kept = (
        df.join(rep.select("__rep", "group_id", "count"), left_on="__ord", right_on="__rep")
        .join(members, on="group_id")
        .sort("group_id")
        .drop("__row", "__ord", "__norm")
    )
    stats = DedupeStats(
        rows_in=df.height,
        exact_duplicates=df.height - exact.height,
        near_duplicates=exact.height - rep.height,
        rows_out=rep.height,
        seconds=time.perf_counter() - start,
    )
    params = {"text": text, "id": id, "threshold": threshold, "num_perm": num_perm, "ngram": ngram,
              "shingles": "char", "normalize": normalize, "seed": seed, "grouping": "center"}
    return Deduped(frame=kept, groups=groups, stats=stats, params=params)


# -- MinHash LSH --------------------------------------------------------------------------------


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
    buf = np.frombuffer(sep.join(b if len(b) >= ngram else (b + pad)[:ngram] for b in encoded) + sep, dtype=np.uint8)
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


def minhash_signatures(texts: list[str], num_perm: int = 64, ngram: int = 3, seed: int = 0) -> np.ndarray:
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
    priority: np.ndarray, sig: np.ndarray, text_bucket: np.ndarray, starts: np.ndarray,
    members: np.ndarray, threshold: float,
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


def _near_duplicate_labels(
    texts: list[str], priority: np.ndarray, threshold: float, num_perm: int, ngram: int, seed: int
) -> np.ndarray:
    """Group label (the center's index) of each text; ``priority`` is the order to visit texts."""
    n = len(texts)
    if n < 2:
        return np.arange(n)
    sig = minhash_signatures(texts, num_perm, ngram, seed)
    bands, rows = lsh_params(threshold, num_perm)
    text_bucket, starts, members = _lsh_buckets(sig, bands, rows)
    if members.size == 0:
        return np.arange(n)
    kernels = _numba_kernels()
    group = kernels[1] if kernels is not None else _center_groups
    return group(np.ascontiguousarray(priority, dtype=np.int64), sig, text_bucket, starts, members, float(threshold))
