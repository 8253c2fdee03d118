"""What every `corrobora` command shares: the consoles, the store option and its opening,
JSON output of dates."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from corrobora.store import Store, StoreError

# Piped output gets room for whole rows instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)

DEFAULT_DB = os.environ.get("CORROBORA_DB", "corrobora.duckdb")
DbOption = Annotated[Path, typer.Option("--db", help="The store (a DuckDB file).")]


def _open(db: Path, *, read_only: bool = False) -> Store:
    try:
        return Store(db, read_only=read_only)
    except StoreError as exc:
        # Escaped: a path or a holder's command line may hold [brackets] Rich would parse.
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
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
