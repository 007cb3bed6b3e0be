"""Variants of golden cases: slot-filled templates and model paraphrases."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench._html import note, report, section, table
from workbench.cases import Case, CaseSet
from workbench.golden._cases import as_cases

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

PARAPHRASE_PROMPT = (
    "Rewrite the user request below in different words, as a real user might type it. Keep its "
    "meaning, facts, names and numbers exactly; do not answer it. This is rewrite {i} of {n}: make "
    "it differ from the other rewrites. Reply with the rewritten request only.\n\nRequest:\n{text}"
)
_LABEL = re.compile(r"^\s*(?:rewrite|paraphrase|rewritten request|request)\s*(?:\d+\s*)?[:\-]\s*", re.I)


def _fill(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _texts(case: Case, template: str | None) -> list[str]:
    if template is not None:
        return [template]
    if isinstance(case.input, str):
        return [case.input]
    return [m["content"] for m in case.input]


def template_variants(
    cases: Any,
    slots: Mapping[str, Sequence[str]],
    *,
    template: str | None = None,
) -> CaseSet:
    """Fill ``{slot}`` placeholders with every combination of the given values.

    ``cases`` is a Case, a CaseSet, a list of cases, a Run that knows its cases or a cases table.
    Each case's input (or ``template`` if given, the same for every case) and reference are
    filled; placeholders whose name is not in ``slots`` are left as they are (so JSON braces are
    safe). Variant ids are ``<parent>~v<i>`` (i from 1, in the order of the combinations); tags
    add ``variant`` and ``variant:template``; metadata adds ``parent_id`` and ``slot_values``.

    Raises:
        ValueError: If a slot has no values or a value is not a string, or a case (or the
            template) has none of the slots as a placeholder (the case ids are named).

    Example:
        >>> v = template_variants(Case("c1", "Upgrade me to {plan}"), {"plan": ["Basic", "Pro"]})
        >>> [(c.id, c.input) for c in v]
        [('c1~v1', 'Upgrade me to Basic'), ('c1~v2', 'Upgrade me to Pro')]
    """
    items = as_cases(cases, "template_variants")
    if not isinstance(slots, Mapping) or not slots:
        raise ValueError("template_variants(): slots must be a non-empty mapping of name -> list of values")
    for name, choices in slots.items():
        if isinstance(choices, str) or not isinstance(choices, Sequence) or not choices:
            raise ValueError(
                f"template_variants(): slot {name!r} needs a non-empty list of values, got {choices!r}"
            )
        for v in choices:
            if not isinstance(v, str):
                raise ValueError(f"template_variants(): slot {name!r} has a non-string value {v!r}")
    missing = []
    out: list[Case] = []
    for case in items:
        texts = _texts(case, template)
        used = [s for s in slots if any(f"{{{s}}}" in t for t in texts)]
        if not used:
            missing.append(case.id)
            continue
        for i, combo in enumerate(itertools.product(*(slots[s] for s in used)), start=1):
            values = dict(zip(used, combo, strict=True))
            base = template if template is not None else case.input
            if isinstance(base, str):
                new_input: Any = _fill(base, values)
            else:
                new_input = [{**m, "content": _fill(m["content"], values)} for m in base]
            out.append(
                Case(
                    id=f"{case.id}~v{i}",
                    input=new_input,
                    reference=_fill(case.reference, values) if case.reference is not None else None,
                    context=case.context,
                    tags=(*case.tags, "variant", "variant:template"),
                    metadata={**case.metadata, "parent_id": case.id, "slot_values": values},
                )
            )
    if missing:
        where = "the template" if template is not None else "their input"
        raise ValueError(
            f"template_variants(): case(s) {missing} have no placeholder among slots {list(slots)} in {where}"
        )
    return CaseSet(out)


@dataclass(frozen=True)
class Paraphrased:
    """The result of :func:`paraphrase`: the kept variants and what was dropped, and why.

    Attributes:
        cases: The kept variants.
        dropped: ``case_id``, ``attempt``, ``reason`` ("empty", "duplicate", "error: ...").
    """

    cases: CaseSet
    dropped: pl.DataFrame

    def __len__(self) -> int:
        return len(self.cases)

    @property
    def table(self) -> pl.DataFrame:
        """The kept variants, one row per case (as ``CaseSet.table``)."""
        return self.cases.table

    def to_pandas(self) -> Any:
        return self.cases.to_pandas()

    def summary(self) -> pl.DataFrame:
        """``outcome`` ("kept", "empty", "duplicate", "error") and ``n`` replies."""
        reasons = self.dropped.get_column("reason").str.replace(r"^error: .*", "error", literal=False)
        counts = {"kept": len(self.cases)} | {
            r: int((reasons == r).sum()) for r in ("empty", "duplicate", "error")
        }
        return pl.DataFrame(
            {"outcome": list(counts), "n": list(counts.values())},
            schema={"outcome": pl.String, "n": pl.Int64},
        )

    def _repr_html_(self) -> str:
        parts = [note(f"{len(self.cases)} variants kept, {self.dropped.height} dropped")]
        if self.dropped.height:
            parts.append(section("Dropped", table(self.dropped)))
        parts.append(section("Kept", table(self.cases.table.select("case_id", "input", "tags"))))
        return report("Paraphrased", parts)


def clean_paraphrase(text: str | None) -> str:
    """Strip whitespace, a leading label ("Rewrite 1:") and surrounding quotes; first line only."""
    if text is None:
        return ""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    out = _LABEL.sub("", lines[0]).strip()
    while len(out) >= 2 and out[0] == out[-1] and out[0] in "\"'`":
        out = out[1:-1].strip()
    return out


def paraphrase(
    cases: Any,
    model: Any,
    *,
    n: int = 2,
    project: str | os.PathLike[str] | None = None,
    prompt: str = PARAPHRASE_PROMPT,
    **complete_kwargs: Any,
) -> Paraphrased:
    """Ask a model for ``n`` paraphrases of each case's input (the last user message of a chat).

    Calls go through :func:`workbench.runner.complete` (cache, retries, concurrency). Variant ids
    are ``<parent>~p<i>``; the reference, context and metadata are kept; tags add ``variant`` and
    ``variant:paraphrase``; metadata adds ``parent_id`` and ``paraphrase_model``. A reply that is
    empty after cleaning, repeats the original or an earlier paraphrase (ignoring case, spaces and
    punctuation), or a failed call is dropped and listed in :attr:`Paraphrased.dropped`.

    Args:
        cases: A Case, a CaseSet, a list of cases, a Run that knows its cases or a cases table.
        model: A litellm model string or :class:`workbench.runner.Model`.
        n: Paraphrases asked per case.
        prompt: Template with ``{text}``, ``{i}`` and ``{n}``.
        **complete_kwargs: Passed to :func:`~workbench.runner.complete` (``timeout``, ``max_retries``...).
    """
    from workbench.runner import complete

    items = as_cases(cases, "paraphrase")
    if n < 1:
        raise ValueError(f"paraphrase(): n must be >= 1, got {n}")
    for key in ("{text}", "{i}", "{n}"):
        if key not in prompt:
            raise ValueError(f"paraphrase(): prompt must contain {key}")
    sources = []
    for case in items:
        if isinstance(case.input, str):
            sources.append(case.input)
        else:
            users = [m["content"] for m in case.input if m["role"] == "user"]
            if not users:
                raise ValueError(f"paraphrase(): case {case.id!r} has no user message to paraphrase")
            sources.append(users[-1])
    requests = [prompt.format(text=src, i=i, n=n) for src in sources for i in range(1, n + 1)]
    rows = complete(model, requests, project=project, **complete_kwargs)
    model_name = getattr(model, "name", None) or getattr(model, "model", None) or str(model)
    kept: list[Case] = []
    dropped: list[dict[str, Any]] = []
    for k, case in enumerate(items):
        seen = {_key(sources[k])}
        for i in range(1, n + 1):
            row = rows[k * n + i - 1]
            if row.get("output") is None:
                dropped.append(
                    {
                        "case_id": case.id,
                        "attempt": i,
                        "reason": f"error: {row.get('error_type')}: {row.get('error')}",
                    }
                )
                continue
            text = clean_paraphrase(row["output"])
            if not text:
                dropped.append({"case_id": case.id, "attempt": i, "reason": "empty"})
                continue
            if _key(text) in seen:
                dropped.append({"case_id": case.id, "attempt": i, "reason": "duplicate"})
                continue
            seen.add(_key(text))
            if isinstance(case.input, str):
                new_input: Any = text
            else:
                msgs = case.messages()
                last = max(j for j, m in enumerate(msgs) if m["role"] == "user")
                msgs[last] = {**msgs[last], "content": text}
                new_input = msgs
            kept.append(
                Case(
                    id=f"{case.id}~p{i}",
                    input=new_input,
                    reference=case.reference,
                    context=case.context,
                    tags=(*case.tags, "variant", "variant:paraphrase"),
                    metadata={**case.metadata, "parent_id": case.id, "paraphrase_model": model_name},
                )
            )
    schema = {"case_id": pl.String, "attempt": pl.Int64, "reason": pl.String}
    return Paraphrased(CaseSet(kept), pl.DataFrame(dropped, schema=schema))


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())
