"""workbench's own on-disk call cache, which is also the run journal.

Each successful model call is committed to SQLite the moment it finishes, keyed by the model,
the messages, the generation parameters and the sample index. Re-running a run (after a
KeyboardInterrupt, a ``kill -9`` of the kernel, or just re-executing a notebook) looks every row
up here first and calls the model only for the missing ones. Errors are never cached.

SQLite in WAL mode with ``synchronous=NORMAL`` makes each commit atomic and survives the death of
the process (not of the machine) without an fsync per row, so the journal costs microseconds.

A ``leases`` table beside the calls says which process is making which call right now, so two
processes running the same calls make each once (see :class:`CallCache`). A re-run whose rows are
all cached reads the calls table only: leases are taken for missing rows alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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


LEASE_TTL_S = 20.0  # a lease not renewed for this long is free (its owner is gone or wedged)
RENEW_EVERY_S = 5.0


def _new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_is_dead(owner: str, host: str) -> bool:
    """True when ``owner`` was a process of this machine that no longer exists.

    Owners on other machines are never known dead: their leases lapse when no longer renewed.
    (Containers that share a project folder need distinct hostnames, as they have by default:
    with one hostname, each would take the other's pids for its own.)
    """
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host or os.name == "nt":  # Windows' os.kill(pid, 0) kills
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, but another user's
        return False
    return False


@dataclass
class Claim:
    """The outcome of :meth:`CallCache.claim` for a list of keys.

    Attributes:
        rows: keys already answered (by another process since they were looked up), as cached rows.
        mine: keys this owner now leases: its calls to make.
        theirs: keys another live owner is calling: wait for their rows.
    """

    rows: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    theirs: set[str] = field(default_factory=set)


class CallCache:
    """A process- and crash-safe key -> result-row store backed by SQLite.

    It also hands out leases so that processes running the same calls at once (two kernels on
    one run, a judge scoring in two notebooks) make each call once: a process claims
    (:meth:`claim`) the keys it is about to call, and a key another live process holds is awaited
    instead of called. A lease names its owner (host, pid and a random tag) and expires unless
    renewed (:meth:`renewing`), so the leases of a killed process are free at once on its machine
    and after ``LEASE_TTL_S`` elsewhere. Putting a row frees its key's lease; a failed call frees
    its lease (:meth:`release`) and errors are not cached, so a waiting process takes the call over.

    Args:
        path: the database file; its folder is created if needed.
        owner: the lease owner id (default: a new one for this cache object); worker processes
            making the calls of another process pass that process's id.
    """

    def __init__(self, path: str | Path, owner: str | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = owner or _new_owner()
        self._host = socket.gethostname()
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        enable_wal(self._conn)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, "
            + ", ".join(CACHED_FIELDS)
            + ", created REAL NOT NULL)"
        )
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL)"
        )
        self._insert = (
            f"INSERT OR REPLACE INTO calls (key, {', '.join(CACHED_FIELDS)}, created) "
            f"VALUES ({', '.join('?' * (len(CACHED_FIELDS) + 2))})"
        )
        self._select = f"SELECT key, {', '.join(CACHED_FIELDS)} FROM calls WHERE key IN "

    def get_rows(self, keys: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """Cached calls as tuples in ``CACHED_FIELDS`` order (missing keys are absent)."""
        keys = list(dict.fromkeys(keys))
        with self._lock:
            return self._rows(keys)

    def _rows(self, keys: list[str]) -> dict[str, tuple[Any, ...]]:
        out: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(keys):
            for row in self._conn.execute(self._select + f"({','.join('?' * len(chunk))})", chunk):
                out[row[0]] = row[1:]
        return out

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached calls as dicts keyed by field name (missing keys are absent)."""
        return {k: dict(zip(CACHED_FIELDS, v, strict=True)) for k, v in self.get_rows(keys).items()}

    def put(self, key: str, row: Mapping[str, Any], created: float) -> None:
        """Commit one successful call and free its lease, in one transaction."""
        values = (key, *(row.get(f) for f in CACHED_FIELDS), created)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(self._insert, values)
                self._conn.execute("DELETE FROM leases WHERE key = ?", (key,))
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def delete(self, keys: Iterable[str]) -> int:
        """Forget the given keys; returns how many were removed."""
        keys = list(keys)
        n = 0
        with self._lock:
            for chunk in _chunks(keys):
                marks = ",".join("?" * len(chunk))
                n += self._conn.execute(f"DELETE FROM calls WHERE key IN ({marks})", chunk).rowcount
        return n

    # -- leases ------------------------------------------------------------------------------
    def claim(self, keys: Iterable[str]) -> Claim:
        """Lease the keys nobody answered or holds; report the answered and the held ones.

        One transaction per call: a key is answered, leased to another live owner, or leased to
        this one, never two of these, whatever other processes do at the same time.
        """
        keys = list(dict.fromkeys(keys))
        out = Claim()
        if not keys:
            return out
        now = time.time()
        dead: dict[str, bool] = {}
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                out.rows = self._rows(keys)
                open_keys = [k for k in keys if k not in out.rows]
                held: dict[str, tuple[str, float]] = {}
                for chunk in _chunks(open_keys):
                    marks = ",".join("?" * len(chunk))
                    sql = f"SELECT key, owner, expires FROM leases WHERE key IN ({marks})"
                    for key, owner, expires in self._conn.execute(sql, chunk):
                        held[key] = (owner, expires)
                take = []
                for key in open_keys:
                    owner, expires = held.get(key, (self.owner, 0.0))
                    if owner != self.owner and expires > now:
                        if owner not in dead:
                            dead[owner] = _owner_is_dead(owner, self._host)
                        if not dead[owner]:
                            out.theirs.add(key)
                            continue
                    take.append((key, self.owner, now + LEASE_TTL_S))
                self._conn.executemany(
                    "INSERT OR REPLACE INTO leases (key, owner, expires) VALUES (?, ?, ?)", take
                )
                out.mine = {k for k, _, _ in take}
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return out

    def release(self, keys: Iterable[str] | None = None) -> None:
        """Free this owner's leases on ``keys`` (all of them by default), e.g. after a failed call."""
        with self._lock:
            if keys is None:
                self._conn.execute("DELETE FROM leases WHERE owner = ?", (self.owner,))
                return
            for chunk in _chunks(list(keys)):
                marks = ",".join("?" * len(chunk))
                self._conn.execute(
                    f"DELETE FROM leases WHERE owner = ? AND key IN ({marks})", [self.owner, *chunk]
                )

    def renew(self) -> None:
        """Extend every lease of this owner by ``LEASE_TTL_S`` from now."""
        with self._lock:
            self._conn.execute(
                "UPDATE leases SET expires = ? WHERE owner = ?", (time.time() + LEASE_TTL_S, self.owner)
            )

    @contextlib.contextmanager
    def renewing(self) -> Iterator[None]:
        """Keep this owner's leases alive from a background thread; free them all at the end.

        A thread, not a task: a busy event loop must not let the leases of a live process lapse.
        """
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(RENEW_EVERY_S):
                try:
                    self.renew()
                except sqlite3.Error:  # a busy database: the next beat tries again
                    pass

        thread = threading.Thread(target=beat, name="workbench-leases", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.release()

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _chunks(keys: list[str], size: int = 900) -> Iterator[list[str]]:
    """Slices small enough for SQLite's bound-parameter limit."""
    for i in range(0, len(keys), size):
        yield keys[i : i + size]
