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

import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench._schema import SCORE_COLUMNS
from workbench.metrics._parse import Grade, ParseError, is_label_scale, parse_grade
from workbench.runner._spec import Model

if TYPE_CHECKING:
    import polars as pl

DEFAULT_JUDGE = "local/smollm2-135m"

SYSTEM = (
    "You are a careful, impartial evaluator of AI assistant responses. Judge only what is asked, "
    "and answer with a single JSON object and nothing else."
)


# ------------------------------------------------------------------------------------------------
# Rubric
# ------------------------------------------------------------------------------------------------
def _norm(label: str) -> str:
    return " ".join(label.replace("_", " ").replace("-", " ").split()).lower()


@dataclass(frozen=True)
class Rubric:
    """What a judge grades and on which scale.

    Args:
        criteria: what a good response does, in plain words.
        scale: ``(lo, hi)`` for an integer score, or a list of labels ordered worst to best
            (``["fail", "pass"]``); a label's ``value`` in the scores is its position (0, 1, ...).
        guidance: what each score or label means, e.g. ``{1: "wrong", 5: "correct and complete"}``.
        name: the metric name in the score table.
        passing: the lowest passing score, or the passing label(s); sets ``passed``. None leaves
            ``passed`` null.

    >>> Rubric("Is it polite?", scale=["rude", "neutral", "polite"], name="politeness").labels
    ('rude', 'neutral', 'polite')
    """

    criteria: str
    scale: tuple[int, int] | tuple[str, ...] | None = None
    guidance: Mapping[Any, str] | None = None
    name: str = "judge"
    passing: int | str | tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        where = f"rubric {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"rubric name must be a non-empty string (the metric name), got {self.name!r}")
        if not isinstance(self.criteria, str) or not self.criteria.strip():
            raise ValueError(f"{where}: criteria must be a non-empty string, got {self.criteria!r}")
        object.__setattr__(self, "scale", _check_scale(where, self.scale))
        object.__setattr__(self, "guidance", _check_guidance(where, self.scale, self.guidance))  # type: ignore[arg-type]
        object.__setattr__(self, "passing", _check_passing(where, self.scale, self.passing))  # type: ignore[arg-type]

    @property
    def labels(self) -> tuple[str, ...] | None:
        """The labels of a label scale (None for a numeric scale)."""
        return self.scale if is_label_scale(self.scale) else None  # type: ignore[arg-type,return-value]

    def value_of(self, grade: Grade) -> float:
        """The numeric ``value`` of a grade: the score, or the label's position in the scale."""
        if grade.label is not None:
            return float(self.scale.index(grade.label))  # type: ignore[union-attr,arg-type]
        return float(grade.score)  # type: ignore[arg-type]

    def passed(self, grade: Grade) -> bool | None:
        if self.passing is None:
            return None
        if grade.label is not None:
            return grade.label in self.passing  # type: ignore[operator]
        return grade.score >= self.passing  # type: ignore[operator]

    def instructions(self) -> str:
        """The rubric as the judge reads it."""
        if self.labels is not None:
            head = "Choose exactly one label: " + ", ".join(json.dumps(lab) for lab in self.labels) + "."
        else:
            lo, hi = self.scale  # type: ignore[misc]
            head = f"Give a whole-number score from {lo} (worst) to {hi} (best)."
        lines = [f"- {k}: {v}" for k, v in (self.guidance or {}).items()]
        return "\n".join([head, *lines])

    def reply_format(self) -> str:
        if self.labels is not None:
            return '{"rationale": "<one or two sentences>", "label": "<' + " | ".join(self.labels) + '>"}'
        lo, hi = self.scale  # type: ignore[misc]
        return f'{{"rationale": "<one or two sentences>", "score": <whole number from {lo} to {hi}>}}'

    def describe(self) -> dict[str, Any]:
        passing = list(self.passing) if isinstance(self.passing, tuple) else self.passing
        return {
            "name": self.name,
            "criteria": self.criteria,
            "scale": list(self.scale),  # type: ignore[arg-type]
            "guidance": {str(k): v for k, v in (self.guidance or {}).items()} or None,
            "passing": passing,
        }


def _check_scale(where: str, scale: Any) -> tuple[int, int] | tuple[str, ...]:
    hint = "give scale=(1, 5) for a score or scale=['fail', 'pass'] for labels"
    if scale is None or (isinstance(scale, list | tuple) and not scale):
        raise ValueError(f"{where} has no scale: {hint}")
    if isinstance(scale, str) or not isinstance(scale, list | tuple):
        raise ValueError(f"{where}: scale must be (lo, hi) or a list of labels, got {scale!r}; {hint}")
    if all(isinstance(s, str) for s in scale):
        if len(scale) < 2:
            raise ValueError(f"{where}: a label scale needs at least two labels, got {list(scale)}")
        for i, label in enumerate(scale):
            if not label.strip():
                raise ValueError(f"{where}: label {i} of the scale is empty")
        norms = [_norm(s) for s in scale]
        dupes = sorted({s for s, n in zip(scale, norms, strict=True) if norms.count(n) > 1})
        if dupes:
            raise ValueError(
                f"{where}: scale labels must be unique (ignoring case, '_' and '-'), repeated: {dupes}"
            )
        return tuple(s.strip() for s in scale)
    ints = all(isinstance(s, int) and not isinstance(s, bool) for s in scale)
    if not ints or len(scale) != 2:
        raise ValueError(f"{where}: a numeric scale is two integers (lo, hi), got {scale!r}; {hint}")
    lo, hi = scale
    if lo >= hi:
        raise ValueError(f"{where}: scale (lo, hi) needs lo < hi, got ({lo}, {hi})")
    return (lo, hi)


def _check_guidance(where: str, scale: Any, guidance: Mapping[Any, str] | None) -> dict[Any, str] | None:
    if guidance is None:
        return None
    if not isinstance(guidance, Mapping):
        raise ValueError(f"{where}: guidance must be a dict from score or label to a description")
    out: dict[Any, str] = {}
    for key, text in guidance.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: guidance for {key!r} must be a non-empty string, got {text!r}")
        if is_label_scale(scale):
            match = next((lab for lab in scale if isinstance(key, str) and _norm(lab) == _norm(key)), None)
            if match is None:
                raise ValueError(f"{where}: guidance key {key!r} is not one of the labels {list(scale)}")
            out[match] = text
        else:
            if isinstance(key, bool) or not isinstance(key, int) or not scale[0] <= key <= scale[1]:
                raise ValueError(
                    f"{where}: guidance key {key!r} is not a score on the scale {scale[0]}-{scale[1]}"
                )
            out[key] = text
    return dict(sorted(out.items(), key=lambda kv: scale.index(kv[0]) if is_label_scale(scale) else kv[0]))


def _check_passing(where: str, scale: Any, passing: Any) -> int | tuple[str, ...] | None:
    if passing is None:
        return None
    if is_label_scale(scale):
        items = (
            [passing]
            if isinstance(passing, str)
            else list(passing)
            if isinstance(passing, list | tuple)
            else None
        )
        if not items:
            raise ValueError(
                f"{where}: passing must be a label or a list of labels of {list(scale)}, got {passing!r}"
            )
        out = []
        for item in items:
            match = next((lab for lab in scale if isinstance(item, str) and _norm(lab) == _norm(item)), None)
            if match is None:
                raise ValueError(f"{where}: passing label {item!r} is not one of {list(scale)}")
            out.append(match)
        return tuple(out)
    if isinstance(passing, bool) or not isinstance(passing, int) or not scale[0] <= passing <= scale[1]:
        raise ValueError(
            f"{where}: passing must be a score on the scale {scale[0]}-{scale[1]}, got {passing!r}"
        )
    return passing


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
            params["response_format"] = {"type": "json_object", "schema": schema}
        else:  # OpenAI's form (litellm translates it for providers that support it)
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "verdict", "schema": schema, "strict": False},
            }
    return Model(m.model, name=m.name, params=params, concurrency=m.concurrency)


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
    import polars as pl

    if isinstance(results, list | tuple) and results and not isinstance(results[0], Mapping):
        return [row for item in results for row in result_rows(item)]
    if isinstance(results, list | tuple):
        rows = [dict(r) for r in results]
    else:
        frame = getattr(results, "results", results)
        if type(frame).__module__.startswith("pandas"):
            frame = pl.from_pandas(frame)
        if not isinstance(frame, pl.DataFrame):
            raise TypeError(
                f"results must be a Run, a DataFrame or a list of them, got {type(results).__name__}"
            )
        rows = frame.to_dicts()
    for i, row in enumerate(rows):
        for col in ("case_id", "output"):
            if col not in row:
                raise ValueError(f"results row {i} has no {col!r} column; got {sorted(row)}")
    return rows


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
        return complete(self.judge, conversations, project=self.project, progress=self.progress, tag=tag)

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


# ------------------------------------------------------------------------------------------------
# Single-answer judge
# ------------------------------------------------------------------------------------------------
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
        rubric=rubric,
        include_reference=include_reference,
        include_context=include_context,
    )
