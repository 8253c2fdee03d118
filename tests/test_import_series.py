"""Official series (SESNSP) import: stored as a series table, not as events; bad rows named
by file and line; re-import replaces (revised values) without duplicating."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.imports import import_file
from corrobora.store import Store

from .conftest import StoreSpot

runner = CliRunner()


def test_sesnsp_series(shared: Path, new_store: StoreSpot) -> None:
    path = shared / "data/mexico/sesnsp_homicidio_doloso_by_state.csv"
    lines = len(path.read_text(encoding="utf-8").splitlines()) - 1
    with Store(new_store("s.duckdb")) as store:
        s = import_file(store, "sesnsp", path)
        assert s.series_values == lines and not s.problems
        values = store.series_values("SESNSP")
        assert len(values) == lines
        assert len({r for _, r, _ in values}) == 32
        sin = {p: v for p, r, v in values if r == "MX-SIN"}
        assert sin[date(2024, 8, 1)] == 44  # the calm month before the Sinaloa war
        assert store.stats()["events"] == 0  # a series, not events
        import_file(store, "sesnsp", path)
        assert len(store.series_values("SESNSP")) == lines
        assert store.list_series()[0]["regions"] == 32


def test_series_bad_rows_and_revision(tmp_path: Path, new_store: StoreSpot) -> None:
    path = tmp_path / "inegi.csv"
    path.write_text("date,region,count\n2020-01-01,17007,5\n2020-02-15,17007,3\n"
                    "2020-02-01,ABC,3\n2020-02-01,1007,-1\n2020-03-01,1007,4\n"
                    "2020-01-01,17007,6\n")
    with Store(new_store("s.duckdb")) as store:
        s = import_file(store, "series", path, dataset="INEGI", measure="homicidios")
        assert s.series_values == 2
        assert s.problems == [
            f"{path}:3: date 2020-02-15 is not the first of a month",
            f"{path}:4: region 'ABC' is neither ISO 3166-2 nor an INEGI code",
            f"{path}:5: count -1.0 is not a non-negative number",
            f"{path}:7: duplicate (2020-01-01, 17007), first on line 2"]
        assert sorted(store.series_values("INEGI", "homicidios")) == [
            (date(2020, 1, 1), "17007", 5.0), (date(2020, 3, 1), "01007", 4.0)]
        path.write_text("date,region,count\n2020-01-01,17007,7\n")
        import_file(store, "series", path, dataset="INEGI", measure="homicidios")
        assert (date(2020, 1, 1), "17007", 7.0) in store.series_values("INEGI")


def test_cli_series(shared: Path, tmp_path: Path) -> None:
    path = shared / "data/mexico/sesnsp_homicidio_doloso_by_state.csv"
    result = runner.invoke(app, ["import", "sesnsp", str(path), "--db",
                                 str(tmp_path / "c.duckdb")])
    assert result.exit_code == 0, result.output
    assert "series values stored" in result.output
