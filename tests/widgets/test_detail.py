import polars as pl
import pytest

from workbench.widgets._detail import case_detail
from workbench.widgets._frame import join_frame


@pytest.fixture
def joined(cases, results, scores):
    return join_frame(cases, results, scores)


def test_detail_with_reference_diffs_every_output_against_it(joined):
    d = case_detail(joined, "c2")
    assert d["case_id"] == "c2"
    assert d["input"] == {"kind": "text", "text": "Refund for invoice 42"}
    assert d["reference"] == "Refunds take 5 days."
    assert d["tags"] == ["billing", "refund"]
    assert d["metadata"] == {"tier": "free", "seats": 3}
    assert d["context"] == []
    assert d["diff_base"] == "reference"
    assert d["outputs"] == [
        {"key": "m1/v", "model": "m1", "variant": "v", "sample": 0, "output": "Refunds take 7 days.",
         "error_type": None, "error": None, "latency_s": 0.5,
         "diff": [{"op": "eq", "text": "Refunds take "}, {"op": "del", "text": "5"},
                  {"op": "ins", "text": "7"}, {"op": "eq", "text": " days."}]},
        {"key": "m2/v", "model": "m2", "variant": "v", "sample": 0, "output": "Refunds take 5 days.",
         "error_type": None, "error": None, "latency_s": 1.25,
         "diff": [{"op": "eq", "text": "Refunds take 5 days."}]},
    ]  # fmt: skip
    assert [(s["metric"], s["key"], s["value"], s["passed"], s["rationale"]) for s in d["scores"]] == [
        ("em", "m1/v", 0.0, False, "m1 on c2"),
        ("em", "m2/v", 1.0, True, "m2 on c2"),
        ("sim", "m1/v", 0.6, None, None),
        ("sim", "m2/v", 1.0, None, None),
    ]


def test_without_reference_diffs_against_the_first_model(joined):
    d = case_detail(joined, "c4")
    assert d["reference"] is None
    assert d["diff_base"] == "m1/v"
    first, second = d["outputs"]
    assert first["output"] == "Done, cancelled." and first["diff"] is None  # the base itself
    assert second["output"] is None and second["diff"] is None
    assert (second["error_type"], second["error"]) == ("Timeout", "timed out after 30 s")
    assert d["scores"][0] == {"key": "m1/v", "model": "m1", "variant": "v", "sample": 0, "metric": "em",
                              "value": None, "passed": None, "label": None, "rationale": None,
                              "error": "no reference"}  # fmt: skip


def test_chat_input_and_context(joined):
    d = case_detail(joined, "c3")
    assert d["input"] == {
        "kind": "chat",
        "turns": [
            {"role": "user", "content": "Can I upgrade my plan?"},
            {"role": "assistant", "content": "Which plan?"},
            {"role": "user", "content": "Pro"},
        ],
    }
    assert d["context"] == ["Plans: Starter, Pro.", "Upgrade in Settings."]


def test_unknown_case_and_cases_only():
    joined = join_frame(pl.DataFrame({"case_id": ["a"], "input": ["q"]}))
    with pytest.raises(KeyError, match="no case with id 'b' in this browser"):
        case_detail(joined, "b")
    d = case_detail(joined, "a")
    assert (d["outputs"], d["scores"], d["diff_base"]) == ([], [], None)


def test_several_samples_listed_in_order():
    cases = pl.DataFrame({"case_id": ["a"], "input": ["q"], "reference": ["yes"]})
    results = pl.DataFrame({"case_id": "a", "model": ["m2", "m1", "m1"], "variant": "v", "sample": [0, 1, 0],
                            "output": ["yes", "no", "yes"]})  # fmt: skip
    d = case_detail(join_frame(cases, results), "a")
    assert [(o["key"], o["sample"]) for o in d["outputs"]] == [("m2/v", 0), ("m1/v", 0), ("m1/v", 1)]
    assert d["outputs"][2]["diff"] == [{"op": "del", "text": "yes"}, {"op": "ins", "text": "no"}]
