"""The Embedder with the real all-MiniLM-L6-v2 model, and its on-disk cache."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.embed import Embedder, EmbeddingCache, text_key


def test_cache_round_trip(tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    assert cache.get([b"k"]) == {} and len(cache) == 0
    vec = np.array([0.6, 0.8], dtype=np.float32)
    cache.put("m", [(b"k", vec)])
    got = cache.get([b"k", b"other"])
    assert list(got) == [b"k"] and got[b"k"].dtype == np.float32
    np.testing.assert_array_equal(got[b"k"], vec)
    assert cache.clear(model_id="another-model") == 0 and cache.clear(model_id="m") == 1 and len(cache) == 0


def test_keys_depend_on_model_and_text():
    assert text_key("m", "a") != text_key("m", "b")
    assert text_key("m1", "a") != text_key("m2", "a")
    assert len(text_key("m", "a")) == 32


def test_encode_rejects_non_text(tmp_path):
    emb = Embedder(project=tmp_path)
    with pytest.raises(TypeError, match="wrap a single text in a list"):
        emb.encode("hello")
    with pytest.raises(TypeError, match=r"text 1 is NoneType None, expected str"):
        emb.encode(["a", None])


@pytest.mark.slow
def test_vectors_are_normalised_float32_and_cached(tmp_path):
    emb = Embedder(project=tmp_path)
    texts = ["Where is my refund?", "I want my money back", "Where is my refund?", ""]
    first = emb.encode(texts)
    assert first.shape == (4, 384) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(first[0], first[2])
    assert emb.model_calls == 1 and emb.texts_computed == 3  # the repeated text is embedded once
    assert (tmp_path / ".workbench" / "embeddings.sqlite").is_file()

    again = Embedder(project=tmp_path)  # a new embedder (another notebook) reads the same cache
    second = again.encode(list(reversed(texts)))
    assert again.model_calls == 0 and again.texts_computed == 0
    np.testing.assert_array_equal(second, first[::-1])

    again.encode(["Where is my refund?", "a new text"])
    assert again.model_calls == 1 and again.texts_computed == 1


@pytest.mark.slow
def test_cache_off_recomputes(tmp_path):
    emb = Embedder(project=tmp_path, cache=False)
    emb.encode(["hello"])
    emb.encode(["hello"])
    assert emb.model_calls == 2
    assert not (tmp_path / ".workbench" / "embeddings.sqlite").exists()


@pytest.mark.slow
def test_similar_texts_are_closer(tmp_path):
    v = Embedder(project=tmp_path).encode(
        ["How do I get a refund?", "I want my money back", "The sky is blue"]
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert Embedder(project=tmp_path).encode([]).shape == (0, 384)
