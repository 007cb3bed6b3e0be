"""The :class:`Case` record and the validation of its fields."""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from decimal import Decimal
from typing import Any

from workbench.cases._errors import CaseSetError

#: Chat roles accepted in a message list.
ROLES = ("system", "user", "assistant", "tool")

#: Column names that are case fields (or aliases), so they cannot be metadata.
RESERVED = frozenset({"id", "case_id", "input", "reference", "context", "tags", "is_chat"})


class FrozenDict(dict[str, Any]):
    """A read-only dict (metadata, chat messages): equal to plain dicts, picklable, ``asdict``-able."""

    __slots__ = ()

    def _readonly(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("case fields are read-only; build a new Case with dataclasses.replace()")

    __setitem__ = __delitem__ = __ior__ = _readonly
    clear = pop = popitem = setdefault = update = _readonly

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    __repr__ = dict.__repr__


class FieldError(Exception):
    """One field of one record is invalid; the loader adds the file, line and case id."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"field {field!r} {message}")


def describe(value: Any) -> str:
    """Name a bad value for an error message: its type and a short repr."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def normalize_id(value: Any) -> str:
    if isinstance(value, str):
        if not value.strip():
            raise FieldError("id", "is empty")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FieldError("id", f"must be a string or an integer, got {describe(value)}")


def normalize_input(value: Any) -> str | tuple[Mapping[str, Any], ...]:
    if isinstance(value, str):
        if not value.strip():
            raise FieldError("input", "is empty")
        return value
    if isinstance(value, list | tuple):
        if not value:
            raise FieldError("input", "is an empty message list")
        return tuple(_normalize_message(i, m) for i, m in enumerate(value))
    raise FieldError(
        "input", f"must be a string or a list of chat messages ({{'role', 'content'}}), got {describe(value)}"
    )


def _normalize_message(i: int, message: Any) -> Mapping[str, Any]:
    if not isinstance(message, Mapping):
        raise FieldError(
            "input", f"message {i} must be an object with 'role' and 'content', got {describe(message)}"
        )
    if "role" not in message or message["role"] is None:
        raise FieldError("input", f"message {i} is missing 'role'")
    role = message["role"]
    if role not in ROLES:
        raise FieldError("input", f"message {i} has role {role!r}; expected one of {', '.join(ROLES)}")
    if "content" not in message or message["content"] is None:
        raise FieldError("input", f"message {i} is missing 'content'")
    if not isinstance(message["content"], str):
        raise FieldError(
            "input", f"message {i} 'content' must be a string, got {describe(message['content'])}"
        )
    out: dict[str, Any] = {}
    for key, val in message.items():
        if not isinstance(key, str):
            raise FieldError("input", f"message {i} has a non-string key {key!r}")
        # Struct columns (polars, parquet) give absent optional keys as None: drop them.
        if val is not None:
            out[key] = val
    return FrozenDict(out)


def normalize_reference(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | list | tuple | Mapping):
        try:
            return canonical_json(value, strict=True)
        except (TypeError, ValueError) as e:
            raise FieldError("reference", f"is not a JSON value: {e}") from None
    raise FieldError("reference", f"must be a string, None or a JSON value, got {describe(value)}")


def normalize_context(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise FieldError(
                    "context", f"must be a string or a list of strings; item {i} is {describe(item)}"
                )
        return tuple(value)
    raise FieldError("context", f"must be a string or a list of strings, got {describe(value)}")


def normalize_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as e:
                raise FieldError("tags", f"looks like a JSON list but is not valid JSON ({e.msg})") from None
            if not isinstance(value, list):
                raise FieldError("tags", f"must be a list of strings, got {describe(value)}")
        else:
            value = text.split("|")
    if not isinstance(value, list | tuple):
        raise FieldError("tags", f"must be a list of strings (or 'a|b|c'), got {describe(value)}")
    tags: dict[str, None] = {}  # ordered set: keeps first occurrence
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise FieldError("tags", f"must be a list of strings; item {i} is {describe(item)}")
        item = item.strip()
        if item:
            tags[item] = None
    return tuple(tags)


def normalize_metadata(value: Any) -> Mapping[str, Any]:
    if value is None:
        return FrozenDict({})
    if not isinstance(value, Mapping):
        raise FieldError("metadata", f"must be a mapping, got {describe(value)}")
    for key in value:
        if not isinstance(key, str):
            raise FieldError("metadata", f"keys must be strings, got {describe(key)}")
        if key in RESERVED:
            raise FieldError("metadata", f"key {key!r} is a case field name; rename it")
    return FrozenDict(dict(value))


@dataclass(frozen=True)
class Case:
    """One test case of a golden set.

    Fields are validated and normalised on construction: an integer ``id`` becomes a string,
    ``context`` and ``tags`` become tuples (a single context string becomes a 1-element tuple,
    a tags string ``"a|b"`` or ``'["a", "b"]'`` is split; tags are trimmed, empty ones dropped,
    duplicates removed), and a non-string JSON ``reference`` (a dict, list, number or bool, e.g. for
    extraction tasks) is stored as its canonical JSON text (sorted keys, no spaces).

    Args:
        id: Unique id within its case set.
        input: The prompt text, or chat messages: a list of ``{"role", "content"}`` dicts with
            role one of system, user, assistant, tool.
        reference: Expected output, if any (this and the fields below are keyword-only).
        context: Retrieved passages (RAG), if any.
        tags: Labels used to slice the set.
        metadata: Any further columns (difficulty, tier, ...), kept as given.

    Example:
        >>> case = Case(id=7, input="Hi", tags=["smalltalk", " en "])
        >>> case.id, case.tags
        ('7', ('smalltalk', 'en'))
        >>> case.messages()
        [{'role': 'user', 'content': 'Hi'}]
    """

    id: str
    input: str | tuple[Mapping[str, Any], ...]
    _: KW_ONLY
    reference: str | None = None
    context: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=lambda: FrozenDict())

    def __post_init__(self) -> None:
        try:
            case_id = normalize_id(self.id)
        except FieldError as e:
            raise CaseSetError(str(e)) from None
        try:
            values = {
                "input": normalize_input(self.input),
                "reference": normalize_reference(self.reference),
                "context": normalize_context(self.context),
                "tags": normalize_tags(self.tags),
                "metadata": normalize_metadata(self.metadata),
            }
        except FieldError as e:
            raise CaseSetError(f"case {case_id!r}: {e}") from None
        object.__setattr__(self, "id", case_id)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def _trusted(
        cls,
        id: str,
        input: str | tuple[Mapping[str, Any], ...],
        reference: str | None,
        context: tuple[str, ...],
        tags: tuple[str, ...],
        metadata: dict[str, Any],
    ) -> Case:
        """Build from already-normalised fields (the loaders validate first), skipping re-validation."""
        case = object.__new__(cls)
        set_ = object.__setattr__
        set_(case, "id", id)
        set_(case, "input", input)
        set_(case, "reference", reference)
        set_(case, "context", context)
        set_(case, "tags", tags)
        set_(case, "metadata", FrozenDict(metadata))
        return case

    def __hash__(self) -> int:
        return hash(canonical_json(self.canonical()))

    @property
    def is_chat(self) -> bool:
        """Whether the input is a list of chat messages rather than a string."""
        return not isinstance(self.input, str)

    def messages(self) -> list[dict[str, Any]]:
        """The input as chat messages; a string input becomes one user message."""
        if isinstance(self.input, str):
            return [{"role": "user", "content": self.input}]
        return [dict(m) for m in self.input]

    def to_dict(self) -> dict[str, Any]:
        """A flat, JSON-ready record (metadata as top-level keys) that loads back to this case."""
        record: dict[str, Any] = {
            "id": self.id,
            "input": self.input if isinstance(self.input, str) else self.messages(),
            "reference": self.reference,
            "context": list(self.context),
            "tags": list(self.tags),
        }
        record.update(self.metadata)
        return record

    def canonical(self) -> dict[str, Any]:
        """The content that defines the case, ready for :func:`canonical_json` without ``_canon``.

        Null metadata counts as absent; integral floats in metadata and messages become ints.
        """
        return {
            "id": self.id,
            "input": self.input if isinstance(self.input, str) else _canon(self.messages()),
            "reference": self.reference,
            "context": self.context,
            "tags": self.tags,
            "metadata": {k: _canon(v) for k, v in self.metadata.items() if v is not None},
        }


def canonical_json(value: Any, *, strict: bool = False) -> str:
    """Deterministic JSON: sorted keys, no spaces, integral floats as ints.

    With ``strict=False`` (hashing, writing metadata) dates and times become ISO strings,
    decimals and other objects their ``str``; with ``strict=True`` only JSON types are accepted.
    """
    return json.dumps(
        _canon(value),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=not strict,
        default=None if strict else json_default,
    )


def _canon(value: Any) -> Any:
    if type(value) is str:  # the common case, first
        return value
    # 1 and 1.0 hash alike, so an int column that a pandas round trip turned into floats keeps its version.
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    return value


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for values that polars, parquet or pandas give as metadata."""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _canon(value.item())
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy array
        return _canon(value.tolist())
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
