"""Removal studies on constructed series with known answers, and on municipal codes."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from typer.testing import CliRunner

from corrobora.analyze.ratio import before_after_ratio
from corrobora.analyze.series import read_series
from corrobora.analyze.study import run_removal_study
from corrobora.analyze.windows import Windows
from corrobora.cli import app

from .conftest import SeriesWriter

runner = CliRunner()
CONTRACT_KEYS = ["region", "date", "window_months", "before_mean", "after_mean", "ratio",
                 "ci_low", "ci_high", "method"]


def test_windows_exclude_the_removal_month() -> None:
    w = Windows(date(2024, 7, 25), 6)
    assert w.before()[0] == date(2024, 1, 1) and w.before()[-1] == date(2024, 6, 1)
    assert w.after()[0] == date(2024, 8, 1) and w.after()[-1] == date(2025, 1, 1)
    lagged = Windows(date(2024, 12, 2), 2, lag=1)
    assert lagged.before() == [date(2024, 10, 1), date(2024, 11, 1)]
    assert lagged.after() == [date(2025, 2, 1), date(2025, 3, 1)]


def test_ratio_is_after_over_before_mean_with_an_interval_around_it() -> None:
    before = np.array([19, 21, 20, 22, 18, 20.0])
    after = np.array([61, 59, 60, 58, 62, 60.0])
    r = before_after_ratio(before, after)
    assert r.ratio == pytest.approx(3.0)
    assert r.before_mean == pytest.approx(20.0) and r.after_mean == pytest.approx(60.0)
    assert r.ci_low < 3.0 < r.ci_high
    assert r.ci_low > 2.3 and r.ci_high < 3.9  # dispersion floored at 1: Poisson-like width
    assert r.dispersion == 1.0


def test_overdispersed_counts_widen_the_interval() -> None:
    calm = before_after_ratio(np.array([20, 20, 20, 20.0]), np.array([40, 40, 40, 40.0]))
    noisy = before_after_ratio(np.array([5, 35, 10, 30.0]), np.array([10, 70, 20, 60.0]))
    assert calm.ratio == pytest.approx(2.0) and noisy.ratio == pytest.approx(2.0)
    assert noisy.ci_high - noisy.ci_low > 2 * (calm.ci_high - calm.ci_low)
    assert noisy.dispersion > 5


def test_an_empty_window_falls_back_to_the_exact_interval() -> None:
    r = before_after_ratio(np.array([3, 2, 4.0]), np.zeros(3))
    assert r.ratio == 0.0 and r.ci_low == 0.0 and 0 < r.ci_high < 1
    assert "exact" in r.method
    none = before_after_ratio(np.zeros(3), np.array([1, 2, 0.0]))
    assert none.ratio is None and none.ci_high is None


def test_counts_the_same_every_month_give_a_ratio_not_a_crash() -> None:
    # statsmodels raised "first guess on the deviance function returned a nan".
    r = before_after_ratio(np.full(6, 2.0), np.full(6, 2.0))
    assert r.ratio == pytest.approx(1.0) and r.ci_low < 1 < r.ci_high
    assert r.dispersion == 1.0


def _panel_with_effect(write_series: SeriesWriter, effect: float, regions: int = 12):
    """24 months from 2020-01; a removal on 2021-01-10; region A rises by `effect` after it,
    the others share a common 10% rise (so the DiD effect is effect / 1.1)."""
    rng = np.random.default_rng(7)
    counts = {}
    for i in range(regions):
        # The treated region sits between two others, inside the controls' range.
        base = 37.5 if i == 0 else 30 + 5 * i
        series = base * (1 + 0.1 * (np.arange(24) > 12)) * rng.uniform(0.97, 1.03, 24)
        if i == 0:
            series[13:] *= effect
        counts[f"MX-{chr(65 + i)}{chr(65 + i)}"] = np.round(series)
    return write_series(counts)


def test_a_constructed_panel_gives_back_its_known_effects(write_series: SeriesWriter) -> None:
    panel = read_series(_panel_with_effect(write_series, 2.5))
    study = run_removal_study(panel, "MX-AA", date(2021, 1, 10))
    e = study.estimate
    assert e.ratio == pytest.approx(2.5 * 1.1, rel=0.05)
    assert e.ci_low < e.ratio < e.ci_high and e.ci_low > 1
    assert study.did is not None and study.did.irr == pytest.approx(2.5, rel=0.05)
    assert study.did.ci_low < study.did.irr < study.did.ci_high
    assert study.did.placebo_p == pytest.approx(1 / 12)  # the most extreme of 12 regions
    assert len(study.did.controls) == 11
    assert study.synth is not None and study.synth.pre_rmse < 3
    assert study.synth.ratio == pytest.approx(2.5, rel=0.1)
    assert sum(study.synth.weights.values()) == pytest.approx(1.0, abs=2e-3)


def test_no_effect_is_not_significant_against_controls(write_series: SeriesWriter) -> None:
    panel = read_series(_panel_with_effect(write_series, 1.0))
    study = run_removal_study(panel, "MX-AA", date(2021, 1, 10))
    assert study.did is not None and study.did.ci_low < 1 < study.did.ci_high
    assert study.did.placebo_p > 0.2


def test_cli_prints_the_contract_object(write_series: SeriesWriter) -> None:
    path = _panel_with_effect(write_series, 2.0)
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path), "--region",
                                 "MX-AA", "--date", "2021-01-10", "--window-months", "4",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out)[:9] == CONTRACT_KEYS
    assert out["region"] == "MX-AA" and out["date"] == "2021-01-10"
    assert out["window_months"] == 4
    assert out["before"] == {"from": "2020-09", "to": "2020-12", "months": 4}
    assert out["ratio"] == pytest.approx(out["after_mean"] / out["before_mean"], rel=1e-4)
    assert out["ci_low"] < out["ratio"] < out["ci_high"]
    assert out["controls"]["irr"] > 1 and "synthetic_control" in out


def test_explicit_controls_and_none(write_series: SeriesWriter) -> None:
    path = _panel_with_effect(write_series, 2.0)
    base = ["analyze", "removal", "--series", str(path), "--region", "MX-AA", "--date",
            "2021-01-10", "--format", "json"]
    out = json.loads(runner.invoke(app, [*base, "--controls", "MX-BB,mx-cc"]).stdout)
    assert out["controls"]["controls"] == ["MX-BB", "MX-CC"]
    out = json.loads(runner.invoke(app, [*base, "--controls", "none"]).stdout)
    assert "controls" not in out and "synthetic_control" not in out
    result = runner.invoke(app, [*base, "--controls", "MX-ZZ"])
    assert result.exit_code == 2 and "MX-ZZ" in result.output


def test_municipal_codes_compare_with_municipalities_only(write_series: SeriesWriter,
                                                          ) -> None:
    rng = np.random.default_rng(3)
    counts = {code: rng.poisson(8, 24).astype(float) for code in
              ("17007", "17008", "17011", "17018", "17028", "25006")}
    counts["17007"][13:] = rng.poisson(20, 11)
    counts["MX-MOR"] = rng.poisson(90, 24).astype(float)  # a state row in the same file
    path = write_series(counts)
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path), "--region",
                                 "17007", "--date", "2021-01-10", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["region"] == "17007" and out["ratio"] > 1.5 and out["ci_low"] > 1
    assert out["controls"]["controls"] == ["17008", "17011", "17018", "17028", "25006"]


def test_many_municipalities_keep_the_100_nearest_controls(write_series: SeriesWriter) -> None:
    rng = np.random.default_rng(5)
    counts = {f"{14000 + k:05d}": rng.poisson(5 + k, 24).astype(float) for k in range(1, 141)}
    path = write_series(counts)
    result = runner.invoke(app, ["analyze", "removal", "--series", str(path), "--region",
                                 "14060", "--date", "2021-01-10", "--no-placebos",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    controls = out["controls"]["controls"]
    assert len(controls) == 100 and "14061" in controls and "14140" not in controls
    assert sum(out["controls"]["dropped_controls"]["regions dropped, by reason"].values()) == 39
    assert len(out["synthetic_control"]["weights"]) <= 100


def test_a_study_on_a_handful_of_events_says_the_data_are_too_thin(
        write_series: SeriesWriter) -> None:
    sparse = [0, 1, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0] * 2
    path = write_series({"MX-AA": sparse, "MX-BB": sparse[::-1], "MX-CC": [1] * 24})
    study = run_removal_study(read_series(path), "MX-AA", date(2021, 1, 10), months=6)
    assert study.synth is not None  # still computed: the warning says what it rests on
    text = " | ".join(study.warnings)
    assert "the ratio rests on 3 events before and 1 after; at least 10 in each" in text
    assert "difference-in-differences: 2 usable control regions of 2 (needs at least 3" in text
    assert "synthetic control rests on 5 events over its 12 fit months and 1 after" in text
    assert "synthetic control draws on 2 donor regions (needs at least 3" in text
    base = ["analyze", "removal", "--series", str(path), "--region", "MX-AA", "--date",
            "2021-01-10", "--window-months", "6"]
    shown = runner.invoke(app, base)
    assert shown.exit_code == 0, shown.output
    assert "warning: the ratio rests on 3 events before" in shown.stdout
    out = json.loads(runner.invoke(app, [*base, "--format", "json"]).stdout)
    assert out["warnings"] == study.warnings


def test_an_empty_window_gives_no_ratio_and_says_why(write_series: SeriesWriter) -> None:
    path = write_series({"MX-AA": [0] * 12 + [2] * 12, "MX-BB": [5] * 24})
    study = run_removal_study(read_series(path), "MX-AA", date(2021, 1, 10), months=6)
    assert study.estimate.ratio is None
    assert study.warnings[0].startswith("no ratio: the before window holds no events")


def test_a_well_powered_study_has_no_warnings(write_series: SeriesWriter) -> None:
    panel = read_series(_panel_with_effect(write_series, 2.0, regions=25))
    study = run_removal_study(panel, "MX-AA", date(2021, 1, 10), months=6)
    assert study.warnings == []
    assert study.to_contract()["warnings"] == []
