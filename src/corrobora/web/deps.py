"""What the routes share: the store handle per request, the event filters, cursors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request

from corrobora.store import EventFilter, Store
from corrobora.store.access import restrict
from corrobora.store.filters import FilterError, resolve


def get_store(request: Request) -> Iterator[Store]:
    """A cursor on the application's connection, closed after the request, that sees only
    what the request's principal may (store/access.py restrict)."""
    from corrobora.web.auth import principal_of

    principal = principal_of(request)
    reader = request.app.state.store.reader()
    try:
        hidden = restrict(reader, principal)
        request.state.hidden = hidden
        yield reader
    finally:
        reader.con.close()


def raw_store(request: Request) -> Iterator[Store]:
    """A cursor that sees every row: for writes and the audit log, never for answers."""
    reader = request.app.state.store.reader()
    try:
        yield reader
    finally:
        reader.con.close()


StoreDep = Annotated[Store, Depends(get_store)]
RawStoreDep = Annotated[Store, Depends(raw_store)]


@dataclass(slots=True, frozen=True)
class EventQuery:
    filter: EventFilter
    language: str | None

    def as_params(self) -> dict[str, Any]:
        f = self.filter
        return {k: v for k, v in {
            "type": f.type, "actor": f.actor, "place": f.place, "since": f.since,
            "until": f.until, "min_credibility": f.min_credibility,
            "language": self.language}.items() if v is not None}


def event_query(
    store: StoreDep,
    type: Annotated[str | None, Query(
        description="Our type (LEADER_KILLED), a CASE label (ARMED_CLASH) or an ACLED event "
        "type (Battles).", max_length=80)] = None,
    actor: Annotated[str | None, Query(
        description="Actor id (cjng) or a name as reported.", max_length=200)] = None,
    place: Annotated[str | None, Query(
        description="Place name, ISO 3166-2 code (MX-JAL), municipality, INEGI code or "
        "country code.", max_length=200)] = None,
    since: Annotated[date | None, Query(description="YYYY-MM-DD: events ending on or after.")]
    = None,
    until: Annotated[date | None, Query(description="YYYY-MM-DD: events starting on or "
                                        "before.")] = None,
    min_credibility: Annotated[int | None, Query(
        ge=1, le=6, description="Keep events this credible or better (1 is best).")] = None,
    language: Annotated[str | None, Query(
        description="ISO 639-1 language of at least one report's document (en, es).",
        pattern=r"^[A-Za-z]{2,3}$")] = None,
) -> EventQuery:
    if since and until and since > until:
        raise HTTPException(400, f"since ({since}) is after until ({until})")
    given = EventFilter(type=type or None, place=place or None, since=since, until=until,
                        actor=actor or None, min_credibility=min_credibility, limit=None)
    try:
        # As the CLI reads them (accents, case, aliases, ids): one meaning of a filter.
        resolved = resolve(store, given)
    except FilterError as exc:
        # What the CLI prints: the value matches nothing, or which values pick one.
        raise HTTPException(400, str(exc)) from None
    return EventQuery(resolved, language.lower() if language else None)


EventQueryDep = Annotated[EventQuery, Depends(event_query)]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page (1-500).")]
Cursor = Annotated[str | None, Query(
    description="Opaque: the `next_cursor` of the previous page.", max_length=500)]


def encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> dict[str, Any]:
    """The key a cursor holds; 400 when it is not a cursor this API made for `kind`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, dict) or key.get("k") != kind:
        raise HTTPException(400, "invalid cursor: pass the next_cursor of a previous "
                            f"{kind} page unchanged")
    return key


def bbox_param(
    bbox: Annotated[str | None, Query(
        description="west,south,east,north in degrees (WGS 84).")] = None,
) -> tuple[float, float, float, float] | None:
    if not bbox:
        return None
    try:
        west, south, east, north = (float(x) for x in bbox.split(","))
    except ValueError:
        raise HTTPException(400, "bbox must be four numbers: west,south,east,north") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise HTTPException(400, "bbox out of range: need -180<=west<=east<=180 and "
                            "-90<=south<=north<=90")
    return west, south, east, north


def audit_reads(request: Request, store: Store, document_ids: list[str], detail: str) -> None:
    """Audit lines for the restricted documents among those a reader was just shown."""
    from corrobora.store import access
    from corrobora.web.auth import principal_of

    restricted = access.restricted_documents(store, document_ids)
    if not restricted:
        return
    principal = principal_of(request)
    rows = [access.audit_row(principal, "read", "document", doc_id, marking, detail)
            for doc_id, marking in sorted(restricted.items())]
    raw = request.app.state.store.reader()
    try:
        access.audit(raw, rows, writable=request.app.state.writable)
    finally:
        raw.con.close()
