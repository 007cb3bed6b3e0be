"""Errors raised while loading, validating and slicing case sets."""

from __future__ import annotations

from collections.abc import Sequence

#: How many problems a :class:`CaseSetError` message lists before summarising the rest.
MAX_LISTED_PROBLEMS = 10


class CaseSetError(ValueError):
    """A case set could not be loaded or validated.

    Loading is all-or-nothing: every problem found in the source is collected, and the message
    lists the first few, each naming the file and line (or row) and the field or case id.

    Attributes:
        problems: Every problem found, one human-readable string each.
        source: The file name or a description of the in-memory source, if known.
    """

    def __init__(self, problems: str | Sequence[str], *, source: str | None = None) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        super().__init__(_format(self.problems, source))


def _format(problems: list[str], source: str | None) -> str:
    if len(problems) == 1:
        return problems[0]
    where = f" in {source}" if source else ""
    lines = [f"{len(problems)} problems{where}:"]
    lines += [f"  - {p}" for p in problems[:MAX_LISTED_PROBLEMS]]
    if len(problems) > MAX_LISTED_PROBLEMS:
        lines.append(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS} more")
    return "\n".join(lines)


class TagExpressionError(ValueError):
    """A tag expression could not be parsed.

    Attributes:
        expr: The expression as given.
        position: 0-based character offset of the problem in ``expr``.
        expected: What the parser expected at ``position``.
    """

    def __init__(self, expr: str, position: int, expected: str, found: str) -> None:
        self.expr = expr
        self.position = position
        self.expected = expected
        self.found = found
        caret = " " * position + "^"
        super().__init__(
            f"invalid tag expression: expected {expected} at position {position}, found {found}\n"
            f"  {expr}\n  {caret}"
        )
