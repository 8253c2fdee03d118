"""GeoJSON, Parquet, CSV and releases from the CLI; `export --format` names every format;
the dashboard downloads CSV with a BOM, ACLED CSV and GeoJSON."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.export import FORMATS
from corrobora.export.acled import COLUMNS
from corrobora.export.parquet import SCHEMAS
from corrobora.export.release import COLUMNS as CODEBOOK_COLUMNS
from corrobora.store import EventFilter, Store
from corrobora.web import create_app

from .export_store import export_store

runner = CliRunner()


def _export(db: Path, kind: str, fmt: str, out: Path | str) -> str:
    r = runner.invoke(app, ["export", kind, "--db", str(db), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    return r.output


def test_export_help_lists_every_format() -> None:
    r = runner.invoke(app, ["export", "--help"])
    assert r.exit_code == 0
    for formats in FORMATS.values():
        for fmt in formats:
            assert fmt in r.output, fmt


def test_unknown_format_or_binary_to_stdout_is_one_clear_line(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    r = runner.invoke(app, ["export", "actors", "--db", str(db), "--format", "stix"])
    assert r.exit_code != 0 and "actors cannot be exported as 'stix'" in r.output
    r = runner.invoke(app, ["export", "events", "--db", str(db), "--format", "parquet"])
    assert r.exit_code == 2 and "binary: give a file with -o" in r.output
    # A failed export leaves the file that was there.
    keep = tmp_path / "keep.csv"
    keep.write_text("kept", "utf-8")
    r = runner.invoke(app, ["export", "events", "--db", str(tmp_path / "none.duckdb"),
                            "--format", "nope", "-o", str(keep)])
    assert r.exit_code != 0 and keep.read_text("utf-8") == "kept"


def test_geojson_is_an_rfc7946_feature_collection_of_located_events(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    _export(db, "events", "geojson", tmp_path / "e.geojson")
    doc = json.loads((tmp_path / "e.geojson").read_text("utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc  # RFC 7946: WGS 84 only
    with Store(db, read_only=True) as store:
        located = {e["id"]: e for e in store.export_events() if e["lat"] is not None}
    assert {f["id"] for f in doc["features"]} == set(located)
    for f in doc["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (round(located[f["id"]]["lon"], 6), round(located[f["id"]]["lat"], 6)) == (
            lon, lat)  # longitude first
        assert f["properties"]["event_id"] == f["id"]
        assert f["properties"]["marking"] == "TLP:CLEAR"


def test_parquet_tables_have_their_typed_schemas(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    for kind in ("events", "documents", "actors"):
        path = tmp_path / f"{kind}.parquet"
        _export(db, kind, "parquet", path)
        table = pq.read_table(path)
        assert table.schema.equals(SCHEMAS[kind]), kind
        assert table.num_rows > 0
    events = pq.read_table(tmp_path / "events.parquet").to_pylist()
    with Store(db, read_only=True) as store:
        stored = {e["id"]: e for e in store.export_events()}
    assert {e["event_id"] for e in events} == set(stored)
    for e in events:
        assert e["date"] == stored[e["event_id"]]["date"]
        assert e["credibility"] == stored[e["event_id"]]["credibility"]
    assert pq.read_table(tmp_path / "documents.parquet").column("text").null_count == \
        pq.read_table(tmp_path / "documents.parquet").num_rows  # metadata only


def test_csv_starts_with_a_bom_for_spreadsheet_programs(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    _export(db, "events", "csv", tmp_path / "e.csv")
    raw = (tmp_path / "e.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,type,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    with Store(db, read_only=True) as store:
        assert len(rows) == store.count_events(EventFilter(limit=None))


def test_release_is_a_versioned_folder_with_codebook_and_hashed_manifest(
        tmp_path: Path) -> None:
    db = export_store(tmp_path)
    r = runner.invoke(app, ["release", "--db", str(db), "-o", str(tmp_path / "rel"),
                            "--version", "2026.1"])
    assert r.exit_code == 0, r.output
    folder = tmp_path / "rel" / "corrobora-events-2026.1"
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == "2026.1" and manifest["created"]
    assert "2026.1" in manifest["cite"]
    assert set(manifest["files"]) == {"events.parquet", "reports.parquet", "actors.parquet",
                                      "documents.parquet", "codebook.md"}
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == meta["sha256"]
    for table, n in manifest["counts"].items():
        assert pq.read_table(folder / f"{table}.parquet").num_rows == n
    assert pq.read_table(folder / "reports.parquet").column("sentence_text").null_count == \
        manifest["counts"]["reports"]  # no text without --with-text
    codebook = (folder / "codebook.md").read_text("utf-8")
    for table, columns in CODEBOOK_COLUMNS.items():
        assert set(columns) == set(SCHEMAS[table].names), table
        for column in columns:
            assert f"| `{column}` |" in codebook
    assert "| `STATE_CLASH` |" in codebook and "| 7 | Civilians |" in codebook
    # The same version is never written over.
    r = runner.invoke(app, ["release", "--db", str(db), "-o", str(tmp_path / "rel"),
                            "--version", "2026.1"])
    assert r.exit_code == 2 and "a release 2026.1 exists" in r.output
    assert json.loads((folder / "manifest.json").read_text("utf-8")) == manifest


def test_dashboard_downloads_csv_with_bom_acled_csv_and_geojson(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        page = client.get("/").text
        for fmt in ("csv", "acled", "geojson"):
            assert f'href="/api/events?format={fmt}"' in page
        r = client.get("/api/events", params={"format": "csv", "place": "MX-SIN"})
        assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbfid,")
        n = len(list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))))
        r = client.get("/api/events", params={"format": "acled", "place": "MX-SIN"})
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert tuple(rows[0]) == COLUMNS
        assert rows and {row["admin1"] for row in rows} == {"Sinaloa"}
        assert len(rows) <= n
        r = client.get("/api/events", params={"format": "geojson", "place": "MX-SIN"})
        assert r.headers["content-type"].startswith("application/geo+json")
        features = r.json()["features"]
        assert features and all(f["properties"]["place"]["admin1_code"] == "MX-SIN"
                                for f in features)


def test_parquet_tables_are_written_a_row_group_at_a_time(tmp_path: Path) -> None:
    """A release and `export --format parquet` hold one batch of rows, not the table: each
    batch is a row group on disk as soon as it is full."""
    from corrobora.export.parquet import TableWriter

    path = tmp_path / "actors.parquet"
    with TableWriter("actors", path, batch=5) as writer:
        for i in range(12):
            writer.add({"actor_id": f"a{i}", "name": f"Actor {i}", "aliases": [],
                        "relations": [], "unknown_key": "ignored"})
            # Full batches are already written out; at most one batch is held.
            assert len(writer._chunk) < 5 and writer.rows == (i + 1) // 5 * 5
    meta = pq.ParquetFile(path).metadata
    assert (meta.num_row_groups, meta.num_rows) == (3, 12)
    assert pq.read_table(path).column("name").to_pylist()[-1] == "Actor 11"
    with TableWriter("events", tmp_path / "empty.parquet"):
        pass  # an empty table still has its typed schema
    assert pq.read_table(tmp_path / "empty.parquet").schema == SCHEMAS["events"]


def test_geojson_is_written_one_feature_a_chunk(tmp_path: Path) -> None:
    from corrobora.export import geojson
    from corrobora.export.records import events_with_reports

    db = export_store(tmp_path)
    skipped = [0]
    with Store(db, read_only=True) as store:
        events = list(events_with_reports(store))
        parts = list(geojson.chunks(iter(events), default=str, skipped=skipped))
    located = [e for e in events if e.get("lat") is not None]
    # The opening, one chunk per located event, the closing: the dashboard's download
    # streams them, so no response holds the whole collection.
    assert len(parts) == len(located) + 2
    assert skipped == [len(events) - len(located)]
    assert json.loads("".join(parts))["features"][0]["id"] == located[0]["id"]
