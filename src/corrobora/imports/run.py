"""`corrobora import KIND FILE`: read a dataset file, turn its rows into event reports with
their provenance and fuse them with what the store holds (through Ingestor.ingest_reports,
the same fusion as text-derived reports), or store an official series as it is."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corrobora.imports.base import ImportedRow, ImportFileError, Item, RowProblem, Skipped
from corrobora.model import Document, EventReport
from corrobora.store import Store

EVENT_KINDS = ("acled", "ucdp", "gdelt", "ocved")
SERIES_KINDS = ("sesnsp", "series")
KINDS = EVENT_KINDS + SERIES_KINDS
DATASETS = {"acled": "ACLED", "ucdp": "UCDP GED", "gdelt": "GDELT", "ocved": "OCVED",
            "sesnsp": "SESNSP"}
BATCH = 500
"""Rows per transaction: a crash loses at most one batch, and the fuser compares each
report with the batch's and the store's events of nearby dates."""


@dataclass(slots=True)
class ImportSummary:
    kind: str
    dataset: str
    path: str
    sha256: str
    rows: int = 0
    imported: int = 0
    already_stored: int = 0
    changed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    events_new: int = 0
    events_updated: int = 0
    series_values: int = 0
    filtered_country: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "dataset": self.dataset, "path": self.path,
                "sha256": self.sha256, "rows": self.rows, "imported": self.imported,
                "already_stored": self.already_stored, "changed": self.changed,
                "skipped": dict(self.skipped), "problems": len(self.problems),
                "events_new": self.events_new, "events_updated": self.events_updated,
                "series_values": self.series_values}


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_rows(kind: str, path: Path, actors: Any = None, places: Any = None) -> Iterator[Item]:
    """The rows of a dataset file as ImportedRow, RowProblem or Skipped."""
    from corrobora.imports import acled, gdelt, ocved, ucdp
    from corrobora.imports.mapping import ActorMapper, PlaceFinder

    reader = {"acled": acled.read, "ucdp": ucdp.read, "gdelt": gdelt.read,
              "ocved": ocved.read}.get(kind)
    if reader is None:
        raise ImportFileError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    yield from reader(path, actors or ActorMapper(), places or PlaceFinder())


def document_for(row: ImportedRow, path: Path) -> Document:
    """The synthetic document that carries a row: its rendering as text, the dataset as
    source, the dataset's row id as id, the file and line as origin; no language (a
    dataset row is not reporting in English, though its rendering is)."""
    return Document(text=row.text, origin=f"{path}:{row.line}", id=row.document_id,
                    title=f"{row.dataset} {row.row_id}", lang=None,
                    published_at=row.published_at, source=row.dataset, url=row.url)


def import_file(store: Store, kind: str, path: str | Path, *, country: str | None = None,
                dataset: str | None = None, measure: str | None = None,
                progress: Callable[[int], None] | None = None,
                actors: Any = None, places: Any = None) -> ImportSummary:
    """Import one file. Raises ImportFileError when the file as a whole cannot be read;
    row problems are collected in the summary and the other rows imported."""
    path = Path(path)
    kind = kind.lower()
    if kind not in KINDS:
        raise ImportFileError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    name = dataset or DATASETS.get(kind) or path.stem
    summary = ImportSummary(kind, name, str(path), sha256_of(path))
    if kind in SERIES_KINDS:
        _import_series(store, path, name, measure or "homicidio_doloso", summary)
    else:
        _import_events(store, kind, path, country, summary, progress, actors, places)
    store.record_import({
        "kind": kind, "dataset": name, "path": str(path.resolve()), "sha256": summary.sha256,
        "rows_read": summary.rows, "imported": summary.imported + summary.series_values,
        "already_stored": summary.already_stored, "skipped": sum(summary.skipped.values()),
        "problems": len(summary.problems), "events_new": summary.events_new,
        "events_updated": summary.events_updated})
    return summary


def _import_series(store: Store, path: Path, dataset: str, measure: str,
                   summary: ImportSummary) -> None:
    from corrobora.imports import series

    rows = []
    for item in series.read(path):
        summary.rows += 1
        if isinstance(item, RowProblem):
            summary.problems.append(str(item))
            continue
        rows.append({"dataset": dataset, "measure": measure, "region": item.region,
                     "period": item.period, "freq": "month", "value": item.value,
                     "origin": f"{path.name}:{item.line}"})
    store.write_series(rows)
    summary.series_values = len(rows)


def _import_events(store: Store, kind: str, path: Path, country: str | None,
                   summary: ImportSummary, progress: Callable[[int], None] | None,
                   actors: Any, places: Any) -> None:
    from corrobora.extractor import Extractor
    from corrobora.imports.mapping import ActorMapper, complete_type
    from corrobora.ingest import Ingestor

    actors = actors or ActorMapper()
    # The Extractor is only asked for its actor registry (to store the actors reports name);
    # nothing is extracted, so no NLP pipeline is loaded.
    ingestor = Ingestor(store, Extractor(actors=actors.registry), batch_size=BATCH)
    wanted = country.upper() if country else None

    def pending() -> Iterator[list[tuple[Document, list[EventReport]]]]:
        chunk: list[tuple[Document, list[EventReport]]] = []
        for item in read_rows(kind, path, actors, places):
            summary.rows += 1
            if isinstance(item, RowProblem):
                summary.problems.append(str(item))
                continue
            if isinstance(item, Skipped):
                summary.skipped[item.reason] += 1
                continue
            if wanted and item.extra.get("country") != wanted:
                summary.skipped[f"country not {wanted}"] += 1
                continue
            chunk.append((document_for(item, path), [complete_type(item.report)]))
            if len(chunk) >= BATCH:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    for chunk in pending():
        docs = [d for d, _ in chunk]
        # A row stored before with other content (ACLED revises rows after release) keeps
        # its stored version: say so by name rather than as an id clash.
        ids = store.stored_ids(d.document_id for d in docs)
        hashes = store.stored_hashes(d.content_hash for d in docs) if ids else set()
        fresh = []
        for doc, reports in chunk:
            if doc.document_id in ids and doc.content_hash not in hashes:
                summary.changed += 1
                summary.problems.append(f"{doc.origin}: row {doc.id} changed since it was "
                                        "imported; the stored version is kept")
            else:
                fresh.append((doc, reports))
        result = ingestor.ingest_reports(fresh)
        summary.imported += result.new
        summary.already_stored += result.already_stored
        summary.events_new += result.events_new
        summary.events_updated += result.events_updated
        summary.problems += result.failures
        if progress:
            progress(len(chunk))
