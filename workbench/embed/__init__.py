"""Sentence embeddings from a local model, cached on disk (semantic similarity, clustering).

>>> from workbench.embed import Embedder
>>> vectors = Embedder().encode(["Where is my refund?", "I want my money back"])   # doctest: +SKIP

torch and sentence-transformers load on the first :meth:`Embedder.encode` that needs the model.
"""

from workbench.embed._cache import EmbeddingCache, text_key
from workbench.embed._embedder import DEFAULT_MODEL, Embedder, default_model_path, load_model
from workbench.embed._onnx import BACKENDS, Backend, onnx_cache_dir

__all__ = [
    "BACKENDS",
    "Backend",
    "DEFAULT_MODEL",
    "Embedder",
    "EmbeddingCache",
    "default_model_path",
    "load_model",
    "onnx_cache_dir",
    "text_key",
]
