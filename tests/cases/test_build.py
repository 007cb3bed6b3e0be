"""The record builder: field resolution, is_chat, locations."""

from __future__ import annotations

import pytest

from workbench.cases import CaseSetError, load_cases
from workbench.cases._build import Fields, Locator


def test_fields_from_kwargs() -> None:
    assert Fields.from_kwargs({"input_field": "q"}) == Fields(input="q")
    assert Fields.from_kwargs({}).source_name("id") == "id"
    with pytest.raises(TypeError, match="input_field must be a non-empty column name, got ''"):
        Fields.from_kwargs({"input_field": ""})


def test_locator() -> None:
    lines = Locator("f.jsonl", "line", [3, 7].__getitem__)
    assert lines.where(1) == "f.jsonl:7" and lines.numbers([0, 1]) == "lines 3, 7"
    assert Locator(None).where(2) == "row 2" and Locator("f.parquet").where(0) == "f.parquet row 0"
    assert Locator("f.json", "item").numbers([4]) == "item 4"


def test_is_chat_values() -> None:
    msgs = '[{"role": "user", "content": "hi"}]'
    cs = load_cases(
        [
            {"id": "a", "input": msgs, "is_chat": True},
            {"id": "b", "input": msgs, "is_chat": False},
            {"id": "c", "input": msgs, "is_chat": None},
            {"id": "d", "input": msgs, "is_chat": 1},
        ]
    )
    assert [c.is_chat for c in cs] == [True, False, False, True]
    assert "is_chat" not in cs.metadata_columns
    with pytest.raises(CaseSetError) as info:
        load_cases([{"id": "e", "input": msgs, "is_chat": "yes"}])
    assert str(info.value) == "row 0 (case 'e'): field 'is_chat' must be true or false, got str 'yes'"


def test_id_field_rename_clashes_with_id_column() -> None:
    with pytest.raises(CaseSetError) as info:
        load_cases([{"id": "a", "qid": "b", "input": "x"}], id_field="qid")
    assert str(info.value) == "the records: column 'id' clashes with id_field='qid'; drop or rename it"


def test_missing_values_in_a_renamed_column() -> None:
    with pytest.raises(CaseSetError) as info:
        load_cases([{"qid": "a", "input": "x"}, {"input": "y"}], id_field="qid")
    assert str(info.value) == "row 1: missing required field 'qid'"


def test_field_errors_use_source_column_names() -> None:
    with pytest.raises(CaseSetError) as info:
        load_cases([{"id": "a", "input": "x", "labels": 3}], tags_field="labels")
    assert (
        str(info.value)
        == "row 0 (case 'a'): field 'labels' must be a list of strings (or 'a|b|c'), got int 3"
    )


def test_metadata_keeps_columns_and_fills_missing_with_none() -> None:
    cs = load_cases([{"id": "a", "input": "x", "tier": "pro"}, {"id": "b", "input": "y", "lang": "de"}])
    assert cs.metadata_columns == ("tier", "lang")
    assert dict(cs["b"].metadata) == {"tier": None, "lang": "de"}


def test_nested_metadata_structs_with_different_keys() -> None:
    cs = load_cases([{"id": "a", "input": "x", "m": {"k": 1}}, {"id": "b", "input": "y", "m": {"j": "v"}}])
    assert cs["b"].metadata["m"] == {"j": "v"}
    assert cs.to_polars().height == 2
