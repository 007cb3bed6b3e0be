"""``load_cases``: read a golden set from a file, a DataFrame, a HF dataset or a list of dicts."""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from workbench.cases._build import Fields, Locator, build
from workbench.cases._caseset import CaseSet
from workbench.cases._errors import CaseSetError

SUPPORTED_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")


def load_cases(source: Any, **fields: str) -> CaseSet:
    """Load and validate test cases; all-or-nothing.

    Args:
        source: A path to a ``.jsonl``/``.ndjson``, ``.json`` (a list of objects), ``.csv`` or
            ``.parquet`` file; a pandas or polars DataFrame (or polars LazyFrame); a HF
            ``datasets.Dataset``; or a list of dicts.
        **fields: Source column names for the case fields: ``id_field``, ``input_field``,
            ``reference_field``, ``context_field``, ``tags_field``. ``case_id`` is always
            accepted for ``id``. Every other column is metadata, typed as the source gives it.

    Returns:
        The cases, in source order.

    Raises:
        CaseSetError: Listing the problems found (file and line or row, case id, field).
        FileNotFoundError: If the path does not exist.

    Example:
        >>> cs = load_cases([{"id": 1, "question": "2+2?", "answer": 4, "tags": "math|easy"}],
        ...                 input_field="question", reference_field="answer")
        >>> cs["1"].input, cs["1"].reference, cs["1"].tags
        ('2+2?', '4', ('math', 'easy'))
    """
    if isinstance(source, CaseSet):
        Fields.from_kwargs(fields)
        return source
    if isinstance(source, str | os.PathLike):
        return _load_path(Path(source), str(source), Fields.from_kwargs(fields))
    if isinstance(source, pl.DataFrame | pl.LazyFrame):
        return CaseSet.from_polars(source, **fields)
    module, name = type(source).__module__, type(source).__name__
    if module.split(".")[0] == "pandas" and name == "DataFrame":
        return CaseSet.from_pandas(source, **fields)
    if module.split(".")[0] == "datasets":
        return _load_hf(source, name, Fields.from_kwargs(fields))
    if isinstance(source, list | tuple):
        return CaseSet.from_records(source, **fields)
    raise TypeError(
        f"load_cases() cannot read a {module}.{name}; pass a path ({', '.join(SUPPORTED_EXTENSIONS)}), "
        "a pandas or polars DataFrame, a datasets.Dataset or a list of dicts"
    )


def _load_path(path: Path, label: str, fields: Fields) -> CaseSet:
    if path.is_dir():
        inside = sorted(
            str(p) for p in path.iterdir() if p.suffix.lower() in SUPPORTED_EXTENSIONS and p.is_file()
        )
        holds = f"; it holds {', '.join(inside[:3])}{' ...' if len(inside) > 3 else ''}" if inside else ""
        raise CaseSetError(
            f"{label} is a directory; expected a file ({', '.join(SUPPORTED_EXTENSIONS)}){holds}",
            source=label,
        )
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise CaseSetError(
            f"{label}: unsupported file extension {path.suffix or '(none)'!r}; supported: {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    if not path.exists():
        raise FileNotFoundError(f"no such file: {label}")
    if path.stat().st_size == 0:
        raise CaseSetError(f"{label} is empty: no cases", source=label)
    if ext in (".jsonl", ".ndjson"):
        cases, frame = _load_jsonl(path, label, fields)
    elif ext == ".json":
        cases, frame = _load_json(path, label, fields)
    elif ext == ".csv":
        cases, frame = _load_csv(path, label, fields)
    else:
        cases, frame = _load_parquet(path, label, fields)
    return CaseSet._wrap(cases, frame, label)


def _read_text(path: Path, label: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CaseSetError(
            f"{label}:{line}: not valid UTF-8 (byte {e.start}); save the file as UTF-8", source=label
        ) from None


def _load_jsonl(path: Path, label: str, fields: Fields) -> Any:
    records: list[Any] = []
    line_numbers: list[int] = []
    problems: list[str] = []
    # Split on "\n" only: str.splitlines() would also split on U+2028 inside JSON strings.
    for lineno, line in enumerate(_read_text(path, label).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{label}:{lineno}: invalid JSON: {e.msg} (column {e.colno})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{label}:{lineno}: expected a JSON object, got {_json_type(obj)}")
            continue
        records.append(obj)
        line_numbers.append(lineno)
    if not records and not problems:
        raise CaseSetError(f"{label} is empty: no cases (only blank lines)", source=label)
    loc = Locator(label, "line", line_numbers.__getitem__)
    return build(records, loc, fields, problems=problems)


def _load_json(path: Path, label: str, fields: Fields) -> Any:
    text = _read_text(path, label)
    if not text.strip():
        raise CaseSetError(f"{label} is empty: no cases", source=label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CaseSetError(f"{label}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}", source=label) from None
    if not isinstance(data, list):
        keys = f" with keys {', '.join(map(repr, list(data)[:5]))}" if isinstance(data, dict) else ""
        raise CaseSetError(
            f"{label}: expected a JSON list of case objects, got {_json_type(data)}{keys} (for one object per line use .jsonl)",
            source=label,
        )
    if not data:
        raise CaseSetError(f"{label} is empty: the list has no cases", source=label)
    problems = [
        f"{label} item {i}: expected a JSON object, got {_json_type(item)}"
        for i, item in enumerate(data)
        if not isinstance(item, dict)
    ]
    records = [item for item in data if isinstance(item, dict)]
    positions = [i for i, item in enumerate(data) if isinstance(item, dict)]
    return build(records, Locator(label, "item", positions.__getitem__), fields, problems=problems)


def _load_csv(path: Path, label: str, fields: Fields) -> Any:
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    if not header:
        raise CaseSetError(f"{label} is empty: no header line", source=label)
    text_cols = {
        "id",
        "case_id",
        *(fields.source_name(f) for f in ("id", "input", "reference", "context", "tags")),
    }
    overrides = {c: pl.Utf8 for c in header if c in text_cols}
    try:
        df = pl.read_csv(path, schema_overrides=overrides, encoding="utf8")
    except pl.exceptions.NoDataError:
        raise CaseSetError(f"{label} is empty: no cases", source=label) from None
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as e:
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CaseSetError(f"{label}: could not parse CSV: {detail}", source=label) from None
    # polars reads a blank line as a row of nulls; skip those like blank JSONL lines.
    df = df.filter(~pl.all_horizontal(pl.all().is_null()))
    if df.height == 0:
        raise CaseSetError(f"{label} has a header but no cases", source=label)
    loc = Locator(label, "line", _CsvLines(path))
    return build(df.to_dicts(), loc, fields, columns=df.columns, meta_frame=df, text_source=True)


class _CsvLines:
    """Maps a CSV record index to the line it starts on (quoted fields may span lines); computed on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.starts: list[int] | None = None

    def __call__(self, i: int) -> int:
        if self.starts is None:
            self.starts = []
            with open(self.path, encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                next(reader, None)
                end = reader.line_num
                for row in reader:
                    if any(row):  # blank lines (and all-empty rows) are skipped, as in _load_csv
                        self.starts.append(end + 1)
                    end = reader.line_num
        return self.starts[i] if i < len(self.starts) else i + 2


def _load_parquet(path: Path, label: str, fields: Fields) -> Any:
    try:
        df = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as e:
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CaseSetError(f"{label}: could not read Parquet: {detail}", source=label) from None
    if df.height == 0:
        raise CaseSetError(f"{label} has no cases (0 rows)", source=label)
    return build(df.to_dicts(), Locator(label, "row"), fields, columns=df.columns, meta_frame=df)


def _load_hf(ds: Any, name: str, fields: Fields) -> CaseSet:
    if name.endswith("DatasetDict"):
        splits = ", ".join(map(repr, list(ds)))
        raise CaseSetError(
            f"got a datasets.{name} with splits {splits}; pass one split, e.g. ds[{next(iter(ds))!r}]"
        )
    if not hasattr(ds, "column_names"):
        raise TypeError(f"load_cases() cannot read a datasets.{name}")
    records = ds.to_list() if hasattr(ds, "to_list") else [dict(r) for r in ds]
    columns = list(ds.column_names) if ds.column_names is not None else None
    label = f"datasets.{name}"
    cases, frame = build(records, Locator(label), fields, columns=columns)
    return CaseSet._wrap(cases, frame, label)


def pandas_records(df: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of a pandas DataFrame as dicts of plain Python values (missing values as None)."""
    columns = list(df.columns)
    for c in columns:
        if not isinstance(c, str):
            raise CaseSetError(f"DataFrame column names must be strings, got {c!r}")
    dup = sorted({c for c in columns if columns.count(c) > 1})
    if dup:
        raise CaseSetError(f"DataFrame has duplicate columns: {', '.join(map(repr, dup))}")
    records = df.to_dict("records")
    return [{k: _py(v) for k, v in rec.items()} for rec in records], columns


def _py(value: Any) -> Any:
    """One pandas/numpy cell as a plain Python value."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, list | tuple):
        return [_py(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _py(v) for k, v in value.items()}
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        if hasattr(value, "tolist"):  # arrays and scalars
            import numpy as np

            if isinstance(value, np.datetime64 | np.timedelta64):
                if np.isnat(value):
                    return None
                import pandas as pd

                return (
                    pd.Timestamp(value).to_pydatetime()
                    if isinstance(value, np.datetime64)
                    else pd.Timedelta(value).to_pytimedelta()
                )
            return _py(value.tolist())
    if module == "pandas":
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        if isinstance(value, pd.Timedelta):
            return value.to_pytimedelta()
    if module == "pyarrow" and hasattr(value, "as_py"):
        return value.as_py()
    return value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
