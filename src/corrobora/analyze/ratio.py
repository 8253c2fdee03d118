"""Before/after ratio for one region, with a 95% interval.

Method: a quasi-Poisson GLM (statsmodels, log link) of the monthly counts of the two windows
on an intercept and an after-window indicator. exp(coefficient) is exactly
after_mean / before_mean; its interval is the Wald interval on the log scale with the
dispersion estimated from Pearson's chi-square (floored at 1, so never narrower than plain
Poisson) and Student-t quantiles on the residual degrees of freedom, which matters with
12 months. Assumes months are independent given the window means (autocorrelation makes
the interval too narrow) and variance proportional to the mean.

When one window has no counts at all the GLM has no finite estimate; the interval is then
the exact conditional Poisson rate-ratio interval (Clopper-Pearson on the after window's
share of all counts, scipy `binomtest`), which assumes Poisson counts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

QUASI_POISSON = ("quasi-Poisson GLM, log link, after-window indicator; ratio = exp(coef); "
                 "95% Wald interval with Pearson chi2 dispersion (floored at 1) and t quantiles")
EXACT = "exact conditional Poisson rate-ratio interval (a window has no counts)"


@dataclass(slots=True, frozen=True)
class RatioEstimate:
    before_mean: float
    after_mean: float
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    dispersion: float | None
    p_value: float | None
    method: str


def before_after_ratio(before: np.ndarray, after: np.ndarray) -> RatioEstimate:
    """Ratio after/before of the mean monthly count, 95% interval. Inputs without NaN."""
    import statsmodels.api as sm

    if before.size == 0 or after.size == 0:
        raise ValueError("both windows need at least one month")
    b_mean, a_mean = float(before.mean()), float(after.mean())
    if before.sum() == 0 or after.sum() == 0:
        return _exact(before, after)
    y = np.concatenate([before, after])
    x = sm.add_constant(np.r_[np.zeros(before.size), np.ones(after.size)])
    model = sm.GLM(y, x, family=sm.families.Poisson())
    with warnings.catch_warnings():
        # Non-integer counts (rates) are fine for quasi-likelihood; statsmodels warns anyway.
        warnings.simplefilter("ignore")
        try:
            fit = model.fit(scale="X2", use_t=True)
        except ValueError:
            # Counts the model fits exactly (the same every month): Pearson's chi2 is 0, and
            # statsmodels divides the deviance by it. Poisson scale 1 is the floor anyway.
            fit = None
        if fit is None or not fit.scale > 1.0 or y.size <= 2:
            fit = model.fit(scale=1.0, use_t=y.size > 2)
    coef = float(fit.params[1])
    low, high = (float(v) for v in fit.conf_int(alpha=0.05)[1])
    return RatioEstimate(
        before_mean=b_mean, after_mean=a_mean, ratio=float(np.exp(coef)),
        ci_low=float(np.exp(low)), ci_high=float(np.exp(high)), dispersion=float(fit.scale),
        p_value=float(fit.pvalues[1]), method=QUASI_POISSON)


def _exact(before: np.ndarray, after: np.ndarray) -> RatioEstimate:
    from scipy.stats import binomtest

    b_sum, a_sum = round(float(before.sum())), round(float(after.sum()))
    b_mean, a_mean = float(before.mean()), float(after.mean())
    if b_sum == 0 and a_sum == 0:
        return RatioEstimate(b_mean, a_mean, None, None, None, None, None,
                             EXACT + "; both windows are empty, no ratio")
    # Given the total, the after count is binomial with p = n_a R / (n_a R + n_b) for rate
    # ratio R over n_a and n_b months: the Clopper-Pearson interval on p maps onto R.
    n_a, n_b = after.size, before.size
    test = binomtest(a_sum, a_sum + b_sum, p=n_a / (n_a + n_b))
    ci = test.proportion_ci(confidence_level=0.95, method="exact")

    def to_ratio(q: float) -> float | None:
        return None if q >= 1 else q / (1 - q) * n_b / n_a

    return RatioEstimate(
        before_mean=b_mean, after_mean=a_mean, ratio=a_mean / b_mean if b_mean else None,
        ci_low=to_ratio(ci.low), ci_high=to_ratio(ci.high), dispersion=None,
        p_value=float(test.pvalue), method=EXACT)

