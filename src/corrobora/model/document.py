"""A report as received, before any analysis."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime


def content_hash(text: str, *metadata: object) -> str:
    """SHA-256 of the document as received (text and metadata, NFC-normalised, whitespace
    folded): an exact re-ingest matches, while the same text republished under another
    headline, date or outlet is a new document, which copy detection then links."""
    parts = [text, *("" if m is None else str(m) for m in metadata)]
    folded = "\x1f".join(" ".join(unicodedata.normalize("NFC", p).split()) for p in parts)
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
        return content_hash(self.text, self.title, self.published_at, self.source, self.url)

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
