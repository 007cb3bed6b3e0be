"""Load request logs (JSONL or Parquet) lazily, with checks that name the file, line and value.

``scan_traffic`` returns a ``pl.LazyFrame``; the checks that need the data (UTF-8, JSON syntax,
timestamps) are streaming passes that keep at most one chunk or one column in memory, so a log of
10 million rows never has to fit in memory.
"""

from __future__ import annotations

import glob as globmod
import gzip
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, cast

import polars as pl

REQUIRED = ("timestamp", "input")
STANDARD = (
    "request_id", "timestamp", "session_id", "user_id", "input", "output", "model",
    "latency_s", "prompt_tokens", "completion_tokens", "cost_usd", "feedback",
)
_JSONL = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_PARQUET = (".parquet", ".pq")
_CHUNK = 1 << 23


class TrafficError(ValueError):
    """A traffic log cannot be loaded; the message names the file and, if known, the line."""


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_JSONL):
        return "jsonl"
    if name.endswith(_PARQUET):
        return "parquet"
    raise TrafficError(f"{path}: unsupported traffic log file type; expected one of {_JSONL + _PARQUET}")


def _resolve(path_or_paths: str | Path | Sequence[str | Path]) -> list[Path]:
    items = [path_or_paths] if isinstance(path_or_paths, str | Path) else list(path_or_paths)
    if not items:
        raise TrafficError("scan_traffic: no path given")
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(_JSONL + _PARQUET))
            if not found:
                raise TrafficError(f"{p}: directory holds no .jsonl/.ndjson/.parquet files")
            out += found
        elif any(c in str(item) for c in "*?["):
            found = sorted(Path(f) for f in globmod.glob(str(item), recursive=True))
            if not found:
                raise TrafficError(f"{item}: glob matches no files")
            out += found
        elif not p.exists():
            raise TrafficError(f"{p}: traffic log not found")
        else:
            out.append(p)
    kinds = {_kind(p) for p in out}
    if len(kinds) > 1:
        raise TrafficError(f"scan_traffic: mixed JSONL and Parquet files {[str(p) for p in out]}; scan them separately")
    return out


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _chunks(path: Path) -> Iterator[bytes]:
    with _open(path) as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _check_utf8(path: Path) -> None:
    """Raise naming the line and byte offset of the first byte sequence that is not UTF-8."""
    offset, lines, carry = 0, 1, b""

    def check(block: bytes) -> None:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError as err:
            line = lines + block.count(b"\n", 0, err.start)
            bad = block[err.start : err.start + 4]
            raise TrafficError(
                f"{path}, line {line} (byte {offset + err.start}): not valid UTF-8 "
                f"(bytes {bad!r}); re-encode the log as UTF-8"
            ) from None

    for chunk in _chunks(path):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1  # decode whole lines only, so no character is split
        block, carry = data[:cut], data[cut:]
        check(block)
        offset += len(block)
        lines += block.count(b"\n")
    check(carry)


def _nth_record_line(path: Path, row: int) -> int:
    """1-based line number of the ``row``-th (0-based) non-blank line of a JSONL file."""
    seen = -1
    with _open(path) as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                seen += 1
                if seen == row:
                    return number
    return -1


def _bad_json_line(path: Path) -> str:
    with _open(path) as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as err:
                return f"line {number}: not valid JSON ({err.msg}): {raw[:80]!r}"
            if not isinstance(obj, dict):
                return f"line {number}: expected a JSON object, got {type(obj).__name__}"
    return "could not be parsed"


def _scan_one(path: Path) -> pl.LazyFrame:
    if _kind(path) == "parquet":
        try:
            lf = pl.scan_parquet(path)
            lf.collect_schema()
        except Exception as err:  # polars raises several error types for a bad file
            raise TrafficError(f"{path}: not a readable Parquet file ({err})") from err
        return lf
    _check_utf8(path)
    try:
        lf = pl.scan_ndjson(path, infer_schema_length=10_000)
        lf.collect_schema()
    except Exception as err:
        raise TrafficError(f"{path}: {_bad_json_line(path)}") from err
    return lf


def _rename(lf: pl.LazyFrame, path: Path, columns: Mapping[str, str] | None) -> pl.LazyFrame:
    have = lf.collect_schema().names()
    mapping = dict(columns or {})
    for ours, theirs in mapping.items():
        if theirs not in have:
            raise TrafficError(
                f"{path}: no column {theirs!r} (mapped to {ours!r}); the log has columns {have}"
            )
    renamed = {theirs: ours for ours, theirs in mapping.items() if theirs != ours}
    lf = lf.rename(renamed) if renamed else lf
    names = lf.collect_schema().names()
    for req in REQUIRED:
        if req not in names:
            raise TrafficError(
                f"{path}: missing required column {req!r}; the log has columns {have}. "
                f"Map yours with columns={{{req!r}: '<your column>'}}"
            )
    return lf


def _epoch_to_us(lf: pl.LazyFrame) -> float:
    """Microseconds per unit of an epoch column, guessed from its first value's magnitude."""
    first = lf.select(pl.col("timestamp").drop_nulls().abs().first()).collect().item()
    if first is None or first < 1e11:
        return 1e6  # seconds (until the year 5138)
    if first < 1e14:
        return 1e3  # milliseconds
    if first < 1e17:
        return 1.0  # microseconds
    return 1e-3  # nanoseconds


def _parse_timestamp(lf: pl.LazyFrame, fmt: str | None) -> pl.Expr:
    dtype = lf.collect_schema()["timestamp"]
    ts = pl.col("timestamp")
    if dtype == pl.Utf8:
        return ts.str.to_datetime(format=fmt, strict=False, time_zone="UTC", time_unit="us")
    if isinstance(dtype, pl.Datetime):
        return ts.dt.convert_time_zone("UTC") if dtype.time_zone else ts.dt.replace_time_zone("UTC")
    if dtype == pl.Date:
        return ts.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if dtype.is_numeric():
        micros = (ts.cast(pl.Float64) * _epoch_to_us(lf)).round().cast(pl.Int64)
        return pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    raise TrafficError(f"timestamp column has type {dtype}; expected ISO strings, epoch numbers or datetimes")


def _check_timestamps(lf: pl.LazyFrame, parsed: pl.Expr, path: Path, fmt: str | None) -> None:
    bad = (
        lf.with_row_index("__row")
        .select("__row", pl.col("timestamp").cast(pl.Utf8).alias("__raw"), parsed.alias("__ts"))
        .filter(pl.col("__ts").is_null())
        .head(1)
        .collect(engine="streaming")
    )
    if bad.height == 0:
        return
    row, raw = bad["__row"][0], bad["__raw"][0]
    where = f"line {_nth_record_line(path, row)}" if _kind(path) == "jsonl" else f"row {row}"
    expected = f"format {fmt!r}" if fmt else "an ISO 8601 string or epoch number"
    what = "no timestamp" if raw is None else f"unparseable timestamp {raw!r}"
    raise TrafficError(f"{path}, {where}: {what}; expected {expected} (or pass timestamp_format=)")


def scan_traffic(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    timestamp_format: str | None = None,
) -> pl.LazyFrame:
    """Lazily load request logs, checked and with standard column names.

    Args:
        path_or_paths: a JSONL (``.jsonl``/``.ndjson``, optionally ``.gz``) or Parquet file, a glob,
            a directory, or a list of these (all of one format).
        columns: our name -> the log's name, for columns named differently, e.g.
            ``{"timestamp": "ts", "input": "prompt"}``. Standard names: ``STANDARD``; other
            columns are kept as they are. ``timestamp`` and ``input`` are required.
        timestamp_format: a strftime format for string timestamps (default: inferred ISO 8601).

    Returns:
        A LazyFrame with ``timestamp`` as ``Datetime("us", "UTC")`` and a string ``request_id``
        (the row index over all files, when the log has none).

    Raises:
        TrafficError: (a ValueError) naming the file and line for a missing column, an
            unparseable or missing timestamp, bytes that are not UTF-8 or a line that is not JSON.

    Example:
        >>> lf = scan_traffic("data/traffic.parquet")  # doctest: +SKIP
        >>> lf.select("timestamp", "input").head(3).collect()  # doctest: +SKIP
    """
    frames = []
    for path in _resolve(path_or_paths):
        lf = _rename(_scan_one(path), path, columns)
        parsed = _parse_timestamp(lf, timestamp_format)
        _check_timestamps(lf, parsed, path, timestamp_format)
        frames.append(lf.with_columns(parsed.alias("timestamp")))
    out = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
    if "request_id" in out.collect_schema().names():
        return out.with_columns(pl.col("request_id").cast(pl.Utf8))
    return out.with_row_index("request_id").with_columns(pl.col("request_id").cast(pl.Utf8))
