"""Copies: a republished or lightly edited document points to the earliest one it copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from corrobora.text import fingerprint

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass(slots=True)
class Known:
    """A document already seen (stored or earlier in the batch), as copy detection needs it."""

    id: str
    signature: np.ndarray
    published_at: datetime | None
    seq: int
    duplicate_of: str | None

    @property
    def root(self) -> str:
        return self.duplicate_of or self.id

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.published_at or _FAR_FUTURE, self.seq)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Known:
        return cls(row["id"], fingerprint.from_bytes(row["minhash"]), row["published_at"],
                   row["ingest_seq"], row["duplicate_of"])


@dataclass(slots=True)
class CopyDecision:
    duplicate_of: str | None
    score: float | None
    reroot: tuple[str, str] | None
    """(old_root, new_id) when the new document is older than the group's current original."""


def decide(new: Known, candidates: list[Known], by_id: dict[str, Known]) -> CopyDecision:
    """Join `new` to the copy group of its most similar candidate, keeping the earliest root."""
    best: tuple[float, Known] | None = None
    for cand in candidates:
        if cand.id == new.id:
            continue
        sim = fingerprint.similarity(new.signature, cand.signature)
        if sim >= fingerprint.COPY_THRESHOLD and (best is None or sim > best[0]):
            best = (sim, cand)
    if best is None:
        return CopyDecision(None, None, None)
    score, match = best
    root = by_id.get(match.root, match)
    if new.order < root.order:
        return CopyDecision(None, score, (root.id, new.id))
    return CopyDecision(root.id, score, None)
