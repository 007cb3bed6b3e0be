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
