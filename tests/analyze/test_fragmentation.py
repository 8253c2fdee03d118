"""Fragmentation: active groups, Herfindahl concentration and new names, from the store's
events and from OCVED presence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.analyze import fragmentation as fr
from corrobora.cli import app
from corrobora.store import Store

from .store_builder import build

runner = CliRunner()


def test_hhi_and_new_groups_known_answer() -> None:
    y1, y2 = date(2020, 1, 1), date(2021, 1, 1)
    result = fr.compute([(y1, "A", "g1", 3), (y1, "A", "g2", 1), (y2, "A", "g1", 2),
                         (y2, "A", "g3", 2), (y2, "B", "g2", 5)],
                        {"g1": "One", "g2": "Two", "g3": "Three"}, "year", "test",
                        relations={"g3": ["Three splinter of One"]}, candidates={"g3"})
    cells = {(c.region, c.period): c for c in result.cells}
    first = cells[("A", y1)]
    assert first.groups == 2 and first.hhi == pytest.approx(0.75**2 + 0.25**2)
    assert first.new_groups == []  # the data begins there: nothing is new yet
    second = cells[("A", y2)]
    assert second.hhi == pytest.approx(0.5) and second.effective_groups == pytest.approx(2)
    assert second.new_groups == ["Three (candidate)"]
    assert second.relations == ["Three splinter of One"]
    assert cells[("B", y2)].hhi == 1.0 and cells[("B", y2)].new_groups == []


def test_from_store(tmp_path: Path) -> None:
    events = [(date(2023, 3, 1), 1, "CRIMINAL_CLASH", ["los-chapitos", "los-mayos"]),
              (date(2023, 5, 1), 1, "ATTACK", ["los-chapitos"]),
              (date(2024, 9, 9), 1, "CRIMINAL_CLASH", ["los-chapitos", "candidate:los-nuevos"]),
              (date(2024, 9, 10), 3, "DRUG_SEIZURE", ["cjng"])]
    path = build(tmp_path / "f.duckdb", events)
    with Store(path, read_only=True) as store:
        result = fr.from_store(store, "year")
    cells = {(c.region, c.period.year): c for c in result.cells}
    assert cells[("MX-SIN", 2023)].groups == 2
    assert cells[("MX-SIN", 2023)].hhi == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2)
    assert cells[("MX-SIN", 2024)].new_groups == ["Los Nuevos (candidate)"]
    assert cells[("MX-MIC", 2024)].groups == 1  # any event type names a group


@pytest.fixture(scope="module")
def ocved_result(shared: Path) -> fr.Fragmentation:
    return fr.from_ocved(shared / "data/mexico/ocved-2.0-silver/OCVED_2.0.xlsx", "year")


def test_ocved_presence(ocved_result: fr.Fragmentation) -> None:
    cells = {(c.region, c.period.year): c for c in ocved_result.cells}
    assert len({c.region for c in ocved_result.cells}) == 32
    # The Cártel del Noreste, a splinter of Los Zetas, first named in Tamaulipas in 2012.
    tam = cells[("MX-TAM", 2012)]
    assert "Cártel del Noreste" in tam.new_groups
    assert "Cártel del Noreste splinter of Los Zetas" in tam.relations
    mic = cells[("MX-MIC", 2013)]
    assert mic.top_group == "Los Caballeros Templarios" and 0 < mic.hhi < 1


def test_cli_plot_and_bad_input(shared: Path, tmp_path: Path) -> None:
    xlsx = shared / "data/mexico/ocved-2.0-silver/OCVED_2.0.xlsx"
    stem = tmp_path / "frag"
    result = runner.invoke(app, ["analyze", "fragmentation", "--ocved", str(xlsx), "--region",
                                 "MX-TAM", "--plot", str(stem), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert {c["region"] for c in data["cells"]} == {"MX-TAM"}
    for suffix in (".png", ".svg", ".csv", ".json"):
        assert stem.with_suffix(suffix).stat().st_size > 0
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a spreadsheet")
    result = runner.invoke(app, ["analyze", "fragmentation", "--ocved", str(bad)])
    assert result.exit_code == 2 and "not an xlsx file" in result.output
    result = runner.invoke(app, ["analyze", "fragmentation"])
    assert result.exit_code == 2
