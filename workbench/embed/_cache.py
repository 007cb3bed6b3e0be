"""The on-disk embedding cache: one SQLite file per project, float32 vectors keyed by a hash."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from workbench._sqlite import enable_wal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key BLOB PRIMARY KEY,      -- sha256 of model id + NUL + text
    model TEXT NOT NULL,       -- the model id, to drop one model's vectors
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL       -- float32, little-endian
) WITHOUT ROWID
"""
# SQLite's default limit on host parameters is 999 in older builds.
_CHUNK = 900


def text_key(model_id: str, text: str) -> bytes:
    """The cache key of a text under a model: sha256(model id, NUL, text)."""
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).digest()


class EmbeddingCache:
    """Vectors of texts, stored in ``path`` (created on first write).

    Several processes may read and write one file: SQLite's WAL mode and a busy timeout serialise
    the writers, and a vector is written once per (model, text).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=60)
        enable_wal(conn)
        conn.execute(_SCHEMA)
        return conn

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are absent from the result)."""
        if not keys or not self.path.exists():
            return {}
        found: dict[bytes, np.ndarray] = {}
        with closing(self._connect()) as conn:
            for i in range(0, len(keys), _CHUNK):
                chunk = list(keys[i : i + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    found[bytes(key)] = np.frombuffer(blob, dtype="<f4")
        return found

    def put(self, model_id: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        """Store vectors (float32) under their keys, in one transaction."""
        rows = [
            (key, model_id, int(vec.shape[0]), np.ascontiguousarray(vec, dtype="<f4").tobytes())
            for key, vec in items
        ]
        if not rows:
            return
        with closing(self._connect()) as conn, conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (key, model, dim, vector) VALUES (?, ?, ?, ?)", rows
            )

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def clear(self, *, model_id: str | None = None) -> int:
        """Delete the vectors of one model (all models by default); returns how many were deleted."""
        if not self.path.exists():
            return 0
        with closing(self._connect()) as conn, conn:
            if model_id is None:
                cur = conn.execute("DELETE FROM embeddings")
            else:
                cur = conn.execute("DELETE FROM embeddings WHERE model = ?", (model_id,))
            return cur.rowcount
