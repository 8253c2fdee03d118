"""sources stage: readers from files, directories, archives, feeds and stdin to Documents.

    for item in read_paths(["reports/", "feed.xml", "-"], stdin=sys.stdin.buffer):
        if isinstance(item, ReadFailure): warn(str(item))   # "path: problem", one line
        else: handle(item)                                  # a Document

Formats (detected by extension and content): plain text, Markdown, HTML, JSON Lines
(CONTRACTS §1), JSON, RSS/Atom, tar/zip archives (one level of nesting), gzip/bzip2/xz.
"""

from corrobora.model.document import Document, ReadFailure
from corrobora.sources.base import DEFAULT_MAX_BYTES
from corrobora.sources.dispatch import read_bytes, read_path, read_paths, read_stream

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Document",
    "ReadFailure",
    "read_bytes",
    "read_path",
    "read_paths",
    "read_stream",
]
