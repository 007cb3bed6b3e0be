"""JSON scorers: is the output JSON, does it follow a JSON Schema, does it equal the reference JSON."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from workbench.metrics._frame import columnwise, null_field_error
from workbench.metrics._scorer import Score, scorer

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\r?\n(.*?)```", re.DOTALL)
_MAX_EMBEDDED_STARTS = 50


class _NotJSON(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJSON(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise _NotJSON(f"{e.msg} at line {e.lineno} column {e.colno}") from None


def parse_json(text: str, extract: bool = False) -> Any:
    """Parse a model's output as JSON; raise ValueError saying why it is not.

    Strict by default: the whole text (surrounding whitespace aside) must be one JSON value, and
    NaN/Infinity are rejected. With ``extract=True``, when that fails, the first fenced block
    (```json ... ```) that parses is used, else the first ``{...}`` or ``[...]`` value embedded in
    the text.

    Example:
        >>> parse_json('Sure! ```json\\n{"a": 1}\\n```', extract=True)
        {'a': 1}
    """
    try:
        return _loads(text)
    except _NotJSON as strict_error:
        if not extract:
            raise ValueError(f"not valid JSON: {strict_error}") from None
        for block in _FENCE.findall(text):
            try:
                return _loads(block)
            except _NotJSON:
                pass
        decoder = json.JSONDecoder(parse_constant=_reject_constant)
        starts = [m.start() for m in re.finditer(r"[\[{]", text)][:_MAX_EMBEDDED_STARTS]
        for start in starts:
            try:
                return decoder.raw_decode(text, start)[0]
            except (json.JSONDecodeError, _NotJSON):
                pass
        raise ValueError(f"no JSON value found in the output (as a whole: {strict_error})") from None


# -- json_valid ------------------------------------------------------------------------------------


def _json_valid_core(output: str, _ref: Any, *, extract: bool) -> Score:
    try:
        parse_json(output, extract)
    except ValueError as e:
        return Score(value=0.0, passed=False, rationale=str(e))
    return Score(value=1.0, passed=True)


@scorer(vectorized=columnwise(_json_valid_core), columns=())
def json_valid(output: str, *, extract: bool = False) -> Score:
    """Whether the output is JSON (passed; value 1.0/0.0; the parse error as rationale).

    ``extract=False`` (the default) is strict: the whole output must be one JSON value.
    ``extract=True`` also accepts JSON in a ```json fenced block or embedded in prose (see
    :func:`parse_json`).

    Example:
        >>> json_valid.score_one('{"a": 1}').passed, json_valid.score_one("{'a': 1}").passed
        (True, False)
    """
    return _json_valid_core(output, None, extract=extract)


# -- json_schema -----------------------------------------------------------------------------------


def _schema_key(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True)


@functools.lru_cache(maxsize=64)
def _validator(key: str) -> Any:
    from jsonschema.validators import Draft202012Validator, validator_for

    schema = json.loads(key)
    return validator_for(schema, default=Draft202012Validator)(schema)


def _check_schema(schema: Any, extract: Any) -> None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    if not isinstance(schema, Mapping | bool):
        raise ValueError(
            f"json_schema(schema=...): a JSON Schema (dict) is expected, got {type(schema).__name__}"
        )
    try:
        key = _schema_key(schema)
    except (TypeError, ValueError) as e:
        raise ValueError(f"json_schema(schema=...): the schema is not JSON-serialisable: {e}") from None
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as e:
        raise ValueError(
            f"json_schema(schema=...): invalid JSON Schema ({cls.__name__}) at {e.json_path}: {e.message}"
        ) from None
    _validator(key)


def _json_schema_core(output: str, _ref: Any, *, schema: Any, extract: bool) -> Score:
    try:
        instance = parse_json(output, extract)
    except ValueError as e:
        return Score(value=0.0, passed=False, rationale=str(e))
    errors = list(_validator(_schema_key(schema)).iter_errors(instance))
    if not errors:
        return Score(value=1.0, passed=True)
    first = min(errors, key=lambda e: [str(p) for p in e.absolute_path])
    more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
    return Score(value=0.0, passed=False, rationale=f"{first.json_path}: {first.message}{more}")


@scorer(vectorized=columnwise(_json_schema_core), columns=(), validate=_check_schema)
def json_schema(output: str, schema: Mapping[str, Any], *, extract: bool = False) -> Score:
    """Whether the output is JSON valid under a JSON Schema (passed; value 1.0/0.0).

    The schema's ``$schema`` picks the draft (Draft 2020-12 when absent); an invalid schema raises
    a ValueError naming the offending path when the scorer is built. A failing output's rationale
    gives the path of its first error (``$.items[0].price: 'x' is not of type 'number'``).
    ``extract`` is as for :func:`json_valid`.

    Example:
        >>> s = json_schema({"type": "object", "required": ["id"]})
        >>> s.score_one('{"name": "x"}').rationale
        "$: 'id' is a required property"
    """
    return _json_schema_core(output, None, schema=schema, extract=extract)


# -- json_match ------------------------------------------------------------------------------------


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key)}]"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def json_difference(expected: Any, got: Any, tolerance: float = 1e-9, path: str = "$") -> str | None:
    """The first difference between two JSON values, or None when they match.

    Objects match whatever their key order; arrays element by element; numbers when they differ by
    at most ``tolerance`` (1 and 1.0 match; true and 1 do not).

    Example:
        >>> json_difference({"a": [1, 2]}, {"a": [1, 3]})
        '$.a[1]: expected 2, got 3'
    """
    if _is_number(expected) and _is_number(got):
        if expected == got or abs(got - expected) <= tolerance:
            return None
        return f"{path}: expected {json.dumps(expected)}, got {json.dumps(got)}"
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        for key in expected:
            if key not in got:
                return f"{_path(path, key)}: missing"
        for key in got:
            if key not in expected:
                return f"{_path(path, key)}: unexpected key"
        for key in expected:
            diff = json_difference(expected[key], got[key], tolerance, _path(path, key))
            if diff:
                return diff
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for i, (e, g) in enumerate(zip(expected, got, strict=False)):
            diff = json_difference(e, g, tolerance, _path(path, i))
            if diff:
                return diff
        if len(expected) != len(got):
            return f"{path}: expected {len(expected)} items, got {len(got)}"
        return None
    if type(expected) is type(got) and expected == got:
        return None
    return f"{path}: expected {json.dumps(expected)[:80]}, got {json.dumps(got)[:80]}"


def _json_match_core(output: str, ref: Any, *, field: str, tolerance: float, extract: bool) -> Score:
    if isinstance(ref, str):
        try:
            expected = _loads(ref)
        except _NotJSON as e:
            return Score(error=f"{field} is not valid JSON: {e}")
    else:
        expected = ref
    try:
        got = parse_json(output, extract)
    except ValueError as e:
        return Score(
            value=0.0, passed=False, rationale=f"output is {e}" if str(e).startswith("not") else str(e)
        )
    diff = json_difference(expected, got, tolerance)
    return Score(value=1.0 if diff is None else 0.0, passed=diff is None, rationale=diff)


def _check_json_match(field: Any, tolerance: Any, extract: Any) -> None:
    if not _is_number(tolerance) or not tolerance >= 0:
        raise ValueError(f"json_match(tolerance={tolerance!r}): a number >= 0 is expected")


@scorer(
    vectorized=columnwise(_json_match_core, field_arg="field"),
    columns={"field": "any"},
    validate=_check_json_match,
)
def json_match(
    output: str,
    row: Mapping[str, Any],
    *,
    field: str = "reference",
    tolerance: float = 1e-9,
    extract: bool = False,
) -> Score:
    """Whether the output's JSON equals the reference JSON (passed; value 1.0/0.0).

    Key order does not matter; numbers match within ``tolerance``. The rationale of a mismatch is
    the first difference (``$.items[1].qty: expected 2, got 3``). A reference that is not valid
    JSON is an error for that row, not a failure. ``extract`` is as for :func:`json_valid`.

    Example:
        >>> json_match.score_one('{"b": 2.0, "a": 1}', row={"reference": '{"a": 1, "b": 2}'}).passed
        True
    """
    ref = row[field]
    if ref is None:
        return Score(error=null_field_error(field))
    return _json_match_core(output, ref, field=field, tolerance=tolerance, extract=extract)
