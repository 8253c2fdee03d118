"""ACLED CSV out in ACLED's 31 columns and codes, and back in through `corrobora import
acled`: a round trip keeps ids, dates, types, sub-event types, actors, inter codes,
fatalities, notes and sources, and a second round trip changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.export.acled import COLUMNS, interaction
from corrobora.store import Store

from .export_store import ACLED_FIXTURE, export_store

runner = CliRunner()


def _export(db: Path, out: Path, *args: str) -> list[dict[str, str]]:
    r = runner.invoke(app, ["export", "events", "--db", str(db), "--format", "acled",
                            "-o", str(out), *args])
    assert r.exit_code == 0, r.output
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def _import(db: Path, path: Path) -> None:
    r = runner.invoke(app, ["import", "acled", str(path), "--db", str(db), "-q"])
    assert r.exit_code == 0, r.output


def test_acled_export_round_trips_through_the_acled_import(tmp_path: Path) -> None:
    first = tmp_path / "first.duckdb"
    _import(first, ACLED_FIXTURE)
    rows = {r["event_id_cnty"]: r for r in _export(first, tmp_path / "a.csv")}
    with ACLED_FIXTURE.open(encoding="utf-8", newline="") as fh:
        given = {r["event_id_cnty"]: r for r in csv.DictReader(fh)}
    # The six rows the fixture's importer accepts (three are bad on purpose).
    assert set(rows) == {"MEX90001", "MEX90002", "MEX90003", "MEX90004", "MEX90005",
                         "MEX90009"}
    names = {"State forces": "1", "Political militia": "3", "Civilians": "7"}
    for key, row in rows.items():
        src = given[key]
        for col in ("event_date", "year", "time_precision", "disorder_type", "event_type",
                    "sub_event_type", "actor1", "actor2", "country", "iso", "admin1",
                    "geo_precision", "source", "notes", "fatalities", "timestamp"):
            assert row[col] == src[col], (key, col, row[col], src[col])
        # Text inter codes in, numeric codes out; the interaction code from both.
        assert (row["inter1"], row["inter2"]) == (names[src["inter1"]], names[src["inter2"]])
        assert row["interaction"] == interaction(int(row["inter1"]), int(row["inter2"]))
    assert rows["MEX90003"]["interaction"] == "13"
    assert rows["MEX90002"]["civilian_targeting"] == "Civilian targeting"

    # Numeric inter codes read back as the same actors and events; nothing changes.
    second = tmp_path / "second.duckdb"
    _import(second, tmp_path / "a.csv")
    again = _export(second, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_text("utf-8") == (tmp_path / "b.csv").read_text("utf-8")
    assert len(again) == 6


def test_acled_sub_event_type_is_stored_as_acled_codes_it(tmp_path: Path) -> None:
    path = tmp_path / "new_sub.csv"
    with ACLED_FIXTURE.open(encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    # A sub-event type our ontology does not list: the event type maps it, ACLED's is kept.
    lines = [lines[0], lines[1].replace("Armed clash", "Armed clash with drones")]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    db = tmp_path / "s.duckdb"
    _import(db, path)
    with Store(db, read_only=True) as store:
        stored = store._dicts("SELECT acled_sub_event_type FROM event_reports")
    assert stored == [{"acled_sub_event_type": "Armed clash with drones"}]
    assert _export(db, tmp_path / "o.csv")[0]["sub_event_type"] == "Armed clash with drones"


def test_text_derived_events_export_with_acled_codes(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    rows = _export(db, tmp_path / "all.csv")
    ours = [r for r in rows if r["event_id_cnty"].startswith("evt-")]
    assert ours, "the demo reports make events of their own"
    for r in ours:
        assert r["event_type"] and r["disorder_type"], r
        assert r["inter1"] == "" or r["inter1"].isdigit()
        assert r["source"], r  # the documents' outlets
        assert "\n" not in r["notes"]
    # And they read back through the ACLED importer with no row refused.
    back = tmp_path / "back.duckdb"
    r = runner.invoke(app, ["import", "acled", str(tmp_path / "all.csv"), "--db", str(back),
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"problems": 0' in r.output and f'"imported": {len(rows)}' in r.output
