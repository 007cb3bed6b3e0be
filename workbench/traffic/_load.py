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
from typing import IO, Any, cast

import polars as pl

REQUIRED = ("timestamp", "input")
STANDARD = (
    "request_id",
    "timestamp",
    "session_id",
    "user_id",
    "input",
    "output",
    "model",
    "latency_s",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "feedback",
)
_JSONL = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_PARQUET = (".parquet", ".pq")
_CHUNK = 1 << 23
_BOM = b"\xef\xbb\xbf"
#: lines polars reads to infer the column types of a JSONL file
_INFER = 10_000
_EXPECTED = (
    "expected one JSON object per line with at least the columns 'timestamp' and 'input' "
    "(map other names with columns=)"
)


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
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(_JSONL + _PARQUET)
            )
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
        raise TrafficError(
            f"scan_traffic: mixed JSONL and Parquet files {[str(p) for p in out]}; scan them separately"
        )
    return out


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _chunks(path: Path) -> Iterator[bytes]:
    with _open(path) as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, bytes) of every line, the byte-order mark of line 1 left out."""
    with _open(path) as fh:
        for number, raw in enumerate(fh, start=1):
            yield number, raw[len(_BOM) :] if number == 1 and raw.startswith(_BOM) else raw


def _check_text(path: Path) -> bool:
    """Check a JSONL file is UTF-8 and not empty, in one streaming pass; True if it starts with a BOM.

    Raises naming the line and byte offset of the first byte sequence that is not UTF-8.
    """
    offset, lines, carry = 0, 1, b""
    bom: bool | None = None
    content = False

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
        if bom is None and len(data) >= len(_BOM):
            bom = data.startswith(_BOM)
        if not content:
            content = bool(data[len(_BOM) if bom else 0 :].strip())
        cut = data.rfind(b"\n") + 1  # decode whole lines only, so no character is split
        block, carry = data[:cut], data[cut:]
        check(block)
        offset += len(block)
        lines += block.count(b"\n")
    check(carry)
    if not content:
        content = bool(carry.removeprefix(_BOM).strip())
    if not content:
        raise TrafficError(f"{path}, line 1: the file is empty (no requests); {_EXPECTED}")
    return bool(bom)


def _nth_record_line(path: Path, row: int) -> int:
    """1-based line number of the ``row``-th (0-based) non-blank line of a JSONL file."""
    seen = -1
    for number, raw in _lines(path):
        if raw.strip():
            seen += 1
            if seen == row:
                return number
    return -1


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _fits(value: Any, dtype: Any) -> bool:
    """Whether polars reads a JSON ``value`` into a column of ``dtype`` (as it infers them)."""
    if value is None or dtype == pl.String:
        return True
    if dtype == pl.Boolean:
        return isinstance(value, bool)
    if dtype.is_integer():
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    if dtype.is_float():
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(dtype, pl.List):
        return isinstance(value, list) and all(_fits(v, dtype.inner) for v in value)
    if isinstance(dtype, pl.Struct):
        return isinstance(value, dict) and all(_fits(value.get(f.name), f.dtype) for f in dtype.fields)
    return True


def _kind_of(dtype: Any) -> str:
    if dtype == pl.Boolean:
        return "true or false"
    if dtype.is_integer():
        return "an integer"
    if dtype.is_numeric():
        return "a number"
    if isinstance(dtype, pl.List):
        return "a list"
    if isinstance(dtype, pl.Struct):
        return "an object"
    return f"a {dtype} value"


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _bad_line(path: Path, schema: pl.Schema | None) -> str | None:
    """What is wrong with the first line polars cannot read (JSON syntax, not an object, or a value of
    another type than the column's), as ``line N: ...``; None when every line looks readable."""
    for number, raw in _lines(path):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw, parse_constant=_reject_constant)
        except ValueError as err:  # JSONDecodeError, NaN/Infinity, bytes that are not UTF-8
            reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            return f"line {number}: not valid JSON ({reason}): {raw[:80]!r}; {_EXPECTED}"
        if not isinstance(obj, dict):
            return f"line {number}: expected a JSON object, got {_json_type(obj)}: {raw[:80]!r}"
        for name, dtype in (schema or {}).items():
            value = obj.get(name)
            if not _fits(value, dtype):
                return (
                    f"line {number}: column {name!r} is {_short(value)}; expected {_kind_of(dtype)} "
                    f"like the lines before (a column's type is inferred from the first "
                    f"{_INFER:,} lines)"
                )
    return None


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _unreadable(path: Path, err: Exception, schema: pl.Schema | None = None) -> TrafficError:
    """The TrafficError for a JSONL file polars failed to read: the line at fault, found in Python."""
    if _kind(path) == "parquet":
        return TrafficError(f"{path}: not a readable Parquet file ({err})")
    found = _bad_line(path, schema)
    if found is not None:
        return TrafficError(f"{path}, {found}")
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return TrafficError(f"{path}: could not be read ({detail}); {_EXPECTED}")


def _scan_ndjson(path: Path, bom: bool) -> pl.LazyFrame:
    # polars cannot skip a byte-order mark: such a file (rare, and small: Windows tools write
    # them) is handed over as bytes without it, read into memory.
    source: Any = path
    if bom:
        with _open(path) as fh:
            fh.read(len(_BOM))
            source = fh.read()
    lf = pl.scan_ndjson(source, infer_schema_length=_INFER)
    # a column that is null in every inferred line would reject the first value after them
    nulls = {name: pl.String for name, dtype in lf.collect_schema().items() if dtype == pl.Null}
    return pl.scan_ndjson(source, infer_schema_length=_INFER, schema_overrides=nulls) if nulls else lf


def _scan_one(path: Path) -> pl.LazyFrame:
    if _kind(path) == "parquet":
        try:
            lf = pl.scan_parquet(path)
            lf.collect_schema()
        except Exception as err:  # polars raises several error types for a bad file
            raise TrafficError(f"{path}: not a readable Parquet file ({err})") from err
        return lf
    bom = _check_text(path)
    try:
        return _scan_ndjson(path, bom)
    except pl.exceptions.PolarsError as err:
        raise _unreadable(path, err) from None


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


def _epoch_to_us(lf: pl.LazyFrame, path: Path, raw: pl.LazyFrame) -> float:
    """Microseconds per unit of an epoch column, guessed from its first value's magnitude."""
    try:
        first = lf.select(pl.col("timestamp").drop_nulls().abs().first()).collect().item()
    except pl.exceptions.PolarsError as err:
        raise _unreadable(path, err, raw.collect_schema()) from None
    if first is None or first < 1e11:
        return 1e6  # seconds (until the year 5138)
    if first < 1e14:
        return 1e3  # milliseconds
    if first < 1e17:
        return 1.0  # microseconds
    return 1e-3  # nanoseconds


def _parse_timestamp(lf: pl.LazyFrame, fmt: str | None, path: Path, raw: pl.LazyFrame) -> pl.Expr:
    dtype = lf.collect_schema()["timestamp"]
    ts = pl.col("timestamp")
    if dtype == pl.Utf8:
        return ts.str.to_datetime(format=fmt, strict=False, time_zone="UTC", time_unit="us")
    if isinstance(dtype, pl.Datetime):
        return ts.dt.convert_time_zone("UTC") if dtype.time_zone else ts.dt.replace_time_zone("UTC")
    if dtype == pl.Date:
        return ts.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if dtype.is_numeric():
        micros = (ts.cast(pl.Float64) * _epoch_to_us(lf, path, raw)).round().cast(pl.Int64)
        return pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    raise TrafficError(
        f"{path}: the timestamp column has type {dtype}; expected ISO strings, epoch numbers or datetimes"
    )


def _check_rows(lf: pl.LazyFrame, parsed: pl.Expr, path: Path, fmt: str | None, raw: pl.LazyFrame) -> None:
    """One streaming pass over the whole file: every value of every column reads (so the frame
    returned never fails later on a line past the ones polars inferred the types from) and every
    timestamp parses."""
    names = lf.collect_schema().names()
    try:
        found = (
            lf.with_row_index("__row")
            .select(
                pl.col("__row").filter(parsed.is_null()).first().alias("__bad"),
                pl.col("timestamp").cast(pl.Utf8).filter(parsed.is_null()).first().alias("__value"),
                *[pl.col(c).null_count().alias(f"__n{i}") for i, c in enumerate(names)],
            )
            .collect(engine="streaming")
        )
    except pl.exceptions.PolarsError as err:
        raise _unreadable(path, err, raw.collect_schema()) from None
    row, value = found["__bad"][0], found["__value"][0]
    if row is None:
        return
    where = f"line {_nth_record_line(path, row)}" if _kind(path) == "jsonl" else f"row {row}"
    expected = f"format {fmt!r}" if fmt else "an ISO 8601 string or epoch number"
    what = "no timestamp" if value is None else f"unparseable timestamp {value!r}"
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

    Every line is read once here (a streaming pass, one column at a time in memory), so a bad line
    anywhere in the file raises now, naming it, and not later from ``collect()``. A file that
    starts with a UTF-8 byte-order mark is read like any other (but into memory, as polars
    cannot skip the mark). A column that is null in the first 10,000 lines is read as text.

    Raises:
        TrafficError: (a ValueError) naming the file and line, and what was expected, for an
            empty file, a missing column, an unparseable or missing timestamp, bytes that are not
            UTF-8, a line that is not a JSON object or a value of another type than its column's.

    Example:
        >>> lf = scan_traffic("data/traffic.parquet")  # doctest: +SKIP
        >>> lf.select("timestamp", "input").head(3).collect()  # doctest: +SKIP
    """
    frames = []
    for path in _resolve(path_or_paths):
        raw = _scan_one(path)
        lf = _rename(raw, path, columns)
        parsed = _parse_timestamp(lf, timestamp_format, path, raw)
        _check_rows(lf, parsed, path, timestamp_format, raw)
        frames.append(lf.with_columns(parsed.alias("timestamp")))
    out = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
    if "request_id" in out.collect_schema().names():
        return out.with_columns(pl.col("request_id").cast(pl.Utf8))
    return out.with_row_index("request_id").with_columns(pl.col("request_id").cast(pl.Utf8))
