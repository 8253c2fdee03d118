"""Live intake: what `corrobora watch` polled, what arrived, what failed (sources/watch.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from corrobora.web.deps import StoreDep
from corrobora.web.serialize import jsonable

router = APIRouter(prefix="/api/intake", tags=["sources"])


@router.get("", summary="Watched feeds and pages: last poll, errors, next poll; the newest "
            "items and polls")
def intake(store: StoreDep,
           limit: Annotated[int, Query(ge=1, le=500, description="Newest items and polls "
                                       "to list (1-500).")] = 50) -> Any:
    overview = store.intake_overview(limit=limit)
    return jsonable({**overview, "count": len(overview["feeds"])})
