"""PII detectors measured on a labelled set, and the scrubbing guarantees (no leak, idempotent).

The labelled set (tests/traffic/pii_examples.jsonl) marks every PII span inline as
``[[TYPE:value]]``; texts without markers are hard negatives (order numbers, invoice ids, dates,
amounts, versions, tracking numbers, non-Luhn 16-digit numbers, phone-like product codes).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from workbench.traffic import (
    PII_TYPES,
    PiiReport,
    iban_ok,
    insee_ok,
    load_pii_examples,
    luhn_ok,
    parse_marked,
    pii_accuracy,
    scrub,
    scrub_text,
)

EXAMPLES = Path(__file__).with_name("pii_examples.jsonl")

# Floors on the labelled set. EMAIL, PHONE and CREDIT_CARD recall >= 0.95 is the requirement;
# the others are set a little under what the detectors measure today, to catch regressions.
RECALL_FLOOR = {
    "EMAIL": 0.95,
    "PHONE": 0.95,
    "CREDIT_CARD": 0.95,
    "IBAN": 0.95,
    "NATIONAL_ID": 0.95,
    "IP_ADDRESS": 0.95,
    "STREET_ADDRESS": 0.9,
    "PERSON": 0.85,
}
PRECISION_FLOOR = {
    "EMAIL": 0.95,
    "PHONE": 0.95,
    "CREDIT_CARD": 0.95,
    "IBAN": 0.95,
    "NATIONAL_ID": 0.95,
    "IP_ADDRESS": 0.95,
    "STREET_ADDRESS": 0.9,
    "PERSON": 0.9,
}


def load() -> list[tuple[str, list[tuple[str, int, int]]]]:
    return load_pii_examples(EXAMPLES)


def test_parse_markup() -> None:
    assert parse_marked("mail [[EMAIL:a@b.co]] now") == ("mail a@b.co now", [("EMAIL", 5, 11)])


def test_labelled_set_is_big_and_covers_every_type() -> None:
    examples = load()
    assert len(examples) >= 300
    types = {t for _, spans in examples for t, _, _ in spans}
    assert types == set(PII_TYPES)
    assert sum(not spans for _, spans in examples) >= 100  # hard negatives


def test_precision_and_recall_per_type() -> None:
    table = pii_accuracy(load())
    print("\n", table.drop("texts", "us_per_text"))
    for row in table.iter_rows(named=True):
        t = row["type"]
        assert row["recall"] >= RECALL_FLOOR[t], (t, row)
        assert row["precision"] >= PRECISION_FLOOR[t], (t, row)


def test_hard_negatives_that_look_like_numbers_are_not_flagged() -> None:
    for text in [
        "Invoice INV-2024-00123 is overdue.",
        "Order #4111111111111112 shipped today.",
        "Version 2.14.3 fixed the PDF bug.",
        "Tracking: 1Z999AA10123456784",
        "Due date: 2024-03-15",
        "product code ABC-555-0134",
        "SSN 666-12-3456",
        "Meeting at 10:30:00 CET",
    ]:
        assert scrub_text(text).findings == [], text


def test_validators() -> None:
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB83 WEST 1234 5698 7654 32")
    assert insee_ok("184127645108946") and not insee_ok("184127645108947")


def test_scrubbed_text_keeps_no_original_pii_and_scrubbing_twice_is_a_no_op() -> None:
    # PERSON recall is below 1 by design (names outside the list and without context are
    # missed), so for names only what was found must be gone; every other labelled span must be.
    for text, gold in load():
        once = scrub_text(text)
        spans = [g for g in gold if g[0] != "PERSON"] + [tuple(f) for f in once.findings]
        for _, start, end in spans:
            assert text[start:end] not in once.text, (text, once.text)
        twice = scrub_text(once.text)
        assert twice.text == once.text and twice.findings == []


def test_placeholders_are_typed_and_spans_point_into_the_original() -> None:
    text = "Mail jo@example.com or call +44 20 7946 0958, card 4111-1111-1111-1111."
    out = scrub_text(text)
    assert out.text == "Mail <EMAIL> or call <PHONE>, card <CREDIT_CARD>."
    assert [(f.type, text[f.start : f.end]) for f in out.findings] == [
        ("EMAIL", "jo@example.com"),
        ("PHONE", "+44 20 7946 0958"),
        ("CREDIT_CARD", "4111-1111-1111-1111"),
    ]


def test_placeholder_typed_by_a_user_is_left_and_not_counted() -> None:
    out = scrub_text("Replace <EMAIL> with my address in the template")
    assert out.text == "Replace <EMAIL> with my address in the template"
    assert out.findings == []


def test_types_selects_detectors_and_rejects_unknown_ones() -> None:
    out = scrub_text("jo@example.com +44 20 7946 0958", types=["PHONE"])
    assert out.text == "jo@example.com <PHONE>"
    with pytest.raises(ValueError, match="unknown PII type.*'EMIAL'"):
        scrub_text("x", types=["EMIAL"])


def toy() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "request_id": ["a", "b", "c", "d"],
            "input": [
                "mail me: jo@example.com or ann@example.org",
                "card 4111 1111 1111 1111 pls",
                "how do I export CSV?",
                None,
            ],
            "output": ["Sent to jo@example.com.", "ok", "Reports > Export", "call +1 (415) 555-0134"],
        }
    )


def test_scrub_frame_counts_are_exact() -> None:
    out, report = scrub(toy(), flag_column="pii")
    assert out["input"].to_list() == [
        "mail me: <EMAIL> or <EMAIL>",
        "card <CREDIT_CARD> pls",
        "how do I export CSV?",
        None,
    ]
    assert out["output"].to_list() == ["Sent to <EMAIL>.", "ok", "Reports > Export", "call <PHONE>"]
    assert out["pii"].to_list() == [["EMAIL"], ["CREDIT_CARD"], [], ["PHONE"]]
    assert report.counts == {
        ("input", "EMAIL"): 2,
        ("input", "CREDIT_CARD"): 1,
        ("output", "EMAIL"): 1,
        ("output", "PHONE"): 1,
    }
    assert (report.n_rows, report.rows_affected, report.total) == (4, 3, 5)
    assert report.by_type() == {"EMAIL": 3, "CREDIT_CARD": 1, "PHONE": 1}
    assert report.table.rows() == [("EMAIL", 2, 1, 3), ("CREDIT_CARD", 1, 0, 1), ("PHONE", 0, 1, 1)]
    assert "3 of 4 rows" in report._repr_html_() and "<table>" in report._repr_html_()


def test_scrub_accepts_lazy_and_pandas_and_does_not_touch_the_input() -> None:
    frame = toy()
    out_lazy, rep_lazy = scrub(frame.lazy())
    out_pd, rep_pd = scrub(frame.to_pandas())
    assert out_lazy.equals(out_pd) and rep_lazy == rep_pd
    assert frame["input"][0] == "mail me: jo@example.com or ann@example.org"
    again, rep_again = scrub(out_lazy)
    assert again.equals(out_lazy) and rep_again.total == 0


def test_scrub_names_a_missing_or_non_text_column() -> None:
    with pytest.raises(ValueError, match="scrub: data has no column 'prompt'.*Columns present: request_id"):
        scrub(toy(), columns=["prompt"])
    with pytest.raises(ValueError, match="'n' must hold strings"):
        scrub(pl.DataFrame({"n": [1]}), columns=["n"])


def test_scrub_with_nothing_found() -> None:
    out, report = scrub(pl.DataFrame({"input": ["hello"], "output": ["hi"]}))
    assert out["input"].to_list() == ["hello"]
    assert report == PiiReport(1, 0, {}, ("input", "output"))
    assert report.table.height == 0


def test_vectorised_scrub_agrees_with_scrub_text_on_the_labelled_set() -> None:
    # The Rust prefilters only pick which detectors run; they must never hide a finding.
    texts = [text for text, _ in load()]
    texts += ["Merci, Émilie", "Dear Jérôme,", "Grüße, Jürgen Weiß"]
    out, report = scrub(pl.DataFrame({"input": texts}), columns=["input"])
    expected = [scrub_text(t) for t in texts]
    assert out["input"].to_list() == [e.text for e in expected]
    assert report.total == sum(len(e.findings) for e in expected)


def test_report_shape_and_escaped_html() -> None:
    frame = pl.DataFrame({"input": ["<script>x</script> mail jo@example.com", "hi"], "output": [None, "ok"]})
    out, report = scrub(frame)
    assert report.summary().rows() == [(2, 1, 0.5, 1)]
    assert report.table.rows() == [("EMAIL", 1, 0, 1)] and report.to_pandas().shape == (1, 4)
    html = report._repr_html_()
    assert "1 of 2 rows (50.0%)" in html and "<td>EMAIL</td>" in html
    again, _ = scrub(out, columns="input")  # a single column by name
    assert again["input"].to_list() == ["<script>x</script> mail <EMAIL>", "hi"]


def test_types_and_columns_are_keywords() -> None:
    with pytest.raises(TypeError, match="takes 1 positional argument"):
        scrub(toy(), ["input"])  # type: ignore[misc]
    assert scrub_text("jo@example.com +44 20 7946 0958", types=["EMAIL"]).text == "<EMAIL> +44 20 7946 0958"


def test_cards_of_every_network_with_any_separator() -> None:
    cards = {
        "Maestro 12": "5020 0734 2624",
        "Maestro 0604": "0604 0054 4783",
        "JCB": "3530 1113 3330 0000",
        "JCB 15": "1800 6822 2587 536",
        "UnionPay 19": "6222 1166 2758 1187 007",
        "Diners 14": "3004.234693.1674",
        "Discover": "6011.0015.0118.9593",
        "Amex": "3782-822463-10005",
        "Visa 19": "4233.2667.9663.2906.793",
        "Mastercard 2-series": "2221 0000 0000 0009",
    }
    for network, number in cards.items():
        assert luhn_ok(number), network
        out = scrub_text(f"card {number} please")
        assert out.text == "card <CREDIT_CARD> please", (network, out)


def test_phones_of_many_regions_and_the_region_hint() -> None:
    for text in [
        "call +49 (0)30 1234567",
        "call 0049 30 1234567",
        "call +(371) 6907 4391",
        "my phone: 41337169",
        "phone 06.12.34.56.78",
        "Rufen Sie mich unter 030 1234567 an",
        "mobile (639)248-9408x0197",
    ]:
        assert [f.type for f in scrub_text(text).findings] == ["PHONE"], text
    # Without a cue, 030 1234567 is taken as a valid Berlin number; it is no valid US number.
    assert scrub_text("see 030 1234567", regions=["DE"]).text == "see <PHONE>"
    assert scrub_text("see 030 1234567", regions=["US"]).findings == []
    with pytest.raises(ValueError, match=r"scrub_text: regions= has unknown region code\(s\) \['XX'\]"):
        scrub_text("x", regions=["XX"])
    with pytest.raises(ValueError, match="scrub: regions="):
        scrub(toy(), regions=["US", "XX"])


def test_phone_hard_negatives() -> None:
    for text in [
        "Tax year 2025/2026",
        "ISBN 978-3-16-148410-0 for the manual",
        "Order #60319453 shipped on 10/04/2019.",
        "Build 10.0.19045.2965 of Windows",
        "Reference 2024-0001-7788",
        "PO number 4500012345",
        "Batch 000123456 was exported at 10:30",
        "Can I change the invoice numbering to start at 2026-100?",  # the demo traffic's false phone
    ]:
        assert scrub_text(text).findings == [], text


def test_national_ids_validated_by_stdnum() -> None:
    for text in [
        "codice fiscale VRCCCL47R16G698J",
        "DNI 31939071Y",
        "AHV 756.3827.4906.50",
        "personnummer 870804-6068",
        "my PESEL is 83071982596",
        "BSN: 382749066",
    ]:
        assert [f.type for f in scrub_text(text).findings] == ["NATIONAL_ID"], text
    # The same digits without an id cue are an order number; a wrong check digit is nothing.
    assert scrub_text("order 83071982596").findings == []
    assert scrub_text("my PESEL is 83071982597").findings == []
