"""Scrub personal data from text and from traffic tables, with typed placeholders and a report.

Placeholders are ``<EMAIL>``, ``<PHONE>``, ``<CREDIT_CARD>``, ``<IBAN>``, ``<NATIONAL_ID>``,
``<IP_ADDRESS>``, ``<STREET_ADDRESS>`` and ``<PERSON>``: not numbered, so two requests that
differ only in their personal data become identical (which is what de-duplication wants). They
contain no digit, ``@`` or capitalised word, so no detector fires on them: scrubbing twice is a
no-op.

A placeholder that a user typed into the raw text (``"replace <EMAIL> with my address"``) is left
as it is and is never counted: the report and ``Scrubbed.findings`` count only what a detector
found. Escaping it instead would break the no-op property (the second pass would escape the
first pass's placeholders), so a literal ``<EMAIL>`` in scrubbed text is not proof of a finding;
the report is.

Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import phonenumbers
import polars as pl

from workbench._html import note, report, table
from workbench._table import as_table, require_columns
from workbench.traffic._detectors import DETECTORS, PII_TYPES, Detector, PiiType, find_spans
from workbench.traffic._phones import phone_detectors


class Finding(NamedTuple):
    """One piece of personal data: its type and its span in the original text."""

    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Scrubbed:
    """A scrubbed text and what was found in the original."""

    text: str
    findings: list[Finding] = field(default_factory=list, kw_only=True)


def placeholder(type_: str) -> str:
    """The placeholder that replaces a span of PII type ``type_``, e.g. ``<EMAIL>``."""
    return f"<{type_}>"


def _detectors(
    types: Iterable[PiiType] | None, regions: Iterable[str] | None = None, *, func: str = "scrub"
) -> tuple[Detector, ...]:
    dets = DETECTORS
    if regions is not None:
        if isinstance(regions, str):
            regions = [regions]
        hints = tuple(r.upper() for r in regions)
        unknown_regions = sorted(set(hints) - phonenumbers.SUPPORTED_REGIONS)
        if unknown_regions or not hints:
            raise ValueError(
                f"{func}: regions= has unknown region code(s) {unknown_regions or 'none given'}; expected "
                "ISO 3166 alpha-2 codes that libphonenumber knows, e.g. ['US', 'DE', 'IN']"
            )
        phones = phone_detectors(hints)
        dets = tuple(d for d in DETECTORS if d.type != "PHONE")
        at = [d.type for d in DETECTORS].index("PHONE")
        dets = dets[:at] + phones + dets[at:]
    if types is None:
        return dets
    wanted = set(types)
    unknown = sorted(wanted - set(PII_TYPES))
    if unknown:
        raise ValueError(f"unknown PII type(s) {unknown}; expected some of {list(PII_TYPES)}")
    return tuple(d for d in dets if d.type in wanted)


def _scrub(text: str, detectors: tuple[Detector, ...]) -> Scrubbed:
    spans = find_spans(text, detectors)
    if not spans:
        return Scrubbed(text)
    parts, pos = [], 0
    for type_, start, end in spans:
        parts += [text[pos:start], placeholder(type_)]
        pos = end
    parts.append(text[pos:])
    return Scrubbed("".join(parts), findings=[Finding(*s) for s in spans])


def scrub_text(
    text: str, *, types: Iterable[PiiType] | None = None, regions: Iterable[str] | None = None
) -> Scrubbed:
    """Replace personal data in one text with typed placeholders.

    Args:
        text: the text to scrub.
        types: PII types to look for (default: all of ``PII_TYPES``).
        regions: where phone numbers written without a country prefix are read, as ISO 3166
            codes, most likely first (default: ``DEFAULT_REGIONS``, 48 countries). Numbers with
            ``+`` or ``00`` are read in their own country whatever this says.

    Returns:
        The scrubbed text and the findings, with spans in the original text.

    Example:
        >>> scrub_text("Mail jo@example.com, card 4111 1111 1111 1111").text
        'Mail <EMAIL>, card <CREDIT_CARD>'
    """
    if not isinstance(text, str):
        raise TypeError(f"scrub_text expects a str, got {type(text).__name__}")
    return _scrub(text, _detectors(types, regions, func="scrub_text"))


@dataclass(frozen=True)
class PiiReport:
    """What ``scrub`` found: counts per (column, type), and how many rows had any PII."""

    n_rows: int
    rows_affected: int
    counts: dict[tuple[str, str], int]  # (column, type) -> number of spans replaced
    columns: tuple[str, ...]

    @property
    def total(self) -> int:
        """Number of spans replaced in all columns."""
        return sum(self.counts.values())

    def by_type(self) -> dict[str, int]:
        """Spans replaced per PII type, all columns together."""
        out: dict[str, int] = {}
        for (_, type_), n in self.counts.items():
            out[type_] = out.get(type_, 0) + n
        return out

    @property
    def table(self) -> pl.DataFrame:
        """One row per PII type, one count column per scrubbed column, plus ``total``."""
        types = [t for t in PII_TYPES if any(k[1] == t for k in self.counts)]
        data: dict[str, Any] = {"type": types}
        for col in self.columns:
            data[col] = [self.counts.get((col, t), 0) for t in types]
        data["total"] = [sum(self.counts.get((c, t), 0) for c in self.columns) for t in types]
        schema = {"type": pl.Utf8, **{c: pl.Int64 for c in [*self.columns, "total"]}}
        return pl.DataFrame(data, schema=schema)

    def to_pandas(self) -> Any:
        return self.table.to_pandas()

    def summary(self) -> pl.DataFrame:
        """One row: ``n_rows``, ``rows_affected``, ``share_affected``, ``spans`` replaced."""
        share = self.rows_affected / self.n_rows if self.n_rows else 0.0
        return pl.DataFrame(
            [
                {
                    "n_rows": self.n_rows,
                    "rows_affected": self.rows_affected,
                    "share_affected": share,
                    "spans": self.total,
                }
            ],
            schema={
                "n_rows": pl.Int64,
                "rows_affected": pl.Int64,
                "share_affected": pl.Float64,
                "spans": pl.Int64,
            },
        )

    def __repr__(self) -> str:
        parts = ", ".join(f"{t}={n}" for t, n in self.by_type().items()) or "nothing found"
        return f"PiiReport({self.rows_affected} of {self.n_rows} rows affected: {parts})"

    def _repr_html_(self) -> str:
        share = self.rows_affected / self.n_rows if self.n_rows else 0.0
        return report(
            "PII scrubbed",
            [
                note(
                    f"{self.rows_affected:,} of {self.n_rows:,} rows ({share:.1%}) had personal data; "
                    f"{self.total:,} spans replaced."
                ),
                table(self.table),
            ],
        )


def scrub(
    data: Any,
    *,
    columns: str | Sequence[str] = ("input", "output"),
    types: Iterable[PiiType] | None = None,
    regions: Iterable[str] | None = None,
    flag_column: str | None = None,
) -> tuple[pl.DataFrame, PiiReport]:
    """Replace personal data in text columns of a traffic table with typed placeholders.

    One Rust-regex pass (``str.contains``) over each column picks the texts that could hold PII;
    only those go through the precise Python detectors and validators (libphonenumber, Luhn,
    python-stdnum, ...), each distinct text once.

    Args:
        data: a polars DataFrame or LazyFrame, a pandas DataFrame, or a result object with a
            ``.table``. A LazyFrame is collected whole, so sample or filter a very large log
            first (``scan_traffic(...).filter(...)``).
        columns: text columns to scrub; missing ones raise, null values stay null.
        types: PII types to look for (default: all of ``PII_TYPES``).
        regions: where phone numbers without a country prefix are read (ISO 3166 codes; see
            ``scrub_text``).
        flag_column: if given, add a list[str] column with the types found in each row.

    Returns:
        A new DataFrame with the columns scrubbed, and a ``PiiReport``.

    Example:
        >>> df = pl.DataFrame({"input": ["my email is a@b.co", "hi"], "output": ["ok", None]})
        >>> out, report = scrub(df)
        >>> out["input"].to_list(), report.counts
        (['my email is <EMAIL>', 'hi'], {('input', 'EMAIL'): 1})
    """
    dets = _detectors(types, regions)
    df = as_table(data, param="data", func="scrub")
    columns = [columns] if isinstance(columns, str) else list(columns)
    require_columns(df, columns, param="data", func="scrub", expected="the text columns given by columns=")
    for col in columns:
        if df.schema[col] not in (pl.Utf8, pl.Null):
            raise ValueError(f"scrub: column {col!r} must hold strings, it holds {df.schema[col]}")
    prefilters = list(dict.fromkeys(d.prefilter for d in dets))
    counts: dict[tuple[str, str], int] = {}
    affected: dict[int, set[str]] = {}
    replaced: dict[str, pl.Series] = {}
    for col in columns:
        series = df[col].cast(pl.Utf8)
        # One cheap Rust-regex pass per detector gives, for each row, the detectors worth running.
        hits = pl.DataFrame({"s": series}).select(
            pl.sum_horizontal(
                pl.col("s").str.contains(p).fill_null(False).cast(pl.Int64) * (1 << k)
                for k, p in enumerate(prefilters)
            ).alias("mask")
        )["mask"]
        idx = (hits > 0).arg_true()
        if idx.len() == 0:
            continue
        gated: dict[int, tuple[Detector, ...]] = {}
        memo: dict[str, Scrubbed] = {}  # traffic repeats itself: each distinct text is scrubbed once
        new_texts = []
        rows = zip(idx.to_list(), series.gather(idx).to_list(), hits.gather(idx).to_list(), strict=True)
        for i, text, mask in rows:
            if mask not in gated:
                gated[mask] = tuple(d for d in dets if mask >> prefilters.index(d.prefilter) & 1)
            result = memo.get(text)
            if result is None:
                result = memo[text] = _scrub(text, gated[mask])
            new_texts.append(result.text)
            for f in result.findings:
                counts[(col, f.type)] = counts.get((col, f.type), 0) + 1
                affected.setdefault(i, set()).add(f.type)
        replaced[col] = series.clone().scatter(idx, pl.Series(new_texts, dtype=pl.Utf8))
    out = df.with_columns(list(replaced.values())) if replaced else df.clone()
    if flag_column is not None:
        flags: list[list[str]] = [[] for _ in range(df.height)]
        for i, found in affected.items():
            flags[i] = [t for t in PII_TYPES if t in found]
        out = out.with_columns(pl.Series(flag_column, flags, dtype=pl.List(pl.Utf8)))
    ordered = {
        k: counts[k] for k in sorted(counts, key=lambda k: (columns.index(k[0]), PII_TYPES.index(k[1])))
    }
    return out, PiiReport(df.height, len(affected), ordered, tuple(columns))
