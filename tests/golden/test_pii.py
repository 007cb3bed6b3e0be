import pytest

from workbench.cases import Case, CaseSet
from workbench.golden import export_golden, load_golden, pii_types
from workbench.traffic import scrub_text


def test_pii_types_are_the_traffic_detectors():
    text = "Mail jo@example.com, card 4111 1111 1111 1111"
    assert pii_types(text) == [f.type for f in scrub_text(text).findings] == ["EMAIL", "CREDIT_CARD"]
    assert pii_types("How do I reset my password?") == []
    assert pii_types(scrub_text(text).text) == []  # placeholders are not PII


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("My name is John Smith", "PERSON"),
        ("Please refund DE89 3704 0044 0532 0130 00", "IBAN"),
        ("Card 4111 1111 1111 1111 was charged twice", "CREDIT_CARD"),
    ],
)
def test_export_refuses_what_scrub_text_finds(tmp_path, text, kind):
    cs = CaseSet([Case("c1", "Hello"), Case("c2", text)])
    with pytest.raises(ValueError, match=rf"case 'c2' input: {kind}"):
        export_golden(cs, tmp_path, name="s")
    assert list(tmp_path.iterdir()) == []
    scrubbed = CaseSet([Case("c1", "Hello"), Case("c2", scrub_text(text).text)])
    assert export_golden(scrubbed, tmp_path, name="s").created


def test_pii_check_none_and_custom(tmp_path):
    cs = CaseSet([Case("c1", "My name is John Smith", reference="Hi John")])
    v = export_golden(cs, tmp_path, name="raw", pii_check=None)
    assert load_golden(v.path)["c1"].input == "My name is John Smith"
    with pytest.raises(ValueError, match=r"case 'c1' reference: GREETING"):
        export_golden(
            cs, tmp_path, name="custom", pii_check=lambda t: ["GREETING"] if t.startswith("Hi") else []
        )
    with pytest.raises(ValueError, match="pii_check must be 'default', None or a callable, got 'builtin'"):
        export_golden(cs, tmp_path, name="x", pii_check="builtin")
