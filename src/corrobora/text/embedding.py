"""Multilingual sentence embeddings from a static (model2vec) model.

The model is the one bundled in the `tokenlearn-static-model` registry package (10k x 64 int8
token vectors over a 276k-token multilingual Unigram vocabulary; EN/ES paraphrases score
about 0.89 cosine). It is read from the installed package's files with model2vec, never
fetched from a hub, and loaded once per process, lazily: loading takes a few seconds (the
10 MB tokenizer), encoding then runs at thousands of sentences a second on one core.

We load the files with model2vec rather than importing the package, whose Rust extension is
an unreviewed binary from an uploader with no author metadata; model2vec only reads the
safetensors weights and the tokenizer JSON.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

PACKAGE = "tokenlearn-static-model"
MODEL_SUBDIR = "static_model/model"
DIM = 64
MAX_TOKENS = 512  # model2vec's default; news leads and short reports fit well within it


class EmbeddingModelMissing(RuntimeError):
    """The embedding model package is not installed (see requirements-models.txt)."""


def model_path() -> Path:
    """Directory of the bundled model files, located without importing the package."""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError as exc:
        raise EmbeddingModelMissing(
            f"{PACKAGE} is not installed; run `bash scripts/setup` "
            "(it is pinned by hash in requirements-models.txt)") from exc
    path = Path(str(dist.locate_file(MODEL_SUBDIR)))
    if not (path / "model.safetensors").is_file():
        raise EmbeddingModelMissing(f"{PACKAGE} has no model files under {path}")
    return path


class Embedder:
    """Embeds texts as L2-normalised float32 vectors; the model loads on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):  # model2vec.StaticModel; untyped to keep the import lazy
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from model2vec import StaticModel  # deferred: the import costs ~0.4 s

                    self._model = StaticModel.from_pretrained(
                        str(self._path or model_path()), normalize=True, force_download=False)
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 array, each row of unit length (zero for empty text)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        # No worker processes: callers batch small, and the machine's cores are shared.
        vecs = np.asarray(self.model.encode(list(texts), max_length=MAX_TOKENS,
                                            show_progress_bar=False, use_multiprocessing=False),
                          dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms > 0, norms, 1.0)


_DEFAULT = Embedder()


def default_embedder() -> Embedder:
    """The process-wide embedder (one loaded model shared by every caller)."""
    return _DEFAULT


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts with the process-wide model: (n, dim) float32, rows L2-normalised."""
    return _DEFAULT.embed(texts)
