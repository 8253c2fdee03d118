"""Near-duplicate fingerprints: MinHash signatures and the LSH band keys used to find copies.

A republished or lightly edited copy shares most of its word shingles with the original, so
their MinHash signatures agree on most positions. Band keys (hashes of runs of the signature)
let the store find candidates with an indexed join instead of comparing with every document.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS = 32  # 32 bands of 4 rows: pairs above Jaccard ~0.45 become candidates
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 4
SEED = 20261127
# Verified Jaccard estimate above which a candidate counts as a copy. On the July 2024 news
# stream, pairs at 0.6-0.7 were mostly later developments of a story, not edited copies.
COPY_THRESHOLD = 0.7

_WORD = re.compile(r"\w+", re.UNICODE)


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(folded)


def shingles(text: str) -> set[bytes]:
    words = _tokens(text)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode()
            for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> np.ndarray:
    """MinHash signature (NUM_PERM uint64 values) of the text's word 4-shingles."""
    mh = MinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update_batch(list(shingles(text)))
    return mh.hashvalues.astype(np.uint64)


def band_keys(sig: np.ndarray) -> list[int]:
    """One key per band; documents sharing any key are copy candidates."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=7, person=band.to_bytes(2, "big")).digest()
        keys.append(int.from_bytes(digest, "big"))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8")
