"""Word-level diffs as segments the front end renders as text nodes."""

from __future__ import annotations

import difflib
import re

#: Above this many words on either side the diff is taken line by line, and above this many
#: lines the texts are shown as one deletion and one insertion: SequenceMatcher is quadratic in
#: the worst case (about 0.1 s for 1,000 words), and the detail view must answer at once.
MAX_WORD_TOKENS = 1000
MAX_LINES = 1000

# A word (or one punctuation character) and the whitespace after it. Words are compared, the
# whitespace is carried along, so a changed space does not split an otherwise equal run.
_UNIT = re.compile(r"(\w+|[^\w\s])(\s*)", re.UNICODE)
_LEAD = re.compile(r"\s*")


def tokenize(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split ``text`` into its leading whitespace and (word, following whitespace) pairs.

    Joining the leading whitespace and every word and whitespace gives ``text`` back.
    """
    lead = _LEAD.match(text).group()  # type: ignore[union-attr]
    return lead, _UNIT.findall(text, len(lead))


def word_diff(base: str, other: str) -> list[dict[str, str]]:
    """Diff ``other`` against ``base`` word by word.

    Returns segments ``{"op": "eq" | "del" | "ins", "text": ...}`` in reading order: joining the
    ``eq`` and ``del`` texts gives ``base``, joining the ``eq`` and ``ins`` texts gives ``other``.
    Where both sides changed, the deletion comes before the insertion. Adjacent segments with the
    same op are merged. Texts over :data:`MAX_WORD_TOKENS` words are compared line by line, and
    texts over :data:`MAX_LINES` lines as a whole.

    Example:
        >>> word_diff("the cat sat", "the dog sat")
        [{'op': 'eq', 'text': 'the '}, {'op': 'del', 'text': 'cat'}, {'op': 'ins', 'text': 'dog'}, {'op': 'eq', 'text': ' sat'}]
    """
    if not isinstance(base, str) or not isinstance(other, str):
        raise TypeError(
            f"word_diff() compares two strings, got {type(base).__name__} and {type(other).__name__}"
        )
    lead_a, a = tokenize(base)
    lead_b, b = tokenize(other)
    if max(len(a), len(b)) > MAX_WORD_TOKENS:
        lead_a, a = "", [(line, "") for line in base.splitlines(keepends=True)]
        lead_b, b = "", [(line, "") for line in other.splitlines(keepends=True)]
        if max(len(a), len(b)) > MAX_LINES:
            return [{"op": "eq", "text": base}] if base == other else _whole(base, other)
    segments: list[dict[str, str]] = []
    _space(segments, lead_a, lead_b)
    # autojunk would treat frequent words ("the") as junk in texts over 200 words.
    matcher = difflib.SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (word, space_a), (_, space_b) in zip(a[i1:i2], b[j1:j2], strict=True):
                _push(segments, "eq", word)
                _space(segments, space_a, space_b)
            continue
        old, new = a[i1:i2], b[j1:j2]
        # The whitespace after a replaced run, when both sides share it, is unchanged text.
        shared = old[-1][1] if old and new and old[-1][1] == new[-1][1] else ""
        _push(segments, "del", _text(old)[: len(_text(old)) - len(shared)])
        _push(segments, "ins", _text(new)[: len(_text(new)) - len(shared)])
        _push(segments, "eq", shared)
    return segments


def _whole(base: str, other: str) -> list[dict[str, str]]:
    segments: list[dict[str, str]] = []
    _push(segments, "del", base)
    _push(segments, "ins", other)
    return segments


def _text(units: list[tuple[str, str]]) -> str:
    return "".join(word + space for word, space in units)


def _space(segments: list[dict[str, str]], space_a: str, space_b: str) -> None:
    if space_a == space_b:
        _push(segments, "eq", space_a)
    else:
        _push(segments, "del", space_a)
        _push(segments, "ins", space_b)


def _push(segments: list[dict[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1]["op"] == op:
        segments[-1]["text"] += text
    else:
        segments.append({"op": op, "text": text})
