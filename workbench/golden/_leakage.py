"""Leakage check: golden cases that overlap a corpus (few-shot examples, training data, docs)."""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import polars as pl

from workbench._table import as_table
from workbench.cases import Case, CaseSet
from workbench.golden._cases import as_cases

#: The case fields a leakage check can compare.
Field = Literal["input", "reference"]

_TOKEN = re.compile(r"\w+")
_COLUMNS = {
    "case_id": pl.String,
    "corpus_id": pl.String,
    "field": pl.String,
    "method": pl.String,
    "score": pl.Float64,
    "ngram_overlap": pl.Float64,
    "similarity": pl.Float64,
    "matched_text": pl.String,
}


def _case_text(case: Case, field: str) -> str:
    if field == "input":
        return case.input if isinstance(case.input, str) else "\n".join(m["content"] for m in case.input)
    if field == "reference":
        return case.reference or ""
    raise ValueError(f"check_leakage(): fields must be 'input' and/or 'reference', got {field!r}")


def _corpus(corpus: Any, text: str, id: str) -> tuple[list[str], list[str]]:
    if isinstance(corpus, CaseSet):
        docs = [(c.id, _case_text(c, "input") + ("\n" + c.reference if c.reference else "")) for c in corpus]
        return [d[0] for d in docs], [d[1] for d in docs]
    if isinstance(corpus, list | tuple):
        texts = list(corpus)
        ids = [str(i) for i in range(len(texts))]
    else:
        try:
            frame = as_table(
                corpus,
                param="corpus",
                func="check_leakage",
                columns=[id, text],
                expected=f"an {id!r} and a {text!r} column (or pass id=, text=)",
            )
        except TypeError:
            raise TypeError(
                f"check_leakage(): corpus must be a list of strings, a frame with {id!r} and {text!r} "
                f"columns, or a CaseSet; got {type(corpus).__name__}"
            ) from None
        ids = [str(v) for v in frame[id].to_list()]
        texts = frame[text].to_list()
    for i, t in zip(ids, texts, strict=True):
        if not isinstance(t, str):
            raise ValueError(f"check_leakage(): corpus document {i!r} is {type(t).__name__}, expected text")
    return ids, texts


def _tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    found = list(_TOKEN.finditer(text.lower()))
    return [m.group(0) for m in found], [m.span() for m in found]


def _grams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    n = min(n, len(tokens))
    if n == 0:
        return []
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def check_leakage(
    cases: Any,
    corpus: Any,
    *,
    ngram: int = 8,
    min_overlap: float = 0.5,
    embed: bool = True,
    sim_threshold: float = 0.9,
    embedder: Any = None,
    fields: tuple[Field, ...] = ("input",),
    text: str = "text",
    id: str = "id",
) -> pl.DataFrame:
    """Flag cases whose text overlaps a corpus document, with the matched corpus text.

    N-gram check: the share of a case's word ``ngram``-grams (lowercased words; a case shorter than
    ``ngram`` words is one n-gram of all its words) found in one document; flagged at
    ``min_overlap``. ``matched_text`` is the longest run of consecutive shared n-grams, as written
    in the corpus document. Embedding check: cosine similarity of :class:`workbench.embed.Embedder`
    vectors (cached), flagged at ``sim_threshold``; ``matched_text`` is then the document (first
    300 characters) unless the n-gram check found a span.

    Args:
        cases: The golden cases: a CaseSet, a list of cases, a Run that knows its cases or a
            cases table.
        corpus: A list of strings (ids "0", "1", ...), a polars/pandas frame (or anything with a
            ``.table``) with ``id`` and ``text`` columns, or a CaseSet (input and reference).
        embedder: Anything with ``encode(list[str]) -> (n, d)`` L2-normalised rows; default
            ``Embedder()``.
        fields: Case fields to check: ``"input"`` and/or ``"reference"``.

    Returns:
        Flagged pairs only: ``case_id``, ``corpus_id``, ``field``, ``method`` ("ngram",
        "embedding" or "both"), ``score`` (the larger of the two), ``ngram_overlap``,
        ``similarity``, ``matched_text``; highest score first.
    """
    items = as_cases(cases, "check_leakage")
    if ngram < 1:
        raise ValueError(f"check_leakage(): ngram must be >= 1, got {ngram}")
    if not 0 < min_overlap <= 1 or not -1 <= sim_threshold <= 1:
        raise ValueError("check_leakage(): min_overlap must be in (0, 1] and sim_threshold in [-1, 1]")
    doc_ids, docs = _corpus(corpus, text, id)
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    doc_tokens = [_tokens(d) for d in docs]
    index: dict[tuple[str, ...], set[int]] = {}
    sizes = sorted({min(ngram, len(_tokens(_case_text(c, f))[0])) for c in items for f in fields} - {0})
    for j, (toks, _) in enumerate(doc_tokens):
        for k in sizes:
            for g in _grams(toks, k) if len(toks) >= k else []:
                index.setdefault(g, set()).add(j)
    queries = []
    for case in items:
        for f in fields:
            t = _case_text(case, f)
            if t.strip():
                queries.append((case.id, f, t))
    for cid, f, t in queries:
        grams = _grams(_tokens(t)[0], ngram)
        if not grams:
            continue
        hits: dict[int, list[int]] = {}
        for pos, g in enumerate(grams):
            for j in index.get(g, ()):
                hits.setdefault(j, []).append(pos)
        for j, positions in hits.items():
            share = len(set(positions)) / len(grams)
            if share >= min_overlap:
                found[(cid, doc_ids[j], f)] = {
                    "ngram_overlap": share,
                    "similarity": None,
                    "matched_text": _longest_span(grams, sorted(set(positions)), docs[j], doc_tokens[j]),
                }
    if embed and queries and docs:
        if embedder is None:
            from workbench.embed import Embedder

            embedder = Embedder()
        q = np.asarray(embedder.encode([t for _, _, t in queries]), dtype=np.float32)
        d = np.asarray(embedder.encode(docs), dtype=np.float32)
        for lo in range(0, len(queries), 1024):
            sims = q[lo : lo + 1024] @ d.T
            for a, b in zip(*np.nonzero(sims >= sim_threshold), strict=True):
                cid, f, _ = queries[lo + a]
                key = (cid, doc_ids[b], f)
                entry = found.setdefault(key, {"ngram_overlap": None, "matched_text": docs[b][:300]})
                entry["similarity"] = float(sims[a, b])
    rows = []
    for (cid, did, field), e in found.items():
        sim, ov = e.get("similarity"), e["ngram_overlap"]
        method = (
            "both" if sim is not None and ov is not None else ("ngram" if ov is not None else "embedding")
        )
        rows.append(
            {
                "case_id": cid,
                "corpus_id": did,
                "field": field,
                "method": method,
                "score": max(v for v in (sim, ov) if v is not None),
                "ngram_overlap": ov,
                "similarity": sim,
                "matched_text": e["matched_text"],
            }
        )
    out = pl.DataFrame(rows, schema=_COLUMNS)
    return out.sort(["score", "case_id", "corpus_id"], descending=[True, False, False])


def _longest_span(
    grams: list[tuple[str, ...]],
    positions: list[int],
    doc: str,
    doc_tok: tuple[list[str], list[tuple[int, int]]],
) -> str:
    """The corpus text of the longest run of consecutive case n-grams that occur in order in ``doc``."""
    best = (positions[0], positions[0])
    run_start = prev = positions[0]
    for p in positions[1:]:
        if p != prev + 1:
            run_start = p
        prev = p
        if p - run_start > best[1] - best[0]:
            best = (run_start, p)
    k = len(grams[0])
    wanted = [w for g in grams[best[0] : best[1]] for w in g[:1]] + list(grams[best[1]])
    toks, spans = doc_tok
    m = len(wanted)
    for i in range(len(toks) - m + 1):
        if toks[i : i + m] == wanted:
            return doc[spans[i][0] : spans[i + m - 1][1]]
    # the run's n-grams occur in the document, but not contiguously: show the first one
    for i in range(len(toks) - k + 1):
        if tuple(toks[i : i + k]) == grams[best[0]]:
            return doc[spans[i][0] : spans[i + k - 1][1]]
    return ""  # unreachable: positions are n-grams found in this document
