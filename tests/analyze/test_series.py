"""Series files in: what is accepted, and bad input named by file, line and problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corrobora.analyze.series import SeriesError, read_series, region_level
from corrobora.cli import app

runner = CliRunner()


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_series_is_read_into_a_panel_with_gaps_as_missing(tmp_path: Path) -> None:
    path = _file(tmp_path, "region,date,count,note\nMX-SIN,2024-01-01,40,x\n"
                           "mx-sin,2024-03-01,42,\nMX-SON,2024-02-01,0,\n")
    panel = read_series(path)
    assert panel.regions == ["MX-SIN", "MX-SON"]
    assert [m.isoformat() for m in panel.months] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    sin = panel.row("MX-SIN")
    assert sin[0] == 40 and np.isnan(sin[1]) and sin[2] == 42


def test_region_levels_and_a_spreadsheet_dropped_leading_zero(tmp_path: Path) -> None:
    panel = read_series(_file(tmp_path, "date,region,count\n2024-01-01,1001,3\n"))
    assert panel.regions == ["01001"]
    assert region_level("MX-SIN") == "admin1"
    assert region_level("17007") == "municipality"
    assert region_level("Sinaloa") == "other"


@pytest.mark.parametrize(("text", "problem"), [
    ("date,region\n2024-01-01,MX-SIN\n", r"bad\.csv:1: missing column count"),
    ("date,region,count\n2024-01-01,MX-SIN,4\n2024-13-01,MX-SIN,4\n",
     r"bad\.csv:3: bad date '2024-13-01'"),
    ("date,region,count\n2024-01-15,MX-SIN,4\n", r"bad\.csv:2: date 2024-01-15 is not the "
                                                 "first of a month"),
    ("date,region,count\n2024-01-01,MX-SIN,-4\n", r"bad\.csv:2: negative count -4"),
    ("date,region,count\n2024-01-01,MX-SIN,many\n", r"bad\.csv:2: count 'many' is not a num"),
    ("date,region,count\n2024-01-01,MX-SIN,4\n2024-02-01,MX-SIN,5\n2024-01-01,MX-SIN,6\n",
     r"bad\.csv:4: duplicate \(2024-01-01, MX-SIN\), first on line 2"),
    ("date,region,count\n", r"bad\.csv: no data rows"),
    ("", r"bad\.csv: empty file"),
])
def test_bad_input_names_file_line_and_problem(tmp_path: Path, text: str, problem: str,
                                               ) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(SeriesError, match=problem):
        read_series(path)
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path), "--region",
                                 "MX-SIN", "--date", "2024-07-25", "--format", "json"])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and result.stdout == ""


def test_a_missing_file_and_unknown_region_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "removal", "--series", str(tmp_path / "no.csv"),
                                 "--region", "MX-SIN", "--date", "2024-07-25"])
    assert result.exit_code == 2 and "cannot read" in result.output
    path = _file(tmp_path, "date,region,count\n2024-01-01,MX-SON,4\n")
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path),
                                 "--region", "MX-SIN", "--date", "2024-07-25"])
    assert result.exit_code == 2 and "no region 'MX-SIN'" in result.output


def test_a_window_outside_the_series_is_an_error_naming_its_span(tmp_path: Path) -> None:
    path = _file(tmp_path, "date,region,count\n2024-01-01,MX-SIN,4\n2024-02-01,MX-SIN,5\n")
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path),
                                 "--region", "MX-SIN", "--date", "2024-07-25"])
    assert result.exit_code == 2
    assert "no data in the after window 2024-09..2025-08" in result.output
    assert "2024-01..2024-02" in result.output
