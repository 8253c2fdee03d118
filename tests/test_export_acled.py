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


HEADER = ",".join(COLUMNS)


def _acled_file(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def test_acled_export_keeps_region_scale_and_associated_actors_of_each_side(
        tmp_path: Path) -> None:
    src = _acled_file(tmp_path / "world.csv", [
        # A Mexican clash with an associated actor on each side, reported by a national
        # outlet and a wire.
        "MEX91001,2024-09-09,2024,1,Political violence,Battles,Armed clash,Los Chapitos,"
        "Sinaloa Cartel,3,Los Mayos,Unidentified Gang (Mexico),3,33,,484,North America,"
        "Mexico,Sinaloa,Culiacan,,Culiacan,24.8049,-107.3940,1,Reforma; Reuters,"
        "National-International,Gunmen clashed in Culiacan.,4,,1727000000",
        # Outside the Americas: ACLED's regions of Nigeria and Ukraine.
        "NIG91002,2024-09-10,2024,1,Political violence,Violence against civilians,Attack,"
        "Unidentified Armed Group (Nigeria),,3,Civilians (Nigeria),,7,37,Civilian targeting,"
        "566,Western Africa,Nigeria,Lagos,Ikeja,,Ikeja,6.6018,3.3515,1,Reuters,"
        "International,Gunmen shot two men in Ikeja.,2,,1727000000",
        "UKR91003,2024-09-11,2024,1,Political violence,Battles,Armed clash,"
        "Military Forces of Ukraine (2019-),,1,Military Forces of Russia (2000-),,8,18,,804,"
        "Europe,Ukraine,Kharkivska,Kharkivskyi,,Kharkiv,49.9935,36.2304,1,Reuters,"
        "International,Clashes near Kharkiv.,0,,1727000000",
    ])
    first = tmp_path / "first.duckdb"
    _import(first, src)
    rows = {r["event_id_cnty"]: r for r in _export(first, tmp_path / "a.csv")}
    mex = rows["MEX91001"]
    assert (mex["assoc_actor_1"], mex["assoc_actor_2"]) == (
        "Sinaloa Cartel", "Unidentified Gang (Mexico)")
    assert mex["source_scale"] == "National-International"
    assert mex["region"] == "North America"  # ACLED's region of Mexico
    assert rows["NIG91002"]["region"] == "Western Africa"
    assert rows["UKR91003"]["region"] == "Europe"
    assert rows["NIG91002"]["source_scale"] == "International"

    # out -> in -> out gives the same file.
    second = tmp_path / "second.duckdb"
    _import(second, tmp_path / "a.csv")
    _export(second, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_text("utf-8") == (tmp_path / "b.csv").read_text("utf-8")


def test_acled_region_is_known_for_every_country() -> None:
    import pycountry

    from corrobora.export.acled import codebook

    regions = codebook()["region_by_country"]
    acled_regions = {"Western Africa", "Middle Africa", "Eastern Africa", "Southern Africa",
                     "Northern Africa", "South Asia", "Southeast Asia", "East Asia",
                     "Middle East", "Europe", "Caucasus and Central Asia", "Central America",
                     "South America", "Caribbean", "North America", "Oceania", "Antarctica"}
    assert {c.alpha_2 for c in pycountry.countries} <= set(regions)
    assert set(regions.values()) == acled_regions
    # As ACLED's own country list places them (data/acled_regions.tsv names it).
    assert {c: regions[c] for c in ("MX", "GT", "SD", "TR", "KZ", "AF", "ZW", "ZM", "GL")} == {
        "MX": "North America", "GT": "Central America", "SD": "Northern Africa",
        "TR": "Middle East", "KZ": "Caucasus and Central Asia",
        "AF": "Caucasus and Central Asia", "ZW": "Southern Africa", "ZM": "Southern Africa",
        "GL": "Europe"}


def test_acled_source_scale_of_text_derived_events_comes_from_their_outlets(
        tmp_path: Path) -> None:
    from corrobora.export.acled import source_scale

    assert source_scale(["Ríodoce", "Reforma"], "MX") == "Subnational-National"
    # A national outlet of another country reports internationally; unknown outlets add
    # nothing.
    assert source_scale(["The New York Times", "Unknown Gazette"], "MX") == "International"
    assert source_scale(["Blitz"], "BD") == "New media"
    assert source_scale([], "MX") == ""
    db = export_store(tmp_path)
    ours = [r for r in _export(db, tmp_path / "all.csv")
            if r["event_id_cnty"].startswith("evt-")]
    assert any(r["source_scale"] for r in ours)
    for r in ours:
        assert all(s in {"Subnational", "National", "International", "New media", "Other"}
                   for s in r["source_scale"].split("-") if s), r["source_scale"]


def test_acled_admin3_is_empty_and_the_release_codebook_says_why(tmp_path: Path) -> None:
    from corrobora.export.release import codebook_markdown

    rows = _export(export_store(tmp_path), tmp_path / "all.csv")
    assert rows and all(r["admin3"] == "" for r in rows)
    assert any(r["admin2"] for r in rows)  # the second level is known
    book = codebook_markdown("1")
    assert "`admin3` is always empty" in book and "no ADM3" in book
