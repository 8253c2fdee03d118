"""The issue's known answer: SESNSP homicide victims in Sinaloa around the capture of
Ismael "El Mayo" Zambada (2024-07-25)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def sesnsp(shared: Path) -> Path:
    path = shared / "data" / "mexico" / "sesnsp_homicidio_doloso_by_state.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path


def _run(*args: str) -> dict:
    result = runner.invoke(app, ["analyze", "removal", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_zambada_capture_multiplies_homicides_in_sinaloa(sesnsp: Path) -> None:
    out = _run("--series", str(sesnsp), "--region", "MX-SIN", "--date", "2024-07-25")
    # The issue: "from about 42 to about 160 homicide victims a month (ratio near 3.8)".
    assert out["window_months"] == 12
    assert out["before_mean"] == pytest.approx(41.8, abs=0.1)
    assert out["after_mean"] == pytest.approx(160.6, abs=0.1)  # 2024-09..2025-01
    assert out["ratio"] == pytest.approx(3.84, abs=0.01)
    assert out["ci_low"] < out["ratio"] < out["ci_high"] and out["ci_low"] > 1
    did = out["controls"]
    assert did["n_controls"] == 31 and 3.0 < did["irr"] < 4.6 and did["ci_low"] > 1
    assert did["placebo_p"] <= 0.05  # no other state moved like Sinaloa
    sc = out["synthetic_control"]
    assert sc["pre_rmse"] < 10 and sc["post_gap"] > 60 and sc["placebo_p"] <= 0.05
    assert sum(sc["weights"].values()) == pytest.approx(1.0, abs=0.01)


def test_the_registry_entry_and_the_six_month_symmetric_windows(sesnsp: Path) -> None:
    out = _run("--series", str(sesnsp), "--removal", "zambada-2024", "--controls", "none")
    assert out["after"] == {"from": "2024-09", "to": "2025-01", "months": 5}
    assert out["removal"]["group"] == "sinaloa-cartel"
    six = _run("--series", str(sesnsp), "--removal", "zambada-2024", "--window-months", "6",
               "--lag-months", "0", "--controls", "none")
    assert (six["before_mean"], six["after_mean"]) == pytest.approx((40.7, 141.2), abs=0.1)
    assert 3.0 < six["ratio"] < 4.0 and six["ci_low"] > 1


def test_a_calm_removal_month_elsewhere_shows_no_rise(sesnsp: Path) -> None:
    """A placebo date in a calm state: the interval should cover 1."""
    out = _run("--series", str(sesnsp), "--region", "MX-YUC", "--date", "2019-07-15",
               "--controls", "none")
    assert out["ci_low"] < 1 < out["ci_high"]
