"""Analysts' own reports ("human sources", issue 20): what an analyst learnt, with the
Admiralty grades they give it (source reliability A-F, information credibility 1-6), its
marking and provenance. Each becomes a document read by the same extractor as any report
and fused with everything stored (ingest.py), so it joins, widens or founds events like
reporting does; its source carries the reliability given, which grading reads.

The API (POST /api/reports), the dashboard's form and `corrobora report add` all call
`submit`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from corrobora.fuse.source_registry import Source, SourceRegistry, _key
from corrobora.model import Document
from corrobora.store import access

if TYPE_CHECKING:
    from corrobora.ingest import Ingestor, IngestSummary
    from corrobora.store import Store

RELIABILITY = "ABCDEF"
MAX_TEXT = 20_000


class ReportError(ValueError):
    """A report that cannot be taken as given (one line naming the field)."""


@dataclass(slots=True)
class AnalystReport:
    text: str
    source: str
    """Who the information comes from, as the analyst names it (an informant's code name,
    a field team): the report's independent source."""
    reliability: str
    credibility: int
    marking: access.Marking = field(default_factory=access.Marking)
    title: str | None = None
    provenance: str | None = None
    """How it was obtained (interview, call, document seen...)."""
    published_at: datetime | None = None
    """When the information was received (now, when not given)."""
    lang: str | None = None

    def check(self) -> None:
        if not self.text.strip():
            raise ReportError("text: empty; write what the source told")
        if len(self.text) > MAX_TEXT:
            raise ReportError(f"text: {len(self.text):,} characters; at most {MAX_TEXT:,}")
        if not self.source.strip() or len(self.source) > 200:
            raise ReportError("source: name the source (1-200 characters)")
        if self.reliability not in tuple(RELIABILITY):
            raise ReportError(f"reliability {self.reliability!r}: an Admiralty grade A-F "
                              "(A completely reliable ... F cannot be judged)")
        if not 1 <= self.credibility <= 6:
            raise ReportError(f"credibility {self.credibility!r}: an Admiralty grade 1-6 "
                              "(1 confirmed ... 6 cannot be judged)")
        if self.lang is not None and not re.fullmatch(r"[a-z]{2}", self.lang):
            raise ReportError(f"lang {self.lang!r}: an ISO 639-1 code (en, es)")


def _registry(base: SourceRegistry, name: str, grade: str) -> SourceRegistry:
    """The registry with the report's source graded as the analyst graded it (a source
    the registry knows keeps the registry's grade)."""
    if base.get(name):
        return base
    src = Source(name, "analyst", grade, None)
    return SourceRegistry([*base.sources, src], {**base._by_key, _key(name): src})


def submit(store: Store, report: AnalystReport, principal: access.Principal, *,
           ingestor: Ingestor | None = None) -> tuple[str, IngestSummary]:
    """Store and fuse one analyst report; returns (document id, what the ingest did). The
    document, its marking, the report's grades and the audit line are written in one
    transaction with the document's events."""
    from corrobora.ingest import Ingestor

    report.check()
    access.check_marking(store, report.marking)
    received = report.published_at or datetime.now(UTC)
    if received.tzinfo is None:  # a time given without its zone is taken as UTC
        received = received.replace(tzinfo=UTC)
    digest = hashlib.sha256("\x1f".join([principal.name, report.source, report.text,
                                         received.isoformat()]).encode()).hexdigest()
    doc_id = "analyst-" + digest[:16]
    doc = Document(text=report.text, origin=f"analyst:{principal.name}", id=doc_id,
                   title=report.title, lang=report.lang, published_at=received,
                   source=report.source.strip())
    base = ingestor.sources if ingestor else SourceRegistry.load()
    ing = ingestor or Ingestor(store)
    ing.sources = _registry(base, doc.source or "", report.reliability)
    ing.marking = report.marking
    now = datetime.now(UTC).replace(tzinfo=None)
    ing.extra_rows = {doc_id: {
        "analyst_reports": [{
            "document_id": doc_id, "submitted_by": principal.user, "org_id": principal.org,
            "source_name": doc.source, "reliability": report.reliability,
            "credibility": report.credibility, "provenance": report.provenance,
            "submitted_at": now}],
        "audit_log": [access.audit_row(principal, "report", "document", doc_id,
                                       report.marking.marking, f"source {doc.source}")],
    }}
    try:
        summary = ing.ingest([doc])
    finally:
        ing.sources, ing.marking, ing.extra_rows = base, None, {}
    if summary.failures:
        raise ReportError(summary.failures[0])
    return doc_id, summary


def report_rows(store: Store) -> list[dict[str, Any]]:
    """The analyst reports the store (as restricted for its reader) holds, newest first."""
    if not access.has_team_tables(store):
        return []
    return store._dicts(
        "SELECT a.*, d.title, d.marking, (SELECT count(*) FROM event_reports r "
        "WHERE r.document_id = a.document_id) AS event_reports FROM analyst_reports a "
        "JOIN documents d ON d.id = a.document_id ORDER BY a.submitted_at DESC")
