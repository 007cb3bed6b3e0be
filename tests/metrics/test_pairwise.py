"""Pairwise judging in both orders through the fake judge; its position bias; the stats hand-off.

In the A-first prompt model a's output comes first, so its ``[[reply:...]]`` directive decides the
fake judge's answer; in the B-first prompt model b's does.
"""

import polars as pl
import pytest

import workbench as wb
from workbench.calibration import position_bias
from workbench.cases import load_cases
from workbench.metrics._judge import Rubric, SelfJudgeWarning
from workbench.metrics._pairwise import PAIRWISE_SCHEMA, pairwise_judge
from workbench.stats import bradley_terry, win_rate

CASES = load_cases(
    [{"id": f"c{i}", "input": f"Question {i}?", "context": ["Some policy."]} for i in range(1, 6)]
)
SAYS_A, SAYS_B, SAYS_TIE = ('[[reply:{"winner": "A", "rationale": "first is better"}]]',
                            '[[reply:{"winner": "B", "rationale": "second is better"}]]',
                            '[[reply:{"winner": "tie"}]]')  # fmt: skip


@pytest.fixture
def judge_model(server):
    return wb.Model("openai/judge", params={"api_base": server.base_url, "api_key": "x"})


def rows(model, outputs, litellm_model=None, variant="default"):
    return pl.DataFrame(
        [
            {"run_id": f"run-{model}", "case_id": cid, "model": model, "variant": variant, "sample": 0,
             "output": out, "litellm_model": litellm_model or f"openai/{model}"}
            for cid, out in outputs.items()
        ]
    )  # fmt: skip


def scripted_pair():
    """c1: m1 wins both orders; c2: the judge always picks the first shown; c3: m2 wins;
    c4: the judge answers garbage in both orders; c5: a tie both ways."""
    m1 = rows("m1", {"c1": SAYS_A, "c2": SAYS_A, "c3": SAYS_B, "c4": "[[reply:no clue]]", "c5": SAYS_TIE})
    m2 = rows("m2", {"c1": SAYS_B, "c2": SAYS_A, "c3": SAYS_A, "c4": "[[reply:hmm]]", "c5": SAYS_TIE})
    return [m1, m2]


def test_both_orders_and_flips(server, judge_model, tmp_path):
    table = pairwise_judge(scripted_pair(), "m1", "m2", cases=CASES, model=judge_model, project=tmp_path)
    assert table.columns == [
        "case_id",
        "sample",
        "variant",
        *[c for c in PAIRWISE_SCHEMA if c not in ("case_id", "sample")],
    ]
    got = table.select(
        "case_id", "model_a", "model_b", "winner", "consistent", "verdict_ab", "verdict_ba"
    ).rows()
    assert got == [
        ("c1", "m1", "m2", "a", True, "a", "a"),
        ("c2", "m1", "m2", "tie", False, "a", "b"),  # flips with the order: a tie, flagged
        ("c3", "m1", "m2", "b", True, "b", "b"),
        ("c4", "m1", "m2", None, None, None, None),  # unreadable: an error, not a tie
        ("c5", "m1", "m2", "tie", True, "tie", "tie"),
    ]
    c4 = table.row(3, named=True)
    assert c4["error"].startswith('judge reply unparseable after 3 attempt(s): no "winner" found')
    assert "(a first)" in c4["error"] and "(b first)" in c4["error"]
    assert table.item(0, "rationale") == "[a first] first is better\n[b first] second is better"
    assert table["judge"].unique().to_list() == ["openai/judge"]
    assert table["judge_self"].to_list() == [False] * 5
    assert table["variant"].to_list() == ["default"] * 5
    # 4 judged pairs x 2 orders + c4's 2 orders x 3 attempts
    assert server.stats()["requests"] == 4 * 2 + 2 * 3


def test_position_bias_on_the_scripted_table(server, judge_model, tmp_path):
    # position_consistency is merged into workbench.calibration.position_bias (same figures)
    table = pairwise_judge(scripted_pair(), "m1", "m2", cases=CASES, model=judge_model, project=tmp_path)
    # single-order verdicts: c1 a,a  c2 a,b  c3 b,b  c5 tie,tie -> first shown wins in c1-ab, c2-ab,
    # c2-ba, c3-ba = 4 of 6 decisive verdicts; c4 has no verdict in either order and is left out
    check = position_bias(table)
    assert check.n == 4  # pairs with a verdict in both orders
    assert check.value == 1 / 4  # c2 flips: 3 of 4 consistent
    first = check.figure("first_position_rate")
    assert (first.value, first.n) == (4 / 6, 6)
    assert "1 pair(s) without a verdict in both orders were left out" in check.sentence
    assert position_bias(table.to_pandas()).n == 4
    with pytest.raises(ValueError, match="position_bias: pairwise_scores has no column 'verdict_ab'"):
        position_bias(table.drop("verdict_ab"))


def test_feeds_win_rate_and_bradley_terry(server, judge_model, tmp_path):
    table = pairwise_judge(scripted_pair(), "m1", "m2", cases=CASES, model=judge_model, project=tmp_path)
    wr = win_rate(table, "m1", "m2").row(0, named=True)
    assert (wr["wins"], wr["losses"], wr["ties"], wr["n_missing"], wr["n_inconsistent"]) == (1, 1, 2, 1, 1)
    assert wr["win_rate"] == 0.5
    with pytest.warns(Warning, match="null winner"):
        ratings = bradley_terry(table, n_resamples=0)
    assert sorted(ratings["model"].to_list()) == ["m1", "m2"]


def test_missing_outputs_and_cases(server, judge_model, tmp_path):
    m1 = rows("m1", {"c1": SAYS_A, "c2": None, "zz": SAYS_A})
    m2 = rows("m2", {"c1": SAYS_B, "c2": SAYS_B, "zz": SAYS_B, "c3": SAYS_B})
    table = pairwise_judge([m1, m2], "m1", "m2", cases=CASES, model=judge_model, project=tmp_path)
    assert table.select("case_id", "winner", "error").rows() == [
        ("c1", "a", None),
        ("c2", None, "no output to compare from 'm1'"),
        ("zz", None, "case 'zz' is not in the cases given"),
        ("c3", None, "no output to compare from 'm1'"),
    ]
    assert server.stats()["requests"] == 2


def test_by_variant(server, judge_model, tmp_path):
    v1 = rows("m", {"c1": SAYS_B}, variant="terse")
    v2 = rows("m", {"c1": SAYS_A}, variant="friendly")
    question = Rubric("Which is more polite?", scale=(1, 5))
    table = pairwise_judge(pl.concat([v1, v2]), "terse", "friendly", cases=CASES, model=judge_model,
                           rubric_or_question=question, by="variant", project=tmp_path)  # fmt: skip
    assert table.select("case_id", "model", "model_a", "model_b", "winner").rows() == [
        ("c1", "m", "terse", "friendly", "b")
    ]
    prompt = next(iter(server.stats()["by_prompt"]))
    assert "## Question\nWhich is more polite?" in prompt


def test_self_judging_is_flagged(server, judge_model, tmp_path):
    m1 = rows("m1", {"c1": SAYS_A}, litellm_model="openai/judge")
    m2 = rows("m2", {"c1": SAYS_B})
    with pytest.warns(SelfJudgeWarning, match="pairwise_judge 'm1' vs 'm2'"):
        table = pairwise_judge([m1, m2], "m1", "m2", cases=CASES, model=judge_model, project=tmp_path)
    assert table["judge_self"].to_list() == [True]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"a": "m1", "b": "m1"}, "a and b are both 'm1'"),
        ({"a": "m1", "b": "gpt"}, r"no results with model='gpt'; models present: \['m1', 'm2'\]"),
        ({"by": "flavour"}, "by='flavour' is not a results column"),
        ({"rubric_or_question": " "}, "rubric_or_question must be a non-empty question or a Rubric"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"a": "m1", "b": "m2", **kwargs}
    with pytest.raises(ValueError, match=message):
        pairwise_judge([rows("m1", {"c1": "x"}), rows("m2", {"c1": "y"})], cases=CASES, **args)


def test_duplicate_rows_on_one_side_are_an_error():
    twice = pl.concat([rows("m1", {"c1": "x"}), rows("m1", {"c1": "x2"})])
    with pytest.raises(ValueError, match="model='m1' has two result rows for .*'case_id': 'c1'"):
        pairwise_judge([twice, rows("m2", {"c1": "y"})], "m1", "m2", cases=CASES)
