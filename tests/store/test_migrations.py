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
