"""scan_traffic: lazy JSONL/Parquet loading, column mapping, timestamps, and errors that name the spot."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import polars as pl
import pytest

from workbench.traffic import TrafficError, scan_traffic

UTC = dt.UTC


def write_jsonl(path: Path, rows: list[dict], blank_after: int | None = None) -> Path:
    lines = [json.dumps(r) for r in rows]
    if blank_after is not None:
        lines.insert(blank_after, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ROWS = [
    {
        "ts": "2026-09-01T10:00:00Z",
        "prompt": "How do I cancel?",
        "completion": "Settings > Billing",
        "m": "a",
    },
    {"ts": "2026-09-01T12:30:00+02:00", "prompt": "Refund?", "completion": "Within 30 days", "m": "b"},
]
MAPPING = {"timestamp": "ts", "input": "prompt", "output": "completion", "model": "m"}


def test_jsonl_is_lazy_mapped_and_timestamps_are_utc(tmp_path: Path) -> None:
    lf = scan_traffic(write_jsonl(tmp_path / "log.jsonl", ROWS), columns=MAPPING)
    assert isinstance(lf, pl.LazyFrame)
    df = lf.collect()
    assert df.columns == ["request_id", "timestamp", "input", "output", "model"]
    assert df.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert df["timestamp"].to_list() == [
        dt.datetime(2026, 9, 1, 10, tzinfo=UTC),
        dt.datetime(2026, 9, 1, 10, 30, tzinfo=UTC),
    ]
    assert df["request_id"].to_list() == ["0", "1"]
    assert df["input"].to_list() == ["How do I cancel?", "Refund?"]


def test_parquet_file_directory_and_glob(tmp_path: Path) -> None:
    base = pl.DataFrame(
        {
            "request_id": ["r1", "r2"],
            "input": ["a", "b"],
            "timestamp": [dt.datetime(2026, 9, 1), dt.datetime(2026, 9, 2)],
        }
    )
    (tmp_path / "logs").mkdir()
    base.write_parquet(tmp_path / "logs" / "part-0.parquet")
    base.with_columns(pl.lit("c").alias("input")).write_parquet(tmp_path / "logs" / "part-1.parquet")
    one = scan_traffic(tmp_path / "logs" / "part-0.parquet").collect()
    assert one["request_id"].to_list() == ["r1", "r2"]
    assert one["timestamp"][0] == dt.datetime(2026, 9, 1, tzinfo=UTC)
    assert scan_traffic(tmp_path / "logs").collect()["input"].to_list() == ["a", "b", "c", "c"]
    assert scan_traffic(str(tmp_path / "logs" / "*.parquet")).collect().height == 4


def test_epoch_seconds_and_milliseconds(tmp_path: Path) -> None:
    sec = write_jsonl(tmp_path / "s.jsonl", [{"timestamp": 1788256800, "input": "x"}])
    ms = write_jsonl(tmp_path / "ms.ndjson", [{"timestamp": 1788256800500, "input": "x"}])
    expected = dt.datetime(2026, 9, 1, 10, tzinfo=UTC)
    assert scan_traffic(sec).collect()["timestamp"][0] == expected
    assert scan_traffic(ms).collect()["timestamp"][0] == expected + dt.timedelta(milliseconds=500)


def test_gzipped_jsonl_and_explicit_format(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"when": "01/09/2026 10:00", "input": "hi"}) + "\n")
    df = scan_traffic(path, columns={"timestamp": "when"}, timestamp_format="%d/%m/%Y %H:%M").collect()
    assert df["timestamp"][0] == dt.datetime(2026, 9, 1, 10, tzinfo=UTC)


def test_missing_column_names_the_file_the_column_and_what_is_there(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "log.jsonl", ROWS)
    with pytest.raises(
        TrafficError, match=r"log\.jsonl: missing required column 'timestamp'.*'ts', 'prompt'"
    ):
        scan_traffic(path)
    with pytest.raises(TrafficError, match=r"log\.jsonl: no column 'query' \(mapped to 'input'\)"):
        scan_traffic(path, columns={"timestamp": "ts", "input": "query"})
    assert issubclass(TrafficError, ValueError)


def test_unparseable_timestamp_names_the_line_and_value(tmp_path: Path) -> None:
    rows = [
        {"timestamp": "2026-09-01T10:00:00Z", "input": "a"},
        {"timestamp": "2026-09-01T11:00:00Z", "input": "b"},
        {"timestamp": "yesterday-ish", "input": "c"},
    ]
    path = write_jsonl(tmp_path / "log.jsonl", rows, blank_after=1)  # the bad record is on line 4
    result = None
    with pytest.raises(TrafficError, match=r"log\.jsonl, line 4: unparseable timestamp 'yesterday-ish'"):
        result = scan_traffic(path)
    assert result is None


def test_missing_timestamp_value_is_an_error_too(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "log.jsonl", [{"timestamp": "2026-09-01", "input": "a"}, {"timestamp": None, "input": "b"}]
    )
    with pytest.raises(TrafficError, match=r"line 2: no timestamp"):
        scan_traffic(path)


def test_parquet_bad_timestamp_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pl.DataFrame({"timestamp": ["2026-09-01", "31/31/2026"], "input": ["a", "b"]}).write_parquet(path)
    with pytest.raises(TrafficError, match=r"log\.parquet, row 1: unparseable timestamp '31/31/2026'"):
        scan_traffic(path)


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    good = json.dumps({"timestamp": "2026-09-01", "input": "fine"}).encode()
    bad = b'{"timestamp": "2026-09-01", "input": "caf\xe9"}'
    path.write_bytes(good + b"\n" + good + b"\n" + bad + b"\n")
    result = None
    with pytest.raises(TrafficError, match=r"log\.jsonl, line 3 \(byte \d+\): not valid UTF-8"):
        result = scan_traffic(path)
    assert result is None


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"timestamp": "2026-09-01", "input": "a"}\n{"timestamp": "2026-09-01", "input": \n')
    with pytest.raises(TrafficError, match=r"log\.jsonl, line 2: not valid JSON"):
        scan_traffic(path)


def test_paths_that_do_not_exist_or_mix_formats(tmp_path: Path) -> None:
    with pytest.raises(TrafficError, match="not found"):
        scan_traffic(tmp_path / "nope.jsonl")
    with pytest.raises(TrafficError, match="unsupported traffic log file type"):
        (tmp_path / "log.csv").write_text("a\n")
        scan_traffic(tmp_path / "log.csv")
    write_jsonl(tmp_path / "a.jsonl", [{"timestamp": "2026-09-01", "input": "a"}])
    pl.DataFrame({"timestamp": ["2026-09-01"], "input": ["a"]}).write_parquet(tmp_path / "b.parquet")
    with pytest.raises(TrafficError, match="mixed JSONL and Parquet"):
        scan_traffic([tmp_path / "a.jsonl", tmp_path / "b.parquet"])


def _big(tmp_path: Path, last: str, n: int = 20_000) -> Path:
    """``n`` good records, then ``last`` as line ``n + 1``: past the 10,000 lines polars infers from."""
    good = json.dumps({"timestamp": "2026-09-01T10:00:00Z", "input": "hi", "latency_s": 1.5})
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join([good] * n + [last]) + "\n", encoding="utf-8")
    return path


def test_malformed_line_20001_names_the_file_and_line(tmp_path: Path) -> None:
    path = _big(tmp_path, '{"timestamp": "2026-09-01T10:00:00Z", "input": ')
    result = None
    with pytest.raises(
        TrafficError, match=r"big\.jsonl, line 20001: not valid JSON .*expected one JSON object per line"
    ):
        result = scan_traffic(path)
    assert result is None


def test_wrong_type_on_line_20001_names_the_line_column_and_type(tmp_path: Path) -> None:
    path = _big(tmp_path, '{"timestamp": "2026-09-01T10:00:00Z", "input": "hi", "latency_s": "slow"}')
    with pytest.raises(
        TrafficError, match=r"big\.jsonl, line 20001: column 'latency_s' is 'slow'; expected a number"
    ):
        scan_traffic(path)
    path = _big(tmp_path, "[1, 2]")
    with pytest.raises(TrafficError, match=r"big\.jsonl, line 20001: expected a JSON object, got a list"):
        scan_traffic(path)


def test_a_column_null_in_the_first_lines_takes_later_values(tmp_path: Path) -> None:
    rows = [{"timestamp": "2026-09-01", "input": "a", "feedback": None}] * 10_001
    rows.append({"timestamp": "2026-09-01", "input": "b", "feedback": "thumbs_up"})
    df = scan_traffic(write_jsonl(tmp_path / "log.jsonl", rows)).collect()
    assert df["feedback"].to_list()[-2:] == [None, "thumbs_up"]


def test_utf8_bom_is_read_like_any_file(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(r) for r in ROWS).encode() + b"\n")
    df = scan_traffic(path, columns=MAPPING).collect()
    assert df["input"].to_list() == ["How do I cancel?", "Refund?"]
    assert df["timestamp"][1] == dt.datetime(2026, 9, 1, 10, 30, tzinfo=UTC)
    gz = tmp_path / "bom.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert scan_traffic(gz, columns=MAPPING).collect()["input"].to_list() == ["How do I cancel?", "Refund?"]
    bad = tmp_path / "bad_bom.jsonl"
    bad.write_bytes(b"\xef\xbb\xbf" + json.dumps({"timestamp": "nope", "input": "x"}).encode() + b"\n")
    with pytest.raises(TrafficError, match=r"bad_bom\.jsonl, line 1: unparseable timestamp 'nope'"):
        scan_traffic(bad)


def test_empty_file_says_empty_and_what_was_expected(tmp_path: Path) -> None:
    for name, content in (
        ("empty.jsonl", b""),
        ("blank.jsonl", b"\n  \n\n"),
        ("bom_only.jsonl", b"\xef\xbb\xbf"),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(
            TrafficError,
            match=rf"{name}, line 1: the file is empty.*expected one JSON object "
            r"per line with at least the columns 'timestamp' and 'input'",
        ):
            scan_traffic(path)
    gz = tmp_path / "empty.jsonl.gz"
    gz.write_bytes(gzip.compress(b""))
    with pytest.raises(TrafficError, match=r"empty\.jsonl\.gz, line 1: the file is empty"):
        scan_traffic(gz)
