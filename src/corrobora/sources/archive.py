"""Archives (tar, zip) and compressed files, read member by member without extracting to disk."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO

from corrobora.model.document import Document, ReadFailure
from corrobora.sources.base import Blob, ReadError, ReadOptions, human_size, one_line
from corrobora.sources.sniff import COMPRESSED_SUFFIXES, extension

Item = Document | ReadFailure
ReadBlob = Callable[[Blob, ReadOptions], Iterator[Item]]
# Errors a damaged archive raises while being walked.
ARCHIVE_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
)


def _skipped(path: str) -> bool:
    """Hidden files and macOS resource forks: not documents."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    return not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def read_tar(blob: Blob, options: ReadOptions, read_blob: ReadBlob) -> Iterator[Item]:
    """Members in archive order, streamed (`r|`): works on pipes and compressed streams."""
    count = 0
    try:
        with tarfile.open(fileobj=blob.stream, mode="r|*") as archive:
            for member in archive:
                if not member.isfile() or _skipped(member.name):
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                child = Blob.open(
                    f"{blob.origin}!{member.name}",
                    member.name,
                    handle,
                    size=member.size,
                    depth=blob.depth + 1,
                )
                count += yield from _counted(read_blob(child, options))
    except ARCHIVE_ERRORS as exc:
        yield ReadFailure(blob.origin, _damaged("tar archive", count, exc))


def read_zip(blob: Blob, options: ReadOptions, read_blob: ReadBlob) -> Iterator[Item]:
    """Members in archive order; a zip needs random access (the file itself, or memory)."""
    source: str | BinaryIO
    if blob.path is not None:
        source = blob.path
    else:
        data = blob.stream.read(options.max_archive_bytes + 1)
        if len(data) > options.max_archive_bytes:
            limit = human_size(options.max_archive_bytes, exact=True)
            raise ReadError(f"zip archive read from a stream is over the {limit} limit")
        source = io.BytesIO(data)
    count = 0
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if info.is_dir() or _skipped(info.filename):
                    continue
                origin = f"{blob.origin}!{info.filename}"
                if info.flag_bits & 0x1:
                    yield ReadFailure(origin, "encrypted zip member; not read")
                    continue
                try:  # random access: a damaged member does not end the archive
                    handle = archive.open(info)
                    child = Blob.open(
                        origin, info.filename, handle, size=info.file_size, depth=blob.depth + 1
                    )
                except ARCHIVE_ERRORS as exc:
                    yield ReadFailure(origin, f"corrupt zip member: {one_line(str(exc), 120)}")
                    continue
                with handle:
                    count += yield from _counted(read_blob(child, options))
    except ARCHIVE_ERRORS as exc:
        yield ReadFailure(blob.origin, _damaged("zip archive", count, exc))


def read_compressed(blob: Blob, options: ReadOptions, read_blob: ReadBlob) -> Iterator[Item]:
    """A gzip/bzip2/xz stream: decompressed on the fly and read as what it contains."""
    opener = _decompressor(blob.head)
    if opener is None:
        kind = extension(blob.name) or "compressed"
        raise ReadError(f"not a {kind} file: no gzip, bzip2 or xz header")
    ext = extension(blob.name)
    inner_name = blob.name[: len(blob.name) - len(ext)] + COMPRESSED_SUFFIXES.get(ext, "")
    try:
        inner = Blob.open(blob.origin, inner_name, opener(blob.stream), depth=blob.depth)
    except ARCHIVE_ERRORS as exc:
        raise ReadError(_damaged("compressed file", 0, exc)) from None
    # Same origin and depth: compression is a wrapper, not a container.
    yield from read_blob(inner, options)


def _counted(items: Iterator[Item]) -> Generator[Item, None, int]:
    """Pass items on; 1 when the member was read without failure, else 0."""
    ok = 1
    for item in items:
        if isinstance(item, ReadFailure):
            ok = 0
        yield item
    return ok


def _decompressor(head: bytes) -> Callable[[BinaryIO], BinaryIO] | None:
    # Streams that decompress as they are read: nothing is written to disk.
    if head.startswith(b"\x1f\x8b"):
        return lambda f: gzip.GzipFile(fileobj=f, mode="rb")
    if head.startswith(b"BZh"):
        return lambda f: bz2.BZ2File(f, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lambda f: lzma.LZMAFile(f, mode="rb")
    return None


def _damaged(kind: str, count: int, exc: BaseException) -> str:
    after = f" after {count} member{'s' if count != 1 else ''} read" if count else ""
    detail = one_line(str(exc), 120) or type(exc).__name__
    return f"corrupt or truncated {kind}{after}: {detail}"
