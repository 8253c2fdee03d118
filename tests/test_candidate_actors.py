"""Groups the registry does not know are stored as candidates, kept apart until confirmed."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from corrobora.cli import app

runner = CliRunner()

REPORTS = [
    {"id": "r1", "text": "Members of the F-13 gang attacked a police patrol in Tijuana on "
                         "Monday, killing two officers.", "published_at": "2024-07-16T10:00:00Z"},
    {"id": "r2", "text": "The CJNG clashed with soldiers in Tapalpa, Jalisco, on Sunday.",
     "published_at": "2024-07-16T11:00:00Z"},
]


def test_unknown_group_is_a_candidate_and_known_one_is_not(tmp_path: Path) -> None:
    src, db = tmp_path / "in.jsonl", tmp_path / "c.duckdb"
    src.write_text("".join(json.dumps(r) + "\n" for r in REPORTS))
    assert runner.invoke(app, ["ingest", str(src), "--db", str(db), "-q"]).exit_code == 0
    result = runner.invoke(app, ["actors", "--candidates", "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["id"], r["name"], r["status"]) for r in rows] == [
        ("candidate:f-13-gang", "F-13 gang", "candidate")]
    assert rows[0]["reports"] == 1 and "r1" in rows[0]["origin"]
    every = runner.invoke(app, ["actors", "--db", str(db), "--format", "jsonl"])
    by_id = {r["id"]: r for r in map(json.loads, every.output.splitlines())}
    assert by_id["cjng"]["status"] == "confirmed"
    # Re-ingesting the same reports adds nothing, candidates included.
    assert runner.invoke(app, ["ingest", str(src), "--db", str(db), "-q"]).exit_code == 0
    again = runner.invoke(app, ["actors", "--candidates", "--db", str(db), "--format", "jsonl"])
    assert again.output == result.output
