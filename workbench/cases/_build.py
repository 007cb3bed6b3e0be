"""Turn raw records (dicts from a file or a DataFrame) into validated cases and their polars frame.

Everything is validated before anything is returned: problems are collected across all records and
raised together as one :class:`CaseSetError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.cases._case import (
    RESERVED,
    Case,
    FieldError,
    describe,
    normalize_context,
    normalize_id,
    normalize_input,
    normalize_reference,
    normalize_tags,
)
from workbench.cases._errors import CaseSetError

_FIELDS = ("id", "input", "reference", "context", "tags")
_MAX_DUPLICATES_LISTED = 20


@dataclass(frozen=True)
class Fields:
    """Which source column holds each case field (``load_cases(..., input_field="question")``)."""

    id: str | None = None  # None: "id", or its alias "case_id"
    input: str = "input"
    reference: str = "reference"
    context: str = "context"
    tags: str = "tags"

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> Fields:
        names = {f"{f}_field": f for f in _FIELDS}
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            raise TypeError(
                f"unexpected keyword argument {unknown[0]!r}; expected one of: {', '.join(names)}"
            )
        for key, value in kwargs.items():
            if not isinstance(value, str) or not value:
                raise TypeError(f"{key} must be a non-empty column name, got {value!r}")
        return cls(**{names[k]: v for k, v in kwargs.items()})

    def source_name(self, field: str) -> str:
        return getattr(self, field) or field


@dataclass
class Locator:
    """Names where a record came from: ``cases.jsonl:3``, ``cases.parquet row 2``, ``row 2``."""

    name: str | None
    unit: str = "row"  # "line", "row" or "item"
    number: Callable[[int], int] = lambda i: i
    what: str = "the records"  # names an in-memory source in whole-source problems

    def where(self, i: int) -> str:
        if self.unit == "line" and self.name:
            return f"{self.name}:{self.number(i)}"
        prefix = f"{self.name} " if self.name else ""
        return f"{prefix}{self.unit} {self.number(i)}"

    def numbers(self, indices: Sequence[int]) -> str:
        unit = self.unit if len(indices) == 1 else self.unit + "s"
        return f"{unit} {', '.join(str(self.number(i)) for i in indices)}"


def build(
    records: Sequence[Mapping[str, Any]],
    loc: Locator,
    fields: Fields,
    *,
    columns: Sequence[str] | None = None,
    meta_frame: pl.DataFrame | None = None,
    problems: Sequence[str] = (),
    text_source: bool = False,
) -> tuple[tuple[Case, ...], pl.DataFrame]:
    """Validate ``records`` and return the cases and their frame, or raise :class:`CaseSetError`.

    Args:
        records: One mapping per case.
        loc: Names each record's position in error messages.
        fields: Source column names of the case fields.
        columns: All column names, for tabular sources (default: union of the records' keys).
        meta_frame: The source frame, whose metadata columns are kept with their dtypes.
        problems: Problems already found while reading (malformed lines), reported first.
        text_source: The source only holds strings (CSV): a context string that is a JSON list
            of strings is decoded, and ``is_chat`` may be ``"true"``/``"false"``.
    """
    problems = list(problems)
    where_all = loc.name or loc.what
    if not records and not problems:
        raise CaseSetError(f"no cases in {where_all}", source=loc.name)
    if columns is None:
        columns = list(dict.fromkeys(k for r in records for k in r))
    bad_names = [c for c in columns if not isinstance(c, str)]
    if bad_names:
        raise CaseSetError(
            f"{where_all}: column names must be strings, got {bad_names[0]!r}", source=loc.name
        )
    cols = set(columns)

    # Column-level problems are reported once, not once per record.
    id_keys: list[str] = [fields.id] if fields.id else [k for k in ("id", "case_id") if k in cols] or ["id"]
    if len(id_keys) == 2:
        problems.append(
            f"{where_all}: both 'id' and 'case_id' are present; keep one ('case_id' is an alias of 'id')"
        )
    for field in _FIELDS:
        name = fields.source_name(field)
        clashing = [field] + (["case_id"] if field == "id" else [])
        for other in clashing:
            if getattr(fields, field) and other != name and other in cols:
                problems.append(
                    f"{where_all}: column {other!r} clashes with {field}_field={name!r}; drop or rename it"
                )
    missing_columns = set()
    for field, key in (("id", id_keys[0]), ("input", fields.input)):
        if columns and key not in cols:
            missing_columns.add(field)
            hint = f"; pass {field}_field=... to use another column" if records else ""
            problems.append(
                f"{where_all}: no {key!r} field in any case; fields are: {', '.join(map(str, columns))}{hint}"
            )
    consumed = {*id_keys, "id", "case_id", *(fields.source_name(f) for f in _FIELDS[1:]), "is_chat"}
    meta_names = [c for c in columns if c not in consumed and c not in RESERVED]

    cases: list[Case] = []
    seen: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        case, rec_problems = _build_one(
            i, rec, loc, fields, id_keys, missing_columns, meta_names, text_source
        )
        problems += rec_problems
        if case is not None:
            cases.append(case)
            seen.setdefault(case.id, []).append(i)
    dup = {cid: idx for cid, idx in seen.items() if len(idx) > 1}
    if dup:
        problems.append(_duplicates_message(dup, loc))
    if problems:
        raise CaseSetError(problems, source=loc.name)
    frame = make_frame(cases, meta_names, loc, meta_frame=meta_frame)
    return tuple(cases), frame


def _build_one(
    i: int,
    rec: Mapping[str, Any],
    loc: Locator,
    fields: Fields,
    id_keys: list[str],
    missing_columns: set[str],
    meta_names: list[str],
    text_source: bool,
) -> tuple[Case | None, list[str]]:
    # Problems are collected without their location, which is formatted only when needed
    # (a CSV location re-reads the file).
    problems: list[str] = []
    id_key = (
        id_keys[0] if len(id_keys) == 1 else next((k for k in id_keys if rec.get(k) is not None), id_keys[0])
    )
    case_id = None
    raw_id = rec.get(id_key)
    if raw_id is None:
        if "id" not in missing_columns:
            problems.append(f"missing required field {id_key!r}")
    else:
        try:
            case_id = normalize_id(raw_id)
        except FieldError as e:
            problems.append(f"field {id_key!r} {e.message}")

    raw_input = rec.get(fields.input)
    value_input = None
    if raw_input is None:
        if "input" not in missing_columns:
            problems.append(f"missing required field {fields.input!r}")
    else:
        try:
            if isinstance(raw_input, str) and _is_chat(rec.get("is_chat"), text_source):
                try:
                    raw_input = json.loads(raw_input)
                except json.JSONDecodeError as e:
                    msg = f"is marked is_chat but is not a JSON message list ({e.msg})"
                    raise FieldError("input", msg) from None
            value_input = normalize_input(raw_input)
        except FieldError as e:
            problems.append(f"field {fields.input!r} {e.message}")
        except ValueError as e:
            problems.append(str(e))

    values: list[Any] = []
    for field, normalize in (
        ("reference", normalize_reference),
        ("context", normalize_context),
        ("tags", normalize_tags),
    ):
        name = fields.source_name(field)
        raw = rec.get(name)
        if text_source and field == "context" and isinstance(raw, str):
            raw = _maybe_json_list(raw)
        try:
            values.append(normalize(raw))
        except FieldError as e:
            problems.append(f"field {name!r} {e.message}")
    if problems:
        where = loc.where(i)
        label = f"{where} (case {case_id!r})" if case_id is not None else where
        return None, [f"{label}: {p}" for p in problems]
    if case_id is None or value_input is None:  # a whole column is missing: reported once already
        return None, []
    metadata = {k: rec.get(k) for k in meta_names}
    reference, context, tags = values
    return Case._trusted(case_id, value_input, reference, context, tags, metadata), []


def _is_chat(value: Any, text_source: bool) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if text_source and isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", ""):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"field 'is_chat' must be true or false, got {describe(value)}")


def _maybe_json_list(text: str) -> Any:
    if text.lstrip().startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return text


def _duplicates_message(dup: dict[str, list[int]], loc: Locator) -> str:
    items = [f"{cid!r} ({loc.numbers(idx)})" for cid, idx in list(dup.items())[:_MAX_DUPLICATES_LISTED]]
    more = f", and {len(dup) - _MAX_DUPLICATES_LISTED} more" if len(dup) > _MAX_DUPLICATES_LISTED else ""
    where = f" in {loc.name}" if loc.name else ""
    return f"duplicate case ids{where}: {', '.join(items)}{more}"


def make_frame(
    cases: Sequence[Case],
    meta_names: Sequence[str],
    loc: Locator,
    *,
    meta_frame: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The tabular view of ``cases`` (see :meth:`CaseSet.to_polars` for the columns)."""
    core = pl.DataFrame(
        {
            "case_id": [c.id for c in cases],
            "input": [
                c.input if isinstance(c.input, str) else json.dumps(c.messages(), ensure_ascii=False)
                for c in cases
            ],
            "is_chat": [c.is_chat for c in cases],
            "reference": [c.reference for c in cases],
        },
        schema={"case_id": pl.Utf8, "input": pl.Utf8, "is_chat": pl.Boolean, "reference": pl.Utf8},
    ).with_columns(
        _string_lists("context", [c.context for c in cases]),
        _string_lists("tags", [c.tags for c in cases]),
    )
    if not meta_names:
        return core
    if meta_frame is not None:
        meta = meta_frame.select(meta_names)
    else:
        meta = pl.DataFrame(
            [_meta_series(name, [c.metadata.get(name) for c in cases], loc) for name in meta_names]
        )
    return pl.concat([core, meta], how="horizontal")


def _string_lists(name: str, values: list[tuple[str, ...]]) -> pl.Series:
    """A ``List(Utf8)`` column, built from one flat column (polars' per-row list path is ~5x slower)."""
    rows: list[int] = []
    flat: list[str | None] = []
    for i, items in enumerate(values):
        if items:
            rows.extend([i] * len(items))
            flat.extend(items)
        else:  # a null placeholder keeps the row; dropped below
            rows.append(i)
            flat.append(None)
    if not rows:
        return pl.Series(name, [], dtype=pl.List(pl.Utf8))
    long = pl.DataFrame({"row": rows, name: flat}, schema={"row": pl.Int64, name: pl.Utf8})
    return long.group_by("row", maintain_order=True).agg(pl.col(name)).get_column(name).list.drop_nulls()


def _meta_series(name: str, values: list[Any], loc: Locator) -> pl.Series:
    try:
        return pl.Series(name, values, strict=True)
    except Exception:  # noqa: BLE001 -- polars raises several types for mixed values
        pass
    first_of: dict[str, int] = {}
    for i, v in enumerate(values):
        if v is not None:
            first_of.setdefault(type(v).__name__, i)
    if set(first_of) <= {"int", "float"}:
        return pl.Series(name, values, dtype=pl.Float64, strict=False)
    if len(first_of) == 1 and set(first_of) <= {"dict", "list"}:
        try:
            # e.g. dicts whose keys differ between rows: polars widens the struct.
            return pl.Series(name, values, strict=False)
        except Exception:  # noqa: BLE001
            pass
    kinds = ", ".join(f"{kind} ({loc.where(i)})" for kind, i in first_of.items())
    raise CaseSetError(
        f"metadata field {name!r} mixes types: {kinds}; give the field one type in every case",
        source=loc.name,
    )
