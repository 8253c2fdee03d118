"""The review queue of low-confidence fusion links, and the analyst's decisions on them
(split, merge, confirm, undo) through fuse/review.py's Reviewer. Reading the queue works on
any store with the decision tables; recording decisions needs `corrobora serve --review`,
which opens the store for writing."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from corrobora.store import Store, access
from corrobora.web.auth import principal_of
from corrobora.web.deps import RawStoreDep, StoreDep
from corrobora.web.serialize import jsonable

router = APIRouter(prefix="/api/review", tags=["review"])
_TOKEN = Security(HTTPBearer(auto_error=False, description="The review token `corrobora "
                             "serve --review` prints (or $CORROBORA_REVIEW_TOKEN)."))
"""Documents the token in the OpenAPI schema (Swagger's Authorize button); it is checked
before routing, by web/security.py's WriteGuard."""
_WRITE = threading.Lock()
"""One decision at a time: each is a read-modify-write of an event's reports."""


def available(store: Store) -> bool:
    if not hasattr(store, "review_event_queue"):
        return False
    return store.con.table_exists("decisions")


class Note(BaseModel):
    note: str | None = Field(None, max_length=1000)
    marking: str | None = Field(None, max_length=20, description="TLP marking of the "
                                "decision and its note (default TLP:CLEAR); restricted ones "
                                "are owned by your organisation.")


class Confirm(Note):
    id: str = Field(..., min_length=6, max_length=100,
                    description="An event report id, or an event id (every link of it).")


class Split(Note):
    reports: list[str] = Field(..., min_length=1, max_length=100,
                               description="Reports of one event to take out into their own.")


class Merge(Note):
    events: list[str] = Field(..., min_length=2, max_length=2,
                              description="[A, B]: B's reports join A; B is deleted.")


class Undo(Note):
    decision_id: str = Field(..., min_length=3, max_length=100)


def _check(request: Request, store: Store) -> None:
    if not available(store):
        raise HTTPException(404, "this store has no review tables")
    if not request.app.state.writable:
        raise HTTPException(403, "the server is read-only: start `corrobora serve --review` "
                            "to record decisions")
    # Origin and token were checked before routing (web/security.py WriteGuard).


def _visible_subjects(store: Store, values: list[str]) -> None:
    """404 (as for an id that does not exist) for a subject the reader may not see."""
    for value in values:
        if not any(store.resolve_id(t, value) for t in ("event_reports", "events")) \
                and not store.get_decision(value):
            raise HTTPException(404, f"no single event, event report or decision matches "
                                f"{value!r}")


def _apply(request: Request, store: Store, raw: Store, action: Any, subjects: list[str],
           marking: str | None = None) -> dict[str, Any]:
    """Check, then run the decision through the unrestricted cursor `raw` (the Reviewer
    rebuilds events from all their reports, as fusion does), mark and audit it, and answer
    with the events as this reader sees them."""
    from corrobora.fuse.review import Reviewer, ReviewError

    _check(request, store)
    principal = principal_of(request)
    _visible_subjects(store, subjects)
    try:
        m = access.Marking.of(marking, principal.org)
    except access.AccessError as exc:
        raise HTTPException(422, str(exc)) from None
    with _WRITE:
        try:
            outcome = action(Reviewer(raw, principal.user or request.app.state.reviewer))
        except ReviewError as exc:
            raise HTTPException(422, str(exc)) from None
        if access.has_team_tables(raw):
            with raw.transaction():
                if m.restricted or m.org:
                    access.write_marking_rows(raw, m.rows("decision", outcome.decision_id))
                access.audit(raw, [access.audit_row(
                    principal, "decision", "decision", outcome.decision_id, m.marking,
                    f"{outcome.kind}: {', '.join(subjects)}")])
    seen = request.app.state.store.reader()
    try:
        access.restrict(seen, principal)
        rows = seen.event_rows([e["id"] for e in outcome.events])
    finally:
        seen.con.close()
    return jsonable({"decision_id": outcome.decision_id, "kind": outcome.kind,
                     "message": outcome.message,
                     "events": [{k: e.get(k) for k in (
                         "id", "n_reports", "independent_sources", "reliability",
                         "credibility", "fatalities_min", "fatalities_max")}
                         for e in rows.values()],
                     "deleted": outcome.deleted})


@router.get("", summary="Automatic report-to-event links no analyst has ruled on, least "
            "sure first")
def queue(request: Request, store: StoreDep,
          limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    if not available(store):
        raise HTTPException(404, "this store has no review tables (run `corrobora review "
                            "list --db ...` once, or serve with --review)")
    return {"writable": request.app.state.writable,
            "items": jsonable(store.review_event_queue(limit))}


@router.post("/confirm", dependencies=[_TOKEN], summary="A report's link to its event (or "
             "every link of an event) is right")
def confirm(body: Confirm, request: Request, store: StoreDep, raw: RawStoreDep
            ) -> dict[str, Any]:
    return _apply(request, store, raw, lambda r: r.confirm(body.id, note=body.note),
                  [body.id], body.marking)


@router.post("/split", dependencies=[_TOKEN], summary="Take these reports out of their event "
             "into one of their own")
def split(body: Split, request: Request, store: StoreDep, raw: RawStoreDep) -> dict[str, Any]:
    return _apply(request, store, raw, lambda r: r.split(body.reports, note=body.note),
                  body.reports, body.marking)


@router.post("/merge", dependencies=[_TOKEN], summary="Make one event of two")
def merge(body: Merge, request: Request, store: StoreDep, raw: RawStoreDep) -> dict[str, Any]:
    return _apply(request, store, raw, lambda r: r.merge(body.events[0], body.events[1],
                                                         note=body.note),
                  body.events, body.marking)


@router.post("/undo", dependencies=[_TOKEN], summary="Apply the inverse of a decision")
def undo(body: Undo, request: Request, store: StoreDep, raw: RawStoreDep) -> dict[str, Any]:
    return _apply(request, store, raw, lambda r: r.undo(body.decision_id, note=body.note),
                  [body.decision_id], body.marking)
