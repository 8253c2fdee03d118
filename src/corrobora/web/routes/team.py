"""Who you are (every user), and for admins the users and the audit log (read-only here:
users are managed with `corrobora users`, docs/team.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from corrobora.store import access
from corrobora.web.auth import principal_of
from corrobora.web.deps import RawStoreDep
from corrobora.web.serialize import jsonable

router = APIRouter(tags=["team"])


@router.get("/api/me", summary="The user this request is made as, with organisation and role")
def me(request: Request) -> dict[str, Any]:
    p = principal_of(request)
    return {"user": p.user, "org": p.org, "role": p.role, "local": p.local,
            "team": bool(request.state.team)}


@router.get("/api/team/users", summary="Users and their organisations (admins only)")
def users(raw: RawStoreDep) -> dict[str, Any]:
    if not access.has_team_tables(raw):
        return {"items": []}
    return {"items": jsonable(access.list_users(raw))}


@router.get("/api/team/audit", summary="The audit log, newest first (admins only)")
def audit(request: Request, raw: RawStoreDep,
          user: Annotated[str | None, Query(max_length=64)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """An admin sees the lines of their own organisation's users, about objects they may
    see themselves (a line naming a RED document would tell that it exists)."""
    p = principal_of(request)
    rows = access.audit_entries(raw, user=user, limit=None)
    if not p.local:
        h = access.hidden(raw, p)
        group = {"document": h.documents, "event_report": h.reports,
                 "decision": h.decisions}
        rows = [r for r in rows if r.get("org_id") == p.org
                and r["object_id"] not in group.get(r["object_kind"], ())]
    return {"items": jsonable(rows[:limit])}
