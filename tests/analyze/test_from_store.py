"""`--db`: monthly series of violent events from a real store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.analyze.events import violent_event_panel, violent_types
from corrobora.cli import app
from corrobora.store import Store
from corrobora.store.duckdb_store import Batch

from .conftest import months

runner = CliRunner()
PLACES = [  # geonameid, name, admin1, INEGI
    (1, "Culiacán", "MX-SIN", "25006"),
    (2, "Mazatlán", "MX-SIN", "25012"),
    (3, "Hermosillo", "MX-SON", "26030"),
    (4, "Durango", "MX-DUR", "10005"),
    (5, "Chihuahua", "MX-CHH", "08019"),
]


def _event(i: int, day: date, place: int, type_: str, acled: str | None) -> dict:
    return {"id": f"evt-{i}", "type": type_, "case_label": type_, "acled_event_type": acled,
            "date": day, "geonameid": place, "n_reports": 1, "independent_sources": 1,
            "reliability": "C", "credibility": 3, "hedged": False}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of events: Culiacán 4 clashes a month, 12 after 2021-01; other places 3-5
    a month throughout; plus non-violent events that must not count."""
    path = tmp_path_factory.mktemp("store") / "events.duckdb"
    events, i = [], 0
    for k, month in enumerate(months(date(2020, 1, 1), 24)):
        plan = {1: 12 if month > date(2021, 1, 1) else 4, 2: 2, 3: 3 + k % 2, 4: 5, 5: 4}
        for place, n in plan.items():
            for j in range(n):
                i += 1
                kind = ("CRIMINAL_CLASH", "Battles") if j % 2 else ("KIDNAPPING", None)
                events.append(_event(i, month.replace(day=1 + j), place, *kind))
        i += 1  # a seizure: not violence
        events.append(_event(i, month.replace(day=20), 1, "DRUG_SEIZURE", "Strategic developments"))
    i += 1
    events.append(_event(i, date(2021, 3, 3), None, "ARMED_CLASH", "Battles"))  # no place
    places = [{"geonameid": g, "name": n, "lat": 0.0, "lon": 0.0, "country_code": "MX",
               "admin1_code": a, "inegi_code": c} for g, n, a, c in PLACES]
    with Store(path) as store:
        store.write_batch(Batch(places=places, new_events=events))
    return path


def test_violent_types_follow_the_ontology() -> None:
    types = violent_types()
    assert {"LEADER_KILLED", "CRIMINAL_CLASH", "KIDNAPPING", "ARMED_CLASH"} <= set(types)
    assert "DRUG_SEIZURE" not in types and "ARREST" not in types


def test_store_counts_violent_events_by_state_and_municipality(store_path: Path) -> None:
    with Store(store_path, read_only=True) as store:
        states = violent_event_panel(store, "admin1")
        towns = violent_event_panel(store, "municipality")
    assert states.regions == ["MX-CHH", "MX-DUR", "MX-SIN", "MX-SON"]
    sin = states.row("MX-SIN")
    assert sin[0] == 6 and sin[-1] == 14  # Culiacán + Mazatlán; seizures not counted
    assert towns.row("25006")[0] == 4 and towns.row("25006")[-1] == 12


def test_cli_db_path_gives_the_contract_object(store_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "removal", "--db", str(store_path), "--region",
                                 "25006", "--date", "2021-01-10", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["before_mean"] == 4 and out["after_mean"] == 12 and out["ratio"] == 3
    assert out["ci_low"] < 3 < out["ci_high"]
    assert out["controls"]["controls"] == ["08019", "10005", "25012", "26030"]
    assert "violent events" in out["source"]


def test_cli_db_needs_a_known_level_and_a_store(store_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "removal", "--db", str(store_path), "--region",
                                 "Atlantis", "--date", "2021-01-10"])
    assert result.exit_code == 2 and "no region matches 'Atlantis'" in result.output
    # A state's name is its code, as in every filter.
    by_name = runner.invoke(app, ["analyze", "removal", "--db", str(store_path), "--region",
                                  "Sinaloa", "--date", "2021-01-10", "--format", "json"])
    assert by_name.exit_code == 0 and json.loads(by_name.stdout)["region"] == "MX-SIN"
    result = runner.invoke(app, ["analyze", "removal", "--db", str(tmp_path / "none.duckdb"),
                                 "--region", "MX-SIN", "--date", "2021-01-10"])
    assert result.exit_code == 2 and "no such store" in " ".join(result.output.split())
    result = runner.invoke(app, ["analyze", "removal", "--region", "MX-SIN", "--date",
                                 "2021-01-10"])
    assert result.exit_code == 2


def test_the_api_study_lists_its_warnings(store_path: Path) -> None:
    from fastapi.testclient import TestClient

    from corrobora.web import create_app

    with TestClient(create_app(store_path), base_url="http://127.0.0.1") as client:
        thin = client.get("/api/analyses/removal",
                          params={"region": "MX-SIN", "date": "2021-01-10", "window_months": 1})
        assert thin.status_code == 200, thin.text
        assert any("rests on" in w and "at least 10 in each window" in w
                   for w in thin.json()["warnings"])
        full = client.get("/api/analyses/removal",
                          params={"region": "MX-SIN", "date": "2021-01-10", "window_months": 6})
        assert full.json()["warnings"] == []
