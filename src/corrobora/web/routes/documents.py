"""Documents: the list in order of arrival, one document with its text and spans.

Text is returned as stored (plain text; the HTML readers keep no markup) and every span is
a pair of character offsets into it, so a client highlights by slicing text, never by
inserting markup that came from an article."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from corrobora.web.deps import (
    Cursor,
    Limit,
    StoreDep,
    audit_reads,
    decode_cursor,
    encode_cursor,
)
from corrobora.web.serialize import csv_lines, jsonable, public_origin

router = APIRouter(prefix="/api/documents", tags=["documents"])
COLUMNS = ["id", "title", "lang", "source", "published_at", "url", "origin", "marking",
           "duplicate_of", "story_id", "chars", "reports"]


@router.get("", summary="Documents in order of arrival (without their text)")
def list_documents(
    store: StoreDep, limit: Limit = 50, cursor: Cursor = None,
    lang: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$")] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    if format == "csv":
        def every() -> Any:
            after = None
            while rows := store.documents_page(lang=lang, source=source, after=after,
                                               limit=2000):
                yield from map(_public, rows)
                after = rows[-1]["ingest_seq"]
        return StreamingResponse(
            csv_lines(COLUMNS, every()), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="documents.csv"'})
    after = None
    if cursor is not None:
        after = decode_cursor(cursor, "documents").get("s")
        if not isinstance(after, int):
            raise HTTPException(400, "invalid cursor")
    rows = store.documents_page(lang=lang, source=source, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [jsonable({c: r[c] for c in COLUMNS}) for r in map(_public, rows)],
            "count": len(rows),
            "next_cursor": encode_cursor({"k": "documents", "s": rows[-1]["ingest_seq"]})
            if more else None}


@router.get("/{document_id}", summary="One document: text, mentions and event-report "
            "sentences as character offsets")
def get_document(document_id: str, store: StoreDep, request: Request) -> dict[str, Any]:
    doc = store.get_document(document_id)
    if doc is None:
        raise HTTPException(404, f"no document {document_id!r}")
    audit_reads(request, store, [doc["id"]], "document")
    spans = [{"kind": "event_report", "start": r["sentence_start"], "end": r["sentence_end"],
              "event_id": r["event_id"], "report_id": r["id"], "type": r["type"],
              "trigger": [r["trigger_start"], r["trigger_end"]], "hedged": r["hedged"],
              "attribution": r["attribution"] or []} for r in doc["event_reports"]]
    spans += [{"kind": m["kind"], "start": m["start_char"], "end": m["end_char"],
               "label": m["label"], "value": m["value"], "actor_id": m["actor_id"],
               "geonameid": m["geonameid"]} for m in doc["mentions"]]
    out = {k: doc[k] for k in ("id", "title", "lang", "source", "source_kind", "reliability",
                               "published_at", "url", "origin", "marking", "duplicate_of",
                               "duplicate_score", "story_id", "story_link", "story_score",
                               "ingested_at", "copies", "text")}
    out["spans"] = spans
    out["event_reports"] = doc["event_reports"]
    return jsonable(_public(out))


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its origin shown without the ingesting machine's folders."""
    return {**row, "origin": public_origin(row.get("origin"))}
