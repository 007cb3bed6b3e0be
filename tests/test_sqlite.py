"""enable_wal waits for another process's lock instead of failing with "database is locked"."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from workbench._sqlite import enable_wal


def locked_db(path):
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_plain_pragma_fails_while_another_connection_holds_the_file(tmp_path):
    holder = locked_db(tmp_path / "db.sqlite")
    other = sqlite3.connect(tmp_path / "db.sqlite", timeout=0.2)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("PRAGMA journal_mode=WAL")
    holder.execute("COMMIT")


def test_enable_wal_waits_for_the_lock_then_switches(tmp_path):
    holder = locked_db(tmp_path / "db.sqlite")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    conn = sqlite3.connect(tmp_path / "db.sqlite", timeout=0.2)
    enable_wal(conn, timeout_s=20)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    enable_wal(conn)  # already WAL: a no-op


def test_enable_wal_gives_up_after_its_timeout(tmp_path):
    holder = locked_db(tmp_path / "db.sqlite")
    conn = sqlite3.connect(tmp_path / "db.sqlite", timeout=0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        enable_wal(conn, timeout_s=0.3)
    holder.execute("COMMIT")
