"""Structured imports of event datasets: ACLED and UCDP GED (fixture CSVs in the published
layouts), GDELT (the shared sample), OCVED (a small xlsx written here and the shared
release): rows become event reports with provenance, fuse with what is stored, bad rows are
named by file and line, re-imports change nothing."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.imports import ImportFileError, RowProblem, import_file
from corrobora.imports.base import ImportedRow
from corrobora.imports.mapping import ActorMapper, PlaceFinder, acled_type, cameo_type
from corrobora.imports.run import read_rows
from corrobora.ingest import Ingestor
from corrobora.model import Document
from corrobora.store import EventFilter, Store

from .analyze.ocved_file import OCVED_HEADER, write_xlsx
from .conftest import StoreSpot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
ACLED = FIXTURES / "acled_mexico_sample.csv"
UCDP = FIXTURES / "ucdp_ged_mexico_sample.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def mappers() -> tuple[ActorMapper, PlaceFinder]:
    return ActorMapper(), PlaceFinder()


def _import(store: Store, kind: str, path: Path, mappers: tuple[ActorMapper, PlaceFinder],
            **kw: object):
    actors, places = mappers
    return import_file(store, kind, path, actors=actors, places=places, **kw)


def _events(store: Store) -> dict[str, dict]:
    """Each imported row's event: document id -> event row with place and actors."""
    rows = store._dicts(
        "SELECT r.document_id, e.*, p.admin1_code, p.name AS place_name, p.inegi_code "
        "FROM event_reports r JOIN events e ON e.id = r.event_id "
        "LEFT JOIN gazetteer_places p ON p.geonameid = e.geonameid")
    return {r["document_id"]: r for r in rows}


def test_ontology_mappings() -> None:
    assert acled_type("Battles", "Armed clash") == "ARMED_CLASH"
    assert acled_type("Violence against civilians", "Abduction/forced disappearance") \
        == "ABDUCT_DISSAP"
    assert acled_type("Strategic developments", "Arrests") == "ARREST"
    assert acled_type("Battles", "Something new") == "ARMED_CLASH"  # falls back on the type
    assert acled_type("Floods", None) is None
    assert cameo_type("193") == "ARMED_CLASH"  # the base type, not a refinement
    assert cameo_type("1831") == "SUIC_BOMB"
    assert cameo_type("173") == "ARREST"
    assert cameo_type("010") is None


def test_acled_rows_become_typed_placed_graded_events(new_store: StoreSpot, mappers) -> None:
    with Store(new_store("a.duckdb")) as store:
        s = _import(store, "acled", ACLED, mappers)
        assert (s.rows, s.imported, s.events_new) == (9, 6, 6)
        # Bad rows: named by file and line, the rest imported.
        assert len(s.problems) == 3
        assert f"{ACLED}:7: bad event_date '2024-13-40'" in s.problems[0]
        assert f"{ACLED}:8: fatalities 'many' is not a number" in s.problems[1]
        assert f"{ACLED}:9: unknown ACLED event_type 'Floods'" in s.problems[2]
        ev = _events(store)
        clash = ev["acled:MEX90001"]
        # Two criminal groups: the refinement the text extractor makes too.
        assert clash["type"] == "CRIMINAL_CLASH" and clash["case_label"] == "ARMED_CLASH"
        assert clash["acled_event_type"] == "Battles"
        assert (clash["place_name"], clash["admin1_code"], clash["inegi_code"]) == (
            "Culiacán", "MX-SIN", "25006")
        assert (clash["fatalities_min"], clash["fatalities_max"]) == (4, 4)
        assert (clash["reliability"], clash["credibility"]) == ("B", 3)
        assert ev["acled:MEX90003"]["type"] == "STATE_CLASH"  # ACLED inter1 = state forces
        assert ev["acled:MEX90004"]["type"] == "KIDNAPPING"
        assert ev["acled:MEX90004"]["admin1_code"] == "MX-JAL"
        assert ev["acled:MEX90005"]["time_precision"] == 2
        # Provenance: the dataset, its row id, the file and line.
        doc = store._dicts("SELECT * FROM documents WHERE id = 'acled:MEX90001'")[0]
        assert doc["source"] == "ACLED" and doc["origin"] == f"{ACLED}:2"
        assert "Rio Doce; Reforma" in doc["text"]
        actors = {a["id"]: a for a in store.list_actors()}
        assert "los-chapitos" in actors
        assert actors["candidate:cartel-de-los-cuadritos-del-norte"]["status"] == "candidate"
        assert store.import_runs()[0]["problems"] == 3


def test_reimport_is_idempotent_and_changed_rows_are_named(tmp_path: Path, mappers,
                                                            new_store: StoreSpot) -> None:
    with Store(new_store("a.duckdb")) as store:
        _import(store, "acled", ACLED, mappers)
        before = store.stats()
        again = _import(store, "acled", ACLED, mappers)
        assert (again.imported, again.already_stored, again.events_new) == (0, 6, 0)
        assert store.stats()["events"] == before["events"]
        assert store.stats()["event_reports"] == before["event_reports"]
        changed = tmp_path / "revised.csv"
        changed.write_text(ACLED.read_text().replace("4 killed.", "5 killed."))
        s = _import(store, "acled", changed, mappers)
        assert s.changed == 1 and s.imported == 0
        assert any("row acled:MEX90001 changed since it was imported" in p for p in s.problems)


def test_ucdp_rows_and_fusion_with_acled(new_store: StoreSpot, mappers) -> None:
    with Store(new_store("u.duckdb")) as store:
        s = _import(store, "ucdp", UCDP, mappers)
        assert (s.rows, s.imported) == (6, 4)
        assert [p.split(": ", 1)[0] for p in s.problems] == [f"{UCDP}:5", f"{UCDP}:6"]
        assert "type_of_violence 4" in s.problems[0] and "empty date_start" in s.problems[1]
        ev = _events(store)
        assert ev["ucdp-ged:900001"]["type"] == "CRIMINAL_CLASH"
        assert (ev["ucdp-ged:900001"]["fatalities_min"],
                ev["ucdp-ged:900001"]["fatalities_max"]) == (5, 8)
        assert ev["ucdp-ged:900002"]["type"] == "ATTACK"  # one-sided violence
        assert ev["ucdp-ged:900003"]["time_precision"] == 2  # dated within a week
        assert ev["ucdp-ged:900003"]["admin1_code"] == "MX-TAM"
        # The ACLED row of the same clash (Culiacán, 2024-09-09) joins the UCDP event:
        # two datasets, two independent sources, credibility 2.
        _import(store, "acled", ACLED, mappers)
        ev = _events(store)
        assert ev["acled:MEX90001"]["id"] == ev["ucdp-ged:900006"]["id"]
        fused = ev["acled:MEX90001"]
        assert (fused["n_reports"], fused["independent_sources"], fused["credibility"]) == (
            2, 2, 2)


def test_gdelt_sample(shared: Path, new_store: StoreSpot, mappers) -> None:
    path = shared / "data/mexico/gdelt_events_sample_reed9999/events_sample_2016-07-28.tsv"
    with Store(new_store("g.duckdb")) as store:
        s = _import(store, "gdelt", path, mappers)
        # 57- and 58-field rows both read; statements and appeals are not our events.
        assert s.rows == 710 and not s.problems
        assert s.imported == 287 and sum(s.skipped.values()) == 423
        assert s.skipped["CAMEO 01 outside the ontology"] == 114
        doc = store._dicts("SELECT * FROM documents WHERE id = 'gdelt:564137778'")[0]
        assert doc["source"] == "GDELT" and doc["url"].startswith("http")
        ev = _events(store)["gdelt:564137778"]
        assert ev["admin1_code"] == "MX-AGU" and ev["reliability"] == "D"
        again = _import(store, "gdelt", path, mappers)
        assert again.imported == 0 and again.already_stored == 287
    with Store(new_store("mx.duckdb")) as store:
        s = _import(store, "gdelt", path, mappers, country="MX")
        assert s.imported == 2 and s.skipped["country not MX"] == 285


def test_gdelt_bad_rows(tmp_path: Path, mappers, new_store: StoreSpot) -> None:
    bad = tmp_path / "bad.tsv"
    good = ["564137778", "20160728", "201607", "2016", "2016.5726"] + [""] * 20 + [
        "1", "190", "190", "19", "4", "-10", "2", "1", "2", "-3"] + [""] * 14 + [
        "4", "El Centro, Aguascalientes, Mexico", "MX", "MX01", "21.9583", "-102.467",
        "6043516", "20160728", "http://example.org/a"]
    wrong_code = list(good)
    wrong_code[0], wrong_code[26] = "1", "x9"
    bad.write_text("\t".join(good) + "\n" + "a\tb\tc\n" + "\t".join(wrong_code) + "\n")
    with Store(new_store("b.duckdb")) as store:
        s = _import(store, "gdelt", bad, mappers)
    assert s.imported == 1
    assert s.problems == [f"{bad}:2: 3 fields; GDELT event rows have 57 or 58 (1.0) or 61 (2.0)",
                          f"{bad}:3: EventCode 'x9' is not a CAMEO code"]


def test_ocved_xlsx(tmp_path: Path, mappers, new_store: StoreSpot) -> None:
    path = tmp_path / "ocved.xlsx"
    write_xlsx(path, [
        OCVED_HEADER,
        ["20100310", "", "2010", "3", "10", "25", "25006", "2", "Cartel de Sinaloa",
         "Gente Nueva", "-107.39", "24.80"],
        ["20100310", "", "2010", "3", "10", "25", "25006", "1", "Los Zetas", "Hitman",
         "107.39", "24.80"],  # swapped longitude sign: the municipality code still places it
        ["20101340", "", "2010", "13", "40", "25", "25006", "1", "Los Zetas", "Hitman",
         "-107.39", "24.80"],
        ["20100311", "", "2010", "3", "11", "16", "", "1", "Other", "Los Viagras", "", ""],
        ["20100312", "", "2010", "3", "12", "16", "16999", "1", "Other", "Los Viagras", "",
         ""],  # a code not in the catalogue: kept at state level
    ])
    with Store(new_store("o.duckdb")) as store:
        s = _import(store, "ocved", path, mappers)
        assert (s.rows, s.imported) == (5, 3)
        assert s.problems == [f"{path}:4: bad date '20101340': month must be in 1..12",
                              f"{path}:5: empty mun"]
        ev = _events(store)
        gente = ev["ocved:20100310-25006-cartel-de-sinaloa-gente-nueva"]
        assert gente["type"] == "ORG_CRIME" and gente["inegi_code"] == "25006"
        assert gente["reliability"] == "C"
        # Two groups in Culiacán the same day: one ORG_CRIME event, two reports.
        assert ev["ocved:20100310-25006-los-zetas-hitman"]["id"] == gente["id"]
        assert gente["n_reports"] == 2
        assert ev["ocved:20100312-16999-other-los-viagras"]["admin1_code"] == "MX-MIC"
        names = {a["text"]: a["actor_id"] for a in store._dicts(
            "SELECT text, actor_id FROM event_report_actors")}
        assert names["Cartel de Sinaloa"] == "sinaloa-cartel"
        assert names["Los Zetas"] == "los-zetas"


def test_ocved_release_reads(shared: Path, mappers) -> None:
    path = shared / "data/mexico/ocved-2.0-silver/OCVED_2.0.xlsx"
    rows = list(islice(read_rows("ocved", path, *mappers), 300))
    good = [r for r in rows if isinstance(r, ImportedRow)]
    assert len(good) >= 295
    first = good[0]
    assert first.report.date == "2000-01-05" and first.report.place.inegi_code == "07024"
    assert first.report.actors[0].text == "Los Campesinos"
    assert all(isinstance(r, ImportedRow | RowProblem) for r in rows)


def test_whole_file_errors(tmp_path: Path, mappers, new_store: StoreSpot) -> None:
    bad = tmp_path / "no_columns.csv"
    bad.write_text("a,b\n1,2\n")
    with Store(new_store("e.duckdb")) as store:
        with pytest.raises(ImportFileError, match=r"no_columns.csv:1: missing columns"):
            _import(store, "acled", bad, mappers)
        with pytest.raises(ImportFileError, match="no such file"):
            _import(store, "ucdp", tmp_path / "absent.csv", mappers)
        with pytest.raises(ImportFileError, match="not an xlsx file"):
            _import(store, "ocved", bad, mappers)


def test_cli_import(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    result = runner.invoke(app, ["import", "acled", str(ACLED), "--db", str(db),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["imported"] == 6 and summary["problems"] == 3
    assert "acled_mexico_sample.csv:7: bad event_date" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("x\n1\n")
    result = runner.invoke(app, ["import", "ucdp", str(bad), "--db", str(db)])
    assert result.exit_code == 2 and "missing columns" in result.output
    result = runner.invoke(app, ["import", "nope", str(bad), "--db", str(db)])
    assert result.exit_code == 2


def test_unnamed_actors_group_with_acled_rows_by_acled_name(new_store: StoreSpot, mappers) -> None:
    text = ("Gunmen killed two civilians in Culiacán, Sinaloa, on Tuesday, "
            "state prosecutors said.")
    with Store(new_store("a.duckdb")) as store:
        _import(store, "acled", ACLED, mappers)
        Ingestor(store, batch_size=8).ingest([Document(text, "news", id="culiacan-1")])
        stored = store._dicts("SELECT r.document_id, a.role, a.text, a.inter, a.acled_name "
                              "FROM event_report_actors a JOIN event_reports r "
                              "ON r.id = a.event_report_id")
        by_doc = {(a["document_id"], a["acled_name"]): a["inter"] for a in stored}
        # ACLED's own names and inter codes (spelled out in this export) are kept...
        assert by_doc[("acled:MEX90002", "Civilians (Mexico)")] == 7
        assert by_doc[("acled:MEX90001", "Los Chapitos")] == 3
        # ...and extraction gives the unnamed actors of a text the same names.
        assert by_doc[("culiacan-1", "Unidentified Armed Group (Mexico)")] == 3
        assert by_doc[("culiacan-1", "Civilians (Mexico)")] == 7
        found = store.list_events(EventFilter(actor="civilians (mexico)", limit=None))
        docs = {r["document_id"] for e in found
                for r in store.get_event(e["id"])["reports"]}
        assert {"acled:MEX90002", "culiacan-1"} <= docs


def test_dataset_rows_are_no_documents_in_a_language(tmp_path: Path, mappers) -> None:
    db = tmp_path / "rows.duckdb"
    with Store(db) as store:
        _import(store, "acled", ACLED, mappers)
        assert store.stats()["by_language"] == []
        assert store.stats()["dataset_rows"] == [("ACLED", 6)]
        # A store imported before rows lost their language: still not English documents.
        store.con.execute("UPDATE documents SET lang = 'en'")
        assert store.stats()["by_language"] == []
        assert store.events_page(EventFilter(), language="en") == []
        assert store.events_page(EventFilter()) != []
        assert store.event_facets()["languages"] == []
        assert store.documents_page(lang="en") == []
    result = runner.invoke(app, ["stats", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "documents 0 (0 copies) · by language: none" in result.stdout
    assert "dataset rows 6 (imported, in no language): 6 from ACLED" in result.stdout
