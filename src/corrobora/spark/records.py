"""Extraction records (Parquet written by `corrobora spark extract`) read back in input order
and fused into a store, one batch at a time, as `corrobora ingest` does with what it extracts.

Loading is incremental: records are read a file and a batch at a time, documents already
stored are skipped (by content hash), so loading the same records twice adds nothing and
records of several runs can be loaded one after another.

    with Store("corrobora.duckdb") as store:
        summary = ingest_records(store, "records/")
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from corrobora.extractor import Extractor
from corrobora.ingest import Ingestor, IngestSummary
from corrobora.model import Document, Extraction, ReadFailure
from corrobora.sources.base import ReadError
from corrobora.spark import codec
from corrobora.store import Store

Item = Document | ReadFailure


class RecordsError(ValueError):
    """A records directory that is not one `corrobora spark extract` wrote, whole."""


def record_files(records: str | Path) -> list[Path]:
    root = Path(records)
    if not root.is_dir():
        raise RecordsError(f"{root}: not a directory of extraction records")
    if not (root / "_SUCCESS").exists():
        raise RecordsError(f"{root}: no _SUCCESS marker; the Spark job that wrote it did not "
                           "finish (run it again into a new directory)")
    return sorted(root.glob("part-*.parquet"))


def read_records(records: str | Path) -> Iterator[tuple[Item, Extraction | str | None]]:
    """Items in input order, each with its Extraction, or the line saying why it failed."""
    last: tuple[int, int] = (-1, -1)
    for path in record_files(records):
        table = pq.read_table(path).sort_by([("unit", "ascending"), ("seq", "ascending")])
        for batch in table.to_batches(max_chunksize=256):
            for row in batch.to_pylist():
                key = (row["unit"], row["seq"])
                if key <= last:
                    raise RecordsError(f"{path}: records out of order at unit {key[0]}, item "
                                       f"{key[1]}; not written by `corrobora spark extract`")
                last = key
                if row["document"] is None:
                    yield ReadFailure(row["origin"], row["problem"]), None
                    continue
                doc = codec.loads(Document, row["document"])
                if row["extraction"] is not None:
                    yield doc, codec.loads(Extraction, row["extraction"])
                else:
                    yield doc, row["problem"]


class RecordedExtractor(Extractor):
    """An Extractor that gives what the records say for each document it is handed: its
    Extraction, or (re-raised as an input error, word for word) the failure it had."""

    def __init__(self, keep: int) -> None:
        super().__init__()
        self._known: OrderedDict[int, tuple[Document, Extraction | str | None]] = OrderedDict()
        self._keep = keep

    def expect(self, doc: Document, result: Extraction | str | None) -> None:
        # Ingest asks for a document within its batch: older ones are let go.
        self._known[id(doc)] = (doc, result)
        while len(self._known) > self._keep:
            self._known.popitem(last=False)

    def extract_many(self, documents):  # type: ignore[no-untyped-def, override]
        for doc in documents:
            known = self._known.get(id(doc))
            result = known[1] if known is not None and known[0] is doc else None
            if isinstance(result, Extraction):
                yield doc, result
            else:
                raise ReadError(result or f"document {doc.document_id!r}: no extraction "
                                "record")


def ingest_records(store: Store, records: str | Path, *, batch_size: int = 64
                   ) -> IngestSummary:
    """Fuse the records into the store, batch by batch, as `corrobora ingest` would."""
    extractor = RecordedExtractor(keep=4 * batch_size)

    def items() -> Iterator[Item]:
        for item, result in read_records(records):
            if isinstance(item, Document):
                extractor.expect(item, result)
            yield item

    record_files(records)  # refuse an unfinished directory before storing anything
    return Ingestor(store, extractor, batch_size=batch_size).ingest(items())
