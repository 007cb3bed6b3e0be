import numpy as np
import polars as pl
import pytest

from workbench.cases import Case, CaseSet
from workbench.golden import check_leakage

CASES = CaseSet(
    [
        Case(
            "leaky", "Please explain how the annual discount on the Pro plan is calculated for teams of ten"
        ),
        Case("clean", "What colour is the sky on Mars at sunset?"),
    ]
)
DOCS = [
    "Pricing FAQ. Note: the annual discount on the Pro plan is calculated for teams of ten as 20% off.",
    "Our office is closed on public holidays.",
]


class BagOfWords:
    """A tiny deterministic embedder (normalised word counts) standing in for the real model."""

    def __init__(self):
        self.vocab: dict[str, int] = {}

    def encode(self, texts):
        rows = []
        for t in texts:
            v = np.zeros(512, dtype=np.float32)
            for w in t.lower().split():
                v[hash(w.strip("?.,:")) % 512] += 1
            rows.append(v / max(np.linalg.norm(v), 1e-9))
        return np.stack(rows)


def test_ngram_finds_planted_overlap_with_excerpt():
    out = check_leakage(CASES, DOCS, ngram=5, min_overlap=0.5, embed=False)
    assert out.select("case_id", "corpus_id", "method").rows() == [("leaky", "0", "ngram")]
    row = out.row(0, named=True)
    assert row["matched_text"] == "the annual discount on the Pro plan is calculated for teams of ten"
    assert row["ngram_overlap"] == pytest.approx(9 / 12)  # 12 case 5-grams, 9 in the FAQ
    assert row["similarity"] is None


def test_unrelated_text_not_flagged_and_frame_corpus():
    corpus = pl.DataFrame({"id": ["faq"], "text": ["Our office is closed on public holidays."]})
    out = check_leakage(CASES, corpus, embed=False)
    assert out.height == 0 and out.columns[:5] == ["case_id", "corpus_id", "field", "method", "score"]


def test_embedding_and_both():
    corpus = DOCS + ["what colour is the sky on mars at sunset"]
    out = check_leakage(CASES, corpus, ngram=5, embedder=BagOfWords(), sim_threshold=0.95)
    got = {(r["case_id"], r["corpus_id"]): r for r in out.iter_rows(named=True)}
    clean = got[("clean", "2")]
    assert clean["method"] in ("both", "embedding") and clean["similarity"] > 0.95
    assert out["score"].to_list() == sorted(out["score"].to_list(), reverse=True)
    assert ("clean", "1") not in got


def test_caseset_corpus_and_reference_field():
    shots = CaseSet([Case("shot1", "Q?", reference="Please explain how the annual discount on the Pro plan")])
    cases = CaseSet(
        [Case("k", "unrelated", reference="explain how the annual discount on the Pro plan works")]
    )
    out = check_leakage(cases, shots, ngram=4, embed=False, fields=("input", "reference"))
    assert out.select("case_id", "corpus_id", "field").rows() == [("k", "shot1", "reference")]


def test_bad_corpus():
    with pytest.raises(TypeError, match="corpus must be"):
        check_leakage(CASES, 42, embed=False)
    with pytest.raises(
        ValueError, match=r"check_leakage: corpus has no column 'text'.*Columns present: id, body"
    ):
        check_leakage(CASES, pl.DataFrame({"id": ["a"], "body": ["x"]}), embed=False)


@pytest.mark.slow
def test_real_embedder_flags_a_paraphrased_few_shot(tmp_path):
    from workbench.embed import Embedder

    cases = CaseSet(
        [
            Case("q", "How can I get my money back for a broken blender?"),
            Case("other", "Which countries do you ship to?"),
        ]
    )
    shots = ["How do I get a refund for a blender that arrived broken?", "Our office is closed on Sundays."]
    out = check_leakage(cases, shots, embedder=Embedder(project=tmp_path), sim_threshold=0.7)
    assert out.select("case_id", "corpus_id", "method").rows() == [("q", "0", "embedding")]
