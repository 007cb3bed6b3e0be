"""semantic_similarity with the real embedding model."""

from __future__ import annotations

import polars as pl
import pytest

from workbench.metrics import score, semantic_similarity


@pytest.fixture(autouse=True)
def _project(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))  # the embedding cache goes to tmp_path


@pytest.mark.slow
def test_identical_texts_score_one_and_unrelated_lower():
    frame = pl.DataFrame(
        {
            "case_id": ["a", "b", "c", "d", "e"],
            "output": ["Your refund was issued today.", "The weather is sunny.", "We sent your money back.", None, "x"],
            "reference": ["Your refund was issued today.", "Your refund was issued today.",
                          "Your refund was issued today.", "anything", None],
        }
    )  # fmt: skip
    t = score(frame, semantic_similarity(threshold=0.5)).table
    same, unrelated, paraphrase, failed, no_ref = t["value"].to_list()
    assert same == pytest.approx(1.0, abs=1e-5)
    assert unrelated < 0.3 < paraphrase < same
    assert t["passed"].to_list() == [True, False, True, None, None]
    assert t["error"].to_list()[3:] == ["no output", "reference is null for this case"]
    slow = score(frame, semantic_similarity(threshold=0.5), vectorized=False).table
    assert slow["value"].to_list()[:3] == pytest.approx([same, unrelated, paraphrase], abs=1e-6)
    assert slow["passed"].to_list() == t["passed"].to_list()


@pytest.mark.slow
def test_rescoring_embeds_nothing(tmp_path):
    from workbench.embed import Embedder

    frame = pl.DataFrame({"case_id": ["a"], "output": ["hello world"], "reference": ["hi world"]})
    score(frame, semantic_similarity)
    probe = Embedder(project=tmp_path)
    probe.encode(["hello world", "hi world"])
    assert probe.model_calls == 0
