"""JSON Lines in the CONTRACTS §1 input format (also a `.json` object or array of them).

The text is kept exactly as given: gold toponym offsets index into it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from corrobora.model.document import Document, ReadFailure
from corrobora.sources.base import (
    DEFAULT_MAX_BYTES,
    Blob,
    ReadError,
    decode,
    normalize_lang,
    one_line,
    parse_datetime,
    size_problem,
)

_KNOWN = frozenset({"id", "text", "lang", "title", "published_at", "source", "url", "toponyms"})
_SKIP_CHUNK = 1 << 20


def record_to_document(record: Any, origin: str) -> Document:
    """A Document from one decoded input record; ReadError naming the field at fault."""
    if not isinstance(record, dict):
        raise ReadError(f"expected a JSON object, got {type(record).__name__}")
    if "id" not in record:
        raise ReadError("missing required field 'id'")
    doc_id = record["id"]
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise ReadError(f"'id' must be a non-empty string, got {json.dumps(doc_id)[:40]}")
    if "text" not in record:
        raise ReadError(f"id {doc_id!r}: missing required field 'text'")
    text = record["text"]
    if not isinstance(text, str):
        raise ReadError(f"id {doc_id!r}: 'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ReadError(f"id {doc_id!r}: 'text' is empty")

    warnings: list[str] = []

    def optional_str(key: str) -> str | None:
        value = record.get(key)
        if value is None or isinstance(value, str):
            return value or None
        warnings.append(f"'{key}' ignored: not a string")
        return None

    published_raw = record.get("published_at")
    published = parse_datetime(published_raw)
    if published_raw not in (None, "") and published is None:
        warnings.append(f"'published_at' ignored: not a date ({str(published_raw)[:40]!r})")
    lang_raw = optional_str("lang")
    lang = normalize_lang(lang_raw)
    if lang_raw and lang is None:
        warnings.append(f"'lang' ignored: not a language code ({lang_raw[:20]!r})")

    extra: dict[str, object] = {}
    if warnings:
        extra["warnings"] = warnings
    unknown = {k: v for k, v in record.items() if k not in _KNOWN}
    if unknown:
        extra["fields"] = unknown  # gold labels and the like, kept for whoever needs them
    return Document(
        text=text,
        origin=origin,
        id=doc_id,
        title=optional_str("title"),
        lang=lang,
        published_at=published,
        source=optional_str("source"),
        url=optional_str("url"),
        toponyms=_toponyms(record.get("toponyms"), len(text), doc_id),
        extra=extra,
    )


def _toponyms(value: Any, length: int, doc_id: str) -> list[tuple[int, int]] | None:
    # Gold spans are refused rather than dropped when wrong: a silently shortened gold set
    # would skew every score computed on it.
    if value is None:
        return None
    if not isinstance(value, list):
        raise ReadError(f"id {doc_id!r}: 'toponyms' must be a list")
    spans: list[tuple[int, int]] = []
    for i, span in enumerate(value):
        start = span.get("start") if isinstance(span, dict) else None
        end = span.get("end") if isinstance(span, dict) else None
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            raise ReadError(f"id {doc_id!r}: toponyms[{i}] needs integer 'start' and 'end'")
        if not 0 <= start < end <= length:
            raise ReadError(
                f"id {doc_id!r}: toponyms[{i}] span {start}-{end} is outside the text "
                f"(length {length})"
            )
        spans.append((start, end))
    return spans


def _parse_line(raw: bytes, origin: str, line_no: int) -> Document:
    try:
        line = raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        line, encoding = decode(raw)
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON, truncated or malformed ({exc})") from None
    document = record_to_document(record, origin)
    document.extra["line"] = line_no
    document.extra["encoding"] = encoding
    return document


def read_jsonl(blob: Blob, max_bytes: int) -> Iterator[Document | ReadFailure]:
    """Each line one document; a bad line fails as `origin:LINE` and the rest are read."""
    line_no = 0
    seen_record = False
    while True:
        raw = blob.stream.readline(max_bytes + 1)
        if not raw:
            if not seen_record:
                yield ReadFailure(blob.origin, "empty file (only whitespace)")
            return
        line_no += 1
        where = f"{blob.origin}:{line_no}"
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a chunk at a time
                raw = blob.stream.readline(_SKIP_CHUNK)
                size += len(raw)
            yield ReadFailure(where, size_problem(size, max_bytes))
            continue
        if not raw.strip():
            continue
        seen_record = True
        try:
            yield _parse_line(raw.strip(), blob.origin, line_no)
        except ReadError as exc:
            yield ReadFailure(where, one_line(str(exc)))


def read_jsonl_stream(
    stream: BinaryIO, origin: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | ReadFailure]:
    """JSON Lines from an open binary stream, whatever its content looks like (`extract`)."""
    try:
        blob = Blob.open(origin, "", stream)
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read: {one_line(str(exc))}")
        return
    yield from read_jsonl(blob, max_bytes)


def read_json(data: bytes, origin: str) -> Iterator[Document | ReadFailure]:
    """A `.json` file: one record, or an array of records."""
    text, encoding = decode(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON ({exc})") from None
    records = value if isinstance(value, list) else [value]
    for i, record in enumerate(records):
        try:
            document = record_to_document(record, origin)
        except ReadError as exc:
            yield ReadFailure(f"{origin}[{i}]", one_line(str(exc)))
            continue
        document.extra["encoding"] = encoding
        if isinstance(value, list):
            document.extra["index"] = i
        yield document
