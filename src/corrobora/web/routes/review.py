"""The review queue of low-confidence fusion decisions (only when the store has one)."""

from __future__ import annotations

from fastapi import APIRouter

from corrobora.store import Store

router = APIRouter(prefix="/api/review", tags=["review"])


def available(store: Store) -> bool:
    return hasattr(store, "review_queue")
