"""Events: the filtered list (JSON pages or CSV), counts for the timeline, one event."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from corrobora.export.run import BOM
from corrobora.store import Store
from corrobora.web.deps import (
    Cursor,
    EventQuery,
    EventQueryDep,
    Limit,
    StoreDep,
    audit_reads,
    decode_cursor,
    encode_cursor,
)
from corrobora.web.serialize import (
    EVENT_CSV_COLUMNS,
    csv_lines,
    event_detail,
    event_summary,
    jsonable,
)

router = APIRouter(prefix="/api/events", tags=["events"])
CSV_PAGE = 2000


def _after(cursor: str | None) -> tuple[date | None, str] | None:
    if cursor is None:
        return None
    key = decode_cursor(cursor, "events")
    try:
        day = date.fromisoformat(key["d"]) if key.get("d") else None
        return day, str(key["i"])
    except (KeyError, ValueError, TypeError):
        raise HTTPException(400, "invalid cursor") from None


@router.get("", summary="Events, newest first, filtered; JSON pages, CSV, ACLED CSV, GeoJSON")
def list_events(request: Request, store: StoreDep, q: EventQueryDep, limit: Limit = 50,
                cursor: Cursor = None,
                format: Annotated[Literal["json", "csv", "acled", "geojson"], Query(
                    description="json (a page), or every matching event as csv (UTF-8 with "
                    "a BOM, for spreadsheet programs), acled (ACLED's 31 CSV columns) or "
                    "geojson (RFC 7946 FeatureCollection)")] = "json",
                ) -> Any:
    if format != "json":
        # A download carries the restricted reports' figures out: each is audited.
        ids = [r["id"] for r in _all_events(store, q)]
        docs = [r["document_id"] for r in store.export_reports(ids, with_text=False)]
        audit_reads(request, store, docs, f"events download ({format})")
    if format == "csv":
        return StreamingResponse(
            _with_bom(csv_lines(EVENT_CSV_COLUMNS, _all_events(store, q))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="events.csv"'})
    if format in ("acled", "geojson"):
        return _download(store, q, format)
    rows = store.events_page(q.filter, language=q.language, after=_after(cursor),
                             limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor({"k": "events", "d": jsonable(last["date"]),
                                     "i": last["id"]})
    return {"items": [event_summary(r) for r in rows], "count": len(rows),
            "next_cursor": next_cursor, "filters": jsonable(q.as_params())}


def _with_bom(lines: Any) -> Any:
    yield BOM
    yield from lines


def _download(store: Store, q: EventQuery, fmt: str) -> StreamingResponse:
    """Every event the filters match (as the list shows them) in an export format."""
    from corrobora.export import acled, geojson
    from corrobora.export.records import actor_names, events_with_reports

    # The list's own query picks the events (it knows the language and map filters).
    ids = [r["id"] for r in _all_events(store, q)]
    events = (e for i in range(0, len(ids), CSV_PAGE)
              for e in events_with_reports(store, ids=ids[i:i + CSV_PAGE]))
    if fmt == "acled":
        return StreamingResponse(
            _with_bom(acled.lines(events, actor_names(store))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="events-acled.csv"'})
    return StreamingResponse(
        geojson.chunks(events, default=jsonable), media_type="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="events.geojson"'})


def _all_events(store: Store, q: EventQuery) -> Any:
    after = None
    while True:
        rows = store.events_page(q.filter, language=q.language, after=after, limit=CSV_PAGE)
        yield from rows
        if len(rows) < CSV_PAGE:
            return
        after = (rows[-1]["date"], rows[-1]["id"])


@router.get("/counts", summary="Events counted by day, month, state (admin1) or type")
def count_events(store: StoreDep, q: EventQueryDep,
                 by: Annotated[Literal["day", "month", "admin1", "type"], Query()] = "month",
                 ) -> dict[str, Any]:
    rows = store.event_tallies(q.filter, by, language=q.language)
    return {"by": by, "items": jsonable(rows), "filters": jsonable(q.as_params())}


@router.get("/{event_id}", summary="One event: fused fields, ranges, grading, reports")
def get_event(event_id: str, store: StoreDep, request: Request) -> dict[str, Any]:
    if len(event_id) < 6:
        raise HTTPException(400, "an event id (or a unique prefix of at least 6 characters)")
    row = store.get_event(event_id)
    if row is None:
        raise HTTPException(404, f"no single event matches {event_id!r}")
    audit_reads(request, store, [r["document_id"] for r in row["reports"]],
                f"event {row['id']}")
    return event_detail(row)
