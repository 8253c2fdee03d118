"""The per-document stage on Apache Spark: units of input in, extraction records out.

Units (spark/inputs.py) are spread over the executors in contiguous slices, in reading order;
each Python worker builds one Extractor and keeps it for every task it runs (Spark reuses its
Python workers), reads its units with Corrobora's own readers and extracts them with
`extract_isolated`, the same per-document failure isolation and time budget as one process.
The records are written as Parquet, one file per slice, in the order of the input
(spark/records.py reads them back).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING

import pyarrow as pa

from corrobora.model import Document, Extraction, ReadFailure
from corrobora.sources import DEFAULT_MAX_BYTES
from corrobora.spark import codec
from corrobora.spark.inputs import Unit, read_unit, units

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from corrobora.extractor import Extractor

RECORDS_SCHEMA = pa.schema([
    ("unit", pa.int64()),
    ("seq", pa.int64()),
    ("origin", pa.string()),
    ("document_id", pa.string()),
    ("problem", pa.string()),
    ("document", pa.string()),
    ("extraction", pa.string()),
    ("contract", pa.string()),
])
"""One row per input item, ordered by (unit, seq): a read failure (problem, no document), a
document that failed extraction (document and problem) or one extracted (document, its
Extraction and the `corrobora extract` line, `contract`)."""

UNITS_DDL = "unit LONG, kind STRING, path STRING, problem STRING, max_bytes LONG"
CHUNK = 64  # documents extracted at once, as `corrobora extract` does

_EXTRACTOR: Extractor | None = None


def _extractor() -> Extractor:
    """This Python worker's Extractor: models load at its first task, once."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from corrobora.extractor import Extractor

        _EXTRACTOR = Extractor()
    return _EXTRACTOR


def _rows(unit_no: int, items: list[tuple[int, Document | ReadFailure]]) -> pa.RecordBatch:
    from corrobora.ingest import extract_isolated, where

    docs = [item for _, item in items if isinstance(item, Document)]
    problems: dict[int, str] = {}
    done = {id(d): ext for d, ext in extract_isolated(
        _extractor(), docs, lambda doc, problem: problems.__setitem__(id(doc), problem))}
    cols: dict[str, list[object]] = {name: [] for name in RECORDS_SCHEMA.names}
    for seq, item in items:
        ext: Extraction | None = None
        if isinstance(item, ReadFailure):
            row = {"origin": item.origin, "document_id": None, "problem": item.problem,
                   "document": None}
        else:
            ext = done.get(id(item))
            row = {"origin": where(item), "document_id": item.document_id,
                   "problem": problems.get(id(item)), "document": codec.dumps(item)}
        row |= {"unit": unit_no, "seq": seq,
                "extraction": codec.dumps(ext) if ext is not None else None,
                "contract": json.dumps(ext.to_contract(), ensure_ascii=False)
                if ext is not None else None}
        for name in cols:
            cols[name].append(row[name])
    return pa.RecordBatch.from_pydict(cols, schema=RECORDS_SCHEMA)


def extract_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow's function: the units of a slice to their records."""
    for batch in batches:
        for row in batch.to_pylist():
            unit = Unit(row["kind"], row["path"], row["problem"])
            chunk: list[tuple[int, Document | ReadFailure]] = []
            for seq, item in enumerate(read_unit(unit, row["max_bytes"])):
                chunk.append((seq, item))
                if len(chunk) >= CHUNK:
                    yield _rows(row["unit"], chunk)
                    chunk = []
            if chunk:
                yield _rows(row["unit"], chunk)


def session(master: str | None = None, app_name: str = "corrobora") -> SparkSession:
    """The active Spark session, else a new one on `master` (local[*] when none is given
    and spark-submit set none)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName(app_name)
    # Under spark-submit (which hands its gateway over) its --master stands unless one is given.
    if master or "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(master or "local[*]")
    return (builder.config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate())


def extract_to_parquet(spark: SparkSession, paths: list[str], output: str, *,
                       partitions: int | None = None,
                       max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Extract every document of the inputs on Spark into Parquet records at `output`, a
    directory that must not exist yet (Spark writes it whole, or not at all). Returns the
    number of units."""
    work = units(paths)
    if not work:
        raise ValueError("no input paths given")
    n = max(1, min(len(work), partitions or spark.sparkContext.defaultParallelism * 2))
    rows = [(i, *_unit_row(u), max_bytes) for i, u in enumerate(work)]
    # parallelize cuts the list in contiguous slices: slice k holds units before slice k+1's.
    rdd = spark.sparkContext.parallelize(rows, n)
    frame = spark.createDataFrame(rdd, UNITS_DDL)
    records = frame.mapInArrow(extract_partition, _spark_schema())
    records.write.mode("errorifexists").parquet(output)
    return len(work)


def _unit_row(unit: Unit) -> tuple[str, str, str | None]:
    d = asdict(unit)
    return d["kind"], d["path"], d["problem"]


def _spark_schema() -> str:
    return ", ".join(f"{f.name} {'LONG' if pa.types.is_int64(f.type) else 'STRING'}"
                     for f in RECORDS_SCHEMA)
