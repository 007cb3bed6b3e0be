"""Input normalisation: a long label table -> an items x raters matrix of category codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import polars as pl

from workbench._table import as_table, require_columns

#: A level of measurement of the labels.
Level = Literal["nominal", "ordinal", "interval", "ratio"]
#: The ``level`` option: a level, or "auto" (ordinal when every label is a number, else nominal).
LevelOption = Literal["auto", "nominal", "ordinal", "interval", "ratio"]
#: Cohen's kappa disagreement weights (None: unweighted).
Weights = Literal["linear", "quadratic"]

#: Levels of measurement that need an order (or numeric values) on the categories.
ORDERED_LEVELS: tuple[Level, ...] = ("ordinal", "interval", "ratio")
LEVELS: tuple[Level, ...] = get_args(Level)
LEVEL_OPTIONS: tuple[LevelOption, ...] = get_args(LevelOption)
WEIGHTS: tuple[Weights | None, ...] = (None, *get_args(Weights))

#: The one description of ``level``, repeated in the docstring of every function that takes it.
LEVEL_DOC = (
    'the labels\' level of measurement: "nominal", "ordinal", "interval" or "ratio"; "auto" '
    '(the default) is "ordinal" when every label is a number, else "nominal". The result records '
    "the level used."
)


@dataclass(frozen=True)
class Ratings:
    """Labels as an items x raters matrix of category codes (-1 where a label is missing)."""

    items: list[Any]
    raters: list[Any]
    categories: list[Any]  # in order: codes index into this list
    codes: np.ndarray  # int64, shape (n_items, n_raters), -1 = missing
    level: Level = "nominal"  # the level of measurement used ("auto" resolved)

    @property
    def counts(self) -> np.ndarray:
        """Per-item category counts, shape (n_items, n_categories)."""
        n_items, k = self.codes.shape[0], len(self.categories)
        out = np.zeros((n_items, k), dtype=np.float64)
        rows, cols = np.nonzero(self.codes >= 0)
        np.add.at(out, (rows, self.codes[rows, cols]), 1.0)
        return out

    def numeric_values(self) -> np.ndarray:
        """The categories as numbers: themselves if numeric, else their positions 0..k-1."""
        if self.categories and all(is_number(c) for c in self.categories):
            return np.asarray(self.categories, dtype=np.float64)
        return np.arange(len(self.categories), dtype=np.float64)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def resolve_level(level: LevelOption, labels: Sequence[Any]) -> Level:
    """``level``, with "auto" made "ordinal" when every label is a number (and there is one), else "nominal".

    >>> resolve_level("auto", [1, 2.5, 4]), resolve_level("auto", ["1", "2"]), resolve_level("auto", [])
    ('ordinal', 'nominal', 'nominal')
    """
    check_level(level)
    if level != "auto":
        return level
    return "ordinal" if len(labels) and all(is_number(v) for v in labels) else "nominal"


def labels_frame(labels: Any, func: str | None = None) -> pl.DataFrame:
    """A table of labels (anything :func:`workbench._table.as_table` takes) or a list of dicts."""
    if isinstance(labels, list) and all(isinstance(row, dict) for row in labels):
        if not labels:
            raise ValueError("labels is an empty list: expected one dict per (item, rater) label")
        try:
            return pl.DataFrame(labels, infer_schema_length=None)
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise ValueError(
                f"labels: could not build a table from the list of dicts ({exc}); every column "
                "must hold one type (e.g. all labels strings or all numbers)"
            ) from exc
    try:
        return as_table(labels, param="labels", func=func)
    except TypeError as err:
        raise TypeError(f"{err}; or a list of dicts, one per (item, rater) label") from None


def check_level(level: Any) -> None:
    if level not in LEVEL_OPTIONS:
        raise ValueError(f"level={level!r}: expected one of {', '.join(LEVEL_OPTIONS)}")


def check_weights(weights: Any) -> None:
    if weights not in WEIGHTS:
        raise ValueError(f"weights={weights!r}: expected None, 'linear' or 'quadratic'")


def _dedupe(frame: pl.DataFrame, item: str, rater: str) -> pl.DataFrame:
    """Keep the latest label per (item, rater) when there is a ``created_at``; else refuse.

    The latest row wins even when its label is null: a rater who clears a label withdraws it.
    """
    dup = frame.filter(pl.struct(item, rater).is_duplicated())
    if dup.height == 0:
        return frame
    if "created_at" in frame.columns:
        # Annotation is append-only: a rater who changes their mind adds a newer row.
        ordered = frame.with_row_index("__row").sort(["created_at", "__row"], nulls_last=False)
        latest = ordered.unique(subset=[item, rater], keep="last", maintain_order=True)
        return latest.sort("__row").drop("__row")
    first = dup.row(0, named=True)
    hint = ""
    for col in ("criterion", "run_id", "kind", "model", "variant", "sample"):
        if col in frame.columns and frame.get_column(col).n_unique() > 1:
            hint = f"; the table mixes several {col} values: filter to one {col} first"
            break
    raise ValueError(
        f"{dup.height} rows repeat an (item, rater) pair, e.g. {item}={first[item]!r}, "
        f"{rater}={first[rater]!r}, and there is no created_at column to tell which label is "
        f"the latest{hint}"
    )


def prepare(
    labels: Any,
    *,
    item: str,
    rater: str,
    label: str,
    raters: Sequence[Any] | None = None,
    categories: Sequence[Any] | None = None,
    level: LevelOption = "nominal",
    ordered_by: str | None = None,
    func: str | None = None,
) -> Ratings:
    """Validate the long table and build the items x raters code matrix.

    A missing label is an absent row, a null or a NaN. Items with no label at all are dropped.
    ``level="auto"`` is resolved on the labels left (see :func:`resolve_level`). ``ordered_by``
    names the parameter that needs ordered categories (for the error message); it defaults to
    ``level`` when the level is ordinal, interval or ratio. ``func`` is named in errors.
    """
    check_level(level)
    if isinstance(labels, list):
        _check_label_types(labels, label)
    frame = labels_frame(labels, func)
    for column, param in ((item, "item"), (rater, "rater"), (label, "label")):
        require_columns(
            frame, [column], param="labels", func=func, expected=f"{param}={column!r} to name a column"
        )
    keep = [item, rater, label] + (["created_at"] if "created_at" in frame.columns else [])
    for col in ("criterion", "run_id", "kind", "model", "variant", "sample"):
        if col in frame.columns and col not in keep:
            keep.append(col)
    frame = frame.select(keep)
    for column, param in ((item, "item"), (rater, "rater")):
        nulls = frame.filter(pl.col(column).is_null())
        if nulls.height:
            raise ValueError(
                f"{param}: column {column!r} is null in {nulls.height} row(s); every label needs an {param}"
            )
    if raters is not None:
        present = set(frame.get_column(rater).unique().to_list())
        for name in raters:
            if name not in present:
                raise ValueError(
                    f"raters: rater {name!r} is not in column {rater!r}; raters there: "
                    f"{', '.join(map(repr, sorted(present, key=str)))}"
                )
        frame = frame.filter(pl.col(rater).is_in(list(raters)))
    frame = _dedupe(frame, item, rater)
    if frame.schema[label].is_float():
        frame = frame.with_columns(pl.col(label).fill_nan(None))
    frame = frame.filter(pl.col(label).is_not_null())

    observed = frame.get_column(label).unique(maintain_order=True).to_list()
    used = resolve_level(level, observed)
    if ordered_by is None and used in ORDERED_LEVELS:
        ordered_by = f"level={used!r}"
    cats = _categories(observed, categories, used, ordered_by, label)
    # sorted, so that the bootstrap's draws depend on the labels and the seed, not on the row order
    item_ids = _sorted(frame.get_column(item).unique())
    rater_ids = list(raters) if raters is not None else _sorted(frame.get_column(rater).unique())
    codes = np.full((len(item_ids), len(rater_ids)), -1, dtype=np.int64)
    if frame.height:
        item_idx = _index(frame.get_column(item), item_ids)
        rater_idx = _index(frame.get_column(rater), rater_ids)
        cat_idx = _index(frame.get_column(label), cats)
        codes[item_idx, rater_idx] = cat_idx
    return Ratings(items=item_ids, raters=rater_ids, categories=cats, codes=codes, level=used)


def to_ratings(
    labels: Any,
    item: str,
    rater: str,
    label: str,
    raters: Sequence[Any] | None,
    *,
    categories: Sequence[Any] | None = None,
    level: LevelOption = "nominal",
    weights: Weights | None = None,
    func: str | None = None,
) -> Ratings:
    """The first step of every statistic: :func:`prepare` at ``level``, or for Cohen ``weights``.

    Weights work on category positions, so they need ordered categories like an ordinal level;
    an error then names ``weights`` rather than ``level``. ``weights`` is assumed checked.
    """
    ordered_by = None
    if weights is not None:
        level, ordered_by = "ordinal", f"weights={weights!r}"
    return prepare(
        labels,
        item=item,
        rater=rater,
        label=label,
        raters=raters,
        categories=categories,
        level=level,
        ordered_by=ordered_by,
        func=func,
    )


def _check_label_types(rows: list[Any], label: str) -> None:
    """polars would quietly turn 1 into "1" in a list mixing numbers and strings: refuse instead."""
    kinds: dict[str, Any] = {}
    for row in rows:
        value = row.get(label) if isinstance(row, dict) else None
        if value is None:
            continue
        kind = "number" if is_number(value) else type(value).__name__
        kinds.setdefault(kind, value)
    if len(kinds) > 1:
        examples = ", ".join(f"{v!r} ({k})" for k, v in kinds.items())
        raise ValueError(f"label: column {label!r} mixes types: {examples}; give every label the same type")


def _sorted(values: pl.Series) -> list[Any]:
    out = values.to_list()
    try:
        return sorted(out)
    except TypeError:
        return sorted(out, key=str)


def _index(column: pl.Series, keys: list[Any]) -> np.ndarray:
    """Position of each value of ``column`` in ``keys`` (all values are known to be there)."""
    lookup = {key: i for i, key in enumerate(keys)}
    return np.fromiter((lookup[v] for v in column.to_list()), dtype=np.int64, count=len(column))


def _categories(
    observed: list[Any],
    categories: Sequence[Any] | None,
    level: Level,
    ordered_by: str | None,
    label: str,
) -> list[Any]:
    if categories is not None:
        cats = list(categories)
        if len(set(cats)) != len(cats):
            raise ValueError(f"categories: {cats!r} repeats a category")
        unknown = [v for v in observed if v not in set(cats)]
        if unknown:
            raise ValueError(
                f"categories: label {unknown[0]!r} in column {label!r} is not one of the categories {cats!r}"
            )
        if level == "ratio" and not all(is_number(c) for c in cats):
            raise ValueError(f"level='ratio' needs numeric categories, got categories={cats!r}")
        return cats
    if all(is_number(v) for v in observed):
        return sorted(observed)
    if ordered_by is not None:
        raise ValueError(
            f"{ordered_by} needs an order on the labels in column {label!r}, which are not "
            "numbers: pass categories=[...] in order (lowest first), or label='value' for the "
            "numeric column"
        )
    return _sorted(pl.Series(observed))
