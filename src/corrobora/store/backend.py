"""The seam between the store and its database engine: the `Store` (duckdb_store.py) talks
to its connection only through one of these adapters. DuckDB (embedded, one file) is here;
PostgreSQL (a team server) is in postgres.py.

An adapter takes the store's SQL as written (DuckDB's dialect, `?` placeholders, see
docs/team.md for the portable subset) and offers what differs between engines as methods:
bulk writes of rows, a lock shared by processes, the schema's own tables."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import duckdb
import pyarrow as pa


class Cursor(Protocol):
    description: Any

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...


class Backend(Protocol):
    """What the store needs of a connection."""

    kind: str
    """"duckdb" or "postgresql"."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor: ...

    def cursor(self) -> Backend:
        """Another handle on the same database, for one reader (a request, a thread)."""
        ...

    def begin(self, *, write: bool = False) -> None:
        """`write`: this transaction writes even on a handle opened read-only (PostgreSQL:
        a read-only server's audit lines)."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    def stream(self, sql: str, params: Sequence[Any] | None, batch: int
               ) -> Iterator[dict[str, Any]]: ...

    def insert_rows(self, table: str, rows: list[dict[str, Any]], *, ignore: bool = False,
                    replace: bool = False, conflict: str | None = None,
                    schema: pa.Schema | None = None) -> None:
        """Rows (dicts, by column name) into `table`; `ignore`: skip rows whose key is
        stored; `replace`: rows whose key is stored replace them; `conflict`: an ON CONFLICT
        clause (`(id) DO UPDATE SET ...`, reading `excluded`)."""
        ...

    def update_rows(self, table: str, rows: list[dict[str, Any]], *, key: str = "id",
                    also: str = "") -> None:
        """Set the other columns of each row on the stored row with its `key`; `also`: more
        assignments (`updated_at = current_timestamp`)."""
        ...

    def table_exists(self, name: str) -> bool: ...

    def table_count(self) -> int:
        """Tables in the schema the store lives in."""
        ...

    def columns(self, table: str) -> list[str]: ...

    def tables(self) -> set[str]:
        """The names of the store's own tables (not this session's temporary ones)."""
        ...

    def qualified(self, table: str) -> str:
        """The store's table `table`, named past any temporary view of this session that
        shadows it (store/access.py restrict)."""
        ...

    def snapshot(self) -> None:
        """From here to its close, this handle reads one snapshot of the store and may make
        temporary tables and views for itself (store/access.py restrict); they go with it."""
        ...

    def snapshot_done(self) -> None:
        """The temporary objects are made: the rest of the snapshot only reads."""
        ...

    def checkpoint(self) -> None: ...

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Held by one process at a time across the database (PostgreSQL: an advisory lock;
        DuckDB: its file lock already admits one writer)."""
        yield


def arrow_rows(rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> pa.Table:
    # Arrow takes its columns from the first row: give every row every key.
    if schema is not None:
        return pa.Table.from_pylist([{k: row.get(k) for k in schema.names} for row in rows],
                                    schema=schema)
    columns = dict.fromkeys(k for row in rows for k in row)
    return pa.Table.from_pylist([{k: row.get(k) for k in columns} for row in rows])


class DuckDBBackend:
    """A DuckDB connection (or cursor) as the store's adapter: SQL goes through unchanged."""

    kind = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.con.execute(sql, params or [])

    def cursor(self) -> DuckDBBackend:
        return DuckDBBackend(self.con.cursor())

    def begin(self, *, write: bool = False) -> None:
        self.con.begin()

    def commit(self) -> None:
        self.con.commit()

    def rollback(self) -> None:
        self.con.rollback()

    def close(self) -> None:
        self.con.close()

    def stream(self, sql: str, params: Sequence[Any] | None, batch: int
               ) -> Iterator[dict[str, Any]]:
        cur = self.con.cursor()
        try:
            cur.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            while rows := cur.fetchmany(batch):
                for row in rows:
                    yield dict(zip(names, row, strict=True))
        finally:
            cur.close()

    @contextmanager
    def _registered(self, rows: list[dict[str, Any]],
                    schema: pa.Schema | None = None) -> Iterator[str]:
        # A name of its own: the SQL reads the rows as a table.
        name = f"_rows_{secrets.token_hex(4)}"
        self.con.register(name, arrow_rows(rows, schema))
        try:
            yield name
        finally:
            self.con.unregister(name)

    def insert_rows(self, table: str, rows: list[dict[str, Any]], *, ignore: bool = False,
                    replace: bool = False, conflict: str | None = None,
                    schema: pa.Schema | None = None) -> None:
        if not rows:
            return
        with self._registered(rows, schema) as data:
            if conflict is not None:
                cols = ", ".join(schema.names if schema is not None else rows[0])
                self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {data} "
                                 f"ON CONFLICT {conflict}")
                return
            verb = "INSERT OR IGNORE" if ignore else "INSERT OR REPLACE" if replace else "INSERT"
            self.con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM {data}")

    def update_rows(self, table: str, rows: list[dict[str, Any]], *, key: str = "id",
                    also: str = "") -> None:
        if not rows:
            return
        cols = [c for c in dict.fromkeys(k for row in rows for k in row) if c != key]
        with self._registered([{k: row.get(k) for k in [key, *cols]} for row in rows]
                              ) as data:
            sets = ", ".join([f"{c} = {data}.{c}" for c in cols] + ([also] if also else []))
            self.con.execute(f"UPDATE {table} SET {sets} FROM {data} "
                             f"WHERE {table}.{key} = {data}.{key}")

    def table_exists(self, name: str) -> bool:
        row = self.con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = ?", [name]).fetchone()
        return bool(row and row[0])

    def table_count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        return int(row[0]) if row else 0

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]

    def tables(self) -> set[str]:
        return {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database()").fetchall()}

    def qualified(self, table: str) -> str:
        row = self.con.execute("SELECT current_database()").fetchone()
        return '"' + str(row[0]).replace('"', '""') + f'".main.{table}'

    def snapshot(self) -> None:
        # A transaction: one snapshot for every read of the request, even while this
        # process's other cursors commit (serve --review). A cursor's temporary objects are
        # its own; closing it ends the transaction.
        self.con.begin()

    def snapshot_done(self) -> None:
        pass

    def checkpoint(self) -> None:
        self.con.execute("CHECKPOINT")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        yield
