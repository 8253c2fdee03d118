"""Synthetic control: the treated region against a weighted mix of control regions.

Method (Abadie, Diamond and Hainmueller 2010, on the outcome only, no covariates): weights
w >= 0 summing to 1 on the control regions minimise the squared gap to the treated region
over the fit months before the removal; solved as non-negative least squares (scipy
`nnls`) with a heavily weighted sum-to-one row. The synthetic series is the weighted sum of
the controls; the effect is the gap after the removal. Inference is placebo-in-space: the
same fit with each control as the treated region (the real one left out of the pool); p is
the share of regions whose post/pre root-mean-square gap ratio is at least the treated
region's. Assumes the treated region's untreated path is a convex mix of the controls' (it
must lie within their range) and that no control was affected by the removal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

METHOD = ("synthetic control: non-negative weights summing to 1 on control regions fitted "
          "on the months before the removal (scipy nnls); placebo-in-space p-value on the "
          "post/pre RMSPE ratio")
MAX_PLACEBOS = 50
MAX_DONORS = 100
"""Beyond this many controls the nearest in fit-period mean are the donor pool: far-off
regions get no weight anyway, and each placebo refits on the whole pool."""


@dataclass(slots=True)
class SynthEstimate:
    weights: dict[str, float]
    fit_months: int
    pre_rmse: float
    after_mean: float
    synthetic_after_mean: float
    synthetic: np.ndarray
    """The synthetic series over fit + gap + after months (as passed in)."""
    placebo_p: float | None
    n_placebos: int
    dropped: dict[str, str] = field(default_factory=dict)
    method: str = METHOD

    @property
    def post_gap(self) -> float:
        return self.after_mean - self.synthetic_after_mean

    @property
    def ratio(self) -> float | None:
        return self.after_mean / self.synthetic_after_mean if self.synthetic_after_mean else None

    def to_dict(self) -> dict[str, object]:
        top = dict(sorted(self.weights.items(), key=lambda kv: -kv[1]))
        return {
            "ratio": self.ratio, "post_gap": self.post_gap, "after_mean": self.after_mean,
            "synthetic_after_mean": self.synthetic_after_mean, "pre_rmse": self.pre_rmse,
            "fit_months": self.fit_months, "weights": {k: round(v, 4) for k, v in top.items()},
            "placebo_p": self.placebo_p, "n_placebos": self.n_placebos,
            "dropped_controls": self.dropped, "method": self.method,
        }


def fit_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Weights w >= 0, sum 1, minimising ||target - donors @ w|| (donors: months x regions)."""
    from scipy.optimize import nnls

    # The sum-to-one row weighs as much as the whole series, so nnls honours it closely.
    scale = max(float(np.abs(target).sum()), 1.0) * 100.0
    a = np.vstack([donors, np.full((1, donors.shape[1]), scale)])
    b = np.r_[target, scale]
    w, _ = nnls(a, b, maxiter=50 * donors.shape[1])
    total = w.sum()
    return w / total if total > 0 else np.full(donors.shape[1], 1.0 / donors.shape[1])


def synthetic_control(treated: np.ndarray, controls: dict[str, np.ndarray], n_fit: int,
                      after: slice, *, placebos: bool = True) -> SynthEstimate | None:
    """`treated` and each control span the fit months, then anything up to the after months;
    `after` selects the after window in that span. None when no control is usable."""
    dropped = {r: "missing months" for r, row in controls.items() if np.isnan(row).any()}
    names = sorted(r for r in controls if r not in dropped)
    if not names or np.isnan(treated).any():
        return None
    if len(names) > MAX_DONORS:
        level = treated[:n_fit].mean()
        names.sort(key=lambda r: (abs(controls[r][:n_fit].mean() - level), r))
        for r in names[MAX_DONORS:]:
            dropped[r] = f"beyond the {MAX_DONORS} donors nearest in fit-period mean"
        names = sorted(names[:MAX_DONORS])
    donors = np.column_stack([controls[n] for n in names])
    gap_ratio, w, synthetic, pre_rmse = _one(treated, donors, n_fit, after)
    placebo_p, n_placebos = None, 0
    if placebos and len(names) >= 3:
        level = treated[:n_fit].mean()
        pool = sorted(range(len(names)),
                      key=lambda j: (abs(donors[:n_fit, j].mean() - level), j))[:MAX_PLACEBOS]
        ratios = []
        for j in pool:
            rest = np.delete(donors, j, axis=1)
            ratios.append(_one(donors[:, j], rest, n_fit, after)[0])
        n_placebos = len(ratios)
        placebo_p = (1 + sum(r >= gap_ratio for r in ratios)) / (1 + n_placebos)
    return SynthEstimate(
        weights={n: float(v) for n, v in zip(names, w, strict=True) if v > 1e-3},
        fit_months=n_fit, pre_rmse=pre_rmse, after_mean=float(treated[after].mean()),
        synthetic_after_mean=float(synthetic[after].mean()), synthetic=synthetic,
        placebo_p=placebo_p, n_placebos=n_placebos, dropped=dropped)


def _one(target: np.ndarray, donors: np.ndarray, n_fit: int, after: slice,
         ) -> tuple[float, np.ndarray, np.ndarray, float]:
    w = fit_weights(target[:n_fit], donors[:n_fit])
    synthetic = donors @ w
    gap = target - synthetic
    pre = float(np.sqrt(np.mean(gap[:n_fit] ** 2)))
    post = float(np.sqrt(np.mean(gap[after] ** 2)))
    return post / max(pre, 1e-9), w, synthetic, pre
