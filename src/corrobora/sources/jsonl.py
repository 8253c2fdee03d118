"""JSON Lines in the CONTRACTS §1 input format (also a `.json` object or array of them).

The text is kept exactly as given: gold toponym offsets index into it.
"""

from __future__ import annotations

import codecs
import io
import json
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from corrobora.model.document import Document, ReadFailure
from corrobora.sources.base import (
    DEFAULT_MAX_BYTES,
    Blob,
    ReadError,
    decode,
    lone_surrogate,
    normalize_lang,
    one_line,
    parse_datetime,
    size_problem,
)

_KNOWN = frozenset({"id", "text", "lang", "title", "published_at", "source", "url", "toponyms"})
_SKIP_CHUNK = 1 << 20
# Text-encoding BOMs a JSONL file may start with (a UTF-8 one is stripped from line 1).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def loads(text: str | bytes) -> Any:
    """json.loads with the errors of hostile values as ReadError: a malformed line, an integer
    over Python's 4,300-digit limit (ValueError), nesting deeper than the stack (RecursionError)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON, truncated or malformed ({exc})") from None
    except RecursionError:
        raise ReadError("invalid JSON: nested too deeply to read") from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python's int-string limit (sys.get_int_max_str_digits)
            raise ReadError(f"invalid JSON: an integer of more than "
                            f"{sys.get_int_max_str_digits():,} digits") from None
        raise ReadError(f"invalid JSON: {one_line(str(exc), 120)}") from None


def _check_unicode(record: dict[str, Any], doc_id: str | None) -> None:
    """A lone surrogate ("\\ud800" escaped in the JSON) is not text: no UTF-8 writer, the
    store included, accepts it. Refused, naming the field, rather than replaced: the offsets
    of gold spans index into the text as given."""
    for key in ("id", *sorted(_KNOWN - {"id", "toponyms"})):
        value = record.get(key)
        if isinstance(value, str) and (at := lone_surrogate(value)) is not None:
            who = f"id {doc_id!r}: " if doc_id and key != "id" else ""
            raise ReadError(f"{who}'{key}' has a lone surrogate ({value[at]!r}) at character "
                            f"{at}; not valid Unicode")


def record_to_document(record: Any, origin: str) -> Document:
    """A Document from one decoded input record; ReadError naming the field at fault."""
    if not isinstance(record, dict):
        raise ReadError(f"expected a JSON object, got {type(record).__name__}")
    if "id" not in record:
        raise ReadError("missing required field 'id'")
    doc_id = record["id"]
    _check_unicode(record, doc_id if isinstance(doc_id, str) else None)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise ReadError(f"'id' must be a non-empty string, got {_short_json(doc_id)}")
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
        warnings.append(f"'published_at' ignored: not a usable date ({str(published_raw)[:40]!r})")
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


def _short_json(value: Any) -> str:
    try:
        return json.dumps(value)[:40]
    except ValueError:  # an integer over the 4,300-digit limit, or nesting too deep
        return type(value).__name__


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
    if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]  # an editor's UTF-8 signature, not part of line 1
    try:
        line = raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        line, encoding = decode(raw)
    document = record_to_document(loads(line), origin)
    document.extra["line"] = line_no
    document.extra["encoding"] = encoding
    return document


class _Recoded:
    """A UTF-16/32 stream's lines as UTF-8 bytes, so lines split at its own newlines."""

    def __init__(self, stream: BinaryIO, encoding: str) -> None:
        self._text = io.TextIOWrapper(stream, encoding=encoding, newline="")  # type: ignore[arg-type]
        self._encoding = encoding

    def readline(self, size: int = -1) -> bytes:
        try:
            return self._text.readline(size).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid {self._encoding} ({one_line(str(exc), 80)})") from None


def read_jsonl(blob: Blob, max_bytes: int) -> Iterator[Document | ReadFailure]:
    """Each line one document; a bad line fails as `origin:LINE` and the rest are read."""
    line_no = 0
    seen_record = False
    stream: BinaryIO | _Recoded = blob.stream
    for bom, encoding in _WIDE_BOMS:
        if blob.head.startswith(bom):
            stream = _Recoded(blob.stream, encoding)
            break
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            if not seen_record:
                yield ReadFailure(blob.origin, "empty file (only whitespace)")
            return
        line_no += 1
        where = f"{blob.origin}:{line_no}"
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a chunk at a time
                raw = stream.readline(_SKIP_CHUNK)
                size += len(raw)
            seen_record = True  # a record, if too large: not an "empty file" as well
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
    value = loads(text)
    records = value if isinstance(value, list) else [value]
    if not records:
        raise ReadError("empty JSON array: no documents")
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
