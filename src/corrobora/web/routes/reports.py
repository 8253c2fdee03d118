"""Analysts' own reports: submitted here (or from the dashboard's form, or `corrobora report
add`), stored as a document with its marking and Admiralty grades, and fused like any
report (corrobora/analyst_reports.py). Submitting needs an analyst and `corrobora serve
--review` (the store open for writing)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from corrobora.store import access
from corrobora.web.auth import principal_of
from corrobora.web.deps import RawStoreDep, StoreDep
from corrobora.web.serialize import jsonable

router = APIRouter(prefix="/api/reports", tags=["reports"])
_WRITE = threading.Lock()
"""One report at a time: each is an ingest batch (and the extractor is not shared)."""


class ReportIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=20_000,
                      description="What the source told, as a report would tell it.")
    source: str = Field(..., min_length=1, max_length=200,
                        description="Who told it (a code name, a field team).")
    reliability: str = Field(..., pattern="^[A-F]$",
                             description="Admiralty source reliability, A (completely "
                             "reliable) to F (cannot be judged).")
    credibility: int = Field(..., ge=1, le=6, description="Admiralty information "
                             "credibility, 1 (confirmed) to 6 (cannot be judged).")
    marking: str = Field("TLP:CLEAR", max_length=20, description="TLP:CLEAR, TLP:GREEN, "
                         "TLP:AMBER, TLP:AMBER+STRICT or TLP:RED; owned by your organisation.")
    share_with: list[str] = Field(default_factory=list, max_length=50,
                                  description="TLP:AMBER: other organisations that may read.")
    recipients: list[str] = Field(default_factory=list, max_length=50,
                                  description="TLP:RED: the users who may read (you are one).")
    title: str | None = Field(None, max_length=300)
    provenance: str | None = Field(None, max_length=1000,
                                   description="How the information was obtained.")
    received_at: datetime | None = Field(None, description="When it was received (default: "
                                         "now).")
    lang: str | None = Field(None, pattern="^[a-z]{2}$")


def _ingestor(request: Request) -> Any:
    """One Ingestor per server, made at the first report (the extractor takes seconds)."""
    from corrobora.ingest import Ingestor

    ing = getattr(request.app.state, "report_ingestor", None)
    if ing is None:
        ing = request.app.state.report_ingestor = Ingestor(request.app.state.store)
    return ing


@router.post("", status_code=201, summary="Submit an analyst's own report (a human source)")
def submit_report(body: ReportIn, request: Request, raw: RawStoreDep) -> dict[str, Any]:
    from corrobora.analyst_reports import AnalystReport, ReportError, submit

    if not request.app.state.writable:
        raise HTTPException(403, "the server is read-only: start `corrobora serve --review` "
                            "to take reports")
    principal = principal_of(request)
    recipients = body.recipients
    if principal.user and body.marking.upper().endswith("RED"):
        recipients = [principal.user, *recipients]
    try:
        marking = access.Marking.of(body.marking, principal.org, body.share_with, recipients)
        report = AnalystReport(
            text=body.text, source=body.source, reliability=body.reliability,
            credibility=body.credibility, marking=marking, title=body.title,
            provenance=body.provenance, published_at=body.received_at, lang=body.lang)
        with _WRITE:
            ing = _ingestor(request)
            ing.store = raw
            doc_id, summary = submit(raw, report, principal, ingestor=ing)
    except (ReportError, access.AccessError) as exc:
        raise HTTPException(422, str(exc)) from None
    events = raw._dicts("SELECT DISTINCT event_id FROM event_reports WHERE document_id = ?",
                        [doc_id])
    return {"document_id": doc_id, "marking": marking.marking,
            "event_reports": summary.event_reports,
            "events": sorted(e["event_id"] for e in events)}


@router.get("", summary="Analysts' reports this reader may see, newest first")
def list_reports(store: StoreDep) -> dict[str, Any]:
    from corrobora.analyst_reports import report_rows

    return {"items": jsonable(report_rows(store))}
