"""Finding JSON in a model's reply: fenced blocks, the first balanced object, light repairs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

# ------------------------------------------------------------------------------------------------
# Finding JSON in a reply
# ------------------------------------------------------------------------------------------------
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_BARE = {"True": "true", "False": "false", "None": "null"}


def _balanced(text: str, opener: str) -> Iterator[str]:
    """Every balanced ``{...}`` (or ``[...]``) span of ``text``, outermost first, left to right."""
    closer = "}" if opener == "{" else "]"
    start = text.find(opener)
    while start != -1:
        depth, quote, escaped, end = 0, "", False, -1
        for i in range(start, len(text)):
            ch = text[i]
            if quote:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                # an apostrophe inside prose-like text ("it's") is not a string opener
                if ch == "'" and i > 0 and text[i - 1].isalnum():
                    continue
                quote = ch
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end != -1 and text[end] == closer:
            yield text[start : end + 1]
            start = text.find(opener, end + 1)
        else:
            start = text.find(opener, start + 1)


def repair_json(text: str) -> str:
    """Turn JSON-ish text into JSON: single-quoted strings, bare keys, Python literals, trailing commas.

    Only the text outside strings is changed, so a rationale that happens to contain ``True,}``
    is kept as written.

    >>> repair_json("{'score': 4, passed: True, 'why': \\"it's fine\\",}")
    '{"score": 4, "passed": true, "why": "it\\'s fine"}'
    """
    text = text.translate(_SMART_QUOTES)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j, buf = i + 1, []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    # \' is not a JSON escape; \" must stay escaped
                    buf.append("'" if nxt == "'" else "\\" + nxt)
                    j += 2
                    continue
                buf.append('\\"' if text[j] == '"' else text[j])
                j += 1
            out.append('"' + "".join(buf) + '"')
            i = j + 1
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            rest = text[j:].lstrip()
            if rest.startswith(":") and word not in ("true", "false", "null"):
                out.append(f'"{word}"')  # a bare key
            else:
                out.append(_BARE.get(word, word))
            i = j
            continue
        if ch == ",":
            rest = text[i + 1 :].lstrip()
            if rest[:1] in ("}", "]"):
                i += 1  # a trailing comma
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _loads(text: str) -> Any:
    return json.loads(text, strict=False)  # strict=False: raw newlines inside strings are fine


def iter_json(reply: str, kinds: tuple[type, ...] = (dict,)) -> Iterator[tuple[Any, str]]:
    """Every JSON value of the given kinds found in ``reply``, with how it was found, best first."""
    seen: set[str] = set()
    stripped = reply.strip()

    def attempts(text: str, how: str) -> Iterator[tuple[Any, str]]:
        try:
            value = _loads(text)
        except ValueError:
            pass
        else:
            if isinstance(value, kinds):
                yield value, how
            return
        try:
            value = _loads(repair_json(text))
        except ValueError:
            return
        if isinstance(value, kinds):
            yield value, "repaired"

    yield from attempts(stripped, "json")
    seen.add(stripped)
    blocks = [m.group(2).strip() for m in _FENCE.finditer(reply)]
    for block in blocks:
        if block not in seen:
            seen.add(block)
            yield from attempts(block, "fenced")
    openers = ["{" if k is dict else "[" for k in kinds]
    for source in [*blocks, reply]:
        spans = sorted(
            ((source.index(s), s) for op in dict.fromkeys(openers) for s in _balanced(source, op)),
            key=lambda t: t[0],
        )
        for _, span in spans:
            if span not in seen:
                seen.add(span)
                yield from attempts(span, "embedded")
