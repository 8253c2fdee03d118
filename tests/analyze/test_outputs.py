"""Pictures and tables: PNG and SVG written, with the CSV and JSON of the numbers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from corrobora.cli import app

from .conftest import SeriesWriter
from .test_removal import _panel_with_effect

runner = CliRunner()


def test_plot_writes_png_svg_csv_and_json(write_series: SeriesWriter, tmp_path: Path) -> None:
    path = _panel_with_effect(write_series, 2.0)
    stem = tmp_path / "figs" / "case.png"
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path), "--region",
                                 "MX-AA", "--date", "2021-01-10", "--window-months", "6",
                                 "--lag-months", "0", "--plot", str(stem),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    png, svg = tmp_path / "figs" / "case.png", tmp_path / "figs" / "case.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "<svg" in svg.read_text(encoding="utf-8")[:2000]
    rows = list(csv.DictReader((tmp_path / "figs" / "case.csv").open(encoding="utf-8")))
    assert {r["window"] for r in rows} == {"", "before", "removal", "after"}
    assert sum(r["window"] == "after" for r in rows) == 6
    assert all(r["synthetic"] for r in rows if r["window"] == "after")
    summary = json.loads((tmp_path / "figs" / "case.json").read_text(encoding="utf-8"))
    assert summary["region"] == "MX-AA"
    out = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert out == [f"removal_MX-AA_2021-01-10.{ext}" for ext in ("csv", "json", "png", "svg")]


def test_a_plot_without_controls_or_interval_still_draws(write_series: SeriesWriter,
                                                         tmp_path: Path) -> None:
    path = write_series({"MX-AA": [0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 0, 4, 1]})
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path), "--region",
                                 "MX-AA", "--date", "2020-07-02", "--plot",
                                 str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "ratio n/a" in result.stdout
    assert (tmp_path / "p.png").stat().st_size > 0 and (tmp_path / "p.svg").stat().st_size > 0
