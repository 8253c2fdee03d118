"""`corrobora spark` on local[2]: the same extraction lines as `corrobora extract`, the same
store as `corrobora ingest`, over files, JSONL, Parquet and WARC inputs (the demo corpus)."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from corrobora.cli import app  # noqa: E402
from corrobora.demo import corpus_path  # noqa: E402
from corrobora.extractor import Extractor  # noqa: E402
from corrobora.ingest import Ingestor  # noqa: E402
from corrobora.model import Document  # noqa: E402
from corrobora.sources import read_paths  # noqa: E402
from corrobora.spark.job import extract_to_parquet, session  # noqa: E402
from corrobora.spark.warc import read_warc  # noqa: E402
from corrobora.store import Store  # noqa: E402

runner = CliRunner()
Rows = Callable[[Path], dict[str, list[tuple[object, ...]]]]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYSPARK_PYTHON", sys.executable)
        env.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        # The workers import this checkout's corrobora, as the driver does.
        env.setenv("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
        s = session("local[2]")
        s.sparkContext.setLogLevel("ERROR")
        yield s
        s.stop()


def _records(path: Path) -> list[dict[str, object]]:
    table = pq.read_table(path).sort_by([("unit", "ascending"), ("seq", "ascending")])
    return table.to_pylist()


def _warc(path: Path) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for page in sorted((corpus_path() / "pages").glob("*.html")):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{page.name}", "response",
                payload=io.BytesIO(page.read_bytes()), http_headers=http))
        writer.write_record(writer.create_warc_record(
            "https://example.org/robots.txt", "request", payload=io.BytesIO(b"GET /")))


def test_spark_extract_writes_the_lines_corrobora_extract_writes(
        spark: object, tmp_path: Path) -> None:
    jsonl = corpus_path() / "reports.jsonl"
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    parquet = tmp_path / "reports.parquet"
    pq.write_table(pa.Table.from_pylist([*records, {"id": "no-text", "text": None}]), parquet)
    warc = tmp_path / "pages.warc.gz"
    _warc(warc)

    out = tmp_path / "records"
    assert extract_to_parquet(spark, [str(jsonl), str(parquet), str(warc)], str(out)) == 3
    rows = _records(out)

    one = tmp_path / "one.jsonl"
    result = runner.invoke(app, ["extract", str(jsonl), "-o", str(one), "--workers", "1"])
    assert result.exit_code == 0, result.output
    expected = one.read_text(encoding="utf-8").splitlines()
    assert [r["contract"] for r in rows if r["unit"] == 0] == expected
    # A Parquet file of the same records gives the same lines; its bad row fails alone.
    from_parquet = [r for r in rows if r["unit"] == 1]
    assert [r["contract"] for r in from_parquet[:-1]] == expected
    assert from_parquet[-1]["contract"] is None
    assert from_parquet[-1]["origin"].endswith("reports.parquet:6")
    assert "missing required field 'text'" in from_parquet[-1]["problem"]
    # WARC: each HTML response a document, as one process reads and extracts it.
    extractor = Extractor()
    docs = [d for d in read_warc(warc) if isinstance(d, Document)]
    assert len(docs) == 2 and docs[0].url == "https://example.org/2023-01-05-ovidio-capture.html"
    assert [r["contract"] for r in rows if r["unit"] == 2] == [
        json.dumps(ext.to_contract(), ensure_ascii=False)
        for _, ext in extractor.extract_many(docs)]


def test_spark_ingest_stores_what_ingest_stores(
        spark: object, tmp_path: Path, stored_rows: Rows) -> None:
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    with Store(one) as store:
        Ingestor(store).ingest(read_paths([str(corpus_path())]))
    result = runner.invoke(app, ["spark", "ingest", str(corpus_path()), "--db", str(two),
                                 "--master", "local[2]", "-q"])
    assert result.exit_code == 0, result.output
    # The records were kept only while loading.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".corrobora-records-")]
    a, b = stored_rows(one), stored_rows(two)
    assert a.keys() == b.keys() and len(a["documents"]) == 14
    for table in a:
        assert a[table] == b[table], table


def test_loading_the_same_records_again_adds_nothing(spark: object, tmp_path: Path,
                                                      stored_rows: Rows) -> None:
    records, db = tmp_path / "records", tmp_path / "s.duckdb"
    result = runner.invoke(app, ["spark", "extract", str(corpus_path() / "notes"),
                                 "-o", str(records)])
    assert result.exit_code == 0, result.output
    first = runner.invoke(app, ["spark", "load", str(records), "--db", str(db)])
    assert first.exit_code == 0 and "documents: 3 new" in first.stderr, first.output
    before = stored_rows(db)
    again = runner.invoke(app, ["spark", "load", str(records), "--db", str(db)])
    assert again.exit_code == 0 and "0 new" in again.stderr and "3 already stored" in \
        again.stderr, again.output
    assert stored_rows(db) == before
    # Records are never written over: a second extract into the same directory is refused.
    refused = runner.invoke(app, ["spark", "extract", str(corpus_path()), "-o", str(records)])
    assert refused.exit_code == 2 and "exists" in refused.stderr


def test_records_of_an_unfinished_job_are_refused(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    (records / "part-00000.parquet").write_bytes(b"PAR1")
    result = runner.invoke(app, ["spark", "load", str(records), "--db",
                                 str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {records}: no _SUCCESS marker; the Spark job that wrote it did not finish "
        "(run it again into a new directory)"]
