"""Opening a store: a lock held by another process is explained (which command holds it and
what to do), and a DuckDB database that is not a store is refused and left as it was."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.store import Store, StoreError

HOLD = ("import sys, time, duckdb\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "print('open', flush=True)\n"
        "time.sleep(600)\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _holding(cmd: list[str], marker: bytes) -> Iterator[subprocess.Popen[bytes]]:
    """`cmd` running until the block ends, once it has said (`marker`) that it has the
    store open: probing the lock from here would race with it."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdout is not None
        seen = b""
        while marker not in seen:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"the holding process ended: {seen.decode()}")
            seen += line
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "held.duckdb"
    Store(path).close()
    return path


@pytest.fixture()
def held_by_script(store: Path) -> Iterator[subprocess.Popen[bytes]]:
    with _holding([sys.executable, "-c", HOLD, str(store)], b"open") as proc:
        yield proc


@pytest.fixture()
def held_by_serve(store: Path) -> Iterator[subprocess.Popen[bytes]]:
    with _holding([sys.executable, "-m", "corrobora.cli", "serve", "--db", str(store),
                   "--port", str(_free_port()), "--review"], b"serving") as proc:
        yield proc


@pytest.mark.parametrize("read_only", [False, True])
def test_a_store_held_by_corrobora_serve_names_the_command_and_what_to_do(
        store: Path, held_by_serve: subprocess.Popen[bytes], read_only: bool) -> None:
    with pytest.raises(StoreError) as caught:
        Store(store, read_only=read_only)
    message = str(caught.value)
    assert f"a `corrobora serve` (PID {held_by_serve.pid}) has this store open" in message
    assert "stop it" in message and "--db on a copy" in message
    assert "Conflicting lock" not in message and "IO Error" not in message


def test_a_store_held_by_another_program_shows_its_command_line(
        store: Path, held_by_script: subprocess.Popen[bytes]) -> None:
    with pytest.raises(StoreError) as caught:
        Store(store)
    message = str(caught.value)
    assert f"another program (PID {held_by_script.pid}: `" in message
    assert "-c import sys, time, duckdb" in message and "\n" not in message
    assert "Conflicting lock" not in message


@pytest.mark.parametrize("command", [["stats"], ["events"], ["review", "list"]])
def test_every_command_says_who_holds_the_store(
        store: Path, held_by_script: subprocess.Popen[bytes], command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--db", str(store)])
    assert result.exit_code == 2, result.output
    assert f"PID {held_by_script.pid}" in result.output
    assert "has this store open" in result.output and "Traceback" not in result.output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_duckdb_database_that_is_not_a_store_is_refused_and_left_untouched(
        tmp_path: Path) -> None:
    path = tmp_path / "analysis.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE prices (day DATE, usd DOUBLE)")
    con.execute("INSERT INTO prices VALUES ('2024-01-01', 1.5)")
    con.close()
    before = _digest(path)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="is a DuckDB database but not a Corrobora "
                           "store") as caught:
            Store(path, read_only=read_only)
        assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert _digest(path) == before
    con = duckdb.connect(str(path), read_only=True)
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert tables == {"prices"}


def test_ingest_refuses_a_duckdb_database_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "analysis.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    before = _digest(path)
    note = tmp_path / "note.txt"
    note.write_text("Gunmen killed two police officers in Culiacán on Monday.\n", "utf-8")
    result = CliRunner().invoke(app, ["ingest", str(note), "--db", str(path), "-q"])
    assert result.exit_code == 2, result.output
    assert "not a Corrobora store" in result.output
    assert _digest(path) == before


def test_a_refusal_naming_a_path_with_brackets_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "an [/x] [bold]dir" / "analysis.duckdb"  # folders "an [", "x] [bold]dir"
    path.parent.mkdir(parents=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    result = CliRunner().invoke(app, ["stats", "--db", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "not a Corrobora store" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_empty_duckdb_database_an_empty_file_or_a_new_path_becomes_a_store(
        tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    touched = tmp_path / "touched.duckdb"
    touched.touch()
    latest = max(v for v, _, _ in Store.migrations())
    for path in (empty, touched, tmp_path / "new.duckdb"):
        with Store(path) as store:
            assert store.schema_version() == latest
