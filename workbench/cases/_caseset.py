"""The immutable :class:`CaseSet`: a golden set of cases with filters, slicing and a version."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import random
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench._files import atomic_open
from workbench.cases._build import Fields, Locator, build, make_frame
from workbench.cases._case import Case, json_default
from workbench.cases._errors import CaseSetError
from workbench.cases._tags import Glob, TagExpr, parse_tag_expr

if TYPE_CHECKING:
    import pandas as pd

# Same output as canonical_json(); Case.canonical() has already applied its value normalisation.
_VERSION_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=json_default
)


class CaseSet:
    """An immutable, ordered set of :class:`Case` objects with unique ids.

    Every filter (:meth:`slice`, :meth:`where`, :meth:`filter`, :meth:`sample`, :meth:`head`)
    returns a new ``CaseSet``; nothing is modified in place. Build one with :func:`load_cases`,
    the ``from_*`` constructors, or directly from cases.

    Args:
        cases: The cases; ids must be unique.
        source: Where the cases came from (a file name), shown in reprs and errors.

    Example:
        >>> cs = CaseSet([Case("a", "2+2?", reference="4", tags=["math"]), Case("b", "Hi", tags=["chat"])])
        >>> len(cs), cs.ids, cs.slice("math").ids
        (2, ('a', 'b'), ('a',))
    """

    __slots__ = ("_cases", "_frame", "_source", "_index", "_version")
    _cases: tuple[Case, ...]
    _frame: pl.DataFrame
    _source: str | None
    _index: dict[str, int] | None
    _version: str | None

    def __init__(self, cases: Iterable[Case] = (), *, source: str | None = None) -> None:
        cases = tuple(cases)
        for i, case in enumerate(cases):
            if not isinstance(case, Case):
                raise TypeError(
                    f"CaseSet() takes Case objects; item {i} is {type(case).__name__} (use load_cases)"
                )
        loc = Locator(source, "item")
        seen: dict[str, list[int]] = {}
        for i, case in enumerate(cases):
            seen.setdefault(case.id, []).append(i)
        dup = {cid: idx for cid, idx in seen.items() if len(idx) > 1}
        if dup:
            from workbench.cases._build import _duplicates_message

            raise CaseSetError(_duplicates_message(dup, loc), source=source)
        meta_names = list(dict.fromkeys(k for c in cases for k in c.metadata))
        self._init(cases, make_frame(cases, meta_names, loc), source)

    def _init(self, cases: tuple[Case, ...], frame: pl.DataFrame, source: str | None) -> None:
        object.__setattr__(self, "_cases", cases)
        object.__setattr__(self, "_frame", frame)
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_index", None)
        object.__setattr__(self, "_version", None)

    @classmethod
    def _wrap(cls, cases: tuple[Case, ...], frame: pl.DataFrame, source: str | None) -> CaseSet:
        new = cls.__new__(cls)
        new._init(cases, frame, source)
        return new

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CaseSet is immutable; its methods return a new CaseSet")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("CaseSet is immutable; its methods return a new CaseSet")

    def __reduce__(self) -> tuple[Any, ...]:
        return (CaseSet._wrap, (self._cases, self._frame, self._source))

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], *, source: str | None = None, **fields: str
    ) -> CaseSet:
        """Build from dicts (one per case); field renames as in :func:`load_cases`."""
        records = list(records)
        for i, rec in enumerate(records):
            if not isinstance(rec, Mapping):
                raise CaseSetError(f"row {i}: expected a dict, got {type(rec).__name__}", source=source)
        cases, frame = build(records, Locator(source), Fields.from_kwargs(fields))
        return cls._wrap(cases, frame, source)

    @classmethod
    def from_polars(
        cls, df: pl.DataFrame | pl.LazyFrame, *, source: str | None = None, **fields: str
    ) -> CaseSet:
        """Build from a polars DataFrame or LazyFrame; metadata columns keep their dtypes."""
        if isinstance(df, pl.LazyFrame):
            df = df.collect()
        cases, frame = build(
            df.to_dicts(),
            Locator(source, what="the polars DataFrame"),
            Fields.from_kwargs(fields),
            columns=df.columns,
            meta_frame=df,
        )
        return cls._wrap(cases, frame, source)

    @classmethod
    def from_pandas(cls, df: pd.DataFrame, *, source: str | None = None, **fields: str) -> CaseSet:
        """Build from a pandas DataFrame (NaN/NA/NaT become None, numpy values Python values)."""
        from workbench.cases._load import pandas_records

        records, columns = pandas_records(df)
        loc = Locator(source, what="the pandas DataFrame")
        cases, frame = build(records, loc, Fields.from_kwargs(fields), columns=columns)
        return cls._wrap(cases, frame, source)

    # -- container protocol -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._cases)

    def __iter__(self) -> Iterator[Case]:
        return iter(self._cases)

    def __contains__(self, case_id: object) -> bool:
        return isinstance(case_id, str | int) and str(case_id) in self._id_index()

    def __getitem__(self, case_id: str | int) -> Case:
        """The case with this id (an int is looked up as its string, not as a position)."""
        if not isinstance(case_id, str | int) or isinstance(case_id, bool):
            raise TypeError(
                f"CaseSet[...] takes a case id (str), got {type(case_id).__name__}; use head() or filters"
            )
        key = str(case_id)
        index = self._id_index()
        if key not in index:
            hint = ""
            if len(index) <= 20_000:
                close = difflib.get_close_matches(key, list(index), n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise KeyError(f"no case with id {key!r} in this CaseSet of {len(self)} cases{hint}")
        return self._cases[index[key]]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CaseSet) and self._cases == other._cases

    def __hash__(self) -> int:
        return hash(self._cases)

    def _id_index(self) -> dict[str, int]:
        if self._index is None:
            object.__setattr__(self, "_index", {c.id: i for i, c in enumerate(self._cases)})
        return self._index  # type: ignore[return-value]

    # -- properties ---------------------------------------------------------------------------

    @property
    def ids(self) -> tuple[str, ...]:
        """Case ids in order."""
        return tuple(c.id for c in self._cases)

    @property
    def source(self) -> str | None:
        """Where the cases were loaded from, if known."""
        return self._source

    @property
    def metadata_columns(self) -> tuple[str, ...]:
        """Names of the metadata columns (everything beyond the case fields)."""
        return tuple(self._frame.columns[6:])

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns of :meth:`to_polars`, usable in :meth:`where` and :meth:`filter`."""
        return tuple(self._frame.columns)

    @property
    def version(self) -> str:
        """Content hash (16 hex chars) of the cases, independent of their order.

        It is the first 16 hex digits of the sha256 of the UTF-8 JSON array of the cases sorted
        by id, each ``{"id", "input", "reference", "context", "tags", "metadata"}`` (sorted keys,
        no spaces, chat input as its message list), so it changes when any field of any case
        changes. Null metadata counts as absent, 1 and 1.0 hash alike, and dates hash as their
        ISO strings (so a JSONL round trip keeps the version).
        """
        if self._version is None:
            canonical = [c.canonical() for c in sorted(self._cases, key=lambda c: c.id)]
            text = _VERSION_ENCODER.encode(canonical)
            object.__setattr__(self, "_version", hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])
        return self._version  # type: ignore[return-value]

    # -- conversion ---------------------------------------------------------------------------

    @property
    def table(self) -> pl.DataFrame:
        """One row per case: the frame of :meth:`to_polars` (every result object has a ``.table``)."""
        return self._frame.clone()

    def to_polars(self) -> pl.DataFrame:
        """One row per case.

        Columns: ``case_id``, ``input`` (the text, or for chat cases the JSON-encoded message
        list), ``is_chat`` (bool), ``reference``, ``context`` (List[Utf8]), ``tags`` (List[Utf8]),
        then the metadata columns. :func:`load_cases` reads this frame back unchanged.
        """
        return self._frame.clone()

    def to_pandas(self) -> pd.DataFrame:
        """Same columns as :meth:`to_polars`; ``context`` and ``tags`` cells are Python lists."""
        df = self._frame.to_pandas()
        for col in ("context", "tags"):
            df[col] = [list(v) if v is not None else [] for v in df[col]]
        return df

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per case (see :meth:`Case.to_dict`)."""
        return [c.to_dict() for c in self._cases]

    def to_jsonl(self, path: str | os.PathLike[str]) -> Path:
        """Write one JSON object per line, atomically (temp file, then rename); returns the path.

        The file gets the mode a plain ``open()`` gives (the user's umask), so it can be shared.

        Dates in metadata are written as ISO strings, which hash as the dates did, so the file
        loads back with the same :attr:`version`.
        """
        path = Path(path)
        with atomic_open(path, "w", encoding="utf-8", newline="\n") as f:
            for case in self._cases:
                f.write(json.dumps(case.to_dict(), ensure_ascii=False, default=json_default))
                f.write("\n")
        return path

    # -- summaries ----------------------------------------------------------------------------

    def summary(self) -> pl.DataFrame:
        """One row: ``n_cases``, ``n_chat``, ``n_with_reference``, ``n_tags`` (distinct), ``version``, ``source``."""
        frame = self._frame
        row = {
            "n_cases": len(self),
            "n_chat": int(frame.get_column("is_chat").sum()),
            "n_with_reference": len(self) - frame.get_column("reference").null_count(),
            "n_tags": self.tag_counts().height,
            "version": self.version,
            "source": self.source,
        }
        schema = {
            "n_cases": pl.Int64,
            "n_chat": pl.Int64,
            "n_with_reference": pl.Int64,
            "n_tags": pl.Int64,
            "version": pl.String,
            "source": pl.String,
        }
        return pl.DataFrame([row], schema=schema)

    def tag_counts(self) -> pl.DataFrame:
        """Cases per tag: columns ``tag`` (Utf8) and ``n`` (Int64), most frequent first."""
        return (
            self._frame.select(pl.col("tags").explode().alias("tag"))
            .drop_nulls()
            .group_by("tag")
            .agg(pl.len().cast(pl.Int64).alias("n"))
            .sort(["n", "tag"], descending=[True, False])
        )

    # -- filters ------------------------------------------------------------------------------

    def _take(self, mask: pl.Series) -> CaseSet:
        mask = mask.fill_null(False)
        idx = mask.arg_true().to_list()
        return CaseSet._wrap(tuple(self._cases[i] for i in idx), self._frame.filter(mask), self._source)

    def _take_indices(self, idx: Iterable[int]) -> CaseSet:
        keep = [False] * len(self._cases)
        for i in idx:
            keep[i] = True
        return self._take(pl.Series(keep, dtype=pl.Boolean))

    def slice(self, expr: str | TagExpr) -> CaseSet:
        """Cases whose tags match a tag expression, e.g. ``"billing and not intent:*"``.

        Warns when the expression names a tag no case carries (a likely typo).

        Example:
            >>> cs = CaseSet([Case("a", "x", tags=["billing"]), Case("b", "y", tags=["billing", "refund"])])
            >>> cs.slice("billing and not refund").ids
            ('a',)
        """
        parsed = parse_tag_expr(expr) if isinstance(expr, str) else expr
        if not isinstance(parsed, TagExpr):
            raise TypeError(f"slice() takes a tag expression string, got {type(expr).__name__}")
        if self._cases:
            self._warn_unknown_tags(parsed)
        return self._take(self._frame.select(parsed.to_polars("tags")).to_series())

    def _warn_unknown_tags(self, expr: TagExpr) -> None:
        known = set(self._frame.get_column("tags").explode().drop_nulls().unique().to_list())
        for leaf in expr.leaves():
            if isinstance(leaf, Glob):
                if not any(t.startswith(leaf.prefix) for t in known):
                    warnings.warn(f"no tag in this CaseSet matches {str(leaf)!r}", UserWarning, stacklevel=3)
            elif leaf.name not in known:
                close = difflib.get_close_matches(leaf.name, sorted(known), n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                warnings.warn(
                    f"tag {leaf.name!r} does not occur in this CaseSet{hint}", UserWarning, stacklevel=3
                )

    def where(self, **equals: Any) -> CaseSet:
        """Cases whose columns equal the given values (``None`` matches null); ``id`` means ``case_id``.

        Example:
            >>> cs = CaseSet([Case("a", "x", metadata={"tier": "pro"}), Case("b", "y", metadata={"tier": "free"})])
            >>> cs.where(tier="pro").ids
            ('a',)
        """
        exprs = []
        for name, value in equals.items():
            col = "case_id" if name == "id" else name
            if col not in self._frame.columns:
                raise CaseSetError(
                    f"where({name}=...): no column {name!r}; available columns: {', '.join(self._frame.columns)}"
                )
            exprs.append(pl.col(col).is_null() if value is None else pl.col(col) == pl.lit(value))
        if not exprs:
            return self
        try:
            mask = self._frame.select(pl.all_horizontal(exprs)).to_series()
        except pl.exceptions.PolarsError as e:
            dtypes = ", ".join(f"{k}: {self._frame.schema['case_id' if k == 'id' else k]}" for k in equals)
            raise CaseSetError(
                f"where({_kwargs_repr(equals)}) cannot compare the values with columns ({dtypes}): {e}"
            ) from None
        return self._take(mask)

    def filter(self, predicate: pl.Expr | Callable[[Case], bool]) -> CaseSet:
        """Cases selected by a polars expression over :meth:`to_polars` columns, or a ``Case -> bool``.

        Example:
            >>> import polars as pl
            >>> cs = CaseSet([Case("a", "x", metadata={"n": 1}), Case("b", "y", metadata={"n": 5})])
            >>> cs.filter(pl.col("n") > 2).ids, cs.filter(lambda c: c.id == "a").ids
            (('b',), ('a',))
        """
        if isinstance(predicate, pl.Expr):
            try:
                mask = self._frame.select(predicate.alias("__mask__")).to_series()
            except pl.exceptions.ColumnNotFoundError as e:
                first = str(e).strip().splitlines()[0] if str(e).strip() else "unknown column"
                raise CaseSetError(
                    f"filter(): column not found ({first}); available columns: {', '.join(self._frame.columns)}"
                ) from None
            if mask.dtype != pl.Boolean or len(mask) != len(self):
                raise CaseSetError(
                    f"filter(): the expression must give one boolean per case, got {len(mask)} values of type {mask.dtype}"
                )
            return self._take(mask)
        if isinstance(predicate, str):
            raise TypeError(
                "filter() takes a polars expression or a function; for tag expressions use slice()"
            )
        if not callable(predicate):
            raise TypeError(
                f"filter() takes a polars expression or a function Case -> bool, got {type(predicate).__name__}"
            )
        keep = []
        for i, case in enumerate(self._cases):
            result = predicate(case)
            if not (isinstance(result, bool) or type(result).__name__ == "bool_"):
                raise TypeError(
                    f"filter() predicate must return a bool; for case {case.id!r} it returned {result!r}"
                )
            if result:
                keep.append(i)
        return self._take_indices(keep)

    def sample(self, n: int, *, seed: int = 0) -> CaseSet:
        """``n`` random cases, kept in their current order.

        The draw depends only on the case ids and ``seed``, not on the order of the cases.
        """
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= len(self):
            raise ValueError(
                f"sample(n={n!r}): n must be an integer between 0 and {len(self)} (the number of cases)"
            )
        by_id = sorted(range(len(self)), key=lambda i: self._cases[i].id)
        picked = random.Random(seed).sample(by_id, n)
        return self._take_indices(sorted(picked))

    def head(self, n: int = 5, /) -> CaseSet:
        """The first ``n`` cases (``n`` is positional, as in polars' ``head``)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"head(n={n!r}): n must be a non-negative integer")
        return self._take_indices(range(min(n, len(self))))

    # -- display ------------------------------------------------------------------------------

    def __repr__(self) -> str:
        source = f", source={self._source!r}" if self._source else ""
        return f"CaseSet({_n_cases(len(self))}, version={self.version!r}{source})"

    def _repr_html_(self) -> str:
        """Size, version, source, tag counts and the first rows; case texts are escaped."""
        from workbench._html import note, report, section, table

        source = f" · source {self._source}" if self._source else ""
        parts = [note(f"{_n_cases(len(self))} · version {self.version}{source}")]
        counts = self.tag_counts()
        if counts.height:
            shown = ", ".join(f"{t} {n}" for t, n in counts.head(_HTML_TAGS).iter_rows())
            more = f" (+{counts.height - _HTML_TAGS} more)" if counts.height > _HTML_TAGS else ""
            parts.append(note(f"Tags: {shown}{more}"))
        head = self._cases[:_HTML_ROWS]
        inputs = [
            c.input
            if isinstance(c.input, str)
            else " / ".join(f"[{m['role']}] {m['content']}" for m in c.input)
            for c in head
        ]
        rows = self._frame.head(_HTML_ROWS).select(
            pl.col("case_id"),
            pl.Series("input", inputs, dtype=pl.Utf8),
            "reference",
            "tags",
            *self.metadata_columns,
        )
        more = f"… {len(self) - _HTML_ROWS} more cases" if len(self) > _HTML_ROWS else ""
        parts.append(section("First cases", table(rows, max_rows=_HTML_ROWS, max_cell=_HTML_CELL)))
        if more:
            parts.append(note(more))
        return report("CaseSet", parts)


_HTML_ROWS = 5
_HTML_TAGS = 12
_HTML_CELL = 120


def _kwargs_repr(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def _n_cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"
