"""Groundedness through the fake judge: scripted claim lists, cases without context, junk replies."""

import json

import polars as pl
import pytest

import workbench as wb
from workbench.cases import load_cases
from workbench.metrics._grounded import groundedness, summarize_claims
from workbench.metrics._judge import JUDGE_SCORE_COLUMNS
from workbench.metrics._parse import Claim

CASES = load_cases(
    [
        {"id": "r1", "input": "How long do refunds take?", "context": ["Refunds are issued within 5 business days.",
                                                                       "There is no refund fee."]},
        {"id": "r2", "input": "Is there a fee?", "context": "There is no refund fee."},
        {"id": "r3", "input": "Hi!", "context": ["Support hours are 9-5."]},
        {"id": "r4", "input": "What is the meaning of life?"},
        {"id": "r5", "input": "Do you ship abroad?", "context": ["We ship to the EU."]},
    ]
)  # fmt: skip


@pytest.fixture
def judge_model(server):
    return wb.Model("openai/judge", params={"api_base": server.base_url, "api_key": "x"})


def claims(*pairs):
    return json.dumps({"claims": [{"claim": c, "supported": s} for c, s in pairs]})


def results(outputs):
    return pl.DataFrame(
        [
            {"run_id": "run-1", "case_id": cid, "model": "gen", "variant": "default", "sample": 0,
             "output": out, "litellm_model": "openai/gen"}
            for cid, out in outputs.items()
        ]
    )  # fmt: skip


def test_scripted_claims(server, judge_model, tmp_path):
    outputs = {
        "r1": "[[reply:"
        + claims(("Refunds take 5 business days", True), ("There is a $10 fee", False))
        + "]]",
        "r2": "[[reply:```json\n" + claims(("No fee is charged", True)) + "\n```]]",
        "r3": '[[reply:{"claims": []}]]',
        "r4": "[[reply:" + claims(("42", False)) + "]]",
        "r5": "[[reply:All good!]]",
    }
    scores = groundedness(judge_model, project=tmp_path).score(results(outputs), CASES)
    assert list(scores.columns) == list(JUDGE_SCORE_COLUMNS)
    assert scores.select("case_id", "metric", "value", "passed", "label", "rationale", "error").rows() == [
        ("r1", "groundedness", 0.5, False, "ungrounded", "1 of 2 claim(s) supported; unsupported: There is a $10 fee", None),
        ("r2", "groundedness", 1.0, True, "grounded", "1 of 1 claim(s) supported", None),
        ("r3", "groundedness", 1.0, True, "no claims", "the answer makes no factual claims", None),
        ("r4", "groundedness", None, None, None, None, "case has no context"),
        ("r5", "groundedness", None, None, None, None, scores.item(4, "error")),
    ]  # fmt: skip
    assert scores.item(4, "error").startswith(
        "judge reply unparseable after 3 attempt(s): no \"claims\" list found in 'All good!'; last reply: "
    )
    # r4 (no context) never reaches the judge; r5 is asked 3 times
    assert server.stats()["requests"] == 3 + 3
    spec = json.loads(scores.item(0, "scorer"))
    assert spec["name"] == "groundedness"
    assert spec["args"]["model"]["model"] == "openai/judge"


def test_prompt_shows_context_question_and_answer():
    scorer = groundedness()
    text = scorer.prompt(CASES["r1"], "It takes 5 days.")[1]["content"]
    assert (
        "<context>\n[1] Refunds are issued within 5 business days.\n[2] There is no refund fee.\n</context>"
        in text
    )
    assert "<question>\nHow long do refunds take?\n</question>" in text
    assert "<answer>\nIt takes 5 days.\n</answer>" in text
    assert "<question>" not in groundedness(include_input=False).prompt(CASES["r1"], "x")[1]["content"]


def test_custom_metric_name(server, judge_model, tmp_path):
    scorer = groundedness(judge_model, name="faithfulness", project=tmp_path)
    scores = scorer.score(results({"r2": "[[reply:" + claims(("No fee", True)) + "]]"}), CASES)
    assert scores.select("metric", "value").row(0) == ("faithfulness", 1.0)


def test_summarize_claims():
    assert summarize_claims([Claim("a", True), Claim("b", True)]) == {
        "value": 1.0, "passed": True, "label": "grounded", "rationale": "2 of 2 claim(s) supported",
    }  # fmt: skip
    assert summarize_claims([Claim("a", False), Claim("b", False), Claim("c", True)])[
        "value"
    ] == pytest.approx(1 / 3)


def test_hallucination_rate_from_passed(server, judge_model, tmp_path):
    outputs = {
        "r1": "[[reply:" + claims(("x", True), ("y", False)) + "]]",
        "r2": "[[reply:" + claims(("z", True)) + "]]",
        "r4": "anything",  # no context: left out, not counted as a hallucination
    }
    scores = groundedness(judge_model, project=tmp_path).score(results(outputs), CASES)
    scored = scores.filter(pl.col("value").is_not_null())
    assert 1 - scored["passed"].mean() == 0.5
