"""What every `corrobora` command shares: the consoles, the store option and its opening,
JSON output of dates."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from corrobora.store import Store, StoreError
from corrobora.store.postgres import DatabaseURL, is_url

# Piped output gets room for whole rows instead of rich's 80-column default. No emoji codes:
# a title or file name with ":fire:" in it is printed as written.
out = Console(width=None if sys.stdout.isatty() else 200, emoji=False)
err = Console(stderr=True, emoji=False)

# Characters a terminal acts on or that hide what follows: C0 and C1 controls (ESC, CSI,
# newline: a name with one could forge a summary line), DEL, bidirectional overrides and
# isolates, and lone surrogates (not printable at all).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


def shown(value: object) -> str:
    """Text that came from input (a path, an id, a problem that names them) made safe to
    print through Rich: control characters shown as escapes (`\\x1b`, `\\n`), markup such
    as `[bold]` or `[/x]` shown as written, never interpreted."""
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                            str(value))
    return escape(text)


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as `shown`, with the bytes of a name that is not UTF-8 as `\\xe9` escapes."""
    from corrobora.sources.base import path_name

    return shown(path_name(path))

DEFAULT_DB = os.environ.get("CORROBORA_DB", "corrobora.duckdb")


def _db_value(value: str | Path) -> Path:
    """A --db value: a path, or a PostgreSQL URL kept whole (a Path would fold its `//`)."""
    if is_url(value):
        return DatabaseURL(value)  # type: ignore[return-value]  # opened by Store as a URL
    return Path(value)


DbOption = Annotated[Path, typer.Option(
    "--db", parser=_db_value, help="The store: a DuckDB file, or a PostgreSQL database as "
    "postgresql://user@host:port/dbname (docs/team.md).")]


def _open(db: Path, *, read_only: bool = False) -> Store:
    try:
        return Store(db, read_only=read_only)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


class _ErrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        err.print(f"[yellow]warning:[/yellow] {shown(record.getMessage())}", highlight=False,
                  soft_wrap=True)


@contextmanager
def export_warnings() -> Iterator[None]:
    """Show what the exporters warn of (a marking they cannot read, export/markings.py) as
    one line each on standard error while the block runs."""
    logger = logging.getLogger("corrobora.export")
    handler = _ErrHandler(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
