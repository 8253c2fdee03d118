"""What the store holds and what the filters can take."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from corrobora.web.deps import StoreDep
from corrobora.web.serialize import jsonable

router = APIRouter(prefix="/api", tags=["store"])


@router.get("/stats", summary="Counts of what the store holds")
def stats(store: StoreDep) -> dict[str, Any]:
    s = store.stats()
    s.pop("path", None)
    for key in ("by_language", "by_type", "by_admin1"):
        s[key] = [{"value": k, "count": n} for k, n in s[key]]
    return jsonable(s)


@router.get("/facets", summary="Values the event filters can take, with counts")
def facets(store: StoreDep) -> dict[str, Any]:
    return jsonable(store.event_facets())
