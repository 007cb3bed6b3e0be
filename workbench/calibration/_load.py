"""Reading human labels (LABEL_COLUMNS) and candidate responses (a results-like frame) from files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl

from workbench._schema import LABEL_COLUMNS, polars_schema
from workbench._table import as_table

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_REQUIRED = ("case_id", "kind", "criterion", "rater", "created_at")
_RESULT_NULLS = {
    "latency_s": pl.Float64,
    "error_type": pl.Utf8,
    "error": pl.Utf8,
    "litellm_model": pl.Utf8,
}


class LabelFileError(ValueError):
    """A row of a human-label file that cannot be read: names the file, line and field."""


def _parse(raw: Any, kind: str, where: str, name: str) -> Any:
    """One field of a label row as its schema type (None for an empty optional field)."""
    if name == "run_id" and raw is None:
        return ""  # labels on cases alone
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and name != "run_id"):
        if kind.endswith("?"):
            return None
        raise LabelFileError(f"{where}, field {name!r}: is empty; expected a {kind} value")
    base = kind.rstrip("?")
    try:
        if base == "str":
            return str(raw)
        if base == "int":
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            return int(str(raw).strip())
        if base == "float":
            return float(raw)
        if base == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError
        if base == "datetime":
            when = dt.datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
            if when.tzinfo is None:
                raise LabelFileError(
                    f"{where}, field {name!r}: {raw!r} has no time zone; write UTC as '...Z' or '+00:00'"
                )
            return when.astimezone(dt.UTC)
    except LabelFileError:
        raise
    except (TypeError, ValueError):
        expected = {"bool": "true or false", "datetime": "an ISO timestamp"}.get(base, f"a {base}")
        raise LabelFileError(f"{where}, field {name!r}: expected {expected}, got {raw!r}") from None
    raise AssertionError(base)


def _check_row(row: dict[str, Any], where: str) -> None:
    if row["kind"] == "single":
        if row["model"] is None:
            raise LabelFileError(f"{where}, field 'model': a 'single' label needs the graded model")
    elif row["kind"] == "pairwise":
        for name in ("model_a", "model_b"):
            if row[name] is None:
                raise LabelFileError(f"{where}, field {name!r}: a 'pairwise' label needs both sides")
        if row["label"] not in ("a", "b", "tie"):
            raise LabelFileError(
                f"{where}, field 'label': a pairwise label is 'a', 'b' or 'tie', got {row['label']!r}"
            )
        if row["shown_first"] not in (None, "a", "b"):
            raise LabelFileError(
                f"{where}, field 'shown_first': expected 'a' or 'b', got {row['shown_first']!r}"
            )
    else:
        raise LabelFileError(f"{where}, field 'kind': expected 'single' or 'pairwise', got {row['kind']!r}")


def parse_label_rows(records: list[tuple[int, dict[str, Any]]], source: str) -> pl.DataFrame:
    """Validate raw label records ``(line, fields)`` and build the LABEL_COLUMNS frame."""
    rows = []
    for line, record in records:
        where = f"{source}, line {line}"
        for name in _REQUIRED:
            if name not in record:
                raise LabelFileError(
                    f"{where}: missing field {name!r}; expected the columns {list(LABEL_COLUMNS)}"
                )
        row = {name: _parse(record.get(name), kind, where, name) for name, kind in LABEL_COLUMNS.items()}
        if row["blind"] is None:
            raise LabelFileError(f"{where}, field 'blind': is empty; expected true or false")
        _check_row(row, where)
        rows.append(row)
    return pl.DataFrame(rows, schema=polars_schema(LABEL_COLUMNS))


def load_human_labels(path: str | Path) -> pl.DataFrame:
    """Human labels from a CSV or JSONL file in the ``LABEL_COLUMNS`` layout, with its dtypes.

    Empty optional fields are nulls; ``run_id`` may be empty (labels on cases alone). A bad row
    raises :class:`LabelFileError` naming the file, the line and the field.

    >>> labels = load_human_labels("data/human_labels.csv")        # doctest: +SKIP
    >>> labels.filter(kind="single").group_by("rater").len()        # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"human labels file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    records: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for line, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as err:
                raise LabelFileError(f"{path}, line {line}: not valid JSON ({err.msg})") from None
            if not isinstance(record, dict):
                raise LabelFileError(
                    f"{path}, line {line}: expected a JSON object, got {type(record).__name__}"
                )
            records.append((line, record))
    elif path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise LabelFileError(
                f"{path}, line 1: the header lacks {missing}; expected the columns {list(LABEL_COLUMNS)}"
            )
        for record in reader:
            records.append((reader.line_num, {k: v for k, v in record.items() if k is not None}))
    else:
        raise ValueError(f"human labels file {str(path)!r}: expected a .csv or .jsonl file")
    return parse_label_rows(records, str(path))


def load_candidate_responses(path: str | Path) -> pl.DataFrame:
    """Candidate responses (JSONL) as a results-like frame the judges accept.

    Columns: ``run_id``, ``case_id``, ``model``, ``variant``, ``sample``, ``output``, nulls for
    ``latency_s``, ``error_type``, ``error``, ``litellm_model``, and any extra fields (such as the
    hidden ``true_quality``) as they are.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"candidate responses file {str(path)!r} does not exist")
    rows = []
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}, line {line}: not valid JSON ({err.msg})") from None
        for name in ("case_id", "model", "output"):
            if not isinstance(record.get(name), str):
                raise ValueError(
                    f"{path}, line {line}, field {name!r}: expected a string, got {record.get(name)!r}"
                )
        sample = record.get("sample", 0)
        if isinstance(sample, bool) or not isinstance(sample, int):
            raise ValueError(f"{path}, line {line}, field 'sample': expected an integer, got {sample!r}")
        rows.append({"run_id": "", "variant": "default", "sample": 0, **record})
    frame = pl.DataFrame(rows, infer_schema_length=None)
    frame = frame.with_columns(
        pl.col("run_id").cast(pl.Utf8), pl.col("variant").cast(pl.Utf8), pl.col("sample").cast(pl.Int64)
    )
    extra = [
        c for c in frame.columns if c not in ("run_id", "case_id", "model", "variant", "sample", "output")
    ]
    nulls = [pl.lit(None, dtype=t).alias(c) for c, t in _RESULT_NULLS.items() if c not in frame.columns]
    return frame.with_columns(nulls).select(
        "run_id",
        "case_id",
        "model",
        "variant",
        "sample",
        "output",
        *_RESULT_NULLS,
        *[c for c in extra if c not in _RESULT_NULLS],
    )


def as_labels(labels: Any, param: str = "human_labels", func: str | None = None) -> pl.DataFrame:
    """A label table (any table :func:`workbench._table.as_table` takes, or the path of a label
    file) as polars, with the columns calibration needs."""
    if isinstance(labels, str | Path):
        return load_human_labels(labels)
    return as_table(
        labels,
        param=param,
        func=func,
        columns=("case_id", "rater", "label"),
        expected=f"human labels in the LABEL_COLUMNS layout ({', '.join(LABEL_COLUMNS)}) or a label file",
    )
