"""The command line, as a user runs it: exit codes, contract formats, exploration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    result = runner.invoke(app, ["ingest", str(corpus_path()), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return db


def test_extract_writes_one_contract_line_per_input_line_in_order(tmp_path: Path) -> None:
    docs = [
        {"id": "b", "text": "Gunmen killed three police officers in Celaya, Guanajuato, on "
                            "Monday, officials said.", "published_at": "2024-07-16T10:00:00Z"},
        {"id": "a", "text": "Elementos del Ejército detuvieron a dos personas en Culiacán, "
                            "Sinaloa.", "lang": "es"},
    ]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    result = runner.invoke(app, ["extract", str(src), "-o", str(dst)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [o["id"] for o in out] == ["b", "a"]
    assert {"id", "lang", "entities", "places", "event_type", "events"} <= out[0].keys()
    celaya = [p for p in out[0]["places"] if p["text"] == "Celaya"]
    assert celaya and celaya[0]["admin1_code"] == "MX-GUA" and celaya[0]["lat"] is not None
    (attack,) = [e for e in out[0]["events"] if e["place"] and e["place"]["name"] == "Celaya"]
    assert attack["fatalities"] == {"min": 3, "max": 3}
    assert attack["date"] == "2024-07-15"
    assert out[1]["lang"] == "es"


def test_extract_resolves_exactly_the_gold_toponym_spans(tmp_path: Path) -> None:
    text = "Violence in Tapalpa and in Guadalajara worried Jalisco."
    spans = [{"start": text.index("Tapalpa"), "end": text.index("Tapalpa") + 7},
             {"start": text.index("Jalisco"), "end": text.index("Jalisco") + 7}]
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "g", "text": text, "toponyms": spans}) + "\n")
    result = runner.invoke(app, ["extract", str(src)])
    (line,) = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert [(p["start"], p["end"]) for p in line["places"]] == [
        (s["start"], s["end"]) for s in spans]
    assert line["places"][0]["inegi_code"] == "14086"


def test_extract_reports_a_broken_line_and_exits_non_zero(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "ok", "text": "Balacera en Culiacán."}\n{"id": "bad", "te\n')
    result = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1
    (error,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert (error["input"], error["line"]) == (str(src), 2)
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 1


def test_ingest_of_nothing_readable_exits_non_zero(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(tmp_path / "empty.txt"),
                                 "--db", str(tmp_path / "c.duckdb"), "-q"])
    assert result.exit_code == 1
    assert "empty.txt" in result.output


def test_export_documents_follows_the_contract(demo_db: Path, tmp_path: Path) -> None:
    dst = tmp_path / "docs.jsonl"
    result = runner.invoke(app, ["export", "documents", "--db", str(demo_db), "-o", str(dst)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in dst.read_text().splitlines()]
    assert len(rows) == 14
    for row in rows:
        assert {"id", "story_id", "duplicate_of", "cites", "lang", "source",
                "published_at"} <= row.keys()
    ids = {r["id"] for r in rows}
    assert "demo-dnw-2024-07-26" in ids  # input ids are kept
    assert all(r["duplicate_of"] in ids for r in rows if r["duplicate_of"])


def test_export_events_follows_the_contract(demo_db: Path) -> None:
    result = runner.invoke(app, ["export", "events", "--db", str(demo_db)])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    for row in rows:
        assert {"event_id", "type", "acled_event_type", "date", "time_precision", "place",
                "actors", "fatalities", "reports", "independent_sources", "reliability",
                "credibility"} <= row.keys()
        assert row["reports"] and row["reliability"] in "ABCDEF" and 1 <= row["credibility"] <= 6


def test_events_lists_and_show_traces_to_sentences(demo_db: Path) -> None:
    listed = runner.invoke(app, ["events", "--db", str(demo_db), "--place", "MX-SIN",
                                 "--format", "jsonl"])
    assert listed.exit_code == 0
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows and all(r["admin1_code"] == "MX-SIN" for r in rows)
    shown = runner.invoke(app, ["show", rows[0]["id"], "--db", str(demo_db)])
    assert shown.exit_code == 0
    assert "Culiac" in shown.stdout and "chars" in shown.stdout


def test_events_rejects_a_malformed_date(demo_db: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(demo_db), "--since", "last week"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_show_unknown_event_fails_clearly(demo_db: Path) -> None:
    result = runner.invoke(app, ["show", "evt-nope", "--db", str(demo_db)])
    assert result.exit_code == 1 and "evt-nope" in result.output


def test_stats_on_a_missing_store_names_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "none.duckdb" in result.output


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_command_runs_one_openmp_thread_unless_told(given: str | None, expected: str) -> None:
    # With PyTorch installed, its OpenMP runtime would run the E5 engine on one thread per
    # core (1.7 s calls on a busy machine); a user's own setting wins.
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if given:
        env["OMP_NUM_THREADS"] = given
    code = "import os, corrobora.cli; print(os.environ['OMP_NUM_THREADS'])"
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert res.stdout.strip() == expected


def test_show_names_registry_ids_and_acled_names_of_actors(demo_db: Path) -> None:
    listed = runner.invoke(app, ["events", "--db", str(demo_db), "--actor",
                                 "Unidentified Armed Group (Mexico)", "--format", "jsonl"])
    assert listed.exit_code == 0
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows
    shown = "\n".join(runner.invoke(app, ["show", r["id"], "--db", str(demo_db)]).stdout
                      for r in rows)
    assert 'ACLED "Unidentified Armed Group (Mexico)", inter 3' in shown
    assert "[sinaloa-cartel]" in shown  # a registry id in brackets is not eaten as markup


# -- filters a newcomer types (issue 18) ------------------------------------------------------

FILTER_PLACES = [  # geonameid, name, admin1, INEGI, municipality, feature code
    (1, "Culiacán", "MX-SIN", "25006", "Culiacán"),
    (2, "Ciudad Juárez", "MX-CHH", "08037", "Juárez"),
    (3, "Juárez", "MX-NLE", "19031", "Juárez"),
    (4, "Sinaloa", "MX-SIN", None, None, "ADM1"),
]
FILTER_ACTORS = [("sinaloa-cartel", "Cártel de Sinaloa", "confirmed"),
                 ("los-zetas", "Los Zetas", "confirmed")]
FILTER_EVENTS = [  # day, place (FILTER_PLACES), type, actors (id, text as reported)
    (date(2024, 1, 1), 1, "ATTACK", [("sinaloa-cartel", "Cártel de Sinaloa")]),
    (date(2024, 1, 2), 1, "CRIMINAL_CLASH", [("sinaloa-cartel", "CDS")]),
    (date(2024, 1, 3), 2, "ATTACK", [("los-zetas", "Zetas")]),
    (date(2024, 1, 4), 3, "ATTACK", [("los-zetas", "Los Zetas")]),
    (date(2024, 1, 5), 4, "CRIMINAL_CLASH", [(None, "Unidentified Armed Group (Mexico)")]),
]


@pytest.fixture(scope="module")
def filter_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .analyze.store_builder import build

    return build(tmp_path_factory.mktemp("filters") / "f.duckdb", FILTER_EVENTS,
                 places=FILTER_PLACES, actors=FILTER_ACTORS)


def _event_ids(db: Path, *args: str) -> list[str]:
    result = runner.invoke(app, ["events", "--db", str(db), "--format", "jsonl", *args])
    assert result.exit_code == 0, result.output
    return sorted(json.loads(line)["id"] for line in result.stdout.splitlines())


@pytest.mark.parametrize("value", ["culiacan", "Culiacán", "CULIACÁN", "Culiacan, Sinaloa",
                                   "culiacán, mx-sin", "25006"])
def test_place_filter_ignores_case_and_accents(filter_db: Path, value: str) -> None:
    assert _event_ids(filter_db, "--place", value) == ["evt-0", "evt-1"]


def test_place_filter_by_state_name_takes_the_whole_state(filter_db: Path) -> None:
    assert _event_ids(filter_db, "--place", "sinaloa") == ["evt-0", "evt-1", "evt-4"]
    assert _event_ids(filter_db, "--place", "MX-SIN") == ["evt-0", "evt-1", "evt-4"]


def test_ambiguous_place_lists_the_candidates_and_asks_for_one(filter_db: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(filter_db), "--place", "Juárez"])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "ambiguous" in line and '"Juárez, MX-CHH"' in line and '"Juárez, MX-NLE"' in line
    assert _event_ids(filter_db, "--place", "Juárez, MX-NLE") == ["evt-3"]
    assert _event_ids(filter_db, "--place", "juarez, chihuahua") == ["evt-2"]


def test_place_that_matches_nothing_says_so_and_suggests(filter_db: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(filter_db), "--place", "Culicán"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "no place matches 'Culicán'; did you mean 'Culiacán, MX-SIN'" in line


@pytest.mark.parametrize(("value", "expected"), [
    ("zetas", ["evt-2", "evt-3"]), ("Los Zetas", ["evt-2", "evt-3"]),
    ("los-zetas", ["evt-2", "evt-3"]), ("Cártel de Sinaloa", ["evt-0", "evt-1"]),
    ("cartel de sinaloa", ["evt-0", "evt-1"]), ("sinaloa-cartel", ["evt-0", "evt-1"]),
    ("unidentified armed group (mexico)", ["evt-4"])])
def test_actor_filter_matches_registry_name_alias_or_id(filter_db: Path, value: str,
                                                        expected: list[str]) -> None:
    assert _event_ids(filter_db, "--actor", value) == expected


def test_actor_that_matches_nothing_says_so_and_suggests(filter_db: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(filter_db), "--actor", "Zetaz"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "no actor matches 'Zetaz'; did you mean 'Los Zetas [los-zetas]'" in line


def test_unknown_event_type_says_so_and_suggests(filter_db: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(filter_db), "--type", "clash"])
    assert result.exit_code == 2 and "no event type 'clash'; did you mean" in result.stderr
    assert _event_ids(filter_db, "--type", "criminal-clash") == ["evt-1", "evt-4"]


def test_filters_that_match_no_event_say_so(filter_db: Path) -> None:
    result = runner.invoke(app, ["events", "--db", str(filter_db), "--place", "Culiacán",
                                 "--type", "KIDNAPPING", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == []
    assert "no events match type KIDNAPPING, place Culiacán" in result.stderr


def test_machine_formats_are_complete_and_the_table_says_what_it_shows(
        tmp_path: Path) -> None:
    from datetime import date, timedelta

    from .analyze.store_builder import build

    db = build(tmp_path / "many.duckdb", [
        (date(2024, 1, 1) + timedelta(days=k), 1, "ATTACK", []) for k in range(60)])
    csv_out = runner.invoke(app, ["events", "--db", str(db), "--format", "csv"])
    assert len(csv_out.stdout.splitlines()) == 61  # header and every event
    assert len(_event_ids(db)) == 60
    assert len(_event_ids(db, "--limit", "7")) == 7
    table = runner.invoke(app, ["events", "--db", str(db)])
    assert "showing 50 of 60 events" in table.stderr
    assert "showing" not in runner.invoke(app, ["events", "--db", str(db), "--limit",
                                                "60"]).stderr


def test_stats_shows_dataset_rows_apart_from_documents(demo_db: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "mixed.duckdb"
    shutil.copy(demo_db, db)
    acled = Path(__file__).parent / "fixtures" / "imports" / "acled_mexico_sample.csv"
    assert runner.invoke(app, ["import", "acled", str(acled), "--db", str(db), "-q"]
                         ).exit_code == 0
    shown = runner.invoke(app, ["stats", "--db", str(db)]).stdout
    assert "documents 14 (" in shown and "by language: en 8, es 6" in shown
    assert "dataset rows 6 (imported, in no language): 6 from ACLED" in shown


def test_export_events_takes_the_same_filters_and_is_complete_without(filter_db: Path) -> None:
    def exported(*args: str) -> list[str]:
        result = runner.invoke(app, ["export", "events", "--db", str(filter_db), *args])
        assert result.exit_code == 0, result.output
        return sorted(json.loads(line)["event_id"] for line in result.stdout.splitlines())

    assert len(exported()) == 5
    assert exported("--place", "juarez, nuevo leon") == ["evt-3"]
    assert exported("--actor", "zetas", "--limit", "1") == ["evt-2"]
    ambiguous = runner.invoke(app, ["export", "events", "--db", str(filter_db), "--place",
                                    "Juárez"])
    assert ambiguous.exit_code == 2 and "ambiguous" in ambiguous.stderr


@pytest.mark.parametrize("value", ["cdmx", "Guatemala", "MX-ROO"])
def test_a_real_place_without_events_says_no_events_not_no_match(filter_db: Path,
                                                                value: str) -> None:
    result = runner.invoke(app, ["events", "--db", str(filter_db), "--place", value])
    assert result.exit_code == 0
    assert result.stderr.strip() == f"no events match place {value}"


def test_a_state_name_of_two_countries_lists_both_codes(tmp_path: Path) -> None:
    from datetime import date

    from .analyze.store_builder import build

    db = build(tmp_path / "cordoba.duckdb", [
        (date(2024, 1, 1), 1, "ATTACK", []), (date(2024, 1, 2), 2, "ATTACK", [])],
        places=[(1, "Córdoba", "AR-X", None, None, "ADM1"),
                (2, "Montería", "CO-COR", None, "Montería")])
    result = runner.invoke(app, ["events", "--db", str(db), "--place", "cordoba"])
    assert result.exit_code == 2
    assert '"AR-X" (Córdoba, 1 event); "CO-COR" (Córdoba, 1 event)' in result.stderr
    assert _event_ids(db, "--place", "CO-COR") == ["evt-1"]


@pytest.mark.parametrize("command", [["show", "[/x] evt"], ["review", "confirm", "[/x] rep"]])
def test_an_id_with_rich_markup_is_named_as_given_not_a_traceback(filter_db: Path,
                                                                   command: list[str]) -> None:
    # Rich read "[/x]" as a closing tag: MarkupError and a traceback instead of the message.
    result = runner.invoke(app, [*command, "--db", str(filter_db)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "[/x] " in line, line


def test_a_series_file_name_with_rich_markup_is_named_as_given(tmp_path: Path) -> None:
    series = tmp_path / "a [" / "x] [bold]b.csv"  # folders "a [", then "x] [bold]b.csv"
    series.parent.mkdir()
    series.write_text("date,region,count\n" + "".join(
        f"2024-{m:02d}-01,MX-SIN,{10 + m % 3}\n" for m in range(1, 13)), "utf-8")
    result = runner.invoke(app, ["analyze", "removal", "--series", str(series), "--region",
                                 "MX-SIN", "--date", "2024-07-01"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert str(series) in result.stdout.replace("\n", ""), result.stdout
