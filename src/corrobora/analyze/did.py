"""Difference-in-differences of a removal against control regions.

Method: a Poisson GLM (statsmodels) on the region-month counts of the treated region and
its controls over the before and after windows, with region and month fixed effects and a
treated x after indicator; exp(coefficient) is the incidence-rate ratio (IRR) of the
treated region relative to what the controls' change predicts, and IRR - 1 the relative
effect. Assumes parallel trends on the log scale: without the removal, the treated region
would have changed by the same factor as the controls.

Three kinds of uncertainty are reported, because with one treated region none is perfect:

- `ci_low`/`ci_high`: quasi-Poisson Wald interval, dispersion from Pearson's chi-square over
  all region-months (floored at 1). Assumes region-months independent given the fixed
  effects, with variance proportional to the mean.
- `placebo_p` and `placebo_ci_*`: placebo-in-space inference (Conley and Taber 2011): the
  same model with each control in turn as the "treated" region (the real one left out).
  p = (1 + placebos with |coef| >= the treated region's) / (1 + placebos); the interval is
  coef minus the placebo coefficients' 97.5% and 2.5% quantiles. Assumes the controls'
  estimation errors are exchangeable with the treated region's; coarse with few controls.
- `cluster_ci_*`: the region-clustered robust interval, reported because it is customary
  but known to be far too narrow with a single treated cluster (its score comes from that
  one region alone): do not use it to judge significance.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

METHOD = ("Poisson GLM with region and month fixed effects and a treated x after indicator; "
          "IRR = exp(coef); 95% quasi-Poisson Wald interval (Pearson dispersion, floored at "
          "1); placebo-in-space p-value and interval (Conley-Taber)")
MAX_CONTROLS = 100
"""Beyond this many controls (municipal panels) the nearest in before-window mean are kept:
the dense fixed-effect design grows with the square of the regions, and each placebo refits
it (100 controls: about 0.1 s a fit)."""
MAX_PLACEBOS = 50


@dataclass(slots=True)
class DidEstimate:
    irr: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    placebo_p: float | None
    n_placebos: int
    controls: list[str] = field(default_factory=list)
    placebo_ci: tuple[float, float] | None = None
    cluster_ci: tuple[float, float] | None = None
    dispersion: float | None = None
    dropped: dict[str, str] = field(default_factory=dict)
    note: str = ""
    method: str = METHOD

    @property
    def relative_effect(self) -> float | None:
        return None if self.irr is None else self.irr - 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "irr": self.irr, "relative_effect": self.relative_effect,
            "ci_low": self.ci_low, "ci_high": self.ci_high, "p_value": self.p_value,
            "dispersion": self.dispersion,
            "placebo_p": self.placebo_p, "n_placebos": self.n_placebos,
            "placebo_ci_low": self.placebo_ci[0] if self.placebo_ci else None,
            "placebo_ci_high": self.placebo_ci[1] if self.placebo_ci else None,
            "cluster_ci_low": self.cluster_ci[0] if self.cluster_ci else None,
            "cluster_ci_high": self.cluster_ci[1] if self.cluster_ci else None,
            "n_controls": len(self.controls), "controls": self.controls,
            "dropped_controls": self.dropped, "note": self.note, "method": self.method,
        }


def select_controls(treated: np.ndarray, candidates: dict[str, np.ndarray], n_before: int,
                    ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Keep controls observed in every window month with some counts; cap their number."""
    kept: dict[str, np.ndarray] = {}
    dropped: dict[str, str] = {}
    for region, row in candidates.items():
        if np.isnan(row).any():
            dropped[region] = "missing months in the windows"
        elif row.sum() == 0:
            dropped[region] = "no counts in the windows"
        else:
            kept[region] = row
    if len(kept) > MAX_CONTROLS:
        level = treated[:n_before].mean()
        order = sorted(kept, key=lambda r: (abs(kept[r][:n_before].mean() - level), r))
        for region in order[MAX_CONTROLS:]:
            dropped[region] = f"beyond the {MAX_CONTROLS} controls nearest in before mean"
            del kept[region]
    return kept, dropped


def difference_in_differences(treated: np.ndarray, controls: dict[str, np.ndarray],
                              n_before: int, *, placebos: bool = True) -> DidEstimate:
    """`treated` and each control: counts over before + after months (before first)."""
    kept, dropped = select_controls(treated, controls, n_before)
    names = sorted(kept)
    if not names:
        return DidEstimate(None, None, None, None, None, 0, [], dropped=dropped,
                           note="no usable control region")
    if treated[:n_before].sum() == 0 or treated[n_before:].sum() == 0:
        return DidEstimate(None, None, None, None, None, 0, names, dropped=dropped,
                           note="the treated region has no counts in one window")
    y = np.vstack([treated] + [kept[n] for n in names])
    fit = _fit(y, 0, n_before, intervals=True)
    coef = fit.coef
    placebo_p, placebo_ci, n_placebos = None, None, 0
    if placebos and len(names) >= 2:
        level = treated[:n_before].mean()
        pool = sorted(range(1, len(names) + 1),
                      key=lambda i: (abs(y[i, :n_before].mean() - level), i))[:MAX_PLACEBOS]
        others = y[1:]
        effects = []
        for i in pool:
            row = y[i]
            if row[:n_before].sum() == 0 or row[n_before:].sum() == 0:
                continue
            # Placebo panels leave the treated region out: it is not a valid control.
            effects.append(_fit(others, i - 1, n_before).coef)
        n_placebos = len(effects)
        if n_placebos:
            placebo_p = (1 + sum(abs(e) >= abs(coef) for e in effects)) / (1 + n_placebos)
            hi, lo = np.quantile(effects, [0.975, 0.025])
            placebo_ci = (math.exp(coef - hi), math.exp(coef - lo))
    note = ("one treated region: the clustered interval is too narrow by construction; "
            "judge by ci_low/ci_high and placebo_p")
    return DidEstimate(
        math.exp(coef), math.exp(fit.low), math.exp(fit.high), fit.p, placebo_p, n_placebos,
        names, placebo_ci=placebo_ci,
        cluster_ci=(math.exp(fit.cluster[0]), math.exp(fit.cluster[1])),
        dispersion=fit.dispersion, dropped=dropped, note=note)


@dataclass(slots=True)
class _Fit:
    coef: float
    low: float = math.nan
    high: float = math.nan
    p: float = math.nan
    dispersion: float = math.nan
    cluster: tuple[float, float] = (math.nan, math.nan)


def _fit(y: np.ndarray, treated: int, n_before: int, *, intervals: bool = False) -> _Fit:
    """Two-way fixed-effect Poisson fit of a (regions x months) array; the treated row's
    after months get the indicator. Log-scale coefficient and, if asked, 95% intervals."""
    import statsmodels.api as sm

    n_regions, n_months = y.shape
    region = np.repeat(np.arange(n_regions), n_months)
    month = np.tile(np.arange(n_months), n_regions)
    # Intercept, regions and months but the first, the indicator. An explicit intercept
    # spares statsmodels a rank test for an implicit one (the slowest step here).
    x = np.zeros((y.size, 1 + (n_regions - 1) + (n_months - 1) + 1))
    x[:, 0] = 1.0
    rows = np.flatnonzero(region > 0)
    x[rows, region[rows]] = 1.0
    rows = np.flatnonzero(month > 0)
    x[rows, n_regions - 1 + month[rows]] = 1.0
    x[:, -1] = (region == treated) & (month >= n_before)
    model = sm.GLM(y.ravel(), x, family=sm.families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(scale="X2")
        if not intervals:
            return _Fit(float(fit.params[-1]))
        if not fit.scale > 1.0:
            fit = model.fit(scale=1.0, start_params=fit.params)
        clustered = model.fit(cov_type="cluster", cov_kwds={"groups": region},
                              start_params=fit.params)
    low, high = (float(v) for v in fit.conf_int(alpha=0.05)[-1])
    c_low, c_high = (float(v) for v in clustered.conf_int(alpha=0.05)[-1])
    return _Fit(float(fit.params[-1]), low, high, float(fit.pvalues[-1]), float(fit.scale),
                (c_low, c_high))
