"""The store on a real PostgreSQL server (CORROBORA_TEST_PG): bad URLs, foreign databases,
and writers beside readers in separate processes: two ingests at once, `serve` answering
while an ingest writes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path
from corrobora.store import Store, StoreError
from corrobora.store.postgres import DatabaseURL, translate

from ..conftest import StoreSpot

SRC = Path(__file__).resolve().parents[2] / "src"


def corrobora(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen([sys.executable, "-m", "corrobora.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def pg(pg_server: str, tmp_path: Path) -> Iterator[StoreSpot]:
    with ExitStack() as stack:
        yield StoreSpot("postgresql", tmp_path, stack)


def test_unreachable_postgres_url_is_one_line_naming_it_without_password() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://ana:secret@127.0.0.1:{port}/corrobora"
    with pytest.raises(StoreError) as caught:
        Store(url)
    message = str(caught.value)
    assert message.startswith(f"postgresql://ana:***@127.0.0.1:{port}/corrobora: cannot connect")
    assert "secret" not in message and "\n" not in message
    result = CliRunner().invoke(app, ["stats", "--db", url])
    assert result.exit_code == 2 and "cannot connect" in result.output
    assert "secret" not in result.output


def test_a_path_folded_url_still_opens_as_postgres() -> None:
    # typer's Path option folds `//`: the store must still read it as a URL.
    assert DatabaseURL(Path("postgresql://u@h:5/db")).raw == "postgresql://u@h:5/db"
    assert DatabaseURL("postgres://u:pw@h/db") == "postgres://u:***@h/db"


def test_duckdb_sql_is_translated_with_literals_untouched() -> None:
    sql, params = translate(
        "SELECT coalesce(lang, '?'), list({'k': x, 's': [a, b]}) FROM t -- it's a comment\n"
        "WHERE id IN (SELECT unnest(?)) AND kind LIKE 'story_%' AND n < $1", [["a"]])
    assert sql.startswith("SELECT coalesce(lang, '?'), json_agg(json_build_object('k', x, "
                          "'s', jsonb_build_array(a, b))) FROM t")
    assert "unnest(%s::TEXT[])" in sql and "'story_%%'" in sql and "n < %s" in sql
    assert params == [["a"], ["a"]]
    distinct, _ = translate("SELECT list(DISTINCT {'a': x}) FROM t", None)
    assert distinct == "SELECT jsonb_agg(DISTINCT jsonb_build_object('a', x)) FROM t"


def test_a_postgres_database_with_other_tables_is_refused_untouched(pg: StoreSpot) -> None:
    url = pg("other.duckdb")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not a Corrobora store"):
        Store(url)
    with psycopg.connect(url) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables "
                             "WHERE table_schema = 'public'").fetchall()
    assert tables == [("invoices",)]


def test_read_only_open_of_an_empty_postgres_database_says_no_such_store(
        pg: StoreSpot) -> None:
    with pytest.raises(StoreError, match="no such store"):
        Store(pg("empty.duckdb"), read_only=True)


def _consistent(url: str) -> dict[str, int]:
    """Checks that hold in any fused store, and its counts."""
    with Store(url, read_only=True) as store:
        one = store._scalar
        assert one("SELECT count(*) - count(DISTINCT content_hash) FROM documents") == 0
        assert one("SELECT count(*) FROM event_reports r WHERE NOT EXISTS "
                   "(SELECT 1 FROM events e WHERE e.id = r.event_id)") == 0
        assert one("SELECT count(*) FROM events e WHERE n_reports <> "
                   "(SELECT count(*) FROM event_reports r WHERE r.event_id = e.id)") == 0
        stats = store.stats()
        reports = {r[0] for r in store.con.execute("SELECT id FROM event_reports").fetchall()}
    return {**{k: stats[k] for k in ("documents", "copies", "mentions")}, "reports": reports}


def test_two_ingests_into_one_postgres_store_at_once_store_each_document_once(
        pg: StoreSpot) -> None:
    alone, both = pg("alone.duckdb"), pg("both.duckdb")
    first = corrobora("ingest", str(corpus_path()), "--db", alone, "-q")
    assert first.wait(timeout=600) == 0, first.stdout.read() if first.stdout else ""
    runs = [corrobora("ingest", str(corpus_path()), "--db", both, "-q", "--batch-size", "4")
            for _ in range(2)]
    outputs = [(p.wait(timeout=600), p.stdout.read() if p.stdout else "") for p in runs]
    assert [code for code, _ in outputs] == [0, 0], outputs
    assert "lock" not in " ".join(out for _, out in outputs).lower()
    assert _consistent(both) == _consistent(alone)


def test_serve_answers_every_request_while_an_ingest_writes(pg: StoreSpot) -> None:
    url = pg("live.duckdb")
    seeded = corrobora("ingest", str(corpus_path() / "notes"), "--db", url, "-q")
    assert seeded.wait(timeout=600) == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = corrobora("serve", "--db", url, "--port", str(port))
    writer = None
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # until it listens (a model-free start: seconds)
            try:
                urllib.request.urlopen(f"{base}/api/events?limit=1", timeout=5).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"serve exited: {server.stdout.read() if server.stdout else ''}")
                time.sleep(0.1)
        writer = corrobora("ingest", str(corpus_path() / "reports.jsonl"), "--db", url, "-q",
                           "--batch-size", "2")
        statuses, seen = [], set()
        while writer.poll() is None or not statuses:
            for path in ("/api/events?limit=50", "/api/events/counts?by=type", "/api/stats"):
                try:
                    with urllib.request.urlopen(base + path, timeout=30) as answer:
                        statuses.append(answer.status)
                        if path.startswith("/api/events?"):
                            seen.add(len(json.loads(answer.read())["items"]))
                except urllib.error.HTTPError as exc:
                    statuses.append(exc.code)
        assert writer.returncode == 0, writer.stdout.read() if writer.stdout else ""
        assert set(statuses) == {200}, statuses
        assert len(seen) > 1  # the reads saw the store grow
    finally:
        for proc in (server, writer):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)


def test_the_same_inputs_export_the_same_bytes_from_duckdb_and_postgres(
        pg: StoreSpot, tmp_path: Path) -> None:
    acled = Path(__file__).parents[1] / "fixtures" / "imports" / "acled_mexico_sample.csv"
    runner = CliRunner()
    exported = {}
    for db in (str(tmp_path / "one.duckdb"), pg("one.duckdb")):
        for args in (["ingest", str(corpus_path() / "reports.jsonl")], ["import", "acled",
                                                                          str(acled)]):
            result = runner.invoke(app, [*args, "--db", db, "-q"])
            assert result.exit_code == 0, result.output
        for kind, fmt in [("events", "jsonl"), ("documents", "jsonl"), ("actors", "jsonl"),
                          ("events", "acled"), ("events", "geojson"), ("events", "misp")]:
            out = tmp_path / f"{len(exported)}.{kind}.{fmt}"
            result = runner.invoke(app, ["export", kind, "--db", db, "--format", fmt,
                                         "-o", str(out)])
            assert result.exit_code == 0, result.output
            exported[(db.startswith("postgresql"), kind, fmt)] = out.read_bytes()
    for (on_pg, kind, fmt), data in exported.items():
        if on_pg:
            assert data == exported[(False, kind, fmt)], f"{kind} {fmt} differs"
