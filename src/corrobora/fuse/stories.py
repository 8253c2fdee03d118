"""Stories: documents about the same news story share a `story_id`, across languages.

Copies (fuse/copies.py) take their original's story. Each original is linked to the most
similar earlier-assigned document published within WINDOW_DAYS, when the similarity clears
THRESHOLD; otherwise it opens a story of its own. Retrieve, then re-rank:

- retrieve: the NEIGHBOURS nearest documents by multilingual embedding (text/embedding.py,
  centred on the pool's mean: static embeddings share a large common component) from a
  faiss index over the time-blocked pool;
- re-rank: TF-IDF cosine of the leads (words the two leads share, weighted by rarity in the
  pool) + the overlap of their named keys (actors, persons, organisations, towns; the same
  in every language) + W_EMBEDDING x embedding cosine, which carries cross-language pairs.

Each link is kept as a decision (`story_link`, `story_score`) so it can be reviewed.
The weights and threshold were chosen on the labelled dev set (benchmarks/story_scores.py);
see docs/fusion.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import faiss
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from corrobora.extract._data import fold
from corrobora.text.embedding import embed

LEAD_CHARS = 600
WINDOW_DAYS = 3
WINDOW = timedelta(days=WINDOW_DAYS)
NEIGHBOURS = 100
W_EMBEDDING = 0.25
THRESHOLD = 1.0
# Centring on the pool's mean needs a pool large enough for its mean to mean something.
_MIN_POOL_FOR_CENTRING = 20
# Above this many documents in a window, an HNSW graph answers faster than a flat scan.
_HNSW_ABOVE = 50_000


@dataclass(slots=True)
class StoryDoc:
    """An original document as story assignment sees it."""

    id: str
    published_at: datetime | None
    lead: str
    keys: frozenset[str]
    story_id: str | None = None
    vector: np.ndarray | None = None


@dataclass(slots=True, frozen=True)
class StoryLink:
    story_id: str
    linked_to: str | None
    """The document whose story this one joined; None when it opened its own."""
    score: float | None


def window_around(times: Iterable[datetime]) -> tuple[datetime, datetime] | None:
    """The span a pool of earlier documents is read from for documents published at `times`
    (None when none is dated), clamped to the calendar: a date near year 1 or 9999 must not
    overflow the arithmetic."""
    dated = list(times)
    if not dated:
        return None
    lo, hi = min(dated), max(dated)
    floor, ceiling = datetime.min.replace(tzinfo=lo.tzinfo), datetime.max.replace(tzinfo=hi.tzinfo)
    return (lo - WINDOW if lo - floor > WINDOW else floor,
            hi + WINDOW if ceiling - hi > WINDOW else ceiling)


def lead_text(title: str | None, text: str) -> str:
    head = text[:LEAD_CHARS]
    return f"{title}. {head}" if title and not text.startswith(title) else head


def story_keys(mentions: Iterable[dict[str, object]]) -> frozenset[str]:
    """Named keys of a document's lead from its stored mentions: registry actors, other
    persons and organisations by folded name, and resolved towns (not states or countries,
    which whole news beats share)."""
    keys: set[str] = set()
    for m in mentions:
        start = m.get("start_char")
        if not isinstance(start, int) or start >= LEAD_CHARS:
            continue
        if m.get("kind") == "entity" and m.get("label") in ("PER", "ORG", "MISC"):
            keys.add(f"a:{m['actor_id']}" if m.get("actor_id") else f"e:{fold(str(m['text']))}")
        elif m.get("kind") == "place" and m.get("geonameid") is not None \
                and m.get("geo_precision") in (1, 2):
            keys.add(f"p:{m['geonameid']}")
    return frozenset(keys)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@cache
def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.es.stop_words import STOP_WORDS as SPANISH

    return sorted({fold(w) for w in (*ENGLISH_STOP_WORDS, *SPANISH)})


def _near(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= WINDOW


class StoryClusterer:
    """Assigns stories to new originals against a pool of already-assigned documents."""

    def __init__(self, pool: Sequence[StoryDoc]) -> None:
        self.pool = list(pool)

    def assign(self, new: Sequence[StoryDoc]) -> dict[str, StoryLink]:
        """Story links of `new`, decided in publication order so a story grows forward."""
        if not new:
            return {}
        docs = self.pool + sorted(new, key=lambda d: (d.published_at is None,
                                                      d.published_at or datetime.min, d.id))
        missing = [d for d in docs if d.vector is None]
        if missing:
            for d, v in zip(missing, embed([d.lead for d in missing]), strict=True):
                d.vector = v
        vectors = np.stack([d.vector for d in docs]).astype(np.float32)  # type: ignore[misc]
        if len(docs) >= _MIN_POOL_FOR_CENTRING:
            vectors = vectors - vectors.mean(axis=0)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        tfidf = TfidfVectorizer(sublinear_tf=True, stop_words=_stop_words(),
                                preprocessor=fold).fit_transform([d.lead for d in docs])
        index: faiss.Index = (faiss.IndexHNSWFlat(vectors.shape[1], 32,
                                                  faiss.METRIC_INNER_PRODUCT)
                              if len(docs) > _HNSW_ABOVE
                              else faiss.IndexFlatIP(vectors.shape[1]))
        n_pool = len(self.pool)
        if n_pool:
            index.add(vectors[:n_pool])
        links: dict[str, StoryLink] = {}
        for i in range(n_pool, len(docs)):
            doc = docs[i]
            best: tuple[float, int] | None = None
            if index.ntotal:
                k = min(NEIGHBOURS, index.ntotal)
                sims, ids = index.search(vectors[i:i + 1], k)
                for sim, j in zip(sims[0], ids[0], strict=True):
                    if j < 0 or not _near(doc.published_at, docs[j].published_at):
                        continue
                    score = (float((tfidf[i] @ tfidf[j].T).toarray()[0, 0])
                             + _overlap(doc.keys, docs[j].keys) + W_EMBEDDING * float(sim))
                    if score >= THRESHOLD and (best is None or score > best[0]):
                        best = (score, int(j))
            if best is None:
                doc.story_id = doc.story_id or doc.id
                links[doc.id] = StoryLink(doc.story_id, None, None)
            else:
                score, j = best
                doc.story_id = docs[j].story_id
                links[doc.id] = StoryLink(str(doc.story_id), docs[j].id, round(score, 4))
            index.add(vectors[i:i + 1])
        return links
