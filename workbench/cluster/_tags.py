"""Saving a cluster as a case tag, so that summaries report it as a slice."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from workbench._table import as_table, cases_of


def tag_cases(cases: Any, case_ids: Sequence[str], tag: str) -> Any:
    """``cases`` with ``tag`` added to the listed cases: a new CaseSet (for a CaseSet, or a Run or
    Scores that knows its cases), or a new frame for a frame (polars or pandas).

    Ids that are not among the cases raise a ValueError (the clusters came from other cases).
    """
    from workbench.cases import CaseSet

    known = cases_of(cases)  # a Run or Scores: the CaseSet it knows
    cases = known if known is not None else cases
    wanted = set(case_ids)
    if isinstance(cases, CaseSet):
        unknown = sorted(wanted - set(cases.ids))
        if unknown:
            raise ValueError(
                f"tag_cases: {len(unknown)} clustered case id(s) are not in cases (e.g. {unknown[0]!r}); "
                "pass the CaseSet the run was made from"
            )
        new = [
            dataclasses.replace(c, tags=(*c.tags, tag)) if c.id in wanted and tag not in c.tags else c
            for c in cases
        ]
        return CaseSet(new, source=cases.source)
    frame = as_table(cases, want="cases", param="cases", func="tag_cases", columns=["case_id"])
    if "tags" not in frame.columns:
        frame = frame.with_columns(pl.lit([], dtype=pl.List(pl.Utf8)).alias("tags"))
    unknown = sorted(wanted - set(frame.get_column("case_id").cast(pl.Utf8).to_list()))
    if unknown:
        raise ValueError(
            f"tag_cases: {len(unknown)} clustered case id(s) are not in cases (e.g. {unknown[0]!r})"
        )
    hit = pl.col("case_id").cast(pl.Utf8).is_in(pl.Series(list(wanted), dtype=pl.Utf8).implode())
    has = pl.col("tags").fill_null([]).list.contains(tag)
    return frame.with_columns(
        pl.when(hit & ~has)
        .then(pl.col("tags").fill_null([]).list.concat(pl.lit([tag], dtype=pl.List(pl.Utf8))))
        .otherwise(pl.col("tags"))
        .alias("tags")
    )


def tags_frame(members: Mapping[str, Sequence[str]]) -> pl.DataFrame:
    """``case_id``, ``tag`` rows from ``{tag: case ids}``."""
    rows = [(cid, tag) for tag, ids in members.items() for cid in ids]
    return pl.DataFrame(rows, schema={"case_id": pl.Utf8, "tag": pl.Utf8}, orient="row")
