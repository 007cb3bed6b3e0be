"""Reading grades, pairwise verdicts and claims out of messy, real-looking judge replies."""

import pytest

from workbench.metrics._parse import (
    Claim,
    ParseError,
    iter_json,
    parse_claims,
    parse_grade,
    parse_preference,
    repair_json,
)

LIKERT = (1, 5)
LABELS = ("fail", "partially correct", "pass")


# ------------------------------------------------------------------------------------------------
# numeric grades that must parse
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "score", "rationale", "how"),
    [
        ('{"score": 4, "rationale": "Correct but verbose."}', 4, "Correct but verbose.", "json"),
        ('  {"rationale": "ok", "score": 5}\n', 5, "ok", "json"),
        ('{"Score": "3", "Reasoning": "half right"}', 3, "half right", "json"),
        ('{"score": 2.0, "reason": "wrong amount"}', 2, "wrong amount", "json"),
        ('{"rating": "4/5", "explanation": "fine"}', 4, "fine", "json"),
        ('```json\n{"score": 1, "rationale": "refuses to answer"}\n```', 1, "refuses to answer", "fenced"),
        (
            'Here is my evaluation:\n```\n{"score": 5, "rationale": "perfect"}\n```\nHope this helps!',
            5,
            "perfect",
            "fenced",
        ),
        (
            'The response addresses the refund window correctly. {"score": 4, "rationale": "minor omission"} '
            "Let me know if you need more.",
            4,
            "minor omission",
            "embedded",
        ),
        ('{"score": 4, "rationale": "good",}', 4, "good", "repaired"),
        ("{'score': 3, 'rationale': 'it mixes up the plans'}", 3, "it mixes up the plans", "repaired"),
        ('{score: 5, rationale: "concise", confident: True}', 5, "concise", "repaired"),
        (
            "```json\n{\n  'score': 2,\n  'rationale': 'hallucinated a fee',\n}\n```",
            2,
            "hallucinated a fee",
            "repaired",
        ),
        (
            "{\u201cscore\u201d: 4, \u201crationale\u201d: \u201csmart quotes\u201d}",
            4,
            "smart quotes",
            "repaired",
        ),
        ('{"score": 5, "rationale": "line one\nline two"}', 5, "line one\nline two", "json"),
        ('{"evaluation": {"score": 3, "rationale": "nested"}}', 3, "nested", "json"),
        (
            'Thinking {not json at all} ... final: {"score": 2, "rationale": "second object"}',
            2,
            "second object",
            "embedded",
        ),
        ("Score: 4\nRationale: Accurate and polite.", 4, "Accurate and polite.", "regex"),
        ("I'd rate this response. **Score:** 5", 5, None, "regex"),
        ("Rating: 4/5 - clear answer", 4, None, "regex"),
        ("I give it a score of 3 out of 5.", 3, None, "regex"),
        ("The answer is decent. Final score = 2", 2, None, "regex"),
        ('{"score": 4, "rationale": "cut off because max_tok', 4, "cut off because max_tok", "regex"),
        ("4", 4, None, "regex"),
        ("**5/5**", 5, None, "regex"),
        ("Score: 4. Looking again, the score is 4.", 4, None, "regex"),
    ],
)
def test_numeric_grades(reply, score, rationale, how):
    grade = parse_grade(reply, LIKERT)
    assert (grade.score, grade.label, grade.rationale, grade.how) == (score, None, rationale, how)


def test_guidance_echo_is_not_a_score():
    # the judge repeats the rubric's anchors before grading: "Score 1:" is not a grade
    reply = "Score 1: useless\nScore 5: perfect\nMy verdict -> score: 4"
    assert parse_grade(reply, LIKERT).score == 4


def test_first_object_with_a_score_wins_over_a_later_one():
    assert parse_grade('{"score": 2} and later {"score": 5}', LIKERT).score == 2


def test_rationale_inside_strings_is_kept_verbatim():
    grade = parse_grade('{"rationale": "says True, } and {braces}", "score": 3}', LIKERT)
    assert grade.rationale == "says True, } and {braces}"


def test_non_string_rationale_is_kept_as_json():
    assert parse_grade('{"score": 3, "reasoning": ["a", "b"]}', LIKERT).rationale == '["a", "b"]'


def test_zero_based_scale():
    assert parse_grade('{"score": 0}', (0, 10)).score == 0
    assert parse_grade("Rating: 7/10", (0, 10)).score == 7


# ------------------------------------------------------------------------------------------------
# numeric grades that must fail (and say why)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"score": 7, "rationale": "great"}', '"score" 7 is outside the scale 1-5'),
        ('{"score": 0}', '"score" 0 is outside the scale 1-5'),
        ('{"score": -1}', '"score" -1 is outside the scale 1-5'),
        ('{"score": 3.5}', '"score" 3.5 is not a whole number on the scale 1-5'),
        ('{"score": true}', '"score" is a boolean (True), expected an integer 1-5'),
        ('{"score": "high"}', "\"score\" is 'high', expected an integer 1-5"),
        ('{"score": null}', '"score" is None, expected an integer 1-5'),
        ('{"score": "8/10"}', "\"score\" rates out of 10 ('8/10'), but the scale is 1-5"),
        ("Rating: 9/10", "the reply rates out of 10 ('Rating: 9/10'), but the scale is 1-5"),
        ("Score: 6", "the score in 'Score: 6' 6 is outside the scale 1-5"),
        ("Score: 2 ... actually Score: 4", "the reply gives several scores [2, 4]: ambiguous"),
        ("I think the response is good and helpful.", 'no "score" found'),
        ('{"rationale": "forgot the score"}', 'no "score" found'),
        ("", "the reply is empty"),
        ("   \n", "the reply is empty"),
        ("Score 1: bad, Score 5: good", 'no "score" found'),
        ("{{{{", 'no "score" found'),
    ],
)
def test_numeric_failures(reply, reason):
    with pytest.raises(ParseError) as info:
        parse_grade(reply, LIKERT)
    assert info.value.reason.startswith(reason)
    assert info.value.reply == reply


def test_none_reply_is_a_parse_error():
    with pytest.raises(ParseError, match="empty"):
        parse_grade(None, LIKERT)


def test_out_of_scale_object_is_not_rescued_by_prose():
    with pytest.raises(ParseError, match="outside the scale"):
        parse_grade('{"score": 10}\nScore: 4', LIKERT)


def test_error_quotes_a_short_snippet_of_long_replies():
    with pytest.raises(ParseError) as info:
        parse_grade("blah " * 200, LIKERT)
    assert info.value.reason.endswith("...'")
    assert len(info.value.reason) < 200


# ------------------------------------------------------------------------------------------------
# label grades
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "label"),
    [
        ('{"label": "pass", "rationale": "ok"}', "pass"),
        ('{"label": "PASS"}', "pass"),
        ('{"verdict": "Partially_Correct"}', "partially correct"),
        ('{"score": "fail"}', "fail"),
        ("```json\n{'label': 'partially-correct',}\n```", "partially correct"),
        ("pass", "pass"),
        ("**Fail.**", "fail"),
        ("Pass\nThe response quotes the policy.", "pass"),
        ("Verdict: partially correct, the fee is wrong.", "partially correct"),
        ("After review, my label is: fail because it invents a fee.", "fail"),
    ],
)
def test_label_grades(reply, label):
    grade = parse_grade(reply, LABELS)
    assert (grade.score, grade.label) == (None, label)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            '{"label": "excellent"}',
            "\"label\" 'excellent' is not one of ['fail', 'partially correct', 'pass']",
        ),
        ('{"label": 1}', '"label" is 1, expected one of'),
        ("Verdict: pass. Final verdict: fail", "the reply names several labels ['pass', 'fail']: ambiguous"),
        ("It passes, mostly.", 'no "label" found'),
    ],
)
def test_label_failures(reply, reason):
    with pytest.raises(ParseError) as info:
        parse_grade(reply, LABELS)
    assert info.value.reason.startswith(reason)


# ------------------------------------------------------------------------------------------------
# pairwise verdicts
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "winner"),
    [
        ('{"winner": "A", "rationale": "more complete"}', "A"),
        ('{"winner": "b"}', "B"),
        ('{"verdict": "tie"}', "tie"),
        ('{"better": "Response A"}', "A"),
        ('```json\n{"winner": "Draw",}\n```', "tie"),
        ("B", "B"),
        ("[[A]]", "A"),
        ("Both are fine but **Verdict: B** because it cites the policy.", "B"),
        ("The winner is Response A.", "A"),
        ("I compared them. Final answer: tie", "tie"),
    ],
)
def test_preferences(reply, winner):
    assert parse_preference(reply).winner == winner


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"winner": "C"}', '"winner" is \'C\', expected "A", "B" or "tie"'),
        ('{"winner": 1}', '"winner" is 1'),
        ("Verdict: A. On reflection, verdict: B", "the reply names several winners ['A', 'B']: ambiguous"),
        ("Both responses have merit.", 'no "winner" found'),
        ("", "the reply is empty"),
    ],
)
def test_preference_failures(reply, reason):
    with pytest.raises(ParseError) as info:
        parse_preference(reply)
    assert info.value.reason.startswith(reason)


def test_preference_rationale():
    assert parse_preference('{"winner": "A", "reason": "cites the policy"}').rationale == "cites the policy"


# ------------------------------------------------------------------------------------------------
# claims
# ------------------------------------------------------------------------------------------------
def test_claims_object():
    reply = (
        'Here you go:\n```json\n{"claims": [{"claim": "Refunds take 5 days", "supported": true, '
        '"evidence": "within 5 business days"}, {"claim": "There is a $10 fee", "supported": false}]}\n```'
    )
    assert parse_claims(reply) == [
        Claim("Refunds take 5 days", True, "within 5 business days"),
        Claim("There is a $10 fee", False, None),
    ]


def test_claims_bare_list_and_word_verdicts():
    reply = "[{'statement': 'A', 'verdict': 'Supported'}, {'claim': 'B', 'supported': 'no'},]"
    assert parse_claims(reply) == [Claim("A", True), Claim("B", False)]


def test_no_claims_is_an_empty_list():
    assert parse_claims('{"claims": []}') == []


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"claims": [{"claim": "A"}]}', 'claim 0 has no "supported" field'),
        ('{"claims": [{"supported": true}]}', 'claim 0 has no "claim" text'),
        (
            '{"claims": [{"claim": "A", "supported": "maybe"}]}',
            "claim 0 \"supported\" is 'maybe', expected true or false",
        ),
        ('{"claims": "all good"}', "the claims are str, expected a list"),
        ('{"claims": ["A"]}', "claim 0 is 'A', expected an object"),
        ("All claims are supported.", 'no "claims" list found'),
    ],
)
def test_claim_failures(reply, reason):
    with pytest.raises(ParseError) as info:
        parse_claims(reply)
    assert info.value.reason.startswith(reason)


# ------------------------------------------------------------------------------------------------
# the JSON finder and repair on their own
# ------------------------------------------------------------------------------------------------
def test_repair_keeps_strings_and_fixes_the_rest():
    assert repair_json("{'a': 'x, }', b: None, 'c': [1, 2,],}") == '{"a": "x, }", "b": null, "c": [1, 2]}'
    assert repair_json('{"q": "say \\"hi\\"", \'r\': \'it\\\'s\'}') == '{"q": "say \\"hi\\"", "r": "it\'s"}'


def test_iter_json_order():
    reply = 'pre {"x": 1} mid ```json\n{"y": 2}\n``` post'
    assert [v for v, _ in iter_json(reply)] == [{"y": 2}, {"x": 1}]


def test_iter_json_skips_apostrophes_in_prose():
    assert [v for v, _ in iter_json("It's here: {'score': 1}")] == [{"score": 1}]
