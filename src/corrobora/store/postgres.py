"""PostgreSQL as the store's engine (team mode: `--db postgresql://user@host:port/db`).

The store's SQL is written once, in DuckDB's dialect kept to a portable subset
(docs/team.md). This module is the one place that turns the rest into PostgreSQL's:
placeholders, the two column types PostgreSQL lacks (UBIGINT, fixed-size FLOAT[n]), struct
and list literals and aggregates (as jsonb and arrays), `* EXCLUDE (...)`, and a few DuckDB
functions defined in the store's schema (`COMPAT_SQL`). Readers take connections from a
small pool; every statement outside a transaction commits on its own (MVCC: readers never
wait for writers)."""

from __future__ import annotations

import re
import secrets
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.adapt import Loader

URL_PREFIXES = ("postgresql://", "postgres://")
_MANGLED = re.compile(r"^(postgres(?:ql)?):/+")


def is_url(value: object) -> bool:
    """Whether a --db value names a PostgreSQL database (also once pathlib has folded its
    `//` into `/`, as a typer Path option does)."""
    return bool(_MANGLED.match(str(value)))


class DatabaseURL(str):
    """A PostgreSQL URL where the store expects a path: `name` is the database's name and
    `str()` hides any password (it is printed in messages)."""

    raw: str

    def __new__(cls, value: object) -> DatabaseURL:
        if isinstance(value, DatabaseURL):
            return value
        raw = _MANGLED.sub(lambda m: f"{m[1]}://", str(value), count=1)
        parts = urlsplit(raw)
        shown = raw
        if parts.password is not None:
            host = parts.netloc.rsplit("@", 1)[1]
            shown = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
        obj = super().__new__(cls, shown)
        obj.raw = raw
        return obj

    @property
    def name(self) -> str:
        return urlsplit(self.raw).path.lstrip("/") or "postgres"


# DuckDB types PostgreSQL lacks, as migrations and queries write them.
TYPE_MAP = [
    (re.compile(r"\bUBIGINT\b", re.I), "NUMERIC(20)"),   # LSH band keys use all 64 bits
    (re.compile(r"\bFLOAT\[\d+\]", re.I), "REAL[]"),     # fixed-size DuckDB ARRAY
    (re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
]

# DuckDB functions the store's SQL uses that PostgreSQL 15 has not, in the store's schema.
# Bump the version in the name of the marker function when this changes.
COMPAT_VERSION = "_corrobora_compat_v1"
COMPAT_SQL = f"""
CREATE OR REPLACE FUNCTION strip_accents(text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT translate($1,
  'áàâäãåāăąéèêëēĕėęěíìîïĩīĭįóòôöõøōŏőúùûüũūŭůűųýÿñńňçćčđďğľłśšşťţźżžÁÀÂÄÃÅĀĂĄÉÈÊËĒĔĖĘĚÍÌÎÏĨĪĬĮÓÒÔÖÕØŌŎŐÚÙÛÜŨŪŬŮŰŲÝŸÑŃŇÇĆČĐĎĞĽŁŚŠŞŤŢŹŻŽ',
  'aaaaaaaaaeeeeeeeeeiiiiiiiioooooooooouuuuuuuuuuyynnncccddgllsssttzzzAAAAAAAAAEEEEEEEEEIIIIIIIIOOOOOOOOOUUUUUUUUUUYYNNNCCCDDGLLSSSTTZZZ')
$$;
CREATE OR REPLACE FUNCTION list_has_any(anycompatiblearray, anycompatiblearray)
  RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 && $2 $$;
CREATE OR REPLACE FUNCTION list_contains(anycompatiblearray, anycompatible)
  RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $2 = ANY($1) $$;
CREATE OR REPLACE FUNCTION list_sort(anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN $1 IS NULL THEN NULL ELSE
     coalesce((SELECT array_agg(x ORDER BY x) FROM unnest($1) x), $1[0:0]) END $$;
CREATE OR REPLACE FUNCTION list_distinct(anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN $1 IS NULL THEN NULL ELSE coalesce((SELECT array_agg(DISTINCT x)
     FROM unnest($1) x WHERE x IS NOT NULL), $1[0:0]) END $$;
CREATE OR REPLACE FUNCTION list_concat(anycompatiblearray, anycompatiblearray)
  RETURNS anycompatiblearray LANGUAGE sql IMMUTABLE AS $$ SELECT array_cat($1, $2) $$;
CREATE OR REPLACE FUNCTION _any_value_step(anyelement, anyelement) RETURNS anyelement
  LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1, $2) $$;
CREATE OR REPLACE AGGREGATE any_value(anyelement) (SFUNC = _any_value_step, STYPE = anyelement);
CREATE OR REPLACE AGGREGATE array_cat_agg(anycompatiblearray)
  (SFUNC = array_cat, STYPE = anycompatiblearray);
CREATE OR REPLACE FUNCTION {COMPAT_VERSION}() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
"""

# A comment, a string literal or a quoted name: what placeholders and rewrites skip.
_LITERAL = re.compile(r"--[^\n]*|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_TOKEN = "\x00{}\x00"
_EXCLUDE = re.compile(r"(?:\b(\w+)\.)?\*\s+EXCLUDE\s*\(([^)]*)\)", re.I)


class PostgresError(Exception):
    """A PostgreSQL URL that cannot be connected to."""


class _IntegralNumeric(Loader):
    """NUMERIC as DuckDB's Python API gives its values: an int when it has no fraction
    (UBIGINT band keys, sums), else a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


def connect(url: str, *, read_only: bool = False) -> psycopg.Connection[Any]:
    try:
        con = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor,
                              connect_timeout=10)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PostgresError(f"{DatabaseURL(url)}: cannot connect to PostgreSQL: {first}") from exc
    con.adapters.register_loader("numeric", _IntegralNumeric)
    if read_only:
        con.execute("SET default_transaction_read_only = on")
    return con


def _list_cast(values: list[Any]) -> str:
    if all(isinstance(v, str) for v in values):
        return "TEXT[]"
    if all(isinstance(v, bool) for v in values):
        return "BOOLEAN[]"
    if all(isinstance(v, int) for v in values):
        return "BIGINT[]" if all(-(2**63) <= v < 2**63 for v in values) else "NUMERIC[]"
    if all(isinstance(v, int | float) for v in values):
        return "DOUBLE PRECISION[]"
    return "TEXT[]"


def _split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced brackets in SQL: {text[start:start + 60]!r}")


def _structs(code: str) -> str:
    """DuckDB struct literals {'k': v} as json_build_object('k', v), list literals [a, b]
    inside them as jsonb_build_array(a, b), and list(...) of structs as json_agg (jsonb for
    DISTINCT ones)."""
    while (i := code.find("{")) >= 0:
        j = _closing(code, i)
        pairs = []
        for part in _split_top(code[i + 1:j]):
            key, _, value = part.partition(":")
            value = value.strip()
            if value.startswith("[") and value.endswith("]"):
                value = f"jsonb_build_array({value[1:-1]})"
            pairs.append(f"{key.strip()}, {value}")
        before = code[:i].rstrip()
        m = re.search(r"\blist\(\s*(DISTINCT\s*)?$", before, re.I)
        # json keeps the keys in the order written, as DuckDB's structs do; DISTINCT needs
        # jsonb (json has no equality), whose keys come in its own order.
        kind = "jsonb" if m and m[1] else "json"
        code = code[:i] + f"{kind}_build_object(" + ", ".join(pairs) + ")" + code[j + 1:]
        if m:
            code = (before[:m.start()] + f"{kind}_agg(" + ("DISTINCT " if m[1] else "")
                    + code[i:])
    return code


def translate(sql: str, params: Sequence[Any] | None, columns: Any = None
              ) -> tuple[str, list[Any] | None]:
    """The store's SQL (DuckDB dialect, `?` or `$n` placeholders) for PostgreSQL through
    psycopg (`%s`), with the parameters in the order it reads them. `columns(table)` lists a
    table's columns, for `* EXCLUDE`."""
    literals: list[str] = []

    def hide(m: re.Match[str]) -> str:
        if m.group().startswith("--"):
            return ""  # a comment (its apostrophes would open a literal)
        literals.append(m.group())
        return _TOKEN.format(len(literals) - 1)

    code = _LITERAL.sub(hide, sql)
    for pattern, repl in TYPE_MAP:
        code = pattern.sub(repl, code)
    if "{" in code:
        code = _structs(code)
    code = re.sub(r"\bflatten\(\s*list\(", "(array_cat_agg(", code, flags=re.I)
    code = re.sub(r"\blist\(", "array_agg(", code, flags=re.I)
    code = re.sub(r"(?<![\w\])])\[\]", "'{}'", code)
    code = re.sub(r"\bjson_object\(", "json_build_object(", code, flags=re.I)
    code = re.sub(r"\bjson_array\(", "json_build_array(", code, flags=re.I)
    code = re.sub(r"\bget_current_timestamp\(\)", "current_timestamp", code, flags=re.I)
    if columns is not None and "EXCLUDE" in code.upper():
        code = _EXCLUDE.sub(lambda m: _expand_star(code, m, columns), code)
    new_params: list[Any] | None = None if params is None else []
    pieces = re.split(r"(\?|\$\d+|%)", code)
    out, n = [], 0
    for at, piece in enumerate(pieces):
        if piece == "%" and params is not None:
            out.append("%%")
        elif piece == "?" or (piece.startswith("$") and piece[1:].isdigit()):
            assert params is not None and new_params is not None, f"no parameters for {sql}"
            value = params[n] if piece == "?" else params[int(piece[1:]) - 1]
            n += piece == "?"
            new_params.append(value)
            out.append("%s")
            if isinstance(value, list | tuple):
                new_params[-1] = list(value)
                cast = at + 1 < len(pieces) and pieces[at + 1].lstrip().startswith("::")
                out.append("" if cast else f"::{_list_cast(list(value))}")
        else:
            out.append(piece)
    code = "".join(out)
    code = re.sub("\x00(\\d+)\x00", lambda m: literals[int(m[1])].replace("%", "%%")
                  if params is not None else literals[int(m[1])], code)
    return code, new_params


def _expand_star(code: str, m: re.Match[str], columns: Any) -> str:
    alias, dropped = m[1], {c.strip().lower() for c in m[2].split(",")}
    if alias:
        t = re.search(rf"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?{alias}\b", code, re.I)
        table = t[1] if t else alias
    else:
        t = re.search(r"\bFROM\s+(\w+)", code[m.end():], re.I)
        table = t[1] if t else ""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + c for c in columns(table) if c.lower() not in dropped)


class _Shared:
    """What the connections of one store share: the URL, idle reader connections, the
    columns of each table."""

    def __init__(self, url: str, read_only: bool) -> None:
        self.url, self.read_only = url, read_only
        self.idle: list[psycopg.Connection[Any]] = []
        self.lock = threading.Lock()
        self.columns: dict[str, list[str]] = {}

    def take(self) -> psycopg.Connection[Any]:
        with self.lock:
            while self.idle:
                con = self.idle.pop()
                if not con.closed:
                    return con
        return connect(self.url, read_only=self.read_only)

    def give_back(self, con: psycopg.Connection[Any]) -> None:
        if con.closed or con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            con.close()
            return
        with self.lock:
            if len(self.idle) < 16:
                self.idle.append(con)
                return
        con.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for con in idle:
            con.close()


class PostgresBackend:
    kind = "postgresql"

    def __init__(self, url: str, *, read_only: bool = False,
                 _shared: _Shared | None = None) -> None:
        self._shared = _shared or _Shared(url, read_only)
        self._pooled = _shared is not None
        self.con = self._shared.take() if self._pooled else connect(url, read_only=read_only)
        self._stage_n = 0
        self._temporary = False

    # -- statements --------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor[Any]:
        query, values = translate(sql, params if params else None, self.columns)
        cur = self.con.cursor()
        cur.execute(query, values)
        return cur

    def cursor(self) -> PostgresBackend:
        return PostgresBackend(self._shared.url, _shared=self._shared)

    def begin(self, *, write: bool = False) -> None:
        self.con.execute("BEGIN READ WRITE" if write else "BEGIN")

    def commit(self) -> None:
        self.con.execute("COMMIT")

    def rollback(self) -> None:
        if not self.con.closed:
            self.con.execute("ROLLBACK")

    def close(self) -> None:
        if self._pooled:
            self._clean()
            self._shared.give_back(self.con)
        else:
            self.con.close()
            self._shared.close()

    def _clean(self) -> None:
        """Before the connection goes back to the pool: the snapshot ends (its temporary
        views with it) and any temporary object made outside one is dropped, so the next
        request, maybe another user's, sees the store as it is."""
        if self.con.closed:
            return
        try:
            if self.con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self.con.execute("ROLLBACK")
            if self._temporary:
                self.con.execute("DISCARD TEMP")
                self._temporary = False
        except psycopg.Error:
            self.con.close()  # not given back: give_back drops a closed connection

    def snapshot(self) -> None:
        # REPEATABLE READ: every read of the request (the hidden ids, the recomputed events,
        # the answer) sees the same committed state, so a report another process commits
        # meanwhile cannot appear beside views made before it. READ WRITE: a read-only
        # server's session may still make its temporary tables.
        self.con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE")
        self._temporary = True

    def snapshot_done(self) -> None:
        self.con.execute("SET TRANSACTION READ ONLY")

    def stream(self, sql: str, params: Sequence[Any] | None, batch: int
               ) -> Iterator[dict[str, Any]]:
        query, values = translate(sql, params if params else None, self.columns)
        text = psycopg.ClientCursor(self.con).mogrify(query, values)
        if self.con.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            # In a snapshot (a restricted reader): a server-side cursor of this connection,
            # which sees its temporary views and its snapshot.
            with self.con.cursor(name=f"stream_{secrets.token_hex(4)}") as cur:
                cur.execute(text)
                names = [d[0] for d in cur.description or ()]
                while rows := cur.fetchmany(batch):
                    for row in rows:
                        yield dict(zip(names, row, strict=True))
            return
        # Else a server-side cursor on a connection of its own: an export holds its rows in
        # PostgreSQL, not here, and the store's connection stays free for other queries.
        con = self._shared.take()
        try:
            with con.transaction(), con.cursor(name=f"stream_{secrets.token_hex(4)}") as cur:
                cur.execute(text)
                names = [d[0] for d in cur.description or ()]
                while rows := cur.fetchmany(batch):
                    for row in rows:
                        yield dict(zip(names, row, strict=True))
        finally:
            self._shared.give_back(con)

    # -- bulk writes ---------------------------------------------------------------------

    def _stage(self, table: str, columns: list[str], rows: list[dict[str, Any]]) -> str:
        """A temporary table with these columns of `table` (their types, no constraints),
        holding `rows` (by COPY)."""
        self._stage_n += 1
        name = f"_stage_{self._stage_n}_{secrets.token_hex(3)}"
        cols = ", ".join(columns)
        self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT {cols} FROM {table} WITH NO DATA")
        self._copy(name, columns, rows)
        return name

    def _copy(self, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
        with self.con.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row([row.get(c) for c in columns])

    def insert_rows(self, table: str, rows: list[dict[str, Any]], *, ignore: bool = False,
                    replace: bool = False, conflict: str | None = None,
                    schema: Any = None) -> None:
        if not rows:
            return
        columns = list(schema.names if schema is not None
                       else dict.fromkeys(k for row in rows for k in row))
        if not (ignore or replace or conflict):
            self._copy(table, columns, rows)
            return
        stage = self._stage(table, columns, rows)
        cols = ", ".join(columns)
        if conflict is not None:
            clause, _ = translate(f"ON CONFLICT {conflict}", None)
        elif replace:
            key = self._primary_key(table)
            sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
            clause = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
        else:
            clause = "ON CONFLICT DO NOTHING"
        try:
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} {clause}")
        finally:
            self.con.execute(f"DROP TABLE IF EXISTS {stage}")

    def update_rows(self, table: str, rows: list[dict[str, Any]], *, key: str = "id",
                    also: str = "") -> None:
        if not rows:
            return
        cols = [c for c in dict.fromkeys(k for row in rows for k in row) if c != key]
        stage = self._stage(table, [key, *cols], rows)
        sets = ", ".join([f"{c} = s.{c}" for c in cols] + ([also] if also else []))
        try:
            self.con.execute(f"UPDATE {table} SET {sets} FROM {stage} s "
                             f"WHERE {table}.{key} = s.{key}")
        finally:
            self.con.execute(f"DROP TABLE IF EXISTS {stage}")

    def _primary_key(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)", [table]).fetchall()]

    # -- the schema ----------------------------------------------------------------------

    def table_exists(self, name: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = %s", [name]).fetchone()
        return bool(row and row[0])

    def table_count(self) -> int:
        # Not schema_version: a first migration that failed leaves it alone.
        row = self.con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema = current_schema() "
                               "AND table_name <> 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def columns(self, table: str) -> list[str]:
        known = self._shared.columns.get(table)
        if known is None:
            known = [r[0] for r in self.con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "ORDER BY ordinal_position", [table]).fetchall()]
            if known:
                self._shared.columns[table] = known
        return known

    def tables(self) -> set[str]:
        return {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()").fetchall()}

    def qualified(self, table: str) -> str:
        # pg_temp is searched first: the schema's name reaches the table under a view.
        row = self.con.execute("SELECT current_schema()").fetchone()
        return '"' + str(row[0] if row else "public").replace('"', '""') + f'".{table}'

    def forget_columns(self) -> None:
        """After a migration: the tables' columns may have changed."""
        self._shared.columns.clear()

    def checkpoint(self) -> None:
        pass  # PostgreSQL's log replays any DDL

    def install_compat(self) -> None:
        """The DuckDB functions the store's SQL uses (COMPAT_SQL), once per schema."""
        row = self.con.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = %s "
            "AND pronamespace = current_schema()::regnamespace", [COMPAT_VERSION]).fetchone()
        if not row or not row[0]:
            self.con.execute(COMPAT_SQL)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        # One lock per schema and name, held by this session until released.
        schema = self.con.execute("SELECT current_schema()").fetchone()
        key = zlib.crc32(f"corrobora:{schema[0] if schema else ''}:{name}".encode())
        self.con.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            if not self.con.closed:
                self.con.execute("SELECT pg_advisory_unlock(%s)", [key])
