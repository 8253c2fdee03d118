"""Spread: neighbours against far states, with the state adjacency shipped as data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.analyze.series import SeriesError, read_series
from corrobora.analyze.spread import adjacency, spread_study
from corrobora.cli import app

runner = CliRunner()


def test_adjacency_is_symmetric_and_complete() -> None:
    adj = adjacency()
    assert len(adj) == 32
    assert all(a in adj[b] for a, bs in adj.items() for b in bs)
    assert adj["MX-SIN"] == {"MX-SON", "MX-CHH", "MX-DUR", "MX-NAY"}
    assert adj["MX-CMX"] == {"MX-MEX", "MX-MOR"}
    assert adj["MX-BCS"] == {"MX-BCN"}


def test_known_answer(write_series) -> None:
    """Sinaloa's neighbours double after the date, far states stay flat."""
    n = 26
    counts = {}
    for r in sorted(adjacency()):
        base = 20.0 + (len(r) % 3)
        after = 2.0 if r in adjacency()["MX-SIN"] else 1.0
        # Months alternate one up, one down (an exact fit has no dispersion to estimate).
        counts[r] = [(base + (-1) ** i) * (after if i >= 13 else 1.0) for i in range(n)]
    counts["MX-SIN"] = [(30.0 + (-1) ** i) * (3.0 if i >= 13 else 1.0) for i in range(n)]
    panel = read_series(write_series(counts, start=date(2020, 1, 1)))
    r = spread_study(panel, "MX-SIN", date(2021, 1, 15), months=12, lag=0, placebos=False)
    c = r.to_contract()
    assert c["treated"]["ratio"] == pytest.approx(3.0, rel=0.01)
    assert c["neighbours_pooled"]["ratio"] == pytest.approx(2.0, rel=0.01)
    assert c["non_neighbours_pooled"]["ratio"] == pytest.approx(1.0, rel=0.01)
    assert c["neighbours_vs_far"]["irr"] == pytest.approx(2.0, rel=0.01)
    assert c["neighbours_vs_far"]["ci_low"] > 1.5
    assert len(c["by_neighbour"]) == 4 and len(c["non_neighbours"]) == 27
    assert c["warnings"] == []


def test_a_spread_on_a_handful_of_events_says_the_data_are_too_thin(write_series) -> None:
    counts = {r: [0.0] * 24 for r in sorted(adjacency())}
    counts["MX-SIN"] = [1.0 if i % 4 == 0 else 0.0 for i in range(24)]
    counts["MX-SON"] = [1.0] * 24
    counts["MX-JAL"] = [2.0] * 24
    panel = read_series(write_series(counts, start=date(2020, 1, 1)))
    c = spread_study(panel, "MX-SIN", date(2021, 1, 15), months=6, lag=0,
                     placebos=False).to_contract()
    text = " | ".join(c["warnings"])
    assert "the ratio of the region rests on 1 event before and 1 after; at least 10" in text
    assert "the ratio of the neighbours rests on 6 events before and 6 after" in text
    assert "neighbours vs far states: 1 usable far state (needs at least 3" in text


def test_zambada_on_sesnsp(shared: Path) -> None:
    panel = read_series(shared / "data/mexico/sesnsp_homicidio_doloso_by_state.csv")
    c = spread_study(panel, "MX-SIN", date(2024, 7, 25), placebos=False).to_contract()
    assert c["treated"]["ratio"] == pytest.approx(3.84, abs=0.01)
    # The neighbours as a whole did not rise (0.98); Nayarit did (about 2).
    assert 0.85 < c["neighbours_pooled"]["ratio"] < 1.1
    nay = {n["region"]: n for n in c["by_neighbour"]}["MX-NAY"]
    assert nay["ratio"] > 1.5 and nay["ci_low"] > 1


def test_bad_input(write_series) -> None:
    panel = read_series(write_series({"17007": [1, 2, 3]}))
    with pytest.raises(SeriesError, match="municipal adjacency is not available"):
        spread_study(panel, "17007", date(2020, 2, 1))


def test_cli(shared: Path, tmp_path: Path) -> None:
    s = shared / "data/mexico/sesnsp_homicidio_doloso_by_state.csv"
    stem = tmp_path / "spread"
    result = runner.invoke(app, ["analyze", "spread", "--series", str(s), "--removal",
                                 "zambada-2024", "--no-placebos", "--plot", str(stem),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["neighbours"] == ["MX-CHH", "MX-DUR", "MX-NAY", "MX-SON"]
    for suffix in (".png", ".svg", ".csv", ".json"):
        assert stem.with_suffix(suffix).stat().st_size > 0
    result = runner.invoke(app, ["analyze", "spread", "--series", str(s), "--region",
                                 "17007", "--date", "2020-01-01"])
    assert result.exit_code == 2 and "municipal adjacency" in result.output
    # From a store holding the imported SESNSP series.
    db = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["import", "sesnsp", str(s), "--db", str(db), "-q"]).exit_code == 0
    result = runner.invoke(app, ["analyze", "spread", "--db", str(db), "--stored-series",
                                 "SESNSP", "--removal", "zambada-2024", "--no-placebos",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["treated"]["ratio"] == \
        pytest.approx(3.839, abs=0.001)
