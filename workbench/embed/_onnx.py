"""The ONNX Runtime backend of the Embedder: the same sentence-transformers model, exported once.

A sentence-transformers folder (Transformer + mean Pooling [+ Normalize]) is exported to ONNX with
mean pooling and L2 normalisation inside the graph, cached under the user's cache folder keyed by a
fingerprint of the model folder, and run with onnxruntime on the CPU. Running it needs only
onnxruntime, tokenizers and numpy; the one-off export needs torch and transformers too.

``onnx`` (fp32) gives the vectors sentence-transformers gives (cosine 1.0, max abs difference about
3e-7). ``onnx-int8`` quantises the linear layers' weights to int8 (dynamic quantisation), which
changes the vectors (mean cosine 0.991, min 0.965 to fp32 on varied texts), so they are cached under
their own key; on a CPU without AVX-512 VNNI it is barely faster than fp32.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from workbench._files import new_temp_file

#: the backends an Embedder accepts
Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
# Bump when the exported graph changes, so old cached exports are not reused.
_EXPORT_VERSION = "1"
_SESSIONS: dict[str, OnnxEncoder] = {}
_LOCK = threading.Lock()


def onnx_cache_dir() -> Path:
    """Where exported models live: ``$WORKBENCH_CACHE_DIR/onnx`` or ``~/.cache/workbench/onnx``."""
    root = os.environ.get("WORKBENCH_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "onnx"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "workbench" / "onnx"


def _import_onnxruntime(backend: str) -> Any:
    try:
        import onnxruntime
    except ImportError as e:
        raise ImportError(
            f"Embedder(backend={backend!r}) needs onnxruntime, which is not installed: "
            "pip install onnxruntime onnx (or use backend='torch')"
        ) from e
    return onnxruntime


def _check_folder(folder: Path, backend: str) -> None:
    """Refuse, with the reason, a model the exported graph would not reproduce."""
    where = f"Embedder(backend={backend!r})"
    if not folder.is_dir():
        raise ValueError(f"{where} needs a local model folder; {str(folder)!r} is not a folder")
    if not (folder / "tokenizer.json").is_file():
        raise ValueError(f"{where}: {folder / 'tokenizer.json'} is missing (a fast tokenizer is needed)")
    modules_file = folder / "modules.json"
    if modules_file.is_file():
        modules = json.loads(modules_file.read_text())
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
            raise ValueError(
                f"{where}: {modules_file} lists modules {kinds}; only Transformer, Pooling "
                "[, Normalize] is supported -- use backend='torch'"
            )
        pooling_file = folder / modules[1].get("path", "1_Pooling") / "config.json"
        pooling = json.loads(pooling_file.read_text()) if pooling_file.is_file() else {}
        modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode") and v)
        if modes != ["pooling_mode_mean_tokens"]:
            raise ValueError(
                f"{where}: {pooling_file} sets {modes or 'no pooling mode'}; only mean pooling "
                "(pooling_mode_mean_tokens) is supported -- use backend='torch'"
            )


def max_seq_length(folder: Path) -> int:
    """The token limit sentence-transformers applies (``sentence_bert_config.json``, else 512)."""
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text()).get("max_seq_length")
        if value:
            return int(value)
    return 512


def fingerprint(folder: Path) -> str:
    """A short hash of the model folder's files (names, sizes, modification times)."""
    digest = hashlib.sha256(_EXPORT_VERSION.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\x00{stat.st_size}\x00{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _atomic_target(target: Path) -> Path:
    """A temporary file beside ``target``; the caller renames it into place when complete.

    Its mode is what a plain ``open()`` gives (the user's umask), like any cache file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    return new_temp_file(target, suffix=".tmp.onnx")


def export_onnx(folder: Path, target: Path) -> Path:
    """Export the transformer of ``folder`` with mean pooling and L2 normalisation to ``target``."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as e:
        raise ImportError(
            "exporting the model to ONNX (once per model) needs torch and transformers: "
            "pip install 'workbench[embed]'"
        ) from e

    class _Pooled(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # eager attention traces to plain MatMul/Softmax nodes that onnxruntime fuses and quantises
    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    tmp = _atomic_target(target)
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            # the TorchScript exporter handles dynamic batch and sequence axes in one trace
            torch.onnx.export(
                _Pooled(model),
                (ids, (ids != 0).long()),
                str(tmp),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def quantize_onnx(source: Path, target: Path) -> Path:
    """Dynamic int8 quantisation of the weights of ``source`` (activations stay float)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _atomic_target(target)
    try:
        # per-channel scales and 7-bit weights: without them int8 on AVX2 (no VNNI) saturates and
        # the vectors drift (cosine to fp32 down to 0.85 instead of 0.96 on varied texts)
        quantize_dynamic(
            str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
        )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def onnx_model_file(folder: Path, backend: str) -> Path:
    """The exported (and for ``onnx-int8`` quantised) model of ``folder``, built on first use."""
    _import_onnxruntime(backend)
    _check_folder(folder, backend)
    base = onnx_cache_dir() / f"{folder.name}-{fingerprint(folder)}"
    fp32 = base / "model.onnx"
    if not fp32.is_file():
        export_onnx(folder, fp32)
    if backend == "onnx":
        return fp32
    int8 = base / "model_int8.onnx"
    if not int8.is_file():
        quantize_onnx(fp32, int8)
    return int8


class OnnxEncoder:
    """An onnxruntime session and the model's tokenizer: texts in, L2-normalised vectors out."""

    def __init__(self, folder: Path, backend: str, threads: int | None = None) -> None:
        ort = _import_onnxruntime(backend)
        from tokenizers import Tokenizer

        self.path = onnx_model_file(folder, backend)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length(folder))
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]") or 0)
        self.dim = int(json.loads((folder / "config.json").read_text())["hidden_size"])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Vectors of ``texts`` in order; longest first in batches, so padding stays short."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            }
            out[rows] = self.session.run(None, feed)[0]
        return out


def load_onnx(folder: Path, backend: str) -> OnnxEncoder:
    """The :class:`OnnxEncoder` of ``folder`` and ``backend``, built once per process."""
    key = f"{backend}\x00{folder}"
    with _LOCK:
        encoder = _SESSIONS.get(key)
        if encoder is None:
            encoder = OnnxEncoder(folder, backend)
            _SESSIONS[key] = encoder
    return encoder
