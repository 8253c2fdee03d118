"""Sentence bounds of every token of a parsed document, computed once per document.

spaCy's `Token.sent` walks to its sentence's first and last token on each call: called once
per number (or per verb), extraction was quadratic in the length of a sentence (32,000
numbers in one sentence took 65 s, 100,000 more than 7 minutes).
"""

from __future__ import annotations

from array import array
from weakref import WeakKeyDictionary

from spacy.tokens import Doc

_CACHE: WeakKeyDictionary[Doc, tuple[array[int], array[int]]] = WeakKeyDictionary()


def bounds(doc: Doc) -> tuple[array[int], array[int]]:
    """(starts, ends): token i's sentence is doc[starts[i]:ends[i]]. A document without
    sentence boundaries is one sentence."""
    got = _CACHE.get(doc)
    if got is not None and len(got[0]) == len(doc):
        return got
    starts, ends = array("q", bytes(8 * len(doc))), array("q", bytes(8 * len(doc)))
    if doc.has_annotation("SENT_START"):
        sents = [(s.start, s.end) for s in doc.sents]
    else:
        sents = [(0, len(doc))]
    for s, e in sents:
        for i in range(s, e):
            starts[i], ends[i] = s, e
    _CACHE[doc] = (starts, ends)
    return starts, ends


def sentence_start(doc: Doc, i: int) -> int:
    return bounds(doc)[0][i]


def sentence_end(doc: Doc, i: int) -> int:
    return bounds(doc)[1][i]
