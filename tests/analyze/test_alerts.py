"""Escalation alerts: change points and spikes, by region and by actor, with the events
behind each alert; on a constructed store with a known answer and on the SESNSP series."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corrobora.analyze import alerts
from corrobora.analyze.series import read_series
from corrobora.cli import app
from corrobora.store import Store

from .store_builder import build

runner = CliRunner()
START = date(2024, 1, 1)  # a Monday: ISO weeks start on it
CHANGE = START + timedelta(weeks=30)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Culiacán: 2 clashes a week for 30 weeks, then 10 a week for 10 weeks (Chapitos vs
    Mayos); Hermosillo: 3 a week throughout; one week with a burst of 12 in Hermosillo."""
    events = []
    for w in range(40):
        monday = START + timedelta(weeks=w)
        for j in range(2 if monday < CHANGE else 10):
            events.append((monday + timedelta(days=j % 7), 1, "CRIMINAL_CLASH",
                           ["los-chapitos", "los-mayos"]))
        for j in range(12 if w == 20 else 3):
            events.append((monday + timedelta(days=j % 7), 2, "ATTACK", []))
        events.append((monday, 1, "DRUG_SEIZURE", ["cjng"]))  # not violence
    return build(tmp_path_factory.mktemp("alerts") / "a.duckdb", events)


def test_shift_and_spike_by_region(store_path: Path) -> None:
    with Store(store_path, read_only=True) as store:
        run = alerts.from_store(store, freq="week")
    sin = [a for a in run.alerts if a.key == "MX-SIN" and a.kind == "shift"]
    assert len(sin) == 1
    a = sin[0]
    assert a.start == CHANGE and a.level_before == pytest.approx(2.0)
    assert a.level_after == pytest.approx(10.0) and a.ci_low > 3
    # The events behind it: the 100 Culiacán clashes after the change, nothing else.
    assert len(a.event_ids) == 100
    son = [a for a in run.alerts if a.key == "MX-SON"]
    assert [(x.kind, x.start) for x in son] == [("spike", START + timedelta(weeks=20))]
    assert len(son[0].event_ids) == 12


def test_by_actor_and_filters(store_path: Path) -> None:
    with Store(store_path, read_only=True) as store:
        run = alerts.from_store(store, freq="week", by="actor")
        assert {a.key for a in run.alerts if a.kind == "shift"} == {"los-chapitos",
                                                                     "los-mayos"}
        assert "cjng" not in run.series  # its events are seizures, not violence
        only = alerts.from_store(store, freq="day", region="MX-SON")
        assert set(only.series) == {"MX-SON"}
        actor = alerts.from_store(store, freq="week", by="actor", actor="los-mayos")
        assert set(actor.series) == {"los-mayos"}


def test_no_alert_on_a_flat_poisson_series() -> None:
    rng = np.random.default_rng(7)
    counts = rng.poisson(5.0, 200).astype(float)
    starts = alerts.periods(date(2020, 1, 6), date(2020, 1, 6) + timedelta(weeks=199), "week")
    found = alerts.detect({"X": counts}, starts, "week", "region", baseline=8, alpha=0.001,
                          min_count=3)
    assert not [a for a in found if a.kind == "shift"]
    assert len(found) <= 1


def test_sesnsp_sinaloa_war(shared: Path) -> None:
    panel = read_series(shared / "data/mexico/sesnsp_homicidio_doloso_by_state.csv")
    run = alerts.from_panel(panel, region="MX-SIN")
    war = [a for a in run.alerts if a.kind == "shift" and a.start == date(2024, 9, 1)]
    assert war and war[0].ratio > 3 and war[0].ci_low > 2.5
    assert any(a.kind == "spike" and a.start == date(2024, 9, 1) for a in run.alerts)


def test_cli_outputs_and_bad_input(store_path: Path, tmp_path: Path) -> None:
    stem = tmp_path / "figs" / "alerts"
    result = runner.invoke(app, ["analyze", "alerts", "--db", str(store_path), "--plot",
                                 str(stem), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["alerts"] and data["freq"] == "week"
    for suffix in (".png", ".svg", ".csv", ".json"):
        assert stem.with_suffix(suffix).stat().st_size > 0
    assert stem.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert "evt-" in stem.with_suffix(".csv").read_text()
    result = runner.invoke(app, ["analyze", "alerts", "--db", str(store_path), "--series",
                                 str(stem.with_suffix(".csv"))])
    assert result.exit_code == 2
    result = runner.invoke(app, ["analyze", "alerts", "--db", str(store_path), "--freq",
                                 "hour"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["analyze", "alerts", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2


def test_alerts_on_a_store_without_violent_events_say_what_it_holds(tmp_path: Path) -> None:
    from corrobora.imports import import_file

    from .ocved_file import write_ocved

    db = tmp_path / "ocved.duckdb"
    with Store(db) as store:
        import_file(store, "ocved", write_ocved(tmp_path / "o.xlsx"))
    result = runner.invoke(app, ["analyze", "alerts", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "no violent events with a date and a place (looked for ACLED types Battles" in warning
    assert "the store holds ORG_CRIME 2 (from OCVED)" in warning
    assert "OCVED rows record a group's violent presence" in warning
    removal = runner.invoke(app, ["analyze", "removal", "--db", str(db), "--region",
                                  "Sinaloa", "--date", "2010-03-10"])
    assert removal.exit_code == 2
    assert "the store holds ORG_CRIME 2 (from OCVED)" in removal.stderr


def test_alert_filters_take_names_as_typed(store_path: Path) -> None:
    base = ["analyze", "alerts", "--db", str(store_path), "--format", "json"]
    by_name = json.loads(runner.invoke(app, [*base, "--region", "sinaloa", "--actor",
                                             "Chapitos"]).stdout)
    by_id = json.loads(runner.invoke(app, [*base, "--region", "MX-SIN", "--actor",
                                           "los-chapitos"]).stdout)
    assert by_name["alerts"] == by_id["alerts"] and by_id["alerts"]
    wrong = runner.invoke(app, [*base, "--actor", "Chapitoz"])
    assert wrong.exit_code == 2 and "no actor matches 'Chapitoz'; did you mean" in wrong.stderr
