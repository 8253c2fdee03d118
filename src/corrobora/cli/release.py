"""`corrobora release`: a versioned, citable folder of the store (docs/export.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corrobora.cli._common import DEFAULT_DB, DbOption, _open, err, export_warnings, out, shown


def release(
    db: DbOption = Path(DEFAULT_DB),
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="The folder the release folder is made in.")] = Path("."),
    version: Annotated[str | None, typer.Option(
        help="Release version (default: today, YYYY.MM.DD).")] = None,
    with_text: Annotated[bool, typer.Option(
        "--with-text", help="Include documents' text and reports' sentences (only when the "
        "sources' licences allow sharing them).")] = False,
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Team mode: release only what this user may see, figures recomputed "
        "from those reports, as the API shows them (docs/team.md).")] = None,
) -> None:
    """Write a versioned release: Parquet tables (events, reports, actors, documents), a
    codebook and a manifest with sha256 of every file and how to cite it.

    Example: corrobora release --db corrobora.duckdb -o releases --version 2026.1
    Example: corrobora release --db team.duckdb --as b-viewer -o for-ngo-b --version 2026.1
    """
    from corrobora.export.release import ReleaseError, write_release
    from corrobora.store.access import AccessError

    # Opened for writing: the actors table merges the registry's relations into the store.
    with _open(db) as store, export_warnings():
        try:
            folder = write_release(store, output, version, with_text=with_text,
                                   user=as_user)
        except (ReleaseError, AccessError, OSError) as exc:
            err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
    out.print(shown(str(folder)), highlight=False)
