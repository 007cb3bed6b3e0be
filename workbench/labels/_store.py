"""``LabelStore``: human labels in ``<project>/.workbench/labels.sqlite``, one committed row per label.

Labels are append-only: a rater who changes their mind adds a newer row, and the latest row per
(run id, item, criterion, rater) wins, where the item is (case id, model, variant, sample) for a
single output and (case id, model_a, model_b) for a pair. SQLite in WAL mode lets several kernels
write at once (each write waits its turn through ``busy_timeout``) while notebooks read. Every
``add`` is its own committed transaction with ``synchronous=FULL``: the WAL is fsynced on each
commit, so a label survives a killed kernel and also a power cut or OS crash (``NORMAL`` in WAL mode
survives a killed process but may lose the last commits on power loss). A label is one click of a
person's time; an fsync per click costs nothing they can notice.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from workbench._project import STORE_DIRNAME, project_dir
from workbench._schema import LABEL_COLUMNS, polars_schema
from workbench._sqlite import enable_wal

FILENAME = "labels.sqlite"
#: What a label is about: one output, or a pair of outputs.
Kind = Literal["single", "pairwise"]
KINDS: tuple[Kind, ...] = ("single", "pairwise")
PAIR_LABELS = ("a", "b", "tie")
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

#: Columns that identify one labelled item, per kind.
ITEM_COLUMNS = {
    "single": ("run_id", "case_id", "model", "variant", "sample"),
    "pairwise": ("run_id", "case_id", "model_a", "model_b"),
}
#: Columns whose latest row wins (the item, whatever its kind, plus criterion and rater).
LATEST_KEY = (
    "run_id",
    "case_id",
    "kind",
    "model",
    "variant",
    "sample",
    "model_a",
    "model_b",
    "criterion",
    "rater",
)

_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "datetime": "INTEGER"}


def _create_sql() -> str:
    cols = ",\n  ".join(
        f"{name} {_SQL_TYPES[kind.rstrip('?')]}{'' if kind.endswith('?') else ' NOT NULL'}"
        for name, kind in LABEL_COLUMNS.items()
    )
    return f"CREATE TABLE IF NOT EXISTS labels (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  {cols}\n)"


def _to_micros(ts: datetime) -> int:
    delta = ts.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _check_str(row: dict[str, Any], name: str, *, empty: bool = False) -> None:
    value = row.get(name)
    if not isinstance(value, str):
        raise ValueError(f"label field {name!r} must be a string, got {value!r}")
    if not empty and not value.strip():
        raise ValueError(f"label field {name!r} must be a non-empty string, got {value!r}")


def _check_optional(row: dict[str, Any], name: str, types: tuple[type, ...], what: str) -> None:
    value = row.get(name)
    if value is not None and (not isinstance(value, types) or isinstance(value, bool) and bool not in types):
        raise ValueError(f"label field {name!r} must be {what} or None, got {value!r}")


def validate_label(row: dict[str, Any]) -> dict[str, Any]:
    """A label row checked against ``LABEL_COLUMNS`` (``created_at`` defaults to now, UTC).

    Raises:
        ValueError: naming the field that is unknown, missing or of the wrong type.
    """
    unknown = [k for k in row if k not in LABEL_COLUMNS]
    if unknown:
        raise ValueError(f"unknown label field {unknown[0]!r}; the fields are: {', '.join(LABEL_COLUMNS)}")
    out = {name: row.get(name) for name in LABEL_COLUMNS}
    out["run_id"] = "" if out["run_id"] is None else out["run_id"]
    _check_str(out, "run_id", empty=True)
    for name in ("case_id", "criterion", "rater"):
        _check_str(out, name)
    kind = out["kind"]
    if kind not in KINDS:
        raise ValueError(f"label field 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "single":
        _check_str(out, "model")
        _check_optional(out, "variant", (str,), "a string")
        sample = out["sample"]
        if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
            raise ValueError(
                f"label field 'sample' must be a non-negative integer for a single label, got {sample!r}"
            )
        for name in ("model_a", "model_b", "shown_first"):
            if out[name] is not None:
                raise ValueError(
                    f"label field {name!r} is for pairwise labels; it must be None when kind='single'"
                )
    else:
        _check_str(out, "model_a")
        _check_str(out, "model_b")
        if str(out["model_a"]) >= str(out["model_b"]):
            raise ValueError(
                f"label fields 'model_a' and 'model_b' must be two different outputs in sorted order, got "
                f"{out['model_a']!r} and {out['model_b']!r}: swap them (and swap a/b in the label and shown_first)"
            )
        if out["shown_first"] not in ("a", "b", None):
            raise ValueError(
                f"label field 'shown_first' must be 'a', 'b' or None, got {out['shown_first']!r}"
            )
        if out["label"] not in (*PAIR_LABELS, None):
            raise ValueError(
                f"label field 'label' of a pairwise label must be 'a', 'b' or 'tie', got {out['label']!r}"
            )
        for name in ("model", "variant", "sample"):
            if out[name] is not None:
                raise ValueError(
                    f"label field {name!r} is for single labels; it must be None when kind='pairwise'"
                )
    _check_optional(out, "label", (str,), "a string")
    _check_optional(out, "note", (str,), "a string")
    value = out["value"]
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"label field 'value' must be a finite number or None, got {value!r}")
        out["value"] = float(value)
    if not isinstance(out["blind"], bool):
        raise ValueError(f"label field 'blind' must be True or False, got {out['blind']!r}")
    created = out["created_at"]
    if created is None:
        out["created_at"] = datetime.now(UTC)
    elif not isinstance(created, datetime) or created.tzinfo is None:
        raise ValueError(f"label field 'created_at' must be a timezone-aware datetime, got {created!r}")
    return out


def item_key(row: dict[str, Any], kind: str) -> tuple[Any, ...]:
    """The tuple that identifies a row's item (see :data:`ITEM_COLUMNS`)."""
    return tuple(row.get(c) if c != "run_id" else (row.get(c) or "") for c in ITEM_COLUMNS[kind])


def queue_kind(queue: pl.DataFrame) -> Kind:
    """``"pairwise"`` for a frame with ``model_a``/``model_b`` columns, else ``"single"``."""
    return "pairwise" if {"model_a", "model_b"} <= set(queue.columns) else "single"


class LabelStore:
    """The human labels of a project, in ``<project>/.workbench/labels.sqlite``.

    Args:
        project: the project folder (default: :func:`workbench._project.project_dir`).

    Example:
        >>> import tempfile
        >>> labels = LabelStore(tempfile.mkdtemp())
        >>> labels.add(run_id="r1", case_id="c1", kind="single", model="m", variant="v", sample=0,
        ...            criterion="helpful", rater="ana", label="4", value=4.0, blind=True)
        >>> labels.table().select("case_id", "rater", "label").rows()
        [('c1', 'ana', '4')]
    """

    def __init__(self, project: str | os.PathLike[str] | None = None) -> None:
        self.project = project_dir(project)
        self.root = self.project / STORE_DIRNAME
        self.path: Path = self.root / FILENAME

    def __repr__(self) -> str:
        return f"LabelStore({str(self.project)!r})"

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        # A connection per operation: nothing to share across threads or forked processes, and
        # opening a local SQLite file takes microseconds next to a person's click.
        if not write and not self.path.is_file():
            empty = sqlite3.connect(":memory:")  # nothing labelled yet: read without creating the file
            try:
                yield empty
            finally:
                empty.close()
            return
        self.root.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            enable_wal(con, BUSY_TIMEOUT_MS / 1000)
            con.execute("PRAGMA synchronous = FULL")
            if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                con.execute("BEGIN IMMEDIATE")
                con.execute(_create_sql())
                con.execute("CREATE INDEX IF NOT EXISTS labels_run ON labels (run_id, rater, criterion)")
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            yield con
        finally:
            con.close()

    def add(self, **row: Any) -> None:
        """Append one label and commit it before returning.

        Fields are those of ``workbench._schema.LABEL_COLUMNS``; ``run_id`` defaults to ``""``,
        ``created_at`` to now (UTC), the optional ones to None. Pairwise labels are canonical:
        ``model_a < model_b`` and ``label`` is ``"a"``, ``"b"`` or ``"tie"`` relative to that order.

        Raises:
            ValueError: naming the field that is unknown, missing or of the wrong type.
        """
        clean = validate_label(row)
        clean["created_at"] = _to_micros(clean["created_at"])
        clean["blind"] = int(clean["blind"])
        names = list(LABEL_COLUMNS)
        sql = f"INSERT INTO labels ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        with self._connect(write=True) as con:
            con.execute(sql, [clean[n] for n in names])  # autocommit: committed when this returns

    def table(
        self,
        *,
        run_id: str | None = None,
        criterion: str | None = None,
        rater: str | None = None,
        latest: bool = True,
        kind: str | None = None,
    ) -> pl.DataFrame:
        """The labels as a polars frame with exactly the ``LABEL_COLUMNS`` and their dtypes.

        Args:
            run_id, criterion, rater, kind: keep only these (None keeps all).
            latest: keep only the latest row per (run, item, criterion, rater); False gives every
                row ever added, oldest first.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind={kind!r}: expected one of {', '.join(KINDS)} (or None for both)")
        where, params = [], []
        for name, value in (("run_id", run_id), ("criterion", criterion), ("rater", rater), ("kind", kind)):
            if value is not None:
                where.append(f"{name} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(LABEL_COLUMNS)} FROM labels"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        sql += " ORDER BY id"
        with self._connect(write=False) as con:
            known = con.execute("SELECT name FROM sqlite_master WHERE name = 'labels'").fetchone()
            rows = con.execute(sql, params).fetchall() if known else []
        schema = polars_schema(LABEL_COLUMNS)
        raw = {**schema, "created_at": pl.Int64, "blind": pl.Int64}
        frame = pl.DataFrame(rows, schema=raw, orient="row").with_columns(
            pl.col("blind").cast(pl.Boolean),
            pl.from_epoch("created_at", time_unit="us").dt.replace_time_zone("UTC").alias("created_at"),
        )
        if latest:
            # the last row added per key, listed in the order those rows were added
            frame = (
                frame.with_row_index("_row")
                .unique(subset=list(LATEST_KEY), keep="last")
                .sort("_row")
                .drop("_row")
            )
        return frame.select([pl.col(c).cast(t) for c, t in schema.items()])

    def raters(self, *, run_id: str | None = None) -> list[str]:
        """The names of everyone who has labelled (in ``run_id``), sorted."""
        return sorted(self.table(run_id=run_id).get_column("rater").unique().to_list())

    def labelled_items(self, rater: str, criteria: str | Sequence[str], kind: str) -> set[tuple[Any, ...]]:
        """Items (see :data:`ITEM_COLUMNS`) whose latest label by ``rater`` is set for every criterion."""
        names = [criteria] if isinstance(criteria, str) else list(criteria)
        done: dict[tuple[Any, ...], set[str]] = {}
        frame = self.table(rater=rater, kind=kind).filter(
            pl.col("criterion").is_in(names) & pl.col("label").is_not_null()
        )
        for row in frame.iter_rows(named=True):
            done.setdefault(item_key(row, kind), set()).add(row["criterion"])
        return {key for key, got in done.items() if got >= set(names)}

    def remaining(self, queue: Any, rater: str, criterion: str | Sequence[str]) -> pl.DataFrame:
        """The queue's items that ``rater`` has not yet labelled on every criterion, in queue order."""
        frame = _queue_frame(queue)
        kind = queue_kind(frame)
        done = self.labelled_items(rater, criterion, kind)
        mask = [item_key(row, kind) not in done for row in frame.iter_rows(named=True)]
        return frame.filter(pl.Series(mask, dtype=pl.Boolean))

    def progress(self, queue: Any, rater: str, criterion: str | Sequence[str]) -> dict[str, int]:
        """``{"labelled": k, "total": n, "remaining": n - k}`` for ``rater`` on the queue's items."""
        frame = _queue_frame(queue)
        left = self.remaining(frame, rater, criterion).height
        return {"labelled": frame.height - left, "total": frame.height, "remaining": left}


def _queue_frame(queue: Any) -> pl.DataFrame:
    from workbench.labels._queue import as_queue

    return as_queue(queue)
