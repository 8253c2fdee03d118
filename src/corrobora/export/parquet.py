"""Parquet tables with typed schemas (pyarrow): events, reports, actors, documents. The
schemas are explicit, so an empty store still writes typed tables and a reader never
guesses a column's type from its first rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corrobora.export.markings import event_marking, normalise
from corrobora.export.records import sub_event_type

_ACTOR = pa.struct([("text", pa.string()), ("actor_id", pa.string()), ("role", pa.string()),
                    ("inter", pa.int32()), ("acled_name", pa.string())])

SCHEMAS: dict[str, pa.Schema] = {
    "events": pa.schema([
        ("event_id", pa.string()), ("type", pa.string()), ("case_label", pa.string()),
        ("acled_event_type", pa.string()), ("acled_sub_event_type", pa.string()),
        ("date", pa.date32()), ("date_max", pa.date32()), ("time_precision", pa.int8()),
        ("geonameid", pa.int64()), ("place_name", pa.string()), ("lat", pa.float64()),
        ("lon", pa.float64()), ("country_code", pa.string()), ("admin1_code", pa.string()),
        ("admin2_name", pa.string()), ("inegi_code", pa.string()),
        ("geo_precision", pa.int8()), ("fatalities_min", pa.int32()),
        ("fatalities_max", pa.int32()), ("actors", pa.list_(_ACTOR)),
        ("n_reports", pa.int32()), ("independent_sources", pa.int32()),
        ("reliability", pa.string()), ("credibility", pa.int8()), ("hedged", pa.bool_()),
        ("marking", pa.string())]),
    "reports": pa.schema([
        ("report_id", pa.string()), ("event_id", pa.string()), ("document_id", pa.string()),
        ("type", pa.string()), ("acled_sub_event_type", pa.string()),
        ("sentence_start", pa.int32()), ("sentence_end", pa.int32()),
        ("sentence_text", pa.string()), ("date", pa.date32()), ("time_precision", pa.int8()),
        ("geonameid", pa.int64()), ("place_text", pa.string()), ("geo_precision", pa.int8()),
        ("fatalities_min", pa.int32()), ("fatalities_max", pa.int32()),
        ("attribution", pa.list_(pa.string())), ("source", pa.string()),
        ("source_key", pa.string()), ("source_reliability", pa.string()),
        ("hedged", pa.bool_()), ("score", pa.float64()), ("marking", pa.string())]),
    "actors": pa.schema([
        ("actor_id", pa.string()), ("name", pa.string()), ("aliases", pa.list_(pa.string())),
        ("type", pa.string()), ("status", pa.string()),
        ("relations", pa.list_(pa.struct([("type", pa.string()), ("target", pa.string()),
                                          ("start", pa.string()), ("end", pa.string())])))]),
    "documents": pa.schema([
        ("id", pa.string()), ("title", pa.string()), ("lang", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")), ("source", pa.string()),
        ("url", pa.string()), ("origin", pa.string()), ("marking", pa.string()),
        ("duplicate_of", pa.string()), ("story_id", pa.string()),
        ("content_hash", pa.string()), ("text", pa.string())]),
}


def event_row(e: dict[str, Any]) -> dict[str, Any]:
    """An event (records.events_with_reports) as a row of the events table."""
    return {**e, "event_id": e["id"], "acled_sub_event_type": sub_event_type(e),
            "marking": event_marking(e), "actors": e.get("actors") or []}


def report_row(r: dict[str, Any]) -> dict[str, Any]:
    """One of an event's report_rows as a row of the reports table."""
    return {**r, "report_id": r["id"], "marking": normalise(r.get("marking"))}


def event_rows(events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return map(event_row, events)


def actor_rows(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for a in records:
        yield {**a, "relations": [{k: None if r.get(k) is None else str(r[k])
                                   for k in ("type", "target", "start", "end")}
                                  for r in a.get("relations") or ()]}


class TableWriter:
    """A typed Parquet table written in row groups of `batch` rows as rows are added, so
    memory holds one batch, not the table. A context manager: the file is complete (and
    typed even when no row was added) once the block ends."""

    def __init__(self, table: str, path: Path | str, batch: int = 5000) -> None:
        self.schema = SCHEMAS[table]
        self.batch = batch
        self.rows = 0
        self._chunk: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    def add(self, row: dict[str, Any]) -> None:
        """One row (a dict; keys beyond the schema are ignored)."""
        self._chunk.append({k: row.get(k) for k in self.schema.names})
        if len(self._chunk) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        self._writer.write_table(pa.Table.from_pylist(self._chunk, schema=self.schema))
        self.rows += len(self._chunk)
        self._chunk = []

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None and (self._chunk or not self.rows):
                self._flush()
        finally:
            self._writer.close()


def write(table: str, rows: Iterable[dict[str, Any]], path: Path | str,
          batch: int = 5000) -> int:
    """Rows (dicts; keys beyond the schema are ignored) as the typed Parquet table `table`,
    written in row groups of `batch`; returns the row count."""
    with TableWriter(table, path, batch) as writer:
        for row in rows:
            writer.add(row)
    return writer.rows
