"""Reading structured answers out of judge replies, which are often not quite JSON.

Judges are asked for a JSON object. Real replies wrap it in prose or a Markdown fence, leave a
trailing comma, use single quotes or Python's ``True``, or ignore the format and write
``Score: 4``. Each reader here tries, in order: the whole reply as strict JSON; fenced blocks; every
balanced ``{...}`` (or ``[...]``) in the reply, first strictly, then through a careful repair of
the JSON-ish slips above; and last a regular expression for ``Score: 4`` / ``Rating: 4/5`` /
``Verdict: A`` lines. A value outside the scale is a failure (:class:`ParseError`), never clamped.

>>> parse_grade('Sure! ```json\\n{"score": 4, "rationale": "mostly right",}\\n```', (1, 5)).score
4
>>> try:
...     parse_grade("Rating: 9/10", (1, 5))
... except ParseError as e:
...     print(e.reason)
the reply rates out of 10 ('Rating: 9/10'), but the scale is 1-5 in 'Rating: 9/10'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.metrics._jsonish import iter_json, repair_json  # noqa: F401 (re-exported)

SCORE_KEYS = ("score", "rating", "grade")
LABEL_KEYS = ("label", "verdict", "category", "classification", "answer", "score", "rating", "grade")
RATIONALE_KEYS = ("rationale", "reason", "reasoning", "explanation", "justification", "comment")
_SNIPPET = 80


class ParseError(ValueError):
    """A judge reply that could not be read; ``reason`` says why, ``reply`` is the reply itself."""

    def __init__(self, reason: str, reply: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply


@dataclass(frozen=True)
class Grade:
    """A judge's grade: ``score`` on a numeric scale or ``label`` on a label scale, with its rationale."""

    score: int | None
    label: str | None
    rationale: str | None
    how: str  # which reader found it: "json", "fenced", "embedded", "repaired" or "regex"


def snippet(text: str, limit: int = _SNIPPET) -> str:
    """A one-line, shortened quote of ``text`` for error messages."""
    flat = " ".join(str(text).split())
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")


def _get(obj: dict[str, Any], keys: Sequence[str]) -> tuple[str, Any] | None:
    lowered = {str(k).strip().lower(): v for k, v in obj.items()}
    for key in keys:
        if key in lowered:
            return key, lowered[key]
    return None


def _rationale(obj: dict[str, Any]) -> str | None:
    found = _get(obj, RATIONALE_KEYS)
    if found is None or found[1] is None:
        return None
    value = found[1]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------
# Grades
# ------------------------------------------------------------------------------------------------
Scale = tuple[int, int] | tuple[str, ...]


def is_label_scale(scale: Scale) -> bool:
    return bool(scale) and all(isinstance(s, str) for s in scale)


def _norm_label(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().strip("\"'`*.:!;,()[]").strip()).lower()


def _numeric(value: Any, scale: tuple[int, int], where: str) -> int:
    lo, hi = scale
    if isinstance(value, bool):
        raise ParseError(f"{where} is a boolean ({value}), expected an integer {lo}-{hi}")
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(?:/\s*(\d+)|out of\s*(\d+))?\s*", value)
        if not m:
            raise ParseError(f"{where} is {value!r}, expected an integer {lo}-{hi}")
        out_of = m.group(2) or m.group(3)
        if out_of is not None and int(out_of) != hi:
            raise ParseError(f"{where} rates out of {out_of} ({value!r}), but the scale is {lo}-{hi}")
        value = float(m.group(1))
    if not isinstance(value, int | float):
        raise ParseError(f"{where} is {value!r}, expected an integer {lo}-{hi}")
    if value != int(value):
        raise ParseError(f"{where} {value!r} is not a whole number on the scale {lo}-{hi}")
    score = int(value)
    if not lo <= score <= hi:
        raise ParseError(f"{where} {score} is outside the scale {lo}-{hi}")
    return score


def _label(value: Any, labels: tuple[str, ...], where: str) -> str:
    if not isinstance(value, str):
        raise ParseError(f"{where} is {value!r}, expected one of {list(labels)}")
    wanted = _norm_label(value)
    for label in labels:
        if _norm_label(label) == wanted:
            return label
    raise ParseError(f"{where} {value!r} is not one of {list(labels)}")


def _grade_from_object(obj: dict[str, Any], scale: Scale, how: str) -> Grade | None:
    """A grade from a parsed object; None when it has no grade key; ParseError when the value is bad."""
    if is_label_scale(scale):
        labels = tuple(str(s) for s in scale)
        found = _get(obj, LABEL_KEYS)
        if found is None:
            return None
        label = _label(found[1], labels, f'"{found[0]}"')
        return Grade(None, label, _rationale(obj), how)
    found = _get(obj, SCORE_KEYS)
    if found is None:
        return None
    score = _numeric(found[1], scale, f'"{found[0]}"')  # type: ignore[arg-type]
    return Grade(score, None, _rationale(obj), how)


_SCORE_LINE = re.compile(
    r"(?<![A-Za-z])(?:final\s+)?(?:score|rating|grade)[\"'*\s]*(?:[:=]|\bis\b|\bof\b)[\s*\"']*"
    r"(-?\d+(?:\.\d+)?)(?:\s*(?:/|out\s+of)\s*(\d+))?",
    re.IGNORECASE,
)
_LABEL_HEAD = re.compile(
    r"(?<![A-Za-z])(?:final\s+)?(?:verdict|label|decision|classification|category|judge?ment|grade|rating|score)"
    r"[\"'*\s]*(?:[:=]|\bis\b\s*:?)[\s*\"'`]*",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"[\s*]*(-?\d+(?:\.\d+)?)\s*(?:/\s*(\d+))?[\s*.]*")
_RATIONALE_LINE = re.compile(
    r"(?:rationale|reason|reasoning|explanation|justification)[\"'*\s]*[:=][\s*\"']*(.+)", re.IGNORECASE
)


def _prose_rationale(reply: str) -> str | None:
    m = _RATIONALE_LINE.search(reply)
    return m.group(1).strip().strip("\"'*").strip() or None if m else None


def _label_pattern(label: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s_-]+", label.strip()) if w]
    return re.compile(r"[\s_-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _grade_from_prose(reply: str, scale: Scale) -> Grade | None:
    if is_label_scale(scale):
        labels = tuple(str(s) for s in scale)
        first_line = next((line for line in reply.splitlines() if line.strip()), "")
        for text in (reply, first_line):
            for label in labels:
                if _norm_label(label) == _norm_label(text):
                    return Grade(None, label, _prose_rationale(reply), "regex")
        longest_first = sorted(labels, key=len, reverse=True)
        found: dict[str, None] = {}
        for m in _LABEL_HEAD.finditer(reply):
            rest = reply[m.end() :]
            hit = next((lab for lab in longest_first if _label_pattern(lab).match(rest)), None)
            if hit is not None:
                found[hit] = None
        if len(found) > 1:
            raise ParseError(f"the reply names several labels {list(found)}: ambiguous")
        return Grade(None, next(iter(found)), _prose_rationale(reply), "regex") if found else None
    lo, hi = scale  # type: ignore[misc]
    matches = list(_SCORE_LINE.finditer(reply))
    bare = _BARE_NUMBER.fullmatch(reply)
    scores: dict[int, None] = {}
    for m in matches or ([bare] if bare else []):
        quoted = m.group(0).strip()
        if m.group(2) is not None and int(m.group(2)) != hi:
            raise ParseError(f"the reply rates out of {m.group(2)} ({quoted!r}), but the scale is {lo}-{hi}")
        scores[_numeric(float(m.group(1)), (int(lo), int(hi)), f"the score in {quoted!r}")] = None
    if len(scores) > 1:
        raise ParseError(f"the reply gives several scores {list(scores)}: ambiguous")
    return Grade(next(iter(scores)), None, _prose_rationale(reply), "regex") if scores else None


def _nested(value: Any) -> Iterator[Any]:
    """``value`` then the objects nested in it (``{"result": {"score": 4}}``), outermost first."""
    yield value
    children = value.values() if isinstance(value, dict) else ()
    for child in children:
        if isinstance(child, dict):
            yield from _nested(child)


def _first(reply: str, kinds: tuple[type, ...], read: Callable[[Any, str], Any]) -> Any:
    """The first JSON value that ``read`` accepts (not None); the first ParseError if none does."""
    error: ParseError | None = None
    for found, how in iter_json(reply, kinds):
        for value in _nested(found):
            try:
                got = read(value, how)
            except ParseError as e:
                error = error or e
                break
            if got is not None:
                return got
    if error is not None:
        raise error
    return None


def parse_grade(reply: str | None, scale: Scale) -> Grade:
    """Read a grade (``{"score": 4, "rationale": ...}`` or ``{"label": ...}``) from a judge reply.

    Args:
        reply: the judge's raw reply.
        scale: ``(lo, hi)`` integers, or a tuple of labels.

    Raises:
        ParseError: no grade found, or the grade is not on the scale.

    >>> parse_grade('I would say... Score: 4\\nReason: clear and correct', (1, 5))
    Grade(score=4, label=None, rationale='clear and correct', how='regex')
    >>> parse_grade('{"label": "PASS", "reason": "ok"}', ("pass", "fail")).label
    'pass'
    """
    if reply is None or not reply.strip():
        raise ParseError("the reply is empty", reply)
    try:
        grade = _first(reply, (dict,), lambda obj, how: _grade_from_object(obj, scale, how))
        if grade is None:
            grade = _grade_from_prose(reply, scale)
    except ParseError as e:
        raise ParseError(f"{e.reason} in {snippet(reply)}", reply) from None
    if grade is None:
        want = "label" if is_label_scale(scale) else "score"
        raise ParseError(
            f'no "{want}" found (no JSON object with it, no "{want.title()}: ..." line) in {snippet(reply)}',
            reply,
        )
    return grade


# ------------------------------------------------------------------------------------------------
# Pairwise verdicts
# ------------------------------------------------------------------------------------------------
_VERDICT_WORDS = {
    "a": "A", "b": "B", "tie": "tie", "draw": "tie", "equal": "tie", "both": "tie", "neither": "tie",
    "response a": "A", "response b": "B", "answer a": "A", "answer b": "B", "output a": "A",
    "output b": "B", "assistant a": "A", "assistant b": "B", "[[a]]": "A", "[[b]]": "B", "[[c]]": "tie",
}  # fmt: skip
_VERDICT_KEYS = ("winner", "verdict", "better", "preferred", "choice", "answer", "label")
_VERDICT_LINE = re.compile(
    r"(?:winner|verdict|better|preferred|choice|final answer)[\"'*\s]*(?:[:=]|\bis\b)[\s*\"'`]*"
    r"((?:response|answer|output|assistant)\s+[ab]\b|[ab]\b|tie\b|draw\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Preference:
    """A pairwise verdict on the order shown to the judge: ``winner`` is "A", "B" or "tie"."""

    winner: str
    rationale: str | None
    how: str


def _verdict_word(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _VERDICT_WORDS.get(_norm_label(value))


def parse_preference(reply: str | None) -> Preference:
    """Read a pairwise verdict (``{"winner": "A" | "B" | "tie", "rationale": ...}``) from a reply.

    >>> parse_preference('After comparing both, **Verdict: B** - it cites the policy.').winner
    'B'
    """
    if reply is None or not reply.strip():
        raise ParseError("the reply is empty", reply)

    def read(obj: dict[str, Any], how: str) -> Preference | None:
        found = _get(obj, _VERDICT_KEYS)
        if found is None:
            return None
        word = _verdict_word(found[1])
        if word is None:
            raise ParseError(f'"{found[0]}" is {found[1]!r}, expected "A", "B" or "tie"')
        return Preference(word, _rationale(obj), how)

    try:
        pref = _first(reply, (dict,), read)
    except ParseError as e:
        raise ParseError(f"{e.reason} in {snippet(reply)}", reply) from None
    if pref is not None:
        return pref
    whole = _verdict_word(reply)
    if whole is not None:
        return Preference(whole, None, "regex")
    words = {w for m in _VERDICT_LINE.finditer(reply) if (w := _verdict_word(m.group(1))) is not None}
    if len(words) > 1:
        raise ParseError(
            f"the reply names several winners {sorted(words)}: ambiguous in {snippet(reply)}", reply
        )
    if words:
        return Preference(words.pop(), _prose_rationale(reply), "regex")
    raise ParseError(
        f'no "winner" found (no JSON object with it, no "Verdict: A" line) in {snippet(reply)}', reply
    )


# ------------------------------------------------------------------------------------------------
# Claims (groundedness)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One claim of an answer and whether the context supports it."""

    claim: str
    supported: bool
    evidence: str | None = None


_CLAIM_KEYS = ("claim", "statement", "text", "fact")
_SUPPORT_KEYS = ("supported", "is_supported", "grounded", "support", "verdict", "label")
_YES = {"true", "yes", "supported", "grounded", "y", "1", "entailed", "correct"}
_NO = {"false", "no", "unsupported", "not supported", "ungrounded", "n", "0", "contradicted",
       "not grounded", "hallucinated", "not entailed", "incorrect"}  # fmt: skip


def _support(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = _norm_label(value)
        if word in _YES:
            return True
        if word in _NO:
            return False
    raise ParseError(f"{where} is {value!r}, expected true or false")


def _claims_from(value: Any, how: str) -> list[Claim] | None:
    items = value
    if isinstance(value, dict):
        found = _get(value, ("claims", "statements", "facts"))
        if found is None:
            return None
        items = found[1]
    if not isinstance(items, list):
        raise ParseError(f"the claims are {type(items).__name__}, expected a list")
    claims = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ParseError(f'claim {i} is {item!r}, expected an object with "claim" and "supported"')
        text = _get(item, _CLAIM_KEYS)
        support = _get(item, _SUPPORT_KEYS)
        if text is None or not isinstance(text[1], str) or not text[1].strip():
            raise ParseError(f'claim {i} has no "claim" text')
        if support is None:
            raise ParseError(f'claim {i} has no "supported" field')
        evidence = _get(item, ("evidence", "quote", "source", *RATIONALE_KEYS))
        ev = evidence[1] if evidence and isinstance(evidence[1], str) else None
        claims.append(Claim(text[1].strip(), _support(support[1], f'claim {i} "{support[0]}"'), ev))
    return claims


def parse_claims(reply: str | None) -> list[Claim]:
    """Read ``{"claims": [{"claim": ..., "supported": true|false}, ...]}`` (or the bare list).

    An empty list is a valid answer (the reply makes no factual claim).

    >>> parse_claims('[{"claim": "Refunds take 5 days", "supported": "no"}]')
    [Claim(claim='Refunds take 5 days', supported=False, evidence=None)]
    """
    if reply is None or not reply.strip():
        raise ParseError("the reply is empty", reply)
    try:
        claims = _first(reply, (dict, list), _claims_from)
    except ParseError as e:
        raise ParseError(f"{e.reason} in {snippet(reply)}", reply) from None
    if claims is None:
        raise ParseError(f'no "claims" list found in {snippet(reply)}', reply)
    return claims
