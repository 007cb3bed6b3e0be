"""A judge's :class:`Rubric`: the criteria, the scale or labels, guidance and the passing grade."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.metrics._parse import Grade, is_label_scale


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
