"""Single-answer LLM judge: rubric validation, grading through the fake server, retries, self-judging.

The judge is the fake OpenAI server: a graded output holding ``[[reply:<text>]]`` makes the judge
answer exactly ``<text>`` (the judge prompt quotes the output; case inputs hold no directive).
"""

import json
import warnings

import polars as pl
import pytest

import workbench as wb
from workbench.cases import load_cases
from workbench.metrics._judge import (
    JUDGE_SCORE_COLUMNS,
    Answer,
    Rubric,
    SelfJudgeWarning,
    ask,
    judge,
)
from workbench.metrics._parse import ParseError, parse_grade

LIKERT = Rubric("Is the answer correct and helpful?", scale=(1, 5), name="quality")

CASES = load_cases(
    [
        {"id": "c1", "input": "How long do refunds take?", "reference": "5 business days",
         "context": ["Refunds are issued within 5 business days."]},
        {"id": "c2", "input": "Can I change my plan?"},
        {"id": "c3", "input": "Where is my invoice?"},
        {"id": "c4", "input": "Do you ship abroad?"},
    ]
)  # fmt: skip


@pytest.fixture
def judge_model(server):
    return wb.Model("openai/judge", params={"api_base": server.base_url, "api_key": "x"})


def results(outputs, model="gen", litellm_model="openai/gen"):
    """A results frame for model ``model``: one row per (case_id, output)."""
    rows = [
        {"run_id": "run-1", "case_id": cid, "model": model, "variant": "default", "sample": 0,
         "output": out, "error_type": None if out is not None else "RateLimitError",
         "litellm_model": litellm_model}
        for cid, out in outputs.items()
    ]  # fmt: skip
    return pl.DataFrame(rows)


def reply(text):
    return f"Here is my answer. [[reply:{text}]]"


# ------------------------------------------------------------------------------------------------
# Rubric
# ------------------------------------------------------------------------------------------------
def test_rubric_without_scale_is_an_error():
    with pytest.raises(ValueError, match=r"rubric 'tone' has no scale: give scale=\(1, 5\)"):
        Rubric("Is the tone friendly?", name="tone")
    with pytest.raises(ValueError, match="rubric 'tone' has no scale"):
        Rubric("Is the tone friendly?", scale=[], name="tone")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": (5, 1)}, r"needs lo < hi, got \(5, 1\)"),
        ({"scale": (3, 3)}, r"needs lo < hi, got \(3, 3\)"),
        ({"scale": (1, 2, 3)}, r"a numeric scale is two integers \(lo, hi\)"),
        ({"scale": (1.0, 5.0)}, r"a numeric scale is two integers"),
        ({"scale": (True, 5)}, r"a numeric scale is two integers"),
        ({"scale": "pass/fail"}, r"scale must be \(lo, hi\) or a list of labels"),
        ({"scale": ["pass"]}, r"needs at least two labels"),
        ({"scale": ["pass", " "]}, r"label 1 of the scale is empty"),
        ({"scale": ["Pass", "fail", "pass"]}, r"must be unique .* repeated: \['Pass', 'pass'\]"),
        ({"scale": ["ok", 1]}, r"a numeric scale is two integers"),
        ({"scale": (1, 5), "guidance": {6: "x"}}, r"guidance key 6 is not a score on the scale 1-5"),
        (
            {"scale": ["fail", "pass"], "guidance": {"meh": "x"}},
            r"guidance key 'meh' is not one of the labels",
        ),
        ({"scale": (1, 5), "guidance": {1: ""}}, r"guidance for 1 must be a non-empty string"),
        ({"scale": (1, 5), "passing": 9}, r"passing must be a score on the scale 1-5"),
        ({"scale": ["fail", "pass"], "passing": "great"}, r"passing label 'great' is not one of"),
    ],
)
def test_rubric_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Rubric("criteria", name="r", **kwargs)


def test_rubric_normalises_and_describes():
    r = Rubric("Polite?", scale=["rude", "neutral", "polite"], guidance={"POLITE": "thanks the user"},
               name="politeness", passing=["Polite"])  # fmt: skip
    assert r.labels == ("rude", "neutral", "polite")
    assert r.passing == ("polite",)
    assert r.describe() == {
        "name": "politeness", "criteria": "Polite?", "scale": ["rude", "neutral", "polite"],
        "guidance": {"polite": "thanks the user"}, "passing": ["polite"],
    }  # fmt: skip
    assert (
        r.instructions()
        == 'Choose exactly one label: "rude", "neutral", "polite".\n- polite: thanks the user'
    )


def test_rubric_values_and_passing():
    r = Rubric("c", scale=(1, 5), passing=4)
    assert (r.value_of(parse_grade("Score: 4", r.scale)), r.passed(parse_grade("Score: 4", r.scale))) == (
        4.0,
        True,
    )
    assert r.passed(parse_grade("Score: 3", r.scale)) is False
    assert Rubric("c", scale=(1, 5)).passed(parse_grade("Score: 3", (1, 5))) is None
    labels = Rubric("c", scale=["fail", "pass"])
    assert labels.value_of(parse_grade("pass", labels.scale)) == 1.0


def test_judge_needs_a_rubric():
    with pytest.raises(TypeError, match="judge\\(\\) needs a Rubric"):
        judge("Is it correct?")


# ------------------------------------------------------------------------------------------------
# Prompt
# ------------------------------------------------------------------------------------------------
def test_prompt_shows_case_parts_as_asked():
    full = judge(LIKERT).prompt(CASES["c1"], "It takes 5 days.")[1]["content"]
    assert "<input>\nHow long do refunds take?\n</input>" in full
    assert "<context>\n[1] Refunds are issued within 5 business days.\n</context>" in full
    assert "<reference>\n5 business days\n</reference>" in full
    assert full.endswith('{"rationale": "<one or two sentences>", "score": <whole number from 1 to 5>}')
    bare = judge(LIKERT, include_reference=False, include_context=False).prompt(CASES["c1"], "x")[1][
        "content"
    ]
    assert "<reference>" not in bare and "<context>" not in bare


def test_chat_input_is_rendered_as_turns():
    chat = load_cases([{"id": "m", "input": [{"role": "user", "content": "Hi"},
                                             {"role": "assistant", "content": "Hello!"},
                                             {"role": "user", "content": "Refund?"}]}])  # fmt: skip
    text = judge(LIKERT).prompt(chat["m"], "x")[1]["content"]
    assert "<input>\nuser: Hi\nassistant: Hello!\nuser: Refund?\n</input>" in text


# ------------------------------------------------------------------------------------------------
# Grading through the fake judge
# ------------------------------------------------------------------------------------------------
def test_scripted_replies(server, judge_model, tmp_path):
    outputs = {
        "c1": reply('{"score": 4, "rationale": "correct, a bit terse"}'),
        "c2": reply('```json\n{"score": 2, "rationale": "vague",}\n```'),
        "c3": reply("I would rate it. Score: 5. Reason: spot on"),
        "c4": reply('{"score": 9, "rationale": "amazing"}'),
    }
    scores = judge(LIKERT, judge_model, project=tmp_path).score(results(outputs), CASES)
    assert list(scores.columns) == list(JUDGE_SCORE_COLUMNS)
    got = scores.select("case_id", "metric", "value", "label", "rationale").rows()
    assert got == [
        ("c1", "quality", 4.0, None, "correct, a bit terse"),
        ("c2", "quality", 2.0, None, "vague"),
        ("c3", "quality", 5.0, None, "spot on"),
        ("c4", "quality", None, None, None),
    ]
    err = scores.filter(pl.col("case_id") == "c4").item(0, "error")
    assert err.startswith('judge reply unparseable after 3 attempt(s): "score" 9 is outside the scale 1-5')
    assert scores["error"].is_null().sum() == 3
    assert scores["judge_self"].to_list() == [False] * 4
    assert scores["passed"].is_null().all()  # the rubric sets no passing score
    spec = json.loads(scores.item(0, "scorer"))
    assert scores.item(0, "scorer") == judge(LIKERT, judge_model).spec
    assert spec["name"] == "judge"
    assert spec["args"]["model"] == {"name": "openai/judge", "model": "openai/judge",
                                     "params": {"api_base": server.base_url, "temperature": 0},
                                     "concurrency": 16}  # fmt: skip
    assert spec["args"]["rubric"]["scale"] == [1, 5]
    assert "x" not in json.dumps(spec["args"]["model"]["params"])  # the api key is not recorded


def test_garbage_is_retried_then_an_error_never_zero(server, judge_model, tmp_path):
    outputs = {"c1": reply("I cannot evaluate this, sorry!"), "c2": reply('{"score": 3}')}
    scores = judge(LIKERT, judge_model, project=tmp_path).score(results(outputs), CASES)
    assert scores["value"].to_list() == [None, 3.0]
    assert scores.item(0, "error").startswith(
        'judge reply unparseable after 3 attempt(s): no "score" found (no JSON object with it, no '
        '"Score: ..." line) in \'I cannot evaluate this, sorry!\'; last reply: no "score" found'
    )
    # 1 + 2 re-asks reached the server for c1 (each re-ask is a new prompt, so no cache hit), 1 for c2
    assert server.stats()["requests"] == 4


def test_retries_on_parse_error_zero(server, judge_model, tmp_path):
    scorer = judge(LIKERT, judge_model, retries_on_parse_error=0, project=tmp_path)
    scores = scorer.score(results({"c1": reply("no idea")}), CASES)
    assert scores.item(0, "error") == (
        'judge reply unparseable after 1 attempt(s): no "score" found (no JSON object with it, no '
        "\"Score: ...\" line) in 'no idea'"
    )
    assert server.stats()["requests"] == 1
    with pytest.raises(ValueError, match="retries_on_parse_error must be >= 0"):
        judge(LIKERT, judge_model, retries_on_parse_error=-1)


def test_label_scale(server, judge_model, tmp_path):
    rubric = Rubric("Does it answer?", scale=["fail", "pass"], name="answered", passing="pass")
    outputs = {"c1": reply('{"label": "PASS", "rationale": "yes"}'), "c2": reply("Verdict: fail"),
               "c3": reply('{"label": "maybe"}')}  # fmt: skip
    scores = judge(rubric, judge_model, project=tmp_path).score(results(outputs), CASES)
    assert scores.select("value", "passed", "label").rows() == [(1.0, True, "pass"), (0.0, False, "fail"),
                                                                (None, None, None)]  # fmt: skip
    assert "\"label\" 'maybe' is not one of ['fail', 'pass']" in scores.item(2, "error")


def test_failed_result_rows_are_not_sent_to_the_judge(server, judge_model, tmp_path):
    scores = judge(LIKERT, judge_model, project=tmp_path).score(
        results({"c1": None, "c2": reply('{"score": 1}')}), CASES
    )
    assert scores.select("value", "error").rows() == [
        (None, "no output: RateLimitError"),
        (1.0, None),
    ]
    assert server.stats()["requests"] == 1


def test_unknown_case_is_an_error_row(server, judge_model, tmp_path):
    scores = judge(LIKERT, judge_model, project=tmp_path).score(results({"zz": "x"}), CASES)
    assert scores.select("value", "error").row(0) == (None, "case 'zz' is not in the cases given")
    with pytest.raises(ValueError, match="needs the cases"):
        judge(LIKERT, judge_model).score(results({"c1": "x"}), None)


def test_judge_call_failure_is_an_error_row(tmp_path):
    broken = wb.Model("no-such-provider/judge")
    scores = judge(LIKERT, broken, project=tmp_path).score(results({"c1": "x"}), CASES)
    assert scores.item(0, "value") is None
    assert scores.item(0, "error").startswith("judge call failed: ")


def test_through_score_with_other_scorers(server, judge_model, tmp_path):
    from workbench.metrics import exact_match, score

    frame = results({"c1": reply('{"score": 4, "rationale": "ok"}'), "c2": None})
    scorer = judge(LIKERT, judge_model, project=tmp_path)
    table = score(frame, [exact_match, scorer], cases=CASES, save=False).table
    assert table.select("case_id", "metric", "value", "error", "judge_self").rows() == [
        ("c1", "exact_match", 0.0, None, None),
        ("c2", "exact_match", None, "no output: RateLimitError", None),
        ("c1", "quality", 4.0, None, False),
        ("c2", "quality", None, "no output: RateLimitError", False),
    ]
    assert table.filter(pl.col("metric") == "quality")["scorer"].unique().to_list() == [scorer.spec]


def test_repr_never_shows_the_api_key(judge_model):
    assert repr(judge(LIKERT, judge_model)) == "judge(metric='quality', model='openai/judge')"


def test_replays_from_the_cache(server, judge_model, tmp_path):
    outputs = {"c1": reply('{"score": 4}'), "c2": reply("junk")}
    first = judge(LIKERT, judge_model, project=tmp_path).score(results(outputs), CASES)
    before = server.stats()["requests"]
    again = judge(LIKERT, judge_model, project=tmp_path).score(results(outputs), CASES)
    assert server.stats()["requests"] == before  # bad replies and re-asks are cached too
    assert again.equals(first)


def test_accepts_a_run_and_pandas(server, judge_model, tmp_path):
    frame = results({"c1": reply('{"score": 2}')})
    scorer = judge(LIKERT, judge_model, project=tmp_path)
    assert scorer.score(frame.to_pandas(), CASES)["value"].to_list() == [2.0]
    assert scorer.score([frame, frame], CASES)["value"].to_list() == [2.0, 2.0]


# ------------------------------------------------------------------------------------------------
# Self-judging
# ------------------------------------------------------------------------------------------------
def test_self_judged_rows_are_flagged_and_warned(server, judge_model, tmp_path):
    own = results({"c1": reply('{"score": 5}')}, model="judge-as-generator", litellm_model="openai/judge")
    other = results({"c2": reply('{"score": 3}')})
    scorer = judge(LIKERT, judge_model, project=tmp_path)
    with pytest.warns(SelfJudgeWarning, match=r"grades its own model's outputs in 1 of 2 row\(s\)") as record:
        scores = scorer.score(pl.concat([own, other]), CASES)
    assert len(record) == 1
    assert scores.select("case_id", "judge_self", "value").rows() == [("c1", True, 5.0), ("c2", False, 3.0)]


def test_self_judged_by_display_name(server, judge_model, tmp_path):
    named = wb.Model("openai/judge", name="gpt-judge", params=dict(judge_model.params))
    rows = results({"c1": reply('{"score": 5}')}, model="gpt-judge", litellm_model="openai/other")
    with pytest.warns(SelfJudgeWarning):
        scores = judge(LIKERT, named, project=tmp_path).score(rows, CASES)
    assert scores["judge_self"].to_list() == [True]


def test_no_warning_without_self_judging(server, judge_model, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        judge(LIKERT, judge_model, project=tmp_path).score(results({"c1": reply('{"score": 5}')}), CASES)


def test_model_params_win_over_the_temperature_argument():
    scorer = judge(LIKERT, wb.Model("openai/j", params={"temperature": 0.7}), temperature=0)
    assert scorer.judge.params["temperature"] == 0.7
    assert judge(LIKERT, "openai/j", temperature=None).judge.params == {}


def test_structured_output_for_local_judges_by_default(server, judge_model, tmp_path):
    schema = {
        "type": "object",
        "properties": {
            "rationale": {"type": "string"},
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
        },
        "required": ["rationale", "score"],
    }
    local = judge(LIKERT, "local/smollm2-135m").judge.params
    # under a local grammar the rationale is bounded, or a small model never closes the JSON
    bounded = {**schema, "properties": {**schema["properties"], "rationale": {"type": "string", "maxLength": 240}}}
    assert local["response_format"] == {"type": "json_object", "schema": bounded}
    assert "response_format" not in judge(LIKERT, judge_model).judge.params
    assert "response_format" not in judge(LIKERT, "local/smollm2-135m", structured=False).judge.params
    labels = judge(Rubric("c", scale=["no", "yes"]), "local/x").judge.params["response_format"]["schema"]
    assert labels["properties"]["label"] == {"type": "string", "enum": ["no", "yes"]}
    # a remote judge asked for structured output gets OpenAI's form, and still answers
    forced = judge(LIKERT, judge_model, structured=True, project=tmp_path)
    assert forced.judge.params["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": schema, "strict": False},
    }
    assert forced.score(results({"c1": reply('{"rationale": "ok", "score": 3}')}), CASES)[
        "value"
    ].to_list() == [3.0]
    own = wb.Model("local/x", params={"response_format": {"type": "text"}})
    assert judge(LIKERT, own).judge.params["response_format"] == {"type": "text"}


# ------------------------------------------------------------------------------------------------
# The ask / re-ask loop on its own (a scripted judge: a plain function standing in for the batch call)
# ------------------------------------------------------------------------------------------------
def scripted(replies):
    """A batch call answering each conversation with the next reply scripted for its first message."""
    sent = []

    def call(conversations):
        sent.append(conversations)
        out = []
        for conv in conversations:
            text = replies[conv[0]["content"]].pop(0)
            out.append(
                {
                    "output": text,
                    "error_type": None if text else "APIError",
                    "error": None if text else "boom",
                }
            )
        return out

    return call, sent


def test_ask_recovers_on_a_re_ask_and_shows_the_judge_its_reply():
    call, sent = scripted({"q1": ["dunno", '{"score": 4}'], "q2": ['{"score": 2}'], "q3": [None]})
    convs = [[{"role": "user", "content": q}] for q in ("q1", "q2", "q3")]
    answers = ask(call, convs, lambda r: parse_grade(r, (1, 5)).score, retries=2, reply_format="{FORMAT}")
    assert answers == [
        Answer(4, None, '{"score": 4}', 2),
        Answer(2, None, '{"score": 2}', 1),
        Answer(None, "judge call failed: APIError: boom", None, 1),
    ]
    assert [len(batch) for batch in sent] == [3, 1]  # one batch, then only the unreadable one again
    assert sent[1][0] == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "dunno"},
        {"role": "user", "content": (
            "Your reply could not be read: no \"score\" found (no JSON object with it, no \"Score: ...\" line) "
            "in 'dunno'. Reply again (attempt 2 of 3) with JSON only, no other text, in this form:\n{FORMAT}")},
    ]  # fmt: skip


def test_ask_gives_up_after_the_retries():
    call, sent = scripted({"q": ["a", "b", "c", "d"]})

    def parse(reply):
        raise ParseError(f"bad {reply}")

    (answer,) = ask(call, [[{"role": "user", "content": "q"}]], parse, retries=2, reply_format="F")
    assert answer == Answer(
        None, "judge reply unparseable after 3 attempt(s): bad a; last reply: bad c", "c", 3
    )
    assert len(sent) == 3


# ------------------------------------------------------------------------------------------------
# The real local judge: structural truths only (a 135M model is a poor judge)
# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_local_judge_structure(tmp_path):
    outputs = {"c1": "Refunds take 5 business days.", "c2": "Yes, from the billing page.", "c3": "Banana."}
    scores = judge(LIKERT, "local/smollm2-135m", project=tmp_path).score(results(outputs), CASES)
    assert scores.height == 3
    for value, error in scores.select("value", "error").rows():
        assert (value is None) != (error is None)  # a grade or an error, never both, never neither
        if value is not None:
            assert 1 <= value <= 5 and value == int(value)
        else:
            assert error.startswith(("judge reply unparseable", "judge call failed"))
    assert not (scores["value"] == 0).any()  # no 0 stands in for an error


def test_judge_timeout_defaults_and_validation():
    from workbench.metrics._llm import judge_timeout

    assert judge_timeout(wb.Model("local/smollm2-135m"), None) == 300.0
    assert judge_timeout(wb.Model("openai/gpt-4o-mini"), None) == 60.0
    assert judge_timeout(wb.Model("local/smollm2-135m"), 12) == 12.0
    with pytest.raises(ValueError, match="timeout must be > 0"):
        judge_timeout(wb.Model("openai/gpt-4o-mini"), 0)
    assert judge(LIKERT, "local/smollm2-135m", timeout=30).timeout == 30
