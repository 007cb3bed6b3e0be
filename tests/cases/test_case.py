"""The Case record: normalisation, validation messages, chat messages, immutability."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from workbench.cases import Case, CaseSetError
from workbench.cases._case import canonical_json


def test_defaults_and_int_id() -> None:
    case = Case(7, "Hi")
    assert (case.id, case.input, case.reference, case.context, case.tags, dict(case.metadata)) == (
        "7",
        "Hi",
        None,
        (),
        (),
        {},
    )
    assert case.is_chat is False


def test_tags_are_trimmed_deduplicated_and_split() -> None:
    assert Case("a", "x", tags=[" b ", "a", "", "b"]).tags == ("b", "a")
    assert Case("a", "x", tags="billing| refund ||").tags == ("billing", "refund")
    assert Case("a", "x", tags='["x", " y"]').tags == ("x", "y")
    assert Case("a", "x", tags="").tags == ()


def test_context_string_becomes_one_passage() -> None:
    assert Case("a", "x", context="one passage").context == ("one passage",)
    assert Case("a", "x", context=["p1", "p2"]).context == ("p1", "p2")


def test_non_string_reference_is_stored_as_canonical_json() -> None:
    assert Case("a", "x", reference={"b": 1, "a": [1, "é"]}).reference == '{"a":[1,"é"],"b":1}'
    assert Case("a", "x", reference=42).reference == "42"
    assert Case("a", "x", reference=True).reference == "true"
    assert Case("a", "x", reference="42").reference == "42"


def test_chat_input_and_messages() -> None:
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi", "name": "ann"}]
    case = Case("c", msgs)
    assert case.is_chat is True
    assert case.messages() == msgs
    case.messages()[0]["content"] = "changed"  # a copy: the case is unaffected
    assert case.input[0]["content"] == "Be brief."
    assert Case("t", "Hello").messages() == [{"role": "user", "content": "Hello"}]


def test_struct_nulls_in_messages_are_dropped() -> None:
    case = Case("c", [{"role": "user", "content": "Hi", "name": None}])
    assert case.messages() == [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": True}, "field 'id' must be a string or an integer, got bool True"),
        ({"id": 1.5}, "field 'id' must be a string or an integer, got float 1.5"),
        ({"id": "  "}, "field 'id' is empty"),
        ({"input": "  "}, "case 'k': field 'input' is empty"),
        ({"input": []}, "case 'k': field 'input' is an empty message list"),
        (
            {"input": 3},
            "case 'k': field 'input' must be a string or a list of chat messages ({'role', 'content'}), got int 3",
        ),
        ({"input": [{"content": "x"}]}, "case 'k': field 'input' message 0 is missing 'role'"),
        (
            {"input": [{"role": "user", "content": "x"}, {"role": "bot", "content": "y"}]},
            "case 'k': field 'input' message 1 has role 'bot'; expected one of system, user, assistant, tool",
        ),
        ({"input": [{"role": "user"}]}, "case 'k': field 'input' message 0 is missing 'content'"),
        (
            {"input": [{"role": "user", "content": ["x"]}]},
            "case 'k': field 'input' message 0 'content' must be a string, got list ['x']",
        ),
        (
            {"input": ["hi"]},
            "case 'k': field 'input' message 0 must be an object with 'role' and 'content', got str 'hi'",
        ),
        ({"tags": [1]}, "case 'k': field 'tags' must be a list of strings; item 0 is int 1"),
        ({"tags": 5}, "case 'k': field 'tags' must be a list of strings (or 'a|b|c'), got int 5"),
        (
            {"tags": "[1, 2"},
            "case 'k': field 'tags' looks like a JSON list but is not valid JSON (Expecting ',' delimiter)",
        ),
        (
            {"context": ["ok", 2]},
            "case 'k': field 'context' must be a string or a list of strings; item 1 is int 2",
        ),
        (
            {"context": {"a": 1}},
            "case 'k': field 'context' must be a string or a list of strings, got dict {'a': 1}",
        ),
        (
            {"reference": dt.date(2024, 1, 1)},
            "case 'k': field 'reference' must be a string, None or a JSON value, got date datetime.date(2024, 1, 1)",
        ),
        ({"metadata": {"tags": 1}}, "case 'k': field 'metadata' key 'tags' is a case field name; rename it"),
    ],
)
def test_invalid_fields_raise_with_case_and_field(kwargs: dict, message: str) -> None:
    args = {"id": "k", "input": "x"} | kwargs
    with pytest.raises(CaseSetError) as info:
        Case(**args)
    assert str(info.value) == message


def test_case_is_frozen_and_hashable() -> None:
    case = Case("a", [{"role": "user", "content": "x"}], tags=["t"], metadata={"tier": "pro"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.id = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        case.metadata["tier"] = "free"  # type: ignore[index]
    with pytest.raises(TypeError):
        case.input[0]["role"] = "system"  # type: ignore[index]
    twin = Case("a", [{"role": "user", "content": "x"}], tags=("t",), metadata={"tier": "pro"})
    assert case == twin and hash(case) == hash(twin)
    assert case != dataclasses.replace(twin, tags=("u",))


def test_metadata_is_copied() -> None:
    meta = {"tier": "pro"}
    case = Case("a", "x", metadata=meta)
    meta["tier"] = "free"
    assert case.metadata["tier"] == "pro"


def test_to_dict_is_flat() -> None:
    case = Case(
        "a",
        [{"role": "user", "content": "x"}],
        reference="r",
        context=["p"],
        tags=["t"],
        metadata={"tier": "pro"},
    )
    assert case.to_dict() == {
        "id": "a",
        "input": [{"role": "user", "content": "x"}],
        "reference": "r",
        "context": ["p"],
        "tags": ["t"],
        "tier": "pro",
    }


def test_canonical_drops_null_metadata() -> None:
    assert Case("a", "x", metadata={"tier": None}).canonical() == Case("a", "x").canonical()


def test_canonical_json() -> None:
    assert canonical_json({"b": 1.0, "a": [dt.date(2024, 5, 1), 2.5]}) == '{"a":["2024-05-01",2.5],"b":1}'
    with pytest.raises(TypeError):
        canonical_json({"a": dt.date(2024, 5, 1)}, strict=True)


def test_pickle_copy_and_asdict() -> None:
    import copy
    import pickle

    case = Case("a", [{"role": "user", "content": "x"}], tags=["t"], metadata={"tier": "pro"})
    assert pickle.loads(pickle.dumps(case)) == case
    assert copy.deepcopy(case) == case
    assert dataclasses.asdict(case)["metadata"] == {"tier": "pro"}
    assert repr(case) == (
        "Case(id='a', input=({'role': 'user', 'content': 'x'},), reference=None, context=(), "
        "tags=('t',), metadata={'tier': 'pro'})"
    )
    with pytest.raises(TypeError, match="read-only"):
        case.metadata.update(tier="free")  # type: ignore[attr-defined]


def test_fields_after_the_input_are_keyword_only() -> None:
    with pytest.raises(TypeError, match="takes 3 positional arguments but 4 were given"):
        Case("a", "x", "reference")  # type: ignore[misc]
