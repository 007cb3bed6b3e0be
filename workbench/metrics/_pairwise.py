"""Pairwise LLM judging: which of two outputs for the same case is better, asked in both orders.

Judges favour the response they read first (or second). Each pair is therefore judged twice, A
first and B first; a verdict that changes with the order becomes a tie with ``consistent=False``,
and :func:`workbench.calibration.position_bias` reports how often that happened. The table feeds
:func:`workbench.stats.win_rate` and :func:`workbench.stats.bradley_terry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import polars as pl

from workbench._table import cases_of
from workbench.metrics._judge import (
    DEFAULT_JUDGE,
    SYSTEM,
    Rubric,
    ask,
    case_lookup,
    is_self_judged,
    judge_model,
    judge_timeout,
    render_case,
    result_rows,
    warn_self_judged,
)
from workbench.metrics._parse import parse_preference
from workbench.runner._spec import Model

DEFAULT_QUESTION = (
    "Which response better serves the user: correct, complete, faithful to the context and the "
    "reference (when given), and clear?"
)
REPLY_FORMAT = '{"rationale": "<one or two sentences>", "winner": "<A | B | tie>"}'

VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"rationale": {"type": "string"}, "winner": {"type": "string", "enum": ["A", "B", "tie"]}},
    "required": ["rationale", "winner"],
}

PAIRWISE_SCHEMA: dict[str, Any] = {
    "case_id": pl.Utf8,
    "sample": pl.Int64,
    "model_a": pl.Utf8,
    "model_b": pl.Utf8,
    "winner": pl.Utf8,  # "a" | "b" | "tie"; null when the pair could not be judged (see error)
    "consistent": pl.Boolean,  # both orders agreed; null when either order has no verdict
    "verdict_ab": pl.Utf8,  # the verdict with a shown first, in model terms ("a" = model_a won)
    "verdict_ba": pl.Utf8,  # the verdict with b shown first, in model terms
    "judge": pl.Utf8,
    "rationale": pl.Utf8,
    "error": pl.Utf8,
    "judge_self": pl.Boolean,
}

# the judge's letter -> the winning side, for each order shown
_SIDES = {"ab": {"A": "a", "B": "b", "tie": "tie"}, "ba": {"A": "b", "B": "a", "tie": "tie"}}


def _pair_prompt(
    question: str, case: Any, first: str, second: str, include_reference: bool, include_context: bool
) -> list[dict[str, Any]]:
    parts = [
        "Compare two responses to the same input and decide which one is better.",
        f"## Question\n{question}",
        render_case(case, include_reference=include_reference, include_context=include_context),
        f"<response_A>\n{first}\n</response_A>",
        f"<response_B>\n{second}\n</response_B>",
        'Judge the content only: not which response comes first, nor its length. Answer "tie" when '
        f"neither is better. Reply with JSON only, in this form:\n{REPLY_FORMAT}",
    ]
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def _sides(
    rows: list[dict[str, Any]], by: str, a: str, b: str, keys: list[str]
) -> dict[tuple, dict[str, dict]]:
    """Result rows of ``a`` and ``b`` by pairing key; a key repeated on one side is an error."""
    pairs: dict[tuple, dict[str, dict]] = {}
    for row in rows:
        side = "a" if row.get(by) == a else "b" if row.get(by) == b else None
        if side is None:
            continue
        key = tuple(row.get(k) for k in keys)
        slot = pairs.setdefault(key, {})
        if side in slot:
            raise ValueError(
                f"pairwise_judge: {by}={row.get(by)!r} has two result rows for "
                f"{dict(zip(keys, key, strict=True))}; pass results of one run per {by}, or pair by another column"
            )
        slot[side] = row
    return pairs


def pairwise_judge(
    results: Any,
    a: str,
    b: str,
    *,
    cases: Any = None,
    model: str | Model = DEFAULT_JUDGE,
    rubric_or_question: str | Rubric | None = None,
    by: Literal["model", "variant"] = "model",
    include_reference: bool = True,
    include_context: bool = True,
    retries_on_parse_error: int = 2,
    temperature: float | None = 0,
    project: str | None = None,
    progress: bool = False,
    structured: bool | None = None,
    timeout: float | None = None,
) -> pl.DataFrame:
    """Judge ``a`` against ``b`` on every case (and sample) both answered, in both orders.

    Args:
        results: a Run, a results frame, or a list of them (e.g. two runs).
        a, b: the two values of the ``by`` column to compare (model names, or variant names).
        cases: the case set (the judge sees each case's input, context and reference); default:
            the cases the Run(s) know.
        model: the judge (litellm model string or :class:`~workbench.runner.Model`).
        rubric_or_question: what "better" means: a question, or a :class:`Rubric` whose criteria
            are used. Defaults to overall quality.
        by: the results column that tells the two sides apart ("model" or "variant"); rows are
            paired on ``case_id``, ``sample`` and the other of model / variant.
        include_reference, include_context: show the case's reference / context to the judge.
        retries_on_parse_error: re-asks after an unreadable reply before recording an error.
        temperature: the judge's temperature, unless ``model`` is a ``Model`` that sets its own.
        project: the project folder whose cache holds the judge's calls.
        progress: show a progress bar for the judge's calls.
        structured: decode under the reply's JSON schema (default: for local models only).
        timeout: seconds a judge call may take (default 300 for a local model, 60 otherwise).

    Returns:
        One row per pair: ``case_id``, ``sample``, the other key column, ``model_a`` (= a),
        ``model_b`` (= b), ``winner`` ("a", "b", "tie"; a verdict that flips with the order is
        "tie" with ``consistent=False``; null with ``error`` set when either order could not be
        judged or a side has no output), ``verdict_ab``, ``verdict_ba``, ``judge``, ``rationale``,
        ``error``, ``judge_self``.
    """
    if a == b:
        raise ValueError(f"pairwise_judge: a and b are both {a!r}; compare two different {by}s")
    if rubric_or_question is None:
        question = DEFAULT_QUESTION
    elif isinstance(rubric_or_question, Rubric):
        question = rubric_or_question.criteria
    elif isinstance(rubric_or_question, str) and rubric_or_question.strip():
        question = rubric_or_question
    else:
        raise ValueError(
            f"rubric_or_question must be a non-empty question or a Rubric, got {rubric_or_question!r}"
        )
    sources = results if isinstance(results, list | tuple) else [results]
    cases = cases_of(*sources, cases=cases)
    if cases is None:
        raise ValueError(
            "pairwise_judge: pass cases= (the results are a bare table, not a Run that knows its cases)"
        )
    rows = result_rows(results)
    if rows and by not in rows[0]:
        raise ValueError(f"pairwise_judge: by={by!r} is not a results column; got {sorted(rows[0])}")
    found = {r.get(by) for r in rows}
    for side in (a, b):
        if side not in found:
            shown = sorted(str(v) for v in found)[:20]
            raise ValueError(f"pairwise_judge: no results with {by}={side!r}; {by}s present: {shown}")
    other = [k for k in ("model", "variant") if k != by and k in rows[0]]
    keys = ["case_id", "sample", *other]
    lookup = case_lookup(cases)
    judge = judge_model(model, temperature, VERDICT_SCHEMA, structured)

    records: list[dict[str, Any]] = []
    asks: list[tuple[int, str, list[dict[str, Any]]]] = []  # (record index, order, conversation)
    for key, slot in _sides(rows, by, a, b, keys).items():
        record: dict[str, Any] = dict(zip(keys, key, strict=True))
        record.update(model_a=a, model_b=b, judge=judge.label, error=None)
        record["judge_self"] = any(is_self_judged(judge, r) for r in slot.values())
        records.append(record)
        case = lookup.get(str(record["case_id"]))
        missing = [s for s in ("a", "b") if s not in slot or slot[s].get("output") is None]
        if case is None:
            record["error"] = f"case {record['case_id']!r} is not in the cases given"
        elif missing:
            names = {"a": a, "b": b}
            record["error"] = "no output to compare from " + " and ".join(repr(names[s]) for s in missing)
        else:
            out_a, out_b = slot["a"]["output"], slot["b"]["output"]
            for order, (first, second) in (("ab", (out_a, out_b)), ("ba", (out_b, out_a))):
                prompt = _pair_prompt(question, case, first, second, include_reference, include_context)
                asks.append((len(records) - 1, order, prompt))
    warn_self_judged(judge, [r["judge_self"] for r in records], f"pairwise_judge {a!r} vs {b!r}")

    def call(conversations: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
        from workbench.runner import complete

        return (
            complete(
                judge,
                conversations,
                project=project,
                progress=progress,
                tag="judge:pairwise",
                timeout=judge_timeout(judge, timeout),
            )
            if conversations
            else []
        )

    answers = ask(
        call,
        [c for _, _, c in asks],
        parse_preference,
        retries=retries_on_parse_error,
        reply_format=REPLY_FORMAT,
    )
    verdicts: dict[int, dict[str, Any]] = {}
    for (i, order, _), answer in zip(asks, answers, strict=True):
        verdicts.setdefault(i, {})[order] = answer
    for i, by_order in verdicts.items():
        _settle(records[i], by_order)
    frame = pl.DataFrame(records, schema={**PAIRWISE_SCHEMA, **{k: pl.Utf8 for k in other}})
    return frame.select(
        "case_id", "sample", *other, *[c for c in PAIRWISE_SCHEMA if c not in ("case_id", "sample")]
    )


def _settle(record: dict[str, Any], by_order: Mapping[str, Any]) -> None:
    """Fill winner / consistent / verdicts / rationale / error of one pair from its two answers."""
    errors, notes = [], []
    for order in ("ab", "ba"):
        answer = by_order[order]
        shown = "a first" if order == "ab" else "b first"
        if answer.error is not None:
            record[f"verdict_{order}"] = None
            errors.append(f"{answer.error} ({shown})")
        else:
            record[f"verdict_{order}"] = _SIDES[order][answer.value.winner]
            if answer.value.rationale:
                notes.append(f"[{shown}] {answer.value.rationale}")
    record["rationale"] = "\n".join(notes) or None
    if errors:
        record.update(winner=None, consistent=None, error="; ".join(errors))
        return
    agree = record["verdict_ab"] == record["verdict_ba"]
    record.update(winner=record["verdict_ab"] if agree else "tie", consistent=agree)
