import polars as pl
import pytest

from workbench.cases import Case, CaseSet
from workbench.golden import clean_paraphrase, paraphrase, template_variants
from workbench.runner import Model


def test_template_variants_exact():
    case = Case(
        "c1",
        "Can I move from {plan} to {target}?",
        reference="Yes, {target} is available.",
        tags=["billing"],
        metadata={"tier": "gold"},
    )
    cs = template_variants(case, {"plan": ["Basic", "Pro"], "target": ["Team"], "unused": ["x"]})
    assert [(c.id, c.input, c.reference) for c in cs] == [
        ("c1~v1", "Can I move from Basic to Team?", "Yes, Team is available."),
        ("c1~v2", "Can I move from Pro to Team?", "Yes, Team is available."),
    ]
    assert cs["c1~v1"].tags == ("billing", "variant", "variant:template")
    assert dict(cs["c1~v2"].metadata) == {
        "tier": "gold",
        "parent_id": "c1",
        "slot_values": {"plan": "Pro", "target": "Team"},
    }


def test_template_argument_chat_input_and_literal_braces():
    cases = CaseSet([Case("a", "x"), Case("b", "y")])
    cs = template_variants(cases, {"plan": ["Pro"]}, template='Upgrade to {plan} {"json": 1} {other}')
    assert [(c.id, c.input) for c in cs] == [
        ("a~v1", 'Upgrade to Pro {"json": 1} {other}'),
        ("b~v1", 'Upgrade to Pro {"json": 1} {other}'),
    ]
    chat = Case("m", [{"role": "system", "content": "Plan {plan}"}, {"role": "user", "content": "Hi"}])
    out = template_variants(chat, {"plan": ["A", "B"]})
    assert [c.input[0]["content"] for c in out] == ["Plan A", "Plan B"]


def test_template_errors_name_the_case():
    with pytest.raises(ValueError, match=r"case\(s\) \['nope'\] have no placeholder"):
        template_variants([Case("ok", "{plan}"), Case("nope", "plain")], {"plan": ["A"]})
    with pytest.raises(ValueError, match="slot 'plan' needs a non-empty list"):
        template_variants(Case("ok", "{plan}"), {"plan": []})
    with pytest.raises(ValueError, match="slot 'plan' needs a non-empty list"):
        template_variants(Case("ok", "{plan}"), {"plan": "Pro"})


def test_clean_paraphrase():
    assert clean_paraphrase('  Rewrite 2: "Where is my parcel?"\nextra') == "Where is my parcel?"
    assert clean_paraphrase("   ") == ""
    assert clean_paraphrase(None) == ""


def test_paraphrase_through_the_runner(server, tmp_path):
    server.configure(faults=[{"kind": "500", "match": "FAILME"}])
    model = Model("openai/fake", params={"api_base": server.base_url, "api_key": "sk-test"})
    cases = CaseSet(
        [
            Case(
                "a",
                'Where is my order? [[reply:Rewrite: "Where\'s my package?"]]',
                reference="In transit",
                tags=["shipping"],
            ),
            Case("b", "Hello [[reply:   ]]"),
            Case("c", "FAILME please"),
            Case(
                "d",
                [
                    {"role": "system", "content": "Be brief"},
                    {"role": "user", "content": "Cancel it [[reply:Please cancel my plan]]"},
                ],
            ),
        ]
    )
    out = paraphrase(cases, model, n=2, project=tmp_path, max_retries=0)
    assert out.cases.ids == ("a~p1", "d~p1")
    a = out.cases["a~p1"]
    assert a.input == "Where's my package?" and a.reference == "In transit"
    assert a.tags == ("shipping", "variant", "variant:paraphrase")
    assert a.metadata["parent_id"] == "a"
    d = out.cases["d~p1"]
    assert d.input[0]["content"] == "Be brief" and d.input[1]["content"] == "Please cancel my plan"
    reasons = {(r["case_id"], r["attempt"]): r["reason"] for r in out.dropped.iter_rows(named=True)}
    assert reasons[("a", 2)] == "duplicate"
    assert reasons[("b", 1)] == reasons[("b", 2)] == "empty"
    assert reasons[("c", 1)].startswith("error: ") and reasons[("c", 2)].startswith("error: ")
    assert len(reasons) == 6
    assert out.summary().rows() == [("kept", 2), ("empty", 2), ("duplicate", 2), ("error", 2)]
    assert out.table["case_id"].to_list() == ["a~p1", "d~p1"] and len(out.to_pandas()) == 2
    assert "Paraphrased" in out._repr_html_() and "2 variants kept, 6 dropped" in out._repr_html_()
    assert server.stats()["requests"] == 8


def test_cases_come_from_a_caseset_a_list_a_table_or_a_run():
    from workbench.runner import Run

    cases = CaseSet([Case("a", "Move me to {plan}"), Case("b", "Is {plan} cheaper?")])
    slots = {"plan": ["Pro"]}
    expected = template_variants(cases, slots)
    assert expected.ids == ("a~v1", "b~v1")
    assert template_variants(list(cases), slots) == expected
    assert template_variants(cases.table, slots) == expected
    assert template_variants(cases.to_pandas(), slots) == expected
    run = Run({"run_id": "r"}, cases.table.select("case_id").with_columns(output=pl.lit("x")), cases=cases)
    assert template_variants(run, slots) == expected
    with pytest.raises(TypeError, match=r"template_variants\(\): cases\[1\] is str, expected a Case"):
        template_variants([Case("a", "{plan}"), "b"], slots)
