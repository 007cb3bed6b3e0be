"""JSON scorers: validity (strict and extracted), JSON Schema, and JSON equality."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench.metrics import Score, json_match, json_schema, json_valid, parse_json, score

ORDER_SCHEMA = {
    "type": "object",
    "required": ["id", "items"],
    "properties": {
        "id": {"type": "string"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"price": {"type": "number"}}},
        },
    },
}


def test_json_valid_is_strict_by_default():
    assert json_valid.score_one('{"a": 1}') == Score(value=1.0, passed=True)
    assert json_valid.score_one(" [1, 2] \n") == Score(value=1.0, passed=True)
    bad = json_valid.score_one("{'a': 1}")
    assert bad.passed is False and bad.value == 0.0
    assert (
        bad.rationale
        == "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"
    )
    assert json_valid.score_one('```json\n{"a": 1}\n```').passed is False
    assert json_valid.score_one("NaN").rationale == "not valid JSON: NaN is not valid JSON"


def test_json_valid_extract_finds_fenced_and_embedded_json():
    s = json_valid(extract=True)
    assert s.score_one('Here you go:\n```json\n{"a": 1}\n```').passed is True
    assert s.score_one('The answer is {"a": [1, 2]} as requested.').passed is True
    assert s.score_one("no json here").rationale.startswith("no JSON value found in the output")
    assert parse_json('x ```\n[1]\n``` y {"b": 2}', extract=True) == [1]


def test_json_schema_passes_and_reports_the_first_error_path():
    s = json_schema(ORDER_SCHEMA)
    assert s.score_one('{"id": "A1", "items": [{"price": 3.5}]}') == Score(value=1.0, passed=True)
    bad = s.score_one('{"id": "A1", "items": [{"price": "3.5"}]}')
    assert bad == Score(value=0.0, passed=False, rationale="$.items[0].price: '3.5' is not of type 'number'")
    two = s.score_one('{"id": 7, "items": [{"price": "x"}]}')
    assert two.rationale == "$.id: 7 is not of type 'string' (and 1 more error(s))"
    assert s.score_one("not json").rationale.startswith("not valid JSON")


def test_invalid_schema_raises_with_its_path():
    with pytest.raises(
        ValueError, match=r"invalid JSON Schema \(Draft202012Validator\) at \$\.properties\.id\.type"
    ):
        json_schema({"type": "object", "properties": {"id": {"type": "strin"}}})
    with pytest.raises(ValueError, match=r"a JSON Schema \(dict\) is expected, got str"):
        json_schema('{"type": "object"}')


def test_schema_draft_follows_dollar_schema():
    draft7 = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "array",
        "items": [{"type": "integer"}],
    }
    assert json_schema(draft7).score_one("[1, 2]").passed is True  # tuple 'items' is valid in draft 7
    with pytest.raises(ValueError, match="invalid JSON Schema"):
        json_schema({**draft7, "$schema": "https://json-schema.org/draft/2020-12/schema"})


def test_json_match_ignores_key_order_and_number_form():
    row = {"reference": '{"a": 1, "b": [1, 2.5], "c": {"d": null}}'}
    assert json_match.score_one('{"c": {"d": null}, "b": [1.0, 2.5], "a": 1.0}', row=row).passed is True
    assert json_match.score_one('{"a": 1, "b": [1, 2.5000000001], "c": {"d": null}}', row=row).passed is True


@pytest.mark.parametrize(
    ("output", "rationale"),
    [
        ('{"a": 1, "b": [1, 3], "c": {"d": null}}', "$.b[1]: expected 2.5, got 3"),
        ('{"a": 1, "b": [1, 2.5], "c": {}}', "$.c.d: missing"),
        ('{"a": 1, "b": [1, 2.5], "c": {"d": null}, "e": 0}', "$.e: unexpected key"),
        ('{"a": true, "b": [1, 2.5], "c": {"d": null}}', "$.a: expected 1, got true"),
        ('{"a": 1, "b": [1], "c": {"d": null}}', "$.b: expected 2 items, got 1"),
        (
            "{a: 1}",
            "output is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2",
        ),
    ],
)
def test_json_match_reports_the_first_difference(output, rationale):
    row = {"reference": '{"a": 1, "b": [1, 2.5], "c": {"d": null}}'}
    assert json_match.score_one(output, row=row) == Score(value=0.0, passed=False, rationale=rationale)


def test_json_match_tolerance_and_bad_reference():
    assert json_match(tolerance=0.1).score_one("[1.05]", row={"reference": "[1]"}).passed is True
    assert json_match.score_one("[1.05]", row={"reference": "[1]"}).passed is False
    assert json_match.score_one("[1]", row={"reference": "[1"}).error.startswith(
        "reference is not valid JSON"
    )


def test_json_scorers_vectorised_equal_row_path():
    outputs = [
        '{"id": "a", "items": []}',
        "{'id': 1}",
        '```json\n{"id": "b", "items": [{"price": 1}]}\n```',
        "[]",
        None,
    ]
    refs = ['{"id": "a", "items": []}', '{"id": 1}', '{"id": "b", "items": [{"price": 1.0}]}', "[1]", "[]"]
    frame = pl.DataFrame({"case_id": list("abcde"), "output": outputs, "reference": refs})
    scorers = [
        json_valid,
        json_valid(extract=True, metric="json_extract"),
        json_schema(ORDER_SCHEMA),
        json_match(extract=True),
    ]
    fast = score(frame, scorers).table
    assert_frame_equal(fast, score(frame, scorers, vectorized=False).table)
    assert fast.filter(pl.col("metric") == "json_match")["passed"].to_list() == [
        True,
        False,
        True,
        False,
        None,
    ]
