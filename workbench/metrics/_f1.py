"""Token F1 over whole columns: multiset token overlap per row with hashed, sorted tokens.

The result equals :func:`workbench.metrics._text.token_f1_text` row for row. Tokens are hashed
twice: the first hash orders them (so equal tokens of a row sit together), the second checks that
tokens grouped together really are one token. A row where that check fails (a collision of the
first hash) is recomputed in Python. Only two distinct tokens of one row that collide in both
hashes at once (44+ bits of the first and 32 of the second: odds about 2^-76 per pair) could go
unnoticed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from workbench.metrics._text import Normalized, token_f1_text

#: Rows tokenised and matched at once: small enough that numpy reuses its buffers.
ROWS_PER_BLOCK = 1 << 16
#: Below this many rows, texts are not de-duplicated before tokenising.
DEDUPE_MIN_ROWS = 10_000
#: From this many rows on, tokens are hashed in one slice per polars thread.
PARALLEL_MIN_ROWS = 100_000
_SECOND_SEED = 0x5DEECE66D


def token_hashes(texts: pl.Series) -> pl.LazyFrame:
    """Two independent 64-bit hashes (h1, h2) of each space-separated token of each text, in order."""
    tokens = texts.to_frame("t").lazy().select(pl.col("t").str.split(" ").explode())
    return tokens.select(h1=pl.col("t").hash(seed=0), h2=pl.col("t").hash(seed=_SECOND_SEED))


def _hash_tokens(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """h1, h2 of every token, texts in order; slices of a long column are hashed on all cores."""
    parts = pl.thread_pool_size() if len(texts) >= PARALLEL_MIN_ROWS else 1
    size = -(-len(texts) // parts)
    frames = pl.collect_all([token_hashes(texts.slice(i * size, size)) for i in range(parts)])
    hashes = pl.concat(frames, rechunk=True)
    # 32 bits of the second hash are plenty to check runs already equal in 40+ bits of the first
    return hashes["h1"].to_numpy(), hashes["h2"].to_numpy().astype(np.uint32)


def _bits(n: int) -> np.uint64:
    return np.uint64(max(1, int(n).bit_length()))


class TokenTable:
    """The hashed tokens of non-empty single-spaced texts, sorted within each text.

    With ``inverse``, ``texts`` are the distinct texts of a column and ``inverse`` maps each row of
    the column to its text; :meth:`rows` expands the tokens back to rows.
    """

    def __init__(self, texts: pl.Series, inverse: np.ndarray | None = None) -> None:
        self.inverse = inverse
        texts = texts.fill_null("")  # distinct texts may hold a null or "" no row refers to
        counts = (texts.str.count_matches(" ", literal=True) + 1).cast(pl.Int64).to_numpy()
        h1, h2 = _hash_tokens(texts)
        self.bits = bits = _bits(len(texts))
        key = np.repeat(np.arange(len(texts), dtype=np.uint64) << (np.uint64(64) - bits), counts)
        key |= h1 >> bits
        order = np.argsort(key, kind="stable")  # timsort: keys are already grouped by text
        del key
        self.h1, self.h2, self.counts = h1[order], h2[order], counts
        self.offsets = np.cumsum(counts) - counts

    @classmethod
    def distinct(cls, texts: pl.Series | Normalized) -> TokenTable | None:
        """A table of the distinct texts of a column that repeats them (a reference per case,
        repeated for every model and sample), or None when de-duplicating would not pay."""
        if isinstance(texts, Normalized):
            if texts.distinct is not None and texts.inverse is not None:
                return cls(texts.distinct, texts.inverse)
            texts = texts.values
        n = len(texts)
        if n < DEDUPE_MIN_ROWS:
            return None
        hashes = texts.hash()
        if hashes.n_unique() > n // 2:
            return None
        _, first, inverse = np.unique(hashes.to_numpy(), return_index=True, return_inverse=True)
        if not texts.gather(first[inverse]).eq_missing(texts).all():  # two texts share a hash
            return None
        return cls(texts.gather(first), inverse)

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (h1, h2, token count) of the given rows, concatenated in row order."""
        if (
            self.inverse is None
            and rows.size == self.counts.size
            and (rows.size == 0 or rows[-1] == rows.size - 1)
        ):
            return self.h1, self.h2, self.counts  # all rows, in order
        ids = rows if self.inverse is None else self.inverse[rows]
        counts = self.counts[ids]
        starts = np.cumsum(counts) - counts
        idx = np.arange(counts.sum(), dtype=np.int64) + np.repeat(self.offsets[ids] - starts, counts)
        return self.h1[idx], self.h2[idx], counts


def _runs(key: np.ndarray, h2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct keys of a sorted array, their counts, their first h2, and the keys of runs whose h2
    values differ (a collision)."""
    start = np.empty(key.size, dtype=bool)
    start[:1] = True
    np.not_equal(key[1:], key[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    sizes = np.diff(starts, append=key.size)
    # a run is one token if each copy's second hash equals its predecessor's
    mixed = key[1:][(h2[1:] != h2[:-1]) & ~start[1:]]
    return key[starts], sizes, h2[starts], mixed


def shared_token_counts(
    pred: TokenTable, pred_rows: np.ndarray, gold: TokenTable, gold_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows given by their positions in each table: tokens the two sides share (multiset
    intersection; -1 where a hash collision makes the count unsure), and each side's token count."""
    m = pred_rows.size
    # tokens are sorted within a text by h1 >> table.bits; any coarser key keeps them sorted
    bits = max(_bits(m), pred.bits, gold.bits)
    shift = np.uint64(64) - bits
    local = np.arange(m, dtype=np.uint64) << shift
    sides = []
    for table, rows in ((pred, pred_rows), (gold, gold_rows)):
        h1, h2, counts = table.rows(rows)
        key = np.repeat(local, counts)
        key |= h1 >> bits
        sides.append((_runs(key, h2), counts))
    (kp, np_, hp, mixed_p), n_p = sides[0]
    (kg, ng, hg, mixed_g), n_g = sides[1]
    at = np.minimum(np.searchsorted(kg, kp), max(kg.size - 1, 0))
    hit = np.flatnonzero(kg[at] == kp) if kg.size else np.empty(0, dtype=np.int64)
    shared = np.minimum(np_[hit], ng[at[hit]])
    result = np.bincount((kp[hit] >> shift).astype(np.int64), weights=shared, minlength=m).astype(np.int64)
    clash = kp[hit[hp[hit] != hg[at[hit]]]]
    for keys in (mixed_p, mixed_g, clash):
        result[(keys >> shift).astype(np.int64)] = -1
    return result, n_p, n_g


def token_f1_series(pred: pl.Series | Normalized, gold: pl.Series | Normalized) -> np.ndarray:
    """Token F1 of already-normalised texts (single-spaced, as from ``normalize_column``), row by
    row, as float64."""
    pred_n = pred if isinstance(pred, Normalized) else Normalized(pred)
    gold_n = gold if isinstance(gold, Normalized) else Normalized(gold)
    pred, gold = pred_n.values, gold_n.values
    n = len(pred)
    out = np.ones(n, dtype=np.float64)
    if n == 0:
        return out
    frame = pl.DataFrame({"p": pred, "g": gold})
    flags = frame.select(
        equal=(pl.col("p") == pl.col("g")).fill_null(False),
        p_empty=pl.col("p").str.len_bytes() == 0,
        g_empty=pl.col("g").str.len_bytes() == 0,
    )
    equal, p_empty, g_empty = (flags[c].to_numpy() for c in ("equal", "p_empty", "g_empty"))
    empty = p_empty | g_empty
    out[empty] = (p_empty == g_empty)[empty].astype(np.float64)
    todo = np.flatnonzero(~equal & ~empty)  # equal texts score 1.0 without tokenising
    if todo.size == 0:
        return out
    pred_n, gold_n = pred_n.take(todo), gold_n.take(todo)
    texts = (pred_n.values, gold_n.values)
    tables = [TokenTable.distinct(pred_n), TokenTable.distinct(gold_n)]

    def block_f1(start: int) -> tuple[int, np.ndarray]:
        rows = np.arange(start, min(start + ROWS_PER_BLOCK, todo.size))
        sides: list[tuple[TokenTable, np.ndarray]] = []
        for table, column in zip(tables, texts, strict=True):
            if table is None:  # texts that do not repeat are tokenised a block at a time
                sides.append((TokenTable(column.slice(start, rows.size)), np.arange(rows.size)))
            else:
                sides.append((table, rows))
        n_same, n_p, n_g = shared_token_counts(*sides[0], *sides[1])
        p = n_same / n_p
        r = n_same / n_g
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(n_same == 0, 0.0, 2 * p * r / (p + r))  # the same float steps as Python
        for i in np.flatnonzero(n_same < 0):
            f1[i] = token_f1_text(texts[0][int(rows[i])], texts[1][int(rows[i])])
        return start, f1

    # blocks keep arrays small (reused memory, no page faults) and run on two threads: numpy and
    # polars release the GIL
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start, f1 in pool.map(block_f1, range(0, todo.size, ROWS_PER_BLOCK)):
            out[todo[start : start + f1.size]] = f1
    return out
