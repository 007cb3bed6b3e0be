"""workbench's own on-disk call cache, which is also the run journal.

Each successful model call is committed to SQLite the moment it finishes, keyed by the model,
the messages, the generation parameters and the sample index. Re-running a run (after a
KeyboardInterrupt, a ``kill -9`` of the kernel, or just re-executing a notebook) looks every row
up here first and calls the model only for the missing ones. Errors are never cached.

SQLite in WAL mode with ``synchronous=NORMAL`` makes each commit atomic and survives the death of
the process (not of the machine) without an fsync per row, so the journal costs microseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workbench._sqlite import enable_wal

_SECRET_NAME = re.compile(
    r"(api_?key|secret|password|passwd|authorization|bearer|access_token|refresh_token|"
    r"session_token|credentials?|^headers$|^extra_headers$|aws_.*key)",
    re.IGNORECASE,
)


def is_secret_param(name: str) -> bool:
    """True for parameter names that may carry a secret (API keys, tokens, auth headers).

    >>> is_secret_param("api_key"), is_secret_param("max_tokens"), is_secret_param("extra_headers")
    (True, False, True)
    """
    return bool(_SECRET_NAME.search(name))


def public_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters with every secret-bearing entry removed (for keys, stores and displays)."""
    return {k: v for k, v in params.items() if not is_secret_param(k)}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def cache_key(model: str, messages: list[dict[str, Any]], params: Mapping[str, Any], sample: int) -> str:
    """A stable hash of everything that determines a model's answer.

    Secrets are left out: rotating an API key must not invalidate the cache, and a key must never
    be derivable from what is stored.
    """
    return key_from_parts(call_prefix(model, params), _dumps(messages), sample)


def call_prefix(model: str, params: Mapping[str, Any]) -> str:
    """The part of a cache key shared by every call with this model and these parameters."""
    return _dumps({"model": model, "params": public_params(params)})


def messages_blob(messages: list[dict[str, Any]]) -> str:
    return _dumps(messages)


def key_from_parts(prefix: str, messages_json: str, sample: int) -> str:
    return hashlib.sha256(f"{prefix}\x00{messages_json}\x00{sample}".encode()).hexdigest()


# What a cached call keeps: everything a result row records about the call itself.
CACHED_FIELDS = (
    "output",
    "latency_s",
    "ttft_s",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "attempts",
    "started_at",
    "finish_reason",
)


class CallCache:
    """A process- and crash-safe key -> result-row store backed by SQLite.

    Args:
        path: the database file; its folder is created if needed.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        enable_wal(self._conn)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, "
            + ", ".join(CACHED_FIELDS)
            + ", created REAL NOT NULL)"
        )
        self._insert = (
            f"INSERT OR REPLACE INTO calls (key, {', '.join(CACHED_FIELDS)}, created) "
            f"VALUES ({', '.join('?' * (len(CACHED_FIELDS) + 2))})"
        )
        self._select = f"SELECT key, {', '.join(CACHED_FIELDS)} FROM calls WHERE key IN "

    def get_rows(self, keys: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """Cached calls as tuples in ``CACHED_FIELDS`` order (missing keys are absent)."""
        keys = list(dict.fromkeys(keys))
        out: dict[str, tuple[Any, ...]] = {}
        with self._lock:
            for i in range(0, len(keys), 900):  # SQLite's bound-parameter limit
                chunk = keys[i : i + 900]
                for row in self._conn.execute(self._select + f"({','.join('?' * len(chunk))})", chunk):
                    out[row[0]] = row[1:]
        return out

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached calls as dicts keyed by field name (missing keys are absent)."""
        return {k: dict(zip(CACHED_FIELDS, v, strict=True)) for k, v in self.get_rows(keys).items()}

    def put(self, key: str, row: Mapping[str, Any], created: float) -> None:
        """Commit one successful call. Each put is its own transaction."""
        values = (key, *(row.get(f) for f in CACHED_FIELDS), created)
        with self._lock:
            self._conn.execute(self._insert, values)

    def delete(self, keys: Iterable[str]) -> int:
        """Forget the given keys; returns how many were removed."""
        keys = list(keys)
        n = 0
        with self._lock:
            for i in range(0, len(keys), 900):
                chunk = keys[i : i + 900]
                marks = ",".join("?" * len(chunk))
                n += self._conn.execute(f"DELETE FROM calls WHERE key IN ({marks})", chunk).rowcount
        return n

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
