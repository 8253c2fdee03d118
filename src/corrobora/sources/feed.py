"""RSS and Atom feeds: each entry one document, after refusing entity tricks."""

from __future__ import annotations

import calendar
import codecs
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from corrobora.model.document import Document, ReadFailure
from corrobora.sources.base import ReadError, normalize_lang, one_line, usable_date
from corrobora.sources.html import fragment_to_text
from corrobora.text.clean import strip_boilerplate

_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s*([^>]*)>", re.IGNORECASE)
_EXTERNAL = re.compile(rb"^\s*(SYSTEM|PUBLIC)\b", re.IGNORECASE)


def refuse_entities(data: bytes) -> None:
    """ReadError if the XML declares entities: expansion bombs and external entities.

    Checked on the raw bytes first, so that even a document too malformed for an XML parser
    (which feedparser would then read with its lenient parser) is refused; then with defusedxml,
    which also sees through encodings the byte check cannot read.
    """
    probe = data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        probe = data.decode("utf-16", errors="ignore").encode("utf-8")
    declarations = _ENTITY_DECL.findall(probe)
    if declarations:
        external = [d for d in declarations if _EXTERNAL.match(d[2])]
        if external:
            name = external[0][1].decode(errors="replace")
            raise ReadError(f"feed declares an external entity ({name!r}); refused, never resolved")
        raise ReadError(
            f"feed declares {len(declarations)} XML entit"
            f"{'y' if len(declarations) == 1 else 'ies'} (possible entity-expansion bomb); refused"
        )
    try:
        defused_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ReadError(
            f"feed refused by the XML safety check ({one_line(str(exc), 80)})"
        ) from None
    except (ParseError, ValueError):
        pass  # not well-formed: feedparser's lenient parser copes, and entities were checked


def _entry_text(entry: Any) -> str:
    candidates = [c.get("value", "") for c in entry.get("content") or []]
    candidates.append(entry.get("summary") or "")
    best = max(candidates, key=len)
    return fragment_to_text(best)


def _entry_date(entry: Any) -> datetime | None:
    # feedparser normalises dates to UTC struct_time.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                return None
            return when if usable_date(when) else None
    return None


def read_feed(data: bytes, origin: str) -> Iterator[Document | ReadFailure]:
    refuse_entities(data)
    # A stream, never a string: feedparser treats a string as a URL or a file name to open.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=True)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = one_line(str(parsed.get("bozo_exception")), 120)
            raise ReadError(f"not a readable RSS/Atom feed ({problem})")
        raise ReadError("feed has no entries")
    feed = parsed.get("feed", {})
    source = (feed.get("title") or "").strip() or None
    feed_lang = normalize_lang(feed.get("language"))
    encoding = parsed.get("encoding")
    for index, entry in enumerate(entries, start=1):
        title = (entry.get("title") or "").strip() or None
        lang = normalize_lang(entry.get("language")) or feed_lang
        text = strip_boilerplate(_entry_text(entry), lang)
        extra: dict[str, object] = {"entry": index, "encoding": encoding}
        if not text:
            if not title:
                yield ReadFailure(f"{origin}#{index}", "feed entry has neither text nor title")
                continue
            text = title  # a headline-only entry still says what happened
            extra["text_from"] = "title"
        if entry.get("id"):
            extra["guid"] = entry["id"]
        yield Document(
            text=text,
            origin=origin,
            title=title,
            lang=lang,
            published_at=_entry_date(entry),
            source=source,
            url=entry.get("link") or None,
            extra=extra,
        )
