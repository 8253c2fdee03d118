"""The store creates and migrates itself, and refuses what is not a store."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from corrobora.store import Store, StoreError

from ..conftest import StoreSpot


def test_new_store_is_migrated_to_latest(new_store: StoreSpot) -> None:
    latest = max(v for v, _, _ in Store.migrations())
    with Store(new_store("c.duckdb")) as store:
        assert store.schema_version() == latest
        tables = {r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"documents", "mentions", "event_reports", "events", "actors",
            "gazetteer_places", "sources", "schema_version"} <= tables


def test_reopening_applies_nothing_twice(new_store: StoreSpot) -> None:
    path = new_store("c.duckdb")
    Store(path).close()
    with Store(path) as store:
        rows = store.con.execute("SELECT version, count(*) FROM schema_version GROUP BY 1"
                                 ).fetchall()
    assert all(n == 1 for _, n in rows)


def test_read_only_open_of_missing_store_names_the_file(new_store: StoreSpot) -> None:
    with pytest.raises(StoreError, match="no such store"):
        Store(new_store("absent.duckdb"), read_only=True)


def test_a_duckdb_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a Corrobora store"):
        Store(path, read_only=True)


def test_a_file_that_is_not_duckdb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("these are my notes\n" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store(path)


def test_a_store_made_by_the_duckdb_only_migrations_opens_and_takes_new_documents(
        tmp_path: Path) -> None:
    # The migrations were DuckDB's dialect (DOUBLE, BLOB, DEFAULT []) before they became
    # portable; stores they made are applied versions, never migrated again, and must work.
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT "
                "NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")
    for version, name, sql in Store.migrations():
        old = (sql.replace("DOUBLE PRECISION", "DOUBLE").replace("BYTEA", "BLOB")
               .replace("ARRAY[]::TEXT[]", "[]"))
        con.execute(old)
        con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
    con.close()
    from corrobora.ingest import Ingestor
    from corrobora.model import Document

    with Store(path) as store:
        summary = Ingestor(store).ingest([Document(
            "Gunmen killed two police officers in Culiacán, Sinaloa, on Monday, officials "
            "said.", "a.txt", id="a")])
        assert summary.new == 1 and store.stats()["events"] >= 1
        store.upsert_actor_relations([{"id": "r1", "type": "rivalry", "source": "a",
                                       "target": "b", "origin": "text", "evidence": ["a#0-9"]}])
        assert store.actor_relations()[0]["evidence"] == ["a#0-9"]
