"""LLM-as-judge scoring of single answers against a rubric, and the engine the other judges share.

A judge is any litellm model called through :func:`workbench.runner.complete` (so its calls are
cached, retried and rate-limited like a run's). A reply that cannot be read is asked again, with the
bad reply and the reason shown to the judge so that the cache cannot hand back the same reply; if it
still cannot be read the score is an error (``value`` null), never 0.

>>> from workbench.metrics._judge import Rubric, judge
>>> helpful = Rubric("Does the response resolve the customer's issue?", scale=(1, 5), name="helpful")
>>> judge(helpful, "local/smollm2-135m")
judge(metric='helpful', model='local/smollm2-135m')
>>> scores = score(run, [judge(helpful)], cases=cases)               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.metrics._llm import (  # noqa: F401  (re-exported: the judges' shared engine)
    DEFAULT_JUDGE,
    JUDGE_SCORE_COLUMNS,
    SYSTEM,
    Answer,
    LLMScorer,
    SelfJudgeWarning,
    ask,
    case_lookup,
    grade_schema,
    is_self_judged,
    judge_model,
    judge_timeout,
    reminder,
    render_case,
    result_rows,
    warn_self_judged,
)
from workbench.metrics._parse import Grade, parse_grade
from workbench.metrics._rubric import Rubric
from workbench.runner._spec import Model


# ------------------------------------------------------------------------------------------------
# Single-answer judge
# ------------------------------------------------------------------------------------------------
@dataclass(repr=False)
class JudgeScorer(LLMScorer):
    """Grades each output against a :class:`Rubric` with an LLM judge (see :func:`judge`)."""

    rubric: Rubric = field(default=None)  # type: ignore[assignment]
    include_reference: bool = True
    include_context: bool = True

    @property
    def metric(self) -> str:
        return self.rubric.name

    def schema(self) -> dict[str, Any]:
        return grade_schema(self.rubric.scale)

    def _args(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric.describe(),
            "include_reference": self.include_reference,
            "include_context": self.include_context,
        }

    def prompt(self, case: Any, output: str) -> list[dict[str, Any]]:
        """The messages sent to the judge for one output."""
        parts = [
            "Evaluate the RESPONSE below against the criteria.",
            f"## Criteria\n{self.rubric.criteria.strip()}",
            f"## Scale\n{self.rubric.instructions()}",
            render_case(case, include_reference=self.include_reference, include_context=self.include_context),
            f"<response>\n{output}\n</response>",
            f"Reply with JSON only, in this form:\n{self.rubric.reply_format()}",
        ]
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "\n\n".join(p for p in parts if p)},
        ]

    def grade(self, items: Sequence[tuple[Any, str]]) -> list[dict[str, Any]]:
        scale = self.rubric.scale
        answers = ask(
            self.call,
            [self.prompt(case, output) for case, output in items],
            lambda reply: parse_grade(reply, scale),  # type: ignore[arg-type]
            retries=self.retries_on_parse_error,
            reply_format=self.rubric.reply_format(),
        )
        out: list[dict[str, Any]] = []
        for answer in answers:
            if answer.error is not None:
                out.append({"error": answer.error})
                continue
            grade: Grade = answer.value
            out.append(
                {
                    "value": self.rubric.value_of(grade),
                    "passed": self.rubric.passed(grade),
                    "label": grade.label,
                    "rationale": grade.rationale,
                }
            )
        return out


def judge(
    rubric: Rubric,
    model: str | Model = DEFAULT_JUDGE,
    *,
    include_reference: bool = True,
    include_context: bool = True,
    retries_on_parse_error: int = 2,
    temperature: float | None = 0,
    project: str | None = None,
    progress: bool = False,
    structured: bool | None = None,
    timeout: float | None = None,
) -> JudgeScorer:
    """An LLM-as-judge scorer: grades every output of a run against ``rubric``.

    All rows of one scoring call go to the judge in one batch. Each score row has ``value`` = the
    grade (the score, or a label's position in the scale), ``label`` (label scales), ``rationale``
    (the judge's), ``passed`` (when the rubric sets ``passing``) and ``judge_self`` (the judge is the
    graded model: its grades are suspect). The scorer spec records the rubric and the judge model.

    Args:
        rubric: what to grade and on which scale.
        model: the judge: a litellm model string or :class:`~workbench.runner.Model`; the default
            runs offline (and is a weak judge: use it to test the plumbing).
        include_reference: show the case's reference answer to the judge when it has one.
        include_context: show the case's context passages to the judge when it has any.
        retries_on_parse_error: re-asks after an unreadable reply before recording an error.
        temperature: the judge's temperature, unless ``model`` is a ``Model`` that sets its own.
        project: the project folder whose cache holds the judge's calls.
        progress: show a progress bar for the judge's calls.
        structured: ask the judge to decode under the reply's JSON schema (``response_format``);
            None does so for local models only, where it turns a tiny model's junk into valid
            JSON. Replies are parsed leniently either way.
        timeout: seconds a judge call may take (default 300 for a local model, 60 otherwise).

    Returns:
        A scorer for :func:`~workbench.metrics.score`; ``scorer.score(results, cases)`` gives its
        score table on its own.
    """
    if not isinstance(rubric, Rubric):
        raise TypeError(
            f"judge() needs a Rubric, got {type(rubric).__name__}; e.g. Rubric('Is it correct?', scale=(1, 5))"
        )
    return JudgeScorer(
        model=model,  # type: ignore[arg-type]
        retries_on_parse_error=retries_on_parse_error,
        temperature=temperature,
        project=project,
        progress=progress,
        structured=structured,
        timeout=timeout,
        rubric=rubric,
        include_reference=include_reference,
        include_context=include_context,
    )
