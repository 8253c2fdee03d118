"""Shared pieces of the readers: the input blob, byte limits, decoding, dates."""

from __future__ import annotations

import codecs
import io
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import BinaryIO

import charset_normalizer

KB = 1000
MB = 1000 * KB  # decimal, as the CLI's --max-mb
DEFAULT_MAX_BYTES = 10 * MB
"""Largest single document (a file, a JSONL line, an archive member) read into memory."""
HEAD_BYTES = 8192
"""How much of an input is looked at to decide its format."""
MAX_ARCHIVE_DEPTH = 1
"""An archive inside an archive is read; one more level is refused."""


class ReadError(Exception):
    """A problem that makes one input unreadable; the dispatcher turns it into a ReadFailure."""


@dataclass(slots=True)
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def max_archive_bytes(self) -> int:
        # A zip needs random access, so one read from a pipe or from inside another archive is
        # held in memory; allow it more room than a single document.
        return self.max_bytes * 10


class _Chain(io.RawIOBase):
    """The already-read head followed by the rest of the stream, as one raw stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def read_fully(stream: BinaryIO, n: int) -> bytes:
    """Read up to n bytes, looping over short reads (pipes, decompressors)."""
    parts: list[bytes] = []
    remaining = n
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


@dataclass(slots=True)
class Blob:
    """One input as bytes not yet interpreted: a file, stdin, an archive member."""

    origin: str
    name: str
    """File name used for format detection (a member path, a base name, "" for stdin)."""
    stream: BinaryIO
    """Positioned at the start (the head is replayed)."""
    head: bytes
    size: int | None
    depth: int = 0
    """Archive nesting: 0 for a file given on the command line."""
    path: str | None = None
    """Set when the blob is a file on disk (lets a zip be read with random access)."""

    @classmethod
    def open(
        cls,
        origin: str,
        name: str,
        raw: BinaryIO,
        *,
        size: int | None = None,
        depth: int = 0,
        path: str | None = None,
    ) -> Blob:
        head = read_fully(raw, HEAD_BYTES)
        stream = io.BufferedReader(_Chain(head, raw), buffer_size=1 << 16)
        return cls(origin, name, stream, head, size, depth, path)  # type: ignore[arg-type]

    def read_all(self, max_bytes: int) -> bytes:
        """The whole content, refusing (without reading it) anything over max_bytes."""
        if self.size is not None and self.size > max_bytes:
            raise ReadError(size_problem(self.size, max_bytes))
        data = read_fully(self.stream, max_bytes + 1)
        if len(data) > max_bytes:
            raise ReadError(size_problem(None, max_bytes))
        return data


def human_size(n: int, *, exact: bool = False) -> str:
    if n >= MB:
        return f"{n / MB:g} MB" if exact else f"{n / MB:.1f} MB"
    if n >= KB:
        return f"{n / KB:g} KB" if exact else f"{n / KB:.1f} KB"
    return f"{n} bytes"


def size_problem(size: int | None, max_bytes: int) -> str:
    limit = human_size(max_bytes, exact=True)
    if size is None:
        return f"document is over the {limit} limit"
    return f"document is {human_size(size)}, over the {limit} limit"


# --- bytes to text -----------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "audio"),
    (b"\x00\x00\x00\x18ftyp", "video"),
    (b"\x00\x00\x00\x20ftyp", "video"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
)
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "audio", b"AVI ": "video"}

# Bytes that never occur in text (tab, LF, FF, CR and ESC excepted).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
# A well-formed multi-byte UTF-8 sequence: a legacy single-byte text rarely contains one.
_UTF8_MULTI = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Tried first: the project reads English and Spanish, where charset-normalizer's free guess on a
# short text is often a far-fetched code page (cp1006 for "Michoacán").
_WESTERN = ["cp1252", "latin_1", "iso8859_15"]


def binary_kind(data: bytes) -> str | None:
    """A name for the kind of binary content, or None when it could be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    head = data[:HEAD_BYTES]
    if b"\x00" in head:
        return "binary data"
    controls = len(head) - len(head.translate(None, _CONTROL))
    if head and controls / len(head) > 0.01:
        return "binary data"
    return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was read in; ReadError for binary or broken input.

    `declared` (an HTML meta charset) is tried when the bytes are not UTF-8.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise ReadError(f"invalid {encoding} at byte {exc.start}") from None
    kind = binary_kind(data)
    if kind or b"\x00" in data:
        raise ReadError(f"binary file ({kind or 'binary data'}), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if declared:
        try:
            return data.decode(declared), codecs.lookup(declared).name
        except (LookupError, UnicodeDecodeError):
            pass
    bad = len(data) - len(data.decode("utf-8", errors="ignore").encode("utf-8"))
    if len(_UTF8_MULTI.findall(data)) >= bad:
        # Mostly UTF-8 with stray bytes: corrupted (or mixed) text, not a legacy code page.
        raise ReadError(f"invalid UTF-8 at byte {first_bad} (mixed with valid UTF-8)")
    best = charset_normalizer.from_bytes(data, cp_isolation=_WESTERN).best()
    if best is None:
        best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReadError(f"invalid UTF-8 at byte {first_bad} and no other encoding fits")
    return str(best), best.encoding


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- metadata values -----------------------------------------------------------------------


USABLE_YEARS = range(2, 9999)
"""Publication years kept: 0001-01-01 and 9999-12-31 are placeholders ("no date", "never"),
and the window arithmetic of stories and fusion would overflow next to the calendar's ends."""


def parse_datetime(value: object) -> datetime | None:
    """A tz-aware UTC datetime from ISO 8601, RFC 2822 or a datetime; naive times are UTC.
    None for what is not a date, or is one of USABLE_YEARS' placeholders."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip().strip("`").strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
    else:
        return None
    try:
        aware = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # 9999-12-31T23:00-05:00 is in year 10000 in UTC
        return None
    return aware if usable_date(aware) else None


def usable_date(value: datetime | None) -> bool:
    return value is not None and value.year in USABLE_YEARS


_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


def normalize_lang(value: object) -> str | None:
    """ISO 639 primary subtag, lower case ("es-MX" -> "es"); None when not a language tag."""
    if not isinstance(value, str):
        return None
    match = _LANG.match(value.strip())
    return match.group(1).lower() if match else None


def one_line(text: str, limit: int = 200) -> str:
    """An error message fit for a one-line ReadFailure."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> int | None:
    """Index of the first lone surrogate (JSON's "\\ud800", not text any encoder can write)."""
    match = _SURROGATE.search(text)
    return match.start() if match else None


def path_name(path: str | os.PathLike[str]) -> str:
    """A path as a storable, printable str: bytes of a name that is not UTF-8 are shown as
    `\\xe9` escapes instead of the surrogates Python decodes them to, which no UTF-8 writer
    (the store, a terminal) accepts."""
    name = os.fspath(path)
    if lone_surrogate(name) is None:
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
