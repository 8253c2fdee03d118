"""Archives (tar, zip) and compressed files, read member by member without extracting to disk."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO

from corrobora.model.document import Document, ReadFailure
from corrobora.sources.base import (
    Blob,
    ReadError,
    ReadOptions,
    human_size,
    one_line,
    path_name,
)
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


def _refused(path: str) -> str | None:
    """Why a member is not read though it could be a document (said, not silently skipped):
    a path that climbs out of the archive is how extraction attacks write outside a folder."""
    parts = path.replace("\\", "/").split("/")
    if ".." in parts:
        return "member path leaves the archive ('..'); not read"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return "member path is absolute; not read"
    return None


def _member_origin(blob: Blob, name: str) -> str:
    return f"{blob.origin}!{path_name(name)}"  # tar decodes non-UTF-8 names to surrogates


def read_tar(blob: Blob, options: ReadOptions, read_blob: ReadBlob) -> Iterator[Item]:
    """Members in archive order, streamed (`r|`): works on pipes and compressed streams."""
    count = 0
    try:
        with tarfile.open(fileobj=blob.stream, mode="r|*") as archive:
            for member in archive:
                origin = _member_origin(blob, member.name)
                if member.issym() or member.islnk():
                    kind = "symbolic" if member.issym() else "hard"
                    yield ReadFailure(origin, f"{kind} link member (to {member.linkname!r}); "
                                              "links in archives are not followed")
                    continue
                problem = _refused(member.name)
                if problem and (member.isfile() or member.isdir()):
                    yield ReadFailure(origin, problem)
                    continue
                if not (member.isfile() or member.isdir()) and not _skipped(member.name):
                    yield ReadFailure(origin, "not a regular file member (a device or FIFO); "
                                              "not read")
                    continue
                if not member.isfile() or _skipped(member.name):
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                child = Blob.open(
                    origin,
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
                origin = _member_origin(blob, info.filename)
                problem = _refused(info.filename)
                if stat.S_ISLNK(info.external_attr >> 16):
                    problem = "symbolic link member; links in archives are not followed"
                if problem:
                    yield ReadFailure(origin, problem)
                    continue
                if info.is_dir() or _skipped(info.filename):
                    continue
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
