"""A real store for the export tests, built once per test session: the demo corpus's JSON
Lines reports ingested as `corrobora ingest` does, and the ACLED fixture imported as
`corrobora import acled` does (text-derived and dataset events side by side)."""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path

ACLED_FIXTURE = Path(__file__).parent / "fixtures" / "imports" / "acled_mexico_sample.csv"


@cache
def _built() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="corrobora-export-"))
    db = folder / "export.duckdb"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(corpus_path() / "reports.jsonl"), "--db", str(db),
                            "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["import", "acled", str(ACLED_FIXTURE), "--db", str(db), "-q"])
    assert r.exit_code == 0, r.output
    return db


def export_store(tmp_path: Path) -> Path:
    """A copy of the built store in `tmp_path` (a test may write to its copy)."""
    db = tmp_path / "export.duckdb"
    shutil.copy(_built(), db)
    return db


def exported_events(tmp_path: Path, fmt: str, name: str) -> tuple[Path, Path]:
    """The export store copied into `tmp_path` and its events exported as `fmt` to `name`
    there, as `corrobora export events --format FMT -o FILE` writes them: (store, file)."""
    db = export_store(tmp_path)
    out = tmp_path / name
    r = CliRunner().invoke(app, ["export", "events", "--db", str(db), "--format", fmt,
                                 "-o", str(out)])
    assert r.exit_code == 0, r.output
    return db, out

