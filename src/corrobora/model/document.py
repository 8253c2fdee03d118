"""A report as received, before any analysis."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime


def content_hash(text: str, title: str | None = None) -> str:
    """SHA-256 of the NFC-normalised title and text with whitespace folded: an exact re-ingest
    matches; a reprint under another headline is a new document (and a copy)."""
    folded = " ".join(unicodedata.normalize("NFC", f"{title or ''}\n{text}").split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Document:
    text: str
    origin: str
    """Where it was read from: a path, `path!member` inside an archive, `-` for stdin."""
    id: str | None = None
    """The id given at input (CONTRACTS §1); else derived from the content hash."""
    title: str | None = None
    lang: str | None = None
    published_at: datetime | None = None
    source: str | None = None
    url: str | None = None
    toponyms: list[tuple[int, int]] | None = None
    """Gold toponym spans: when given, the geoparser resolves exactly these."""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text, self.title)

    @property
    def document_id(self) -> str:
        return self.id if self.id else "doc-" + self.content_hash[:16]


@dataclass(slots=True, frozen=True)
class ReadFailure:
    """Input that could not be read as a document: named, explained, never fatal to the batch."""

    origin: str
    problem: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.problem}"
