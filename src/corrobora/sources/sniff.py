"""Which reader an input needs: from its name and, above all, its first bytes."""

from __future__ import annotations

import codecs
import json
import re
from typing import Literal

from corrobora.sources.base import binary_kind

Format = Literal[
    "text", "markdown", "html", "jsonl", "json", "feed", "tar", "zip", "compressed", "binary"
]

_EXTENSIONS: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".tar": "tar",
    ".tgz": "compressed",
    ".tbz2": "compressed",
    ".txz": "compressed",
    ".gz": "compressed",
    ".bz2": "compressed",
    ".xz": "compressed",
    ".zip": "zip",
}
COMPRESSED_SUFFIXES = {
    ".gz": "",
    ".bz2": "",
    ".xz": "",
    ".tgz": ".tar",
    ".tbz2": ".tar",
    ".txz": ".tar",
}

# Markup that can only be a web page: overrides any extension.
_HTML_STRONG = re.compile(
    rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)
# Tags that make a .txt or extension-less file a page.
_HTML_WEAK = re.compile(
    rb"<(?:div|p|article|section|main|meta|title|span|h[1-6]|table|ul|script|style|a\s)[\s>/]", re.I
)
_FEED_ROOT = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|rdf:RDF|RDF)[\s>]")
_MD_HEADING = re.compile(rb"^#{1,6}[ \t]+\S")


def extension(name: str) -> str:
    dot = name.rfind(".")
    slash = max(name.rfind("/"), name.rfind("\\"))
    return name[dot:].lower() if dot > slash + 1 else ""


def _text_head(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes, without BOM and leading whitespace."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return head.lstrip()


def detect(name: str, head: bytes) -> Format:
    ext = extension(name)
    by_name = _EXTENSIONS.get(ext)
    if name.lower().endswith((".tar.gz", ".tar.bz2", ".tar.xz")):
        by_name = "compressed"

    # Container formats by magic number, whatever the name says.
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")):
        return "compressed"
    if head[257:262] == b"ustar":
        return "tar"
    if by_name in ("zip", "tar", "compressed"):
        return by_name  # a broken archive: let its reader say what is wrong
    if binary_kind(head):
        return "binary"

    text = _text_head(head)
    start = text[:2048]
    if _HTML_STRONG.match(text) or (start.startswith(b"<?xml") and b"<html" in start.lower()):
        return "html"
    if start.startswith(b"<") and _FEED_ROOT.search(start):
        return "feed"
    if by_name not in (None, "text"):
        return by_name
    # A .txt or a name without extension: the content decides.
    if start.startswith(b"<") and _HTML_WEAK.search(start):
        return "html"
    if by_name is None:
        if start.startswith(b"<?xml"):
            return "feed"
        if start.startswith(b"{") and _first_line_is_object(text):
            return "jsonl"
    if by_name is None and _MD_HEADING.match(text):
        return "markdown"
    return "text"


def _first_line_is_object(text: bytes) -> bool:
    line, newline, _ = text.partition(b"\n")
    if not newline:
        return True  # one long line: JSON is the best guess for text opening with "{"
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
