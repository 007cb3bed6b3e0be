import pytest

from workbench.widgets import word_diff
from workbench.widgets._diff import MAX_LINES, MAX_WORD_TOKENS, tokenize


def join(segments, ops):
    return "".join(s["text"] for s in segments if s["op"] in ops)


def test_replaced_word():
    assert word_diff("Refunds take 5 days.", "Refunds take 7 days.") == [
        {"op": "eq", "text": "Refunds take "},
        {"op": "del", "text": "5"},
        {"op": "ins", "text": "7"},
        {"op": "eq", "text": " days."},
    ]


def test_insertion_and_deletion():
    assert word_diff("a b c", "a c d") == [
        {"op": "eq", "text": "a "},
        {"op": "del", "text": "b "},
        {"op": "eq", "text": "c"},
        {"op": "ins", "text": " d"},
    ]


def test_identical_and_empty():
    assert word_diff("same text", "same text") == [{"op": "eq", "text": "same text"}]
    assert word_diff("", "new") == [{"op": "ins", "text": "new"}]
    assert word_diff("old", "") == [{"op": "del", "text": "old"}]
    assert word_diff("", "") == []


@pytest.mark.parametrize(
    ("base", "other"),
    [
        ("The quick brown fox.\nJumps!", "A quick red fox\n\njumps!!"),
        ("naïve café, 10% off", "naive cafe: 10 % off"),
        ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"),
    ],
)
def test_segments_rebuild_both_texts(base, other):
    segments = word_diff(base, other)
    assert join(segments, {"eq", "del"}) == base
    assert join(segments, {"eq", "ins"}) == other
    assert all(a["op"] != b["op"] for a, b in zip(segments, segments[1:], strict=False))


def test_tokens_join_back():
    text = " Hi,  there!\tx_y 42"
    lead, units = tokenize(text)
    assert (lead, units) == (
        " ",
        [("Hi", ""), (",", "  "), ("there", ""), ("!", "\t"), ("x_y", " "), ("42", "")],
    )
    assert lead + "".join(w + s for w, s in units) == text


def test_changed_whitespace_between_equal_words():
    assert word_diff("a b", "a  b") == [
        {"op": "eq", "text": "a"},
        {"op": "del", "text": " "},
        {"op": "ins", "text": "  "},
        {"op": "eq", "text": "b"},
    ]


def test_long_texts_diff_by_line():
    base = "\n".join(f"line {i} " + "w " * 10 for i in range(MAX_WORD_TOKENS // 10))
    other = base.replace("line 7 ", "line seven ")
    segments = word_diff(base, other)
    changed = [s for s in segments if s["op"] != "eq"]
    assert [s["op"] for s in changed] == ["del", "ins"]
    assert changed[0]["text"].startswith("line 7 ") and changed[1]["text"].startswith("line seven ")
    assert join(segments, {"eq", "ins"}) == other


def test_very_long_texts_are_one_deletion_and_one_insertion():
    base = "x\n" * (MAX_LINES + 1)
    assert word_diff(base, base + "y") == [{"op": "del", "text": base}, {"op": "ins", "text": base + "y"}]
    assert word_diff(base, base) == [{"op": "eq", "text": base}]


def test_rejects_non_strings():
    with pytest.raises(TypeError, match="two strings, got str and NoneType"):
        word_diff("a", None)
