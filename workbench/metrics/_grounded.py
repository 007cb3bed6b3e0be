"""Groundedness: does the case's context support every claim of the answer?

The judge splits the answer into claims and marks each as supported by the context or not (JSON
list). ``value`` is the supported fraction, ``passed`` is True when every claim is supported, and
``rationale`` lists the unsupported claims.

Hallucination rate, as workbench reports it, is answer-level: ``1 - mean(passed)``, the share of
scored answers with at least one unsupported claim (``summarize(scores)["pass_rate"]`` gives
``mean(passed)`` with an interval). ``1 - mean(value)`` is the mean per-answer share of unsupported
claims, which weighs each answer equally however many claims it makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.metrics._judge import DEFAULT_JUDGE, SYSTEM, LLMScorer, ask
from workbench.metrics._parse import Claim, parse_claims
from workbench.runner._spec import Model

REPLY_FORMAT = (
    '{"claims": [{"claim": "<one factual statement from the answer>", "supported": <true | false>}]}'
)

CLAIMS_SCHEMA = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"claim": {"type": "string"}, "supported": {"type": "boolean"}},
                "required": ["claim", "supported"],
            },
        }
    },
    "required": ["claims"],
}

INSTRUCTIONS = """Check whether the ANSWER is supported by the CONTEXT.
1. Split the answer into its factual claims: short, self-contained statements. Skip greetings,
   opinions and questions.
2. For each claim, decide whether the context supports it: true when the context states or clearly
   implies it; false when the context contradicts it or does not mention it.
Use only the context, not what you know."""


@dataclass(repr=False)
class GroundednessScorer(LLMScorer):
    """Scores how much of each answer its case's context supports (see :func:`groundedness`)."""

    metric_name: str = "groundedness"
    include_input: bool = True
    name = "groundedness"

    @property
    def metric(self) -> str:
        return self.metric_name

    def _args(self) -> dict[str, Any]:
        return {"name": self.metric_name, "include_input": self.include_input}

    def schema(self) -> dict[str, Any]:
        return CLAIMS_SCHEMA

    def check_case(self, case: Any) -> str | None:
        return None if case.context else "case has no context"

    def prompt(self, case: Any, output: str) -> list[dict[str, Any]]:
        """The messages sent to the judge for one answer."""
        passages = "\n".join(f"[{i}] {p}" for i, p in enumerate(case.context, 1))
        parts = [INSTRUCTIONS, f"<context>\n{passages}\n</context>"]
        if self.include_input:
            question = case.input if isinstance(case.input, str) else case.messages()[-1]["content"]
            parts.append(f"<question>\n{question}\n</question>")
        parts += [
            f"<answer>\n{output}\n</answer>",
            "Reply with JSON only, in this form (an answer without factual claims gives "
            f'{{"claims": []}}):\n{REPLY_FORMAT}',
        ]
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]

    def grade(self, items: Sequence[tuple[Any, str]]) -> list[dict[str, Any]]:
        answers = ask(
            self.call,
            [self.prompt(case, output) for case, output in items],
            parse_claims,
            retries=self.retries_on_parse_error,
            reply_format=REPLY_FORMAT,
        )
        return [{"error": a.error} if a.error is not None else summarize_claims(a.value) for a in answers]


def summarize_claims(claims: list[Claim]) -> dict[str, Any]:
    """Score fields from a judge's claims: the supported fraction, all supported, what is not.

    >>> summarize_claims([Claim("a", True), Claim("b", False)])["rationale"]
    '1 of 2 claim(s) supported; unsupported: b'
    """
    if not claims:
        return {
            "value": 1.0,
            "passed": True,
            "label": "no claims",
            "rationale": "the answer makes no factual claims",
        }
    supported = sum(c.supported for c in claims)
    missing = [c.claim for c in claims if not c.supported]
    text = f"{supported} of {len(claims)} claim(s) supported"
    if missing:
        text += "; unsupported: " + "; ".join(missing)
    return {
        "value": supported / len(claims),
        "passed": not missing,
        "label": "grounded" if not missing else "ungrounded",
        "rationale": text,
    }


def groundedness(
    model: str | Model = DEFAULT_JUDGE,
    *,
    name: str = "groundedness",
    include_input: bool = True,
    retries_on_parse_error: int = 2,
    temperature: float | None = 0,
    project: str | None = None,
    progress: bool = False,
    structured: bool | None = None,
    timeout: float | None = None,
) -> GroundednessScorer:
    """A scorer for RAG answers: the share of the answer's claims that the case's context supports.

    Each score row: ``value`` = supported claims / claims (1.0 when the answer makes no claim),
    ``passed`` = every claim supported, ``label`` = "grounded" / "ungrounded" / "no claims",
    ``rationale`` = the unsupported claims. A case without context scores ``value`` null with the
    error "case has no context" (not 0); so does an unreadable judge reply, after retries.

    Hallucination rate = 1 - mean(passed): the share of answers with an unsupported claim.

    Args:
        model: the judge (litellm model string or :class:`~workbench.runner.Model`).
        name: the metric name.
        include_input: show the case's question next to the answer (helps split claims).
        retries_on_parse_error: re-asks after an unreadable reply before recording an error.
        temperature: the judge's temperature, unless ``model`` is a ``Model`` that sets its own.
        project: the project folder whose cache holds the judge's calls.
        progress: show a progress bar for the judge's calls.
        structured: decode under the reply's JSON schema (default: for local models only).
        timeout: seconds a judge call may take (default 300 for a local model, 60 otherwise).
    """
    return GroundednessScorer(
        model=model,
        retries_on_parse_error=retries_on_parse_error,
        temperature=temperature,
        project=project,
        progress=progress,
        structured=structured,
        timeout=timeout,
        metric_name=name,
        include_input=include_input,
    )
