"""The ONNX Runtime backends of the Embedder: same vectors as torch, separate cache keys for int8."""

from __future__ import annotations

import json
import sqlite3
import sys

import numpy as np
import pytest

from workbench.embed import BACKENDS, Embedder, onnx_cache_dir, text_key
from workbench.embed._onnx import _check_folder, fingerprint, max_seq_length

TEXTS = [
    "Where is my refund?",
    "I want my money back",
    "The app crashes when I open the settings page on Android",
    "",
    "héllo wörld — ünïcode ✓ 😀",
    "refund " * 300,  # longer than the 256-token limit: truncated the way sentence-transformers does
]


def test_backends_are_checked():
    assert BACKENDS == ("torch", "onnx", "onnx-int8")
    with pytest.raises(ValueError, match=r"backend='tensorrt'.*expected one of 'torch', 'onnx', 'onnx-int8'"):
        Embedder(backend="tensorrt")
    assert "backend='onnx'" in repr(Embedder(backend="onnx"))


def test_int8_vectors_have_their_own_cache_key(tmp_path):
    ids = {b: Embedder(model_path=tmp_path, backend=b).model_id for b in BACKENDS}
    assert ids["torch"] == ids["onnx"] == f"path:{tmp_path.resolve()}"
    assert ids["onnx-int8"] == f"path:{tmp_path.resolve()}#onnx-int8"
    assert text_key(ids["torch"], "a") != text_key(ids["onnx-int8"], "a")
    assert Embedder(backend="onnx-int8").model_id.endswith("#onnx-int8")


def test_missing_onnxruntime_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    with pytest.raises(
        ImportError, match=r"backend='onnx-int8'\) needs onnxruntime.*pip install onnxruntime"
    ):
        Embedder(project=tmp_path, backend="onnx-int8").encode(["hello"])


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    assert onnx_cache_dir() == tmp_path / "onnx"
    monkeypatch.delenv("WORKBENCH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert onnx_cache_dir() == tmp_path / "xdg" / "workbench" / "onnx"


def _toy_folder(root, pooling):
    (root / "1_Pooling").mkdir(parents=True)
    (root / "tokenizer.json").write_text("{}")
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    (root / "modules.json").write_text(json.dumps(modules))
    (root / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return root


def test_only_mean_pooled_models_are_exported(tmp_path):
    mean = _toy_folder(tmp_path / "mean", {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False})
    _check_folder(mean, "onnx")
    cls = _toy_folder(tmp_path / "cls", {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    with pytest.raises(ValueError, match=r"cls.1_Pooling.config.json sets \['pooling_mode_cls_token'\]"):
        _check_folder(cls, "onnx")
    with pytest.raises(ValueError, match="is not a folder"):
        _check_folder(tmp_path / "nowhere", "onnx")
    (mean / "tokenizer.json").unlink()
    with pytest.raises(ValueError, match=r"tokenizer.json is missing"):
        _check_folder(mean, "onnx")


def test_fingerprint_changes_with_the_model_files(tmp_path):
    folder = _toy_folder(tmp_path / "m", {"pooling_mode_mean_tokens": True})
    first = fingerprint(folder)
    assert fingerprint(folder) == first and len(first) == 16
    (folder / "model.safetensors").write_bytes(b"weights")
    assert fingerprint(folder) != first
    assert max_seq_length(folder) == 512
    (folder / "sentence_bert_config.json").write_text('{"max_seq_length": 256}')
    assert max_seq_length(folder) == 256


@pytest.fixture(scope="module")
def torch_vectors(tmp_path_factory):
    return Embedder(project=tmp_path_factory.mktemp("torch"), cache=False).encode(TEXTS)


@pytest.mark.slow
def test_onnx_gives_the_sentence_transformers_vectors(tmp_path, torch_vectors):
    emb = Embedder(project=tmp_path, backend="onnx", batch_size=4)
    vectors = emb.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32 and emb.dim == 384
    cosine = np.sum(vectors * torch_vectors, axis=1)
    assert cosine.min() >= 0.9999
    np.testing.assert_allclose(vectors, torch_vectors, atol=1e-5)
    assert emb.model.path.name == "model.onnx" and emb.model.path.parent.parent == onnx_cache_dir()


@pytest.mark.slow
def test_int8_is_close_to_torch(tmp_path, torch_vectors):
    vectors = Embedder(project=tmp_path, backend="onnx-int8").encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(vectors * torch_vectors, axis=1)
    assert cosine.min() >= 0.97
    assert not np.allclose(vectors, torch_vectors, atol=1e-5)  # why it has its own cache key


@pytest.mark.slow
def test_backends_share_or_separate_the_cache(tmp_path):
    texts = TEXTS[:3]
    Embedder(project=tmp_path, backend="torch").encode(texts)
    fp32 = Embedder(project=tmp_path, backend="onnx")
    fp32.encode(texts)
    assert fp32.model_calls == 0  # torch and fp32 ONNX vectors are interchangeable
    int8 = Embedder(project=tmp_path, backend="onnx-int8")
    int8.encode(texts)
    assert int8.model_calls == 1 and int8.texts_computed == 3
    with sqlite3.connect(tmp_path / ".workbench" / "embeddings.sqlite") as conn:
        rows = dict(conn.execute("SELECT model, COUNT(*) FROM embeddings GROUP BY model").fetchall())
    assert sorted(rows.values()) == [3, 3] and any(m.endswith("#onnx-int8") for m in rows)


def test_exported_files_follow_the_umask(tmp_path):
    import os
    import stat

    from workbench.embed._onnx import _atomic_target

    old = os.umask(0o077)
    try:
        tmp = _atomic_target(tmp_path / "cache" / "model.onnx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o600 and tmp.name.endswith(".tmp.onnx")
