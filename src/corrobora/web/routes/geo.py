"""The map: events as GeoJSON, counts by state for the choropleth."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corrobora.web.deps import EventQueryDep, StoreDep, bbox_param
from corrobora.web.serialize import jsonable

router = APIRouter(prefix="/api/geo", tags=["map"])


@router.get("/events", summary="Located events as a GeoJSON FeatureCollection")
def events_geojson(
    store: StoreDep, q: EventQueryDep,
    bbox: Annotated[tuple[float, float, float, float] | None, Depends(bbox_param)],
    limit: Annotated[int, Query(ge=1, le=50000, description="At most this many points, "
                                "newest first.")] = 5000,
) -> Response:
    features, truncated = store.events_geojson(q.filter, language=q.language, bbox=bbox,
                                               limit=limit)
    body = ('{"type":"FeatureCollection","features":[' + features + '],"truncated":'
            + ("true" if truncated else "false") + "}")
    return Response(body, media_type="application/geo+json")


@router.get("/regions", summary="Events and fatalities by state (ISO 3166-2), for the "
            "choropleth")
def region_counts(store: StoreDep, q: EventQueryDep) -> dict[str, Any]:
    rows = store.event_tallies(q.filter, "admin1", language=q.language)
    return {"items": [{"code": r["key"], "events": r["events"],
                       "fatalities": jsonable(r["fatalities"])} for r in rows]}
