"""Every command that opens a store, given `--db` as a DuckDB file or a PostgreSQL URL
(docs/team.md): the same store made by ingest and imports, read back the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path

from .conftest import StoreSpot
from .test_watch_cli import FEED

ACLED = Path(__file__).parent / "fixtures" / "imports" / "acled_mexico_sample.csv"
runner = CliRunner()


def ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


def test_every_command_takes_the_store_by_path_or_url(
        new_store: StoreSpot, tmp_path: Path, local_server: Callable[[], Any]) -> None:
    db = str(new_store("all.duckdb"))
    ok("ingest", str(corpus_path()), "--db", db, "-q")
    ok("import", "acled", str(ACLED), "--db", db, "-q")
    series = tmp_path / "series.csv"
    series.write_text("date,region,count\n" + "".join(
        f"2024-{m:02d}-01,MX-SIN,{10 + m}\n2024-{m:02d}-01,MX-JAL,{5 + m}\n"
        for m in range(1, 13)))
    ok("import", "series", str(series), "--dataset", "TEST", "--measure", "homicidios",
       "--db", db, "-q")

    stats = ok("stats", "--db", db)
    assert "documents 14" in stats
    events = [json.loads(x) for x in ok("events", "--db", db, "--place", "MX-SIN",
                                        "--format", "jsonl").splitlines()]
    assert events
    assert events[0]["id"] in ok("show", events[0]["id"], "--db", db)
    assert ok("actors", "--db", db)
    docs = tmp_path / "documents.jsonl"
    ok("export", "documents", "--db", db, "-o", str(docs))
    assert len(docs.read_text().splitlines()) > 14  # the dataset rows are documents too
    for fmt, name in [("jsonl", "e.jsonl"), ("acled", "e.csv"), ("geojson", "e.geojson"),
                      ("stix", "e.stix.json"), ("parquet", "e.parquet")]:
        ok("export", "events", "--db", db, "--format", fmt, "-o", str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 0
    ok("analyze", "alerts", "--db", db, "--format", "json")
    ok("analyze", "fragmentation", "--db", db, "--format", "json")
    queue = ok("review", "list", "--db", db, "--format", "jsonl").splitlines()
    first = json.loads(queue[0])
    ok("review", "split", first["report_id"], "--db", db, "--by", "ana")
    ok("review", "recluster", "--db", db)
    assert json.loads(ok("review", "log", "--db", db, "--format", "jsonl"))["actor"] == "ana"
    ok("release", "--db", db, "-o", str(tmp_path / "rel"), "--version", "2026.1")
    assert list((tmp_path / "rel").rglob("manifest*"))

    server = local_server()
    server.route("/feed.xml", FEED)
    watched = ok("watch", server.url("/feed.xml"), "--once", "--entries-only", "--allow",
                 f"127.0.0.1:{server.port}", "--host-delay", "0.1s", "--db", db)
    assert "1 new item, 1 new document stored" in watched
    assert "documents 15" in ok("stats", "--db", db)
