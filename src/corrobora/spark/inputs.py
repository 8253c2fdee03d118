"""What `corrobora spark` reads: the input paths cut into units of work, one file each, in
the order `corrobora ingest` reads them, and a unit read into documents on a worker.

A unit is a file read by the same readers as one process (text, HTML, JSONL, feeds,
archives), a WARC/WET file (spark/warc.py), a Parquet file of CONTRACTS §1 records (one
column per field), a path handed whole to `read_path` (a missing or special file: it says
why), or a failure already found while listing a directory. Every file must be readable at
the same path by every executor (local mode, a shared mount).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corrobora.model import Document, ReadFailure
from corrobora.sources import DEFAULT_MAX_BYTES, read_path
from corrobora.sources.base import ReadError, one_line, path_name
from corrobora.sources.dispatch import read_file, walk_files
from corrobora.spark.warc import is_warc, read_warc

Item = Document | ReadFailure


@dataclass(frozen=True, slots=True)
class Unit:
    kind: str
    """file | warc | parquet | path | failure"""
    path: str
    problem: str | None = None


def _file_unit(path: Path) -> Unit:
    if is_warc(path):
        return Unit("warc", os.fspath(path))
    if path.name.lower().endswith(".parquet"):
        return Unit("parquet", os.fspath(path))
    return Unit("file", os.fspath(path))


def units(paths: list[str]) -> list[Unit]:
    """The units of the inputs, in reading order: directories walked as `read_path` walks
    them (sorted, hidden entries skipped, links out of the directory refused)."""
    out: list[Unit] = []
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = 0
        if stat.S_ISDIR(mode):
            listed = [Unit("failure", e.origin, e.problem) if isinstance(e, ReadFailure)
                      else _file_unit(e) for e in walk_files(path, path.resolve())]
            out += listed or [Unit("path", raw)]  # read_path says the directory is empty
        elif stat.S_ISREG(mode) and (is_warc(path) or path.name.lower().endswith(".parquet")):
            out.append(_file_unit(path))
        else:
            out.append(Unit("path", raw))
    return out


def read_unit(unit: Unit, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    if unit.kind == "failure":
        yield ReadFailure(unit.path, unit.problem or "not read")
    elif unit.kind == "file":
        yield from read_file(Path(unit.path), max_bytes=max_bytes)
    elif unit.kind == "warc":
        yield from read_warc(unit.path, max_bytes=max_bytes)
    elif unit.kind == "parquet":
        yield from read_parquet(unit.path)
    else:
        yield from read_path(unit.path, max_bytes=max_bytes)


def read_parquet(path: str | Path) -> Iterator[Item]:
    """Each row a CONTRACTS §1 record (columns id, text and the optional fields); a bad row
    fails as `path:ROW`, the rest are read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corrobora.sources.jsonl import record_to_document

    name = path_name(path)
    try:
        parquet = pq.ParquetFile(path)
        row = 0
        for batch in parquet.iter_batches(batch_size=256):
            for full in batch.to_pylist():
                row += 1
                # A column's null is a field left out, as in a JSONL record.
                record = {k: v for k, v in full.items() if v is not None}
                try:
                    doc = record_to_document(record, name)
                except ReadError as exc:
                    yield ReadFailure(f"{name}:{row}", one_line(str(exc)))
                    continue
                doc.extra["line"] = row  # named as a JSONL line is
                yield doc
    except (OSError, pa.ArrowException) as exc:
        yield ReadFailure(name, f"cannot read as Parquet: {one_line(str(exc), 160)}")
