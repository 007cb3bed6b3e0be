import pytest

from workbench.cluster import class_tfidf, cluster_names, slug


def test_ctfidf_picks_the_distinctive_words():
    texts = [
        "my account refund is late",  # "account" is in every class: not distinctive
        "refund the account charge",
        "refund money charge account",
        "account password reset",
        "reset my account password now",
        "password locked account",
        "the parcel for my account is lost",
        "parcel delivery lost account",
    ]
    labels = [0, 0, 0, 1, 1, 1, 2, 2]
    terms = class_tfidf(texts, labels, n_terms=3)
    assert terms == [
        ["refund", "charge", "late"],
        ["password", "reset", "locked"],
        ["lost", "parcel", "delivery"],
    ]
    assert all("account" not in t[:2] for t in terms)


def test_stop_words_digits_and_empty_classes():
    assert class_tfidf(["the of and", "it is"], [0, 1]) == [[], []]
    assert class_tfidf(["error 500 500", "timeout"], [0, 1], n_terms=2) == [["error"], ["timeout"]]


def test_names_are_unique_and_readable():
    assert cluster_names([["refund", "money", "charge", "late"], [], ["a"], ["a"]]) == [
        "refund / money / charge",
        "cluster 1",
        "a (2)",
        "a (3)",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("refund / money / charge", "refund-money-charge"), ("Ärger über Rechnung", "ärger-über-rechnung"),
     ("<b>x</b>", "b-x-b"), ("///", "cluster")],
)  # fmt: skip
def test_slug(name, expected):
    assert slug(name) == expected


HUGE_A, HUGE_B = "a" * 200_000, "b" * 200_000  # one token each, as a pasted blob or base64 makes


def test_a_200000_character_token_gives_bounded_terms_and_names():
    texts = [f"{HUGE_A} {HUGE_B} refund", "refund", "password reset", "reset password link"]
    terms = class_tfidf(texts, [0, 0, 1, 1], n_terms=3)
    cut_a, cut_b = "a" * 29 + "…", "b" * 29 + "…"
    assert terms == [["refund", cut_a, cut_b], ["password", "reset", "link"]]
    names = cluster_names(terms)
    assert names == [f"refund / {cut_a} / {'b' * 17}…", "password / reset / link"]
    assert len(names[0]) == 60
    assert cluster_names([[cut_a, cut_b, "x"], [cut_a, cut_b, "x"]]) == [
        f"{cut_a} / {'b' * 22}… (0)",
        f"{cut_a} / {'b' * 22}… (1)",
    ]
