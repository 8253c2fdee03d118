"""Sources: the registry with its Admiralty grades, and what the store holds from each."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from corrobora.web.deps import StoreDep
from corrobora.web.serialize import RELIABILITY, csv_lines, jsonable

router = APIRouter(prefix="/api/sources", tags=["sources"])
COLUMNS = ["name", "kind", "reliability", "country", "in_registry", "documents", "reports"]


@router.get("", summary="The source registry with grades, and the sources seen in the store")
def list_sources(store: StoreDep,
                 format: Annotated[Literal["json", "csv"], Query()] = "json") -> Any:
    from corrobora.fuse.source_registry import SourceRegistry

    seen = {r["name"]: r for r in store.source_usage()}
    rows: list[dict[str, Any]] = []
    for s in SourceRegistry.load().sources:
        used = seen.pop(s.name, {})
        rows.append({**s.row(), "in_registry": True, "documents": used.get("documents", 0),
                     "reports": used.get("reports", 0)})
    for r in seen.values():
        rows.append({**r, "in_registry": False})
    for r in rows:
        r["reliability_label"] = RELIABILITY.get(r["reliability"] or "")
    rows.sort(key=lambda r: (-(r["documents"] or 0), r["reliability"] or "F", r["name"]))
    if format == "csv":
        return StreamingResponse(
            csv_lines(COLUMNS, rows), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="sources.csv"'})
    return {"items": jsonable(rows), "count": len(rows)}
