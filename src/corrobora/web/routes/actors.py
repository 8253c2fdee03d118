"""Actors: the list (with candidates) and the graph of the selected period."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from corrobora.web.deps import EventQueryDep, StoreDep
from corrobora.web.serialize import csv_lines, jsonable

router = APIRouter(prefix="/api/actors", tags=["actors"])
COLUMNS = ["id", "name", "type", "inter_code", "status", "origin", "reports", "documents"]


@router.get("", summary="Actors named in reports, most reported first")
def list_actors(
    store: StoreDep,
    status: Annotated[Literal["confirmed", "candidate"] | None, Query(
        description="candidate: groups named in reports but not in the registry")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    rows = store.list_actors(status)
    if format == "csv":
        return StreamingResponse(
            csv_lines(COLUMNS, rows), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="actors.csv"'})
    return {"items": jsonable(rows), "count": len(rows)}


@router.get("/graph", summary="Actors of the matching events: registry relations valid in "
            "the period and co-occurrence in events")
def actor_graph(store: StoreDep, q: EventQueryDep) -> dict[str, Any]:
    from corrobora.extract.actors import ActorRegistry

    found = store.event_actor_pairs(q.filter, language=q.language)
    nodes = {n["id"]: n for n in found["nodes"]}
    edges: list[dict[str, Any]] = [
        {"source": p["source"], "target": p["target"], "type": "co_occurs",
         "events": p["events"]} for p in found["pairs"]]
    since = q.filter.since.isoformat() if q.filter.since else None
    until = q.filter.until.isoformat() if q.filter.until else None
    for rel in ActorRegistry.load().relations():
        if rel.source not in nodes or rel.target not in nodes:
            continue
        # Bounds are partial dates ("2024-07"): compared as strings on the common prefix.
        if until and rel.start and rel.start > until[: len(rel.start)]:
            continue
        if since and rel.end and rel.end < since[: len(rel.end)]:
            continue
        edges.append({"source": rel.source, "target": rel.target, "type": rel.type,
                      "start": rel.start, "end": rel.end, "as_of": rel.as_of,
                      "evidence": list(rel.evidence)})
    return {"nodes": jsonable(list(nodes.values())), "edges": edges}
