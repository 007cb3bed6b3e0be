"""The engine the LLM judges share: asking a model, re-asking after an unreadable reply, flagging self-judging."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench._schema import SCORE_COLUMNS
from workbench.metrics._parse import ParseError, is_label_scale
from workbench.runner._spec import Model

if TYPE_CHECKING:
    import polars as pl

DEFAULT_JUDGE = "local/smollm2-135m"

SYSTEM = (
    "You are a careful, impartial evaluator of AI assistant responses. Judge only what is asked, "
    "and answer with a single JSON object and nothing else."
)


# ------------------------------------------------------------------------------------------------
# The ask / re-ask engine
# ------------------------------------------------------------------------------------------------
@dataclass
class Answer:
    """What a judge said about one item: the parsed value, or an error (never both)."""

    value: Any = None
    error: str | None = None
    reply: str | None = None
    attempts: int = 0


def reminder(reason: str, attempt: int, attempts: int, reply_format: str) -> str:
    """The follow-up message after an unreadable reply (numbered, so each re-ask is a new cache key)."""
    return (
        f"Your reply could not be read: {reason}. Reply again (attempt {attempt} of {attempts}) with "
        f"JSON only, no other text, in this form:\n{reply_format}"
    )


def ask(
    call: Callable[[list[list[dict[str, Any]]]], list[dict[str, Any]]],
    conversations: Sequence[list[dict[str, Any]]],
    parse: Callable[[str], Any],
    *,
    retries: int,
    reply_format: str,
) -> list[Answer]:
    """Ask a judge about every conversation in batches; re-ask those whose reply ``parse`` rejects.

    Args:
        call: sends a batch of conversations, returns runner rows (``output``, ``error_type``, ``error``).
        parse: turns a reply into a value or raises :class:`ParseError`.
        retries: re-asks allowed after an unreadable reply.

    A failed call (after the runner's own retries) is an error at once; it is not re-asked, and
    because the runner does not cache failures, scoring again calls it again.
    """
    if retries < 0:
        raise ValueError(f"retries_on_parse_error must be >= 0, got {retries}")
    answers = [Answer() for _ in conversations]
    first_reason: dict[int, str] = {}
    pending = {i: list(conv) for i, conv in enumerate(conversations)}
    for attempt in range(1, retries + 2):
        if not pending:
            break
        order = list(pending)
        rows = call([pending[i] for i in order])
        retry: dict[int, list[dict[str, Any]]] = {}
        for i, row in zip(order, rows, strict=True):
            out = answers[i]
            out.attempts, out.reply = attempt, row.get("output")
            if out.reply is None:
                out.error = f"judge call failed: {row.get('error_type')}: {row.get('error')}"
                continue
            try:
                out.value, out.error = parse(out.reply), None
            except ParseError as e:
                first = first_reason.setdefault(i, e.reason)
                last = "" if e.reason == first else f"; last reply: {e.reason}"
                out.error = f"judge reply unparseable after {attempt} attempt(s): {first}{last}"
                if attempt <= retries:
                    follow_up = reminder(e.reason, attempt + 1, retries + 1, reply_format)
                    retry[i] = [
                        *conversations[i],
                        {"role": "assistant", "content": out.reply},
                        {"role": "user", "content": follow_up},
                    ]
        pending = retry
    return answers


# ------------------------------------------------------------------------------------------------
# What every LLM scorer shares: the judge model, batching, self-judging, case rendering
# ------------------------------------------------------------------------------------------------
#: Score-table columns: the shared schema plus the self-grading flag (nullable bool).
JUDGE_SCORE_COLUMNS: dict[str, str] = {**SCORE_COLUMNS, "judge_self": "bool?"}


def judge_model(
    model: str | Model,
    temperature: float | None,
    schema: dict[str, Any] | None = None,
    structured: bool | None = None,
) -> Model:
    """The judge as a :class:`Model`; ``temperature`` applies unless the Model sets its own.

    With ``structured`` (default: for local models only) the judge is asked to follow ``schema``
    through ``response_format``: llama.cpp then decodes under a grammar, so even a 135M model
    writes well-formed JSON with an in-scale grade. (Plain ``{"type": "json_object"}`` is not used:
    under its grammar small models can emit whitespace until they time out.)
    """
    m = model if isinstance(model, Model) else Model(model)
    params = dict(m.params)
    if temperature is not None:
        params.setdefault("temperature", temperature)
    use = m.is_local if structured is None else structured
    if use and schema is not None and "response_format" not in params:
        if m.is_local:  # llama-cpp-python's form
            params["response_format"] = {"type": "json_object", "schema": bounded(schema)}
        else:  # OpenAI's form (litellm translates it for providers that support it)
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "verdict", "schema": schema, "strict": False},
            }
    return Model(m.model, name=m.name, params=params, concurrency=m.concurrency)


#: Longest free-text field a local judge may write under its grammar. Small models otherwise keep
#: writing the rationale until ``max_tokens`` and never close the JSON (about half the replies of
#: SmolLM2-135M were unreadable without this bound).
LOCAL_TEXT_MAX = 240


def bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a ``maxLength`` on every unbounded string property (for grammar decoding)."""
    props = {
        name: (
            {**spec, "maxLength": LOCAL_TEXT_MAX}
            if spec.get("type") == "string" and "enum" not in spec and "maxLength" not in spec
            else spec
        )
        for name, spec in schema.get("properties", {}).items()
    }
    return {**schema, "properties": props} if props else schema


def judge_timeout(judge: Model, timeout: float | None) -> float:
    """Seconds a judge call may take: ``timeout``, else 300 for a local model (it shares the CPU
    with everything else, and a re-asked call starts over) and 60 for a served one."""
    if timeout is not None:
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
        return float(timeout)
    return 300.0 if judge.is_local else 60.0


def grade_schema(scale: Any) -> dict[str, Any]:
    """The JSON schema of a grade reply on ``scale`` (rationale first, so the judge reasons first)."""
    if is_label_scale(scale):
        grade: dict[str, Any] = {"label": {"type": "string", "enum": list(scale)}}
    else:
        grade = {"score": {"type": "integer", "minimum": scale[0], "maximum": scale[1]}}
    return {
        "type": "object",
        "properties": {"rationale": {"type": "string"}, **grade},
        "required": ["rationale", *grade],
    }


def is_self_judged(judge: Model, row: Mapping[str, Any]) -> bool:
    """Whether ``judge`` is the model that produced ``row`` (same litellm model string or name)."""
    own = {judge.model, judge.label}
    return row.get("litellm_model") in own or row.get("model") in own


def _text_input(case: Any) -> str:
    if isinstance(case.input, str):
        return case.input
    return "\n".join(f"{m.get('role')}: {m.get('content')}" for m in case.input)


def render_case(case: Any, *, include_reference: bool = True, include_context: bool = True) -> str:
    """The case as the judge sees it: ``<input>``, then ``<context>`` and ``<reference>`` if wanted."""
    parts = [f"<input>\n{_text_input(case)}\n</input>"]
    if include_context and case.context:
        passages = "\n".join(f"[{i}] {p}" for i, p in enumerate(case.context, 1))
        parts.append(f"<context>\n{passages}\n</context>")
    if include_reference and case.reference is not None:
        parts.append(f"<reference>\n{case.reference}\n</reference>")
    return "\n\n".join(parts)


def result_rows(results: Any) -> list[dict[str, Any]]:
    """Result rows as dicts from a Run, a polars or pandas frame, or a list of Runs / frames / dicts."""
    from workbench._table import as_table, require_columns

    if isinstance(results, list | tuple) and results and not isinstance(results[0], Mapping):
        return [row for item in results for row in result_rows(item)]
    if isinstance(results, list | tuple):
        rows = [dict(r) for r in results]
        for i, row in enumerate(rows):
            for col in ("case_id", "output"):
                if col not in row:
                    raise ValueError(f"results row {i} has no {col!r} column; got {sorted(row)}")
        return rows
    frame = as_table(results, want="results", param="results")
    require_columns(frame, ("case_id", "output"), param="results", expected="a results table")
    return frame.to_dicts()


def case_lookup(cases: Any) -> Mapping[str, Any]:
    """Cases by id from a CaseSet, a mapping of id -> Case, or an iterable of Cases."""
    if cases is None:
        raise ValueError("an LLM judge needs the cases (cases=...) to show the judge each case's input")
    if isinstance(cases, Mapping):
        return cases
    from workbench.cases import CaseSet, load_cases

    case_set = cases if isinstance(cases, CaseSet) else load_cases(cases)
    return {c.id: c for c in case_set}


@dataclass(repr=False)
class LLMScorer:
    """Base of the LLM scorers: batches every row of a scoring call into one judge batch.

    Subclasses set :attr:`metric`, :meth:`_args`, :meth:`grade` and optionally :meth:`check_case`.
    """

    model: str | Model = DEFAULT_JUDGE
    retries_on_parse_error: int = 2
    temperature: float | None = 0
    project: str | None = None
    progress: bool = False
    structured: bool | None = None
    timeout: float | None = None
    name = "judge"  # the scorer's name in its spec (class attribute)

    def __post_init__(self) -> None:
        self.judge = judge_model(self.model, self.temperature, self.schema(), self.structured)
        if self.retries_on_parse_error < 0:
            raise ValueError(f"retries_on_parse_error must be >= 0, got {self.retries_on_parse_error}")

    @property
    def metric(self) -> str:
        raise NotImplementedError

    def _args(self) -> dict[str, Any]:
        return {}

    def schema(self) -> dict[str, Any] | None:
        """The JSON schema of a reply, for judges that can decode under one."""
        return None

    @property
    def spec(self) -> str:
        """``{"name", "args"}`` as JSON (the ``scorer`` column): the judge model included, secrets not."""
        args = {
            **self._args(),
            "model": self.judge.describe(),
            "retries_on_parse_error": self.retries_on_parse_error,
        }
        return json.dumps({"name": self.name, "args": args}, sort_keys=True, ensure_ascii=False, default=repr)

    def __repr__(self) -> str:  # never the Model's params: they may hold an api_key
        return f"{self.name}(metric={self.metric!r}, model={self.judge.label!r})"

    def call(self, conversations: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
        from workbench.runner import complete

        if not conversations:
            return []
        tag = f"judge:{self.metric}"
        return complete(
            self.judge,
            conversations,
            project=self.project,
            progress=self.progress,
            tag=tag,
            timeout=judge_timeout(self.judge, self.timeout),
        )

    def check_case(self, case: Any) -> str | None:
        """An error message when this scorer cannot score rows of ``case`` (None when it can)."""
        return None

    def grade(self, items: Sequence[tuple[Any, str]]) -> list[dict[str, Any]]:
        """Score fields (value, passed, label, rationale, error) for each (case, output)."""
        raise NotImplementedError

    def score_batch(self, rows: Sequence[Mapping[str, Any]], cases: Any) -> list[dict[str, Any]]:
        """Score fields for each result row: value, passed, label, rationale, error, judge_self."""
        lookup = case_lookup(cases)
        out: list[dict[str, Any]] = []
        todo: list[int] = []
        for row in rows:
            fields: dict[str, Any] = {"value": None, "passed": None, "label": None, "rationale": None}
            fields["error"], fields["judge_self"] = None, is_self_judged(self.judge, row)
            case = lookup.get(str(row["case_id"]))
            if case is None:
                fields["error"] = f"case {row['case_id']!r} is not in the cases given"
            elif row.get("output") is None:  # the same words as score() uses for failed calls
                fields["error"] = f"no output: {row['error_type']}" if row.get("error_type") else "no output"
            else:
                fields["error"] = self.check_case(case)
                if fields["error"] is None:
                    todo.append(len(out))
            out.append(fields)
        warn_self_judged(self.judge, [f["judge_self"] for f in out], f"{self.name} {self.metric!r}")
        graded = self.grade([(lookup[str(rows[i]["case_id"])], rows[i]["output"]) for i in todo])
        for i, fields in zip(todo, graded, strict=True):
            out[i].update(fields)
        return out

    def score(self, results: Any, cases: Any) -> pl.DataFrame:
        """The score table (``JUDGE_SCORE_COLUMNS``) of ``results`` (a Run or a results frame)."""
        import polars as pl

        from workbench._schema import polars_schema

        rows = result_rows(results)
        scored = self.score_batch(rows, cases)
        spec = self.spec
        table = []
        for row, fields in zip(rows, scored, strict=True):
            keys = {k: row.get(k) for k in ("run_id", "case_id", "model", "variant", "sample")}
            table.append({**keys, "metric": self.metric, **fields, "scorer": spec})
        return pl.DataFrame(table, schema=polars_schema(JUDGE_SCORE_COLUMNS))


class SelfJudgeWarning(UserWarning):
    """A judge grades outputs of its own model (self-preference bias); rows are flagged ``judge_self``."""


def warn_self_judged(judge_model: Model, flags: Sequence[bool], what: str) -> None:
    """Warn once per call when any row is self-judged."""
    k = sum(bool(f) for f in flags)
    if k:
        warnings.warn(
            f"{what}: the judge {judge_model.label!r} grades its own model's outputs in {k} of {len(flags)} "
            "row(s); judges favour their own outputs, so those rows are flagged judge_self=True",
            SelfJudgeWarning,
            stacklevel=3,
        )
