"""Error types: message layout and attributes."""

from __future__ import annotations

from workbench.cases import CaseSetError, TagExpressionError


def test_case_set_error_single_and_many() -> None:
    one = CaseSetError("f.jsonl:3: missing required field 'id'", source="f.jsonl")
    assert str(one) == "f.jsonl:3: missing required field 'id'"
    assert one.problems == ["f.jsonl:3: missing required field 'id'"] and one.source == "f.jsonl"
    assert isinstance(one, ValueError)
    many = CaseSetError([f"p{i}" for i in range(12)], source="f.jsonl")
    assert str(many).splitlines() == ["12 problems in f.jsonl:"] + [f"  - p{i}" for i in range(10)] + [
        "  ... and 2 more"
    ]
    assert str(CaseSetError(["a", "b"])).splitlines()[0] == "2 problems:"


def test_tag_expression_error_attributes() -> None:
    err = TagExpressionError("a b", 2, "'and'", "tag 'b'")
    assert (err.expr, err.position, err.expected, err.found) == ("a b", 2, "'and'", "tag 'b'")
    assert isinstance(err, ValueError)
