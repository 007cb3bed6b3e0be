"""Cluster names from their distinctive terms: class-based TF-IDF (c-TF-IDF), as in BERTopic."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

#: Words of two or more letters (digits and punctuation are not names).
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+\b"
#: Longest term kept whole (a pasted blob or base64 is one "word" of any length): longer ones are cut.
TERM_CHARS = 30
#: Longest cluster name (names, tags and legends stay readable).
NAME_CHARS = 60


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` characters, ending in ``…`` when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def class_tfidf(
    texts: Sequence[str], labels: Sequence[int] | np.ndarray, *, n_terms: int = 5
) -> list[list[str]]:
    """The ``n_terms`` most distinctive terms of each class, best first.

    Every class is one document (its texts concatenated). A term's weight in class c is
    ``tf(t, c) * log(1 + A / f(t))``: its frequency in c (normalised by the class's length) times
    the log of the average class length ``A`` over the term's frequency in all classes, so a word
    frequent in one cluster and rare elsewhere ranks first, and a word every cluster uses ranks low.
    English stop words are removed. Classes are numbered 0..k-1; a class without terms gets ``[]``.
    Terms longer than :data:`TERM_CHARS` characters are cut (``…``).

    Example:
        >>> class_tfidf(["refund my money", "money refund now", "password reset", "reset my password"],
        ...             [0, 0, 1, 1], n_terms=2)
        [['money', 'refund'], ['password', 'reset']]
    """
    from sklearn.feature_extraction.text import CountVectorizer

    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if labels.size else 0
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == c) for c in range(k)]
    vectorizer = CountVectorizer(stop_words="english", token_pattern=TOKEN_PATTERN, lowercase=True)
    try:
        counts = vectorizer.fit_transform(docs).toarray().astype(np.float64)
    except ValueError:  # every word is a stop word (or there are no words at all)
        return [[] for _ in range(k)]
    vocab = vectorizer.get_feature_names_out()
    lengths = counts.sum(axis=1, keepdims=True)
    tf = counts / np.where(lengths == 0, 1, lengths)
    avg = counts.sum() / max(k, 1)
    idf = np.log(1 + avg / counts.sum(axis=0))
    weights = tf * idf
    out = []
    for c in range(k):
        # ties broken by the term, so names do not depend on the vocabulary's internal order
        order = sorted(np.flatnonzero(weights[c] > 0), key=lambda j: (-round(weights[c, j], 12), vocab[j]))
        out.append([shorten(str(vocab[j]), TERM_CHARS) for j in order[:n_terms]])
    return out


def cluster_names(terms: Sequence[Sequence[str]], *, n_words: int = 3) -> list[str]:
    """Readable names from the top terms ("refund / money / charged"); unique, "cluster 3" if none.

    A name has at most :data:`NAME_CHARS` characters (cut with ``…``), its ``(i)`` suffix included.
    """
    names = []
    for i, words in enumerate(terms):
        name = " / ".join(shorten(w, TERM_CHARS) for w in words[:n_words]) if words else f"cluster {i}"
        names.append(shorten(name, NAME_CHARS))
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [
        f"{shorten(n, NAME_CHARS - len(f' ({i})'))} ({i})" if seen[n] > 1 else n for i, n in enumerate(names)
    ]


def slug(name: str) -> str:
    """A tag-safe slug of a name: lower case, words joined by ``-`` ("Refund / money" -> "refund-money")."""
    text = re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-_")
    return text or "cluster"
