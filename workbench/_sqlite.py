"""SQLite set-up shared by the call cache, the embedding cache and the label store."""

from __future__ import annotations

import sqlite3
import time


def enable_wal(conn: sqlite3.Connection, timeout_s: float = 30.0) -> None:
    """Put ``conn``'s database in WAL mode, waiting for other processes that hold it.

    Switching a database into WAL needs an exclusive lock, and SQLite reports "database is locked"
    for it at once instead of waiting through ``busy_timeout``: two processes opening a new file
    together (two kernels, or the runner's worker processes) would otherwise fail at random. Once
    the file is in WAL mode, which persists, this is a read of the mode and takes no lock.
    """
    delay = 0.005
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
