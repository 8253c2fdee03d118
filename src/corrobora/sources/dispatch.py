"""From paths (files, directories, archives, stdin) to a stream of documents and failures."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from corrobora.model.document import Document, ReadFailure
from corrobora.sources import archive, feed, html, jsonl, plaintext
from corrobora.sources.base import (
    DEFAULT_MAX_BYTES,
    MAX_ARCHIVE_DEPTH,
    Blob,
    ReadError,
    ReadOptions,
    binary_kind,
    decode,
    one_line,
    path_name,
)
from corrobora.sources.sniff import detect

Item = Document | ReadFailure


def read_paths(
    paths: Iterable[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Documents from every path in turn; `-` reads stdin. Never raises for bad input.

    Directories are walked recursively in sorted order, hidden entries skipped. `max_bytes`
    bounds each single document (a file, a JSONL line, an archive member).
    """
    for path in paths:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_stream(stream, "-", max_bytes=max_bytes)
        else:
            yield from read_path(path, max_bytes=max_bytes)


def read_path(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Item]:
    """Documents from one file or directory.

    A path named here is followed wherever it points; inside a directory, a link to a file
    outside it is not (a folder of reports must not read /etc/passwd into the store), nor is
    a linked directory (it could loop back). FIFOs, sockets and devices are refused: opening
    a FIFO with no writer blocks forever.
    """
    options = ReadOptions(max_bytes=max_bytes)
    target = Path(path)
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            problem = ("broken symbolic link" if target.is_symlink()
                       else "no such file or directory")
        else:
            problem = f"cannot read: {exc.strerror or exc}"
        yield ReadFailure(path_name(path), problem)
        return
    if stat.S_ISDIR(mode):
        empty = True
        for item in _walk(target, target.resolve(), options):
            empty = False
            yield item
        if empty:
            yield ReadFailure(path_name(path), "no files to read in this directory "
                                               "(hidden files are skipped)")
    elif stat.S_ISREG(mode):
        yield from _read_file(target, options)
    else:
        yield ReadFailure(path_name(path), _not_regular(mode))


def _not_regular(mode: int) -> str:
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return (f"not a regular file or directory ({kind}); not read. To read a stream, "
            "pipe it to `-` (stdin)")


def read_stream(
    stream: BinaryIO, origin: str, *, name: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Item]:
    """Documents from an open binary stream (stdin, an upload); its format is sniffed."""
    options = ReadOptions(max_bytes=max_bytes)
    try:
        blob = Blob.open(origin, name, stream)
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read: {one_line(str(exc))}")
        return
    yield from read_blob(blob, options)


def read_bytes(
    data: bytes, origin: str, *, name: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Item]:
    """Documents from bytes in memory, as if read from a file called `name`."""
    import io

    yield from read_stream(io.BytesIO(data), origin, name=name, max_bytes=max_bytes)


def _walk(directory: Path, root: Path, options: ReadOptions) -> Iterator[Item]:
    for entry in walk_files(directory, root):
        if isinstance(entry, ReadFailure):
            yield entry
        else:
            yield from _read_file(entry, options)


def walk_files(directory: Path, root: Path) -> Iterator[Path | ReadFailure]:
    """The files a directory's walk reads, in order, and a failure for each entry it does
    not (read_path's walk; `corrobora spark` hands the files to its workers)."""
    try:
        entries = sorted(directory.iterdir(), key=lambda p: os.fsencode(p.name))
    except OSError as exc:
        yield ReadFailure(path_name(directory), f"cannot list: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        origin = path_name(entry)
        try:
            linked = entry.is_symlink()
            mode = entry.stat().st_mode
        except OSError as exc:
            problem = ("broken symbolic link" if isinstance(exc, FileNotFoundError)
                       else f"cannot read: {exc.strerror or exc}")
            yield ReadFailure(origin, problem)
            continue
        if stat.S_ISDIR(mode):
            if linked:
                yield ReadFailure(origin, "symbolic link to a directory; not followed "
                                          "(name the directory itself to read it)")
            else:
                yield from walk_files(entry, root)
        elif not stat.S_ISREG(mode):
            yield ReadFailure(origin, _not_regular(mode))
        elif linked and not entry.resolve().is_relative_to(root):
            yield ReadFailure(origin, f"symbolic link to {path_name(entry.resolve())}, outside "
                                      f"{path_name(root)}; not followed")
        else:
            yield entry


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Documents from one regular file, as a directory's walk reads it."""
    yield from _read_file(path, ReadOptions(max_bytes=max_bytes))


def _read_file(path: Path, options: ReadOptions) -> Iterator[Item]:
    origin = path_name(path)
    try:
        # Non-blocking: a FIFO swapped in after the check must not hang the run.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        yield ReadFailure(origin, f"cannot open: {exc.strerror or exc}")
        return
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                yield ReadFailure(origin, _not_regular(info.st_mode))
                return
            os.set_blocking(fd, True)
            blob = Blob.open(origin, path_name(path.name), handle, size=info.st_size,
                             path=os.fspath(path))
        except OSError as exc:
            yield ReadFailure(origin, f"cannot read: {exc.strerror or exc}")
            return
        yield from read_blob(blob, options)


def read_blob(blob: Blob, options: ReadOptions) -> Iterator[Item]:
    """Documents from one blob, by its detected format; every problem becomes a ReadFailure."""
    try:
        yield from _read_blob(blob, options)
    except ReadError as exc:
        yield ReadFailure(blob.origin, one_line(str(exc)))
    except archive.ARCHIVE_ERRORS as exc:
        yield ReadFailure(blob.origin, f"cannot read: {one_line(str(exc)) or type(exc).__name__}")
    except Exception as exc:  # a reader's bug or a library's surprise must not stop the batch
        yield ReadFailure(blob.origin, f"unexpected {type(exc).__name__}: {one_line(str(exc))}")


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _read_blob(blob: Blob, options: ReadOptions) -> Iterator[Item]:
    if not blob.head:
        raise ReadError("empty file")
    fmt = detect(blob.name, blob.head)
    if fmt == "binary":
        raise ReadError(f"binary file ({binary_kind(blob.head)}), not text")
    if fmt in ("tar", "zip"):
        if blob.depth > MAX_ARCHIVE_DEPTH:
            raise ReadError("archive nested more than one level deep; not read")
        reader = archive.read_tar if fmt == "tar" else archive.read_zip
        yield from reader(blob, options, read_blob)
        return
    if fmt == "compressed":
        yield from archive.read_compressed(blob, options, read_blob)
        return
    if fmt == "jsonl":
        yield from jsonl.read_jsonl(blob, options.max_bytes)
        return

    data = blob.read_all(options.max_bytes)
    if not data.strip():
        raise ReadError("empty file (only whitespace)")
    if fmt == "json":
        yield from jsonl.read_json(data, blob.origin)
        return
    if fmt == "feed":
        for item in feed.read_feed(data, blob.origin):
            if isinstance(item, Document):
                item.extra["format"] = "feed"
            yield item
        return
    text, encoding = decode(data, _meta_charset(data) if fmt == "html" else None)
    if fmt == "html":
        document = html.read_html(text, blob.origin)
    else:
        document = plaintext.read_text(text, blob.origin, markdown=fmt == "markdown")
    document.extra["format"] = fmt
    document.extra["encoding"] = encoding
    yield document
