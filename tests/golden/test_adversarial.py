import pytest

from workbench.cases import Case, CaseSet
from workbench.golden import KINDS, adversarial, attack_templates


def test_library_has_at_least_eight_templates_per_kind():
    for kind in KINDS:
        lib = attack_templates(kind=kind)
        assert len(lib) >= 8
        assert all("{request}" in a.template and a.expected_behaviour for a in lib)
    ids = [a.id for a in attack_templates()]
    assert len(ids) == len(set(ids))


def test_adversarial_tags_metadata_and_reference():
    cases = CaseSet(
        [
            Case(
                "c1",
                "Where is my order?",
                reference="It ships Monday",
                tags=["shipping"],
                metadata={"tier": "gold"},
            )
        ]
    )
    out = adversarial(cases, seed=0)
    assert len(out) == 3
    for case in out:
        kind = next(t.split(":", 1)[1] for t in case.tags if t.startswith("adversarial:"))
        attack = next(a for a in attack_templates(kind=kind) if case.id == f"c1~adv-{a.id}")
        assert case.tags == ("shipping", "adversarial", f"adversarial:{kind}")
        assert case.input == attack.template.format(request="Where is my order?")
        assert case.reference == attack.expected_behaviour == case.metadata["expected_behaviour"]
        assert case.reference != "It ships Monday"
        assert case.metadata["parent_id"] == "c1" and case.metadata["tier"] == "gold"
        assert case.metadata["synthetic_pii"] is (kind == "pii_bait")


def test_deterministic_per_case_and_per_kind_count():
    a = adversarial([Case("x", "Hi"), Case("y", "Yo")], kinds=["jailbreak"], per_kind=3, seed=1)
    b = adversarial([Case("x", "Hi")], kinds=["jailbreak"], per_kind=3, seed=1)
    assert a.ids[:3] == b.ids and len(a) == 6


def test_chat_case_wraps_last_user_message():
    chat = Case("m", [{"role": "system", "content": "S"}, {"role": "user", "content": "Refund?"}])
    (case,) = adversarial(chat, kinds=["prompt_injection"])
    assert case.input[0]["content"] == "S" and "Refund?" in case.input[1]["content"]
    assert case.input[1]["content"] != "Refund?"


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown attack kind 'sql'"):
        adversarial(Case("x", "Hi"), kinds=["sql"])


def test_every_template_with_personal_data_is_marked_synthetic():
    """export_golden refuses cases with PII unless their template says the PII is made up."""
    from workbench.golden import attack_templates
    from workbench.golden._pii import pii_types

    unmarked = [t.id for t in attack_templates() if pii_types(t.template) and not t.synthetic_pii]
    assert unmarked == []
