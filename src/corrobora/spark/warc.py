"""WARC files (web crawls: Common Crawl, CC-News) as documents, with warcio.

Each HTML response is read by the HTML reader (trafilatura, as a saved page is), each WET
text conversion by the plain-text reader; the record's target URI is the document's URL when
the page names none. Other records (requests, metadata, images) are skipped.

    for item in read_warc(Path("CC-NEWS-20240716.warc.gz")):
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from corrobora.model import Document, ReadFailure
from corrobora.sources import DEFAULT_MAX_BYTES, read_bytes
from corrobora.sources.base import one_line, path_name, size_problem

WARC_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz")


def is_warc(path: Path | str) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


def _kind(record: object) -> str | None:
    """The reader a record's payload goes to: html, text, or None (skipped)."""
    rec_type = record.rec_type  # type: ignore[attr-defined]
    if rec_type == "response":
        http = record.http_headers  # type: ignore[attr-defined]
        ctype = (http.get_header("Content-Type") or "") if http else ""
        status = http.get_statuscode() if http else None
        return "html" if "html" in ctype.lower() and status in (None, "200") else None
    if rec_type == "conversion":  # WET: the text of a page
        return "text"
    return None


def read_warc(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES
              ) -> Iterator[Document | ReadFailure]:
    """Documents from one WARC or WET file (gzip or not); a bad record fails alone, an
    unreadable file with one line."""
    name = path_name(path)
    try:
        with open(path, "rb") as fh:
            for n, record in enumerate(ArchiveIterator(fh), start=1):
                kind = _kind(record)
                if kind is None:
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                origin = f"{name}!{n}"
                payload = record.content_stream().read(max_bytes + 1)
                if len(payload) > max_bytes:
                    yield ReadFailure(origin, size_problem(None, max_bytes))
                    continue
                member = "page.html" if kind == "html" else "page.txt"
                for item in read_bytes(payload, origin, name=member, max_bytes=max_bytes):
                    if isinstance(item, Document):
                        item.url = item.url or uri or None
                        item.extra["warc_record"] = n
                    yield item
    except OSError as exc:
        yield ReadFailure(name, f"cannot read: {one_line(str(exc.strerror or exc))}")
    except ArchiveLoadFailed as exc:
        yield ReadFailure(name, f"not a WARC file ({one_line(str(exc), 120)})")
