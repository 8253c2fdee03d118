"""One export: what `corrobora export KIND --format F -o OUT` does, for the CLI and tests.

A file is written beside its name and renamed into place when complete, so a failed export
never leaves half a file where a good one was; `-` writes to standard output.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from corrobora.export import FORMATS

if TYPE_CHECKING:
    from corrobora.store import EventFilter, Store

BOM = "\ufeff"
"""Spreadsheet programs read a CSV as UTF-8 only when it starts with one."""


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown format, no file for a binary one)."""


def check(kind: str, fmt: str) -> None:
    if kind not in FORMATS:
        raise ExportError(f"unknown kind {kind!r}: choose {', '.join(FORMATS)}")
    if fmt not in FORMATS[kind]:
        raise ExportError(f"{kind} cannot be exported as {fmt!r}: choose "
                          f"{', '.join(FORMATS[kind])}")


@contextmanager
def _target(output: str, *, binary: bool = False) -> Iterator[Any]:
    """A handle on `output` ("-": standard output), replaced only once complete."""
    if output == "-":
        if binary:
            raise ExportError("this format is binary: give a file with -o")
        yield sys.stdout
        return
    final = Path(output)
    tmp = final.with_name(f".{final.name}.partial")
    try:
        if binary:
            yield tmp
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                yield fh
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _jsonl(rows: Any, dst: IO[str], default: Callable[[Any], Any]) -> None:
    for r in rows:
        dst.write(json.dumps(r, ensure_ascii=False, default=default) + "\n")


def export(store: Store, kind: str, fmt: str, output: str, *,
           f: EventFilter | None = None, actor_rows: list[dict[str, Any]] | None = None,
           default: Callable[[Any], Any] | None = None) -> None:
    """Write `kind` as `fmt` to `output`, from `store` as given: a handle restricted to one
    reader (export/view.py `seen_by`) exports what that reader sees. `actor_rows` are the
    actor records already merged with the registry (records.actor_records needs a writable
    store)."""
    from corrobora.export import acled, ftm, geojson, misp, parquet, stix
    from corrobora.export.records import actor_names, event_record, events_with_reports

    check(kind, fmt)
    if kind == "documents":
        with _target(output, binary=fmt == "parquet") as dst:
            if fmt == "parquet":
                parquet.write("documents", store.export_document_rows(), dst)
            else:
                _jsonl(store.export_documents(), dst, default or str)
        return
    if kind == "actors":
        rows = actor_rows if actor_rows is not None else []
        with _target(output, binary=fmt == "parquet") as dst:
            if fmt == "parquet":
                parquet.write("actors", parquet.actor_rows(rows), dst)
            else:
                _jsonl(rows, dst, default or str)
        return
    if fmt in ("jsonl", "csv"):
        rows = store.export_events(f)  # these formats need no report rows
        with _target(output) as dst:
            if fmt == "jsonl":
                _jsonl((event_record(r) for r in rows), dst, default or str)
            else:
                from corrobora.web.serialize import EVENT_CSV_COLUMNS, csv_lines

                dst.write(BOM)
                for line in csv_lines(EVENT_CSV_COLUMNS, rows):
                    dst.write(line)
        return
    events = events_with_reports(store, f)
    if fmt == "parquet":
        with _target(output, binary=True) as dst:
            parquet.write("events", parquet.event_rows(events), dst)
        return
    names = actor_names(store)
    with _target(output) as dst:
        if fmt == "acled":
            acled.write(events, names, dst)
        elif fmt == "geojson":
            geojson.write(events, dst, default=default or str)
        elif fmt == "stix":
            stix.write(events, names, dst)
        elif fmt == "misp":
            _jsonl((misp.event(e, names) for e in events), dst, default or str)
        elif fmt == "ftm":
            _jsonl(ftm.entities(events, names), dst, default or str)
