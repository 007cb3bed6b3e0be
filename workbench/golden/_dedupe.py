"""Exact and near-duplicate removal of traffic rows (normalised hash, then MinHash LSH)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from workbench._html import note, report, section, table
from workbench._table import as_table
from workbench.golden._lsh import near_duplicate_labels

#: Leading greetings and trailing thanks that do not change what a request asks for.
_GREETING = r"^(?:(?:hi|hello|hey|hiya|dear \w+|good (?:morning|afternoon|evening)|greetings)(?: there| team| all| support)?\s+)+"
_CLOSING = r"(?:\s+(?:please|pls|thanks|thank you|thx|cheers|regards|best regards|many thanks)(?: (?:so much|a lot|in advance))?)+$"
#: An e-mail's greeting line ("Hello Tallyo team,") and its sign-off ("Kind regards\nAna"), each on
#: lines of their own: removed before the text is flattened.
_GREETING_LINE = r"(?i)^\s*(?:dear|hi|hello|hey|good (?:morning|afternoon|evening))\b[^\n]{0,40}\n+"
_SIGN_OFF = (
    r"(?i)\n+\s*(?:best|best regards|kind regards|warm regards|regards|thanks|thank you|many thanks|cheers)"
    r"\b[^\n]{0,20}(?:\n[^\n]{0,40})?\s*$"
)
_OUTPUT_COLUMNS = ("count", "member_ids", "group_id")


def normalize_requests(expr: pl.Expr | str, *, strip_greetings: bool = True) -> pl.Expr:
    """The request texts as :func:`dedupe` compares them: a polars expression (or a column name).

    Lowercases, drops punctuation, collapses whitespace and, with ``strip_greetings``, removes an
    e-mail's greeting line and sign-off ("Hello Tallyo team," ... "Kind regards / Ana"), leading
    greetings ("hi there", "dear team") and trailing thanks ("thanks so much", "cheers").
    For one text as a text, see :func:`workbench.metrics.normalize_text`.

    Example:
        >>> df = pl.DataFrame({"input": ["Hi there, how do I reset my password? Thanks!",
        ...                              "Hello Tallyo team,\\n\\nHow do I reset my password?\\n\\nKind regards\\nAna"]})
        >>> df.select(normalize_requests("input")).to_series().to_list()
        ['how do i reset my password', 'how do i reset my password']
    """
    expr = pl.col(expr) if isinstance(expr, str) else expr
    if strip_greetings:
        expr = expr.str.replace(_GREETING_LINE, "").str.replace(_SIGN_OFF, "")
    out = (
        expr.str.to_lowercase().str.replace_all(r"[^\w\s]", "").str.replace_all(r"\s+", " ").str.strip_chars()
    )
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

    @property
    def table(self) -> pl.DataFrame:
        """The counts as a one-row frame (``seconds`` included)."""
        return pl.DataFrame([{**self.to_dict(), "seconds": self.seconds}])

    def to_pandas(self) -> Any:
        return self.table.to_pandas()

    def summary(self) -> pl.DataFrame:
        """The counts as a one-row frame."""
        return self.table

    def _repr_html_(self) -> str:
        return report("DedupeStats", [table(self.table)])


@dataclass(frozen=True)
class Deduped:
    """The result of :func:`dedupe`.

    Attributes:
        table: One row per near-duplicate group: the representative traffic row with all its
            columns, plus ``group_id``, ``count`` (traffic rows the group covers) and
            ``member_ids`` (their ids, earliest first).
        groups: ``id`` -> ``group_id`` for every input row.
        stats: Rows in, exact and near duplicates removed, rows out.
        params: The parameters used (for provenance).
    """

    table: pl.DataFrame
    groups: pl.DataFrame
    stats: DedupeStats
    params: dict[str, Any] = field(default_factory=dict, kw_only=True)

    def to_pandas(self) -> Any:
        """The kept rows (:attr:`table`) as a pandas DataFrame."""
        return self.table.to_pandas()

    def summary(self) -> pl.DataFrame:
        """One row: rows in, exact and near duplicates removed, rows out."""
        return self.stats.table.drop("seconds")

    def _repr_html_(self) -> str:
        s = self.stats
        return report(
            "Deduped",
            [
                note(
                    f"{s.rows_in:,} rows -> {s.rows_out:,} groups ({s.exact_duplicates:,} exact and "
                    f"{s.near_duplicates:,} near duplicates removed)"
                ),
                section("Kept rows (representatives)", table(self.table, max_rows=10)),
            ],
        )


def dedupe(
    frame: Any,
    *,
    text: str = "input",
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
        frame: Traffic rows (a polars DataFrame or LazyFrame, a pandas DataFrame, or a result
            object with a ``.table``); needs the ``text`` and ``id`` columns.
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
        >>> d.table.select("request_id", "count").rows(), d.stats.exact_duplicates
        ([('a', 2), ('c', 1)], 1)
    """
    start = time.perf_counter()
    df = as_table(
        frame,
        param="frame",
        func="dedupe",
        columns=[text, id],
        expected=f"traffic rows with {text!r} and {id!r}",
    )
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
        distinct = df.select(pl.col(text).unique()).with_columns(
            normalize_requests(pl.col(text)).alias("__norm")
        )
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
    labels = near_duplicate_labels(texts, priority, threshold, num_perm, ngram, seed)
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
    params = {
        "text": text,
        "id": id,
        "threshold": threshold,
        "num_perm": num_perm,
        "ngram": ngram,
        "shingles": "char",
        "normalize": normalize,
        "seed": seed,
        "grouping": "center",
    }
    return Deduped(table=kept, groups=groups, stats=stats, params=params)
