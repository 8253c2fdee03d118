"""A removal study: the before/after ratio, the comparison with control regions and a
synthetic control, for one region and one removal date, from a panel of monthly counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from corrobora.analyze.did import DidEstimate, difference_in_differences
from corrobora.analyze.ratio import RatioEstimate, before_after_ratio
from corrobora.analyze.series import (
    Panel,
    SeriesError,
    month_from_index,
    month_index,
    normalise_region,
    region_level,
)
from corrobora.analyze.synth import SynthEstimate, synthetic_control
from corrobora.analyze.windows import Windows

DEFAULT_WINDOW_MONTHS = 12
DEFAULT_LAG_MONTHS = 1
"""A year before (a baseline that spans the seasons) against the months that follow a
one-month transition: succession disputes take weeks to turn violent (the Sinaloa war began
six weeks after the Zambada capture). These reproduce the reading the project was specified
against (42 -> 160 a month, ratio 3.8); `--window-months 6 --lag-months 0` gives the
six-month symmetric definition of Calderón et al. (2015)."""
MIN_WINDOW_EVENTS = 10
"""Events each window should hold before a ratio says much: with fewer, a 95% interval
spans several-fold either way and one event more or less moves the ratio visibly."""
MIN_CONTROLS = 3
"""Control (donor) regions with data a comparison should have: fewer, and a single
region's quirks set the counterfactual, and no placebo p-value can be computed."""
MIN_SYNTH_FIT_MONTHS = 12
"""Months before the removal a synthetic control should be fitted on (at least 3 are
required for any fit): weights on several regions need many months to be pinned down."""
PLACEBOS_FOR_5_PERCENT = 19
"""A placebo p-value cannot fall below 1 / (placebos + 1): 19 placebos to reach 0.05."""
DEFAULT_FIT_MONTHS = 36
"""Months before the removal that the synthetic control is fitted on (fewer if the series
is shorter): longer than the 6-month window, since weights on many regions need many months
to be pinned down."""


@dataclass(slots=True)
class RemovalStudy:
    region: str
    windows: Windows
    before_months: list[date]
    after_months: list[date]
    estimate: RatioEstimate
    did: DidEstimate | None
    synth: SynthEstimate | None
    synth_months: list[date]
    series_months: list[date]
    series: np.ndarray
    """The treated region's whole series (NaN where the source has no row)."""
    source: str
    removal: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    """Where the data are too thin for a method: the minimum it needs and what was found
    (the numbers are computed all the same)."""

    def to_contract(self) -> dict[str, Any]:
        """CONTRACTS §3: the nine fields first, then extras that scorers ignore."""
        e = self.estimate
        out: dict[str, Any] = {
            "region": self.region,
            "date": self.windows.removal.isoformat(),
            "window_months": self.windows.months,
            "before_mean": _r(e.before_mean),
            "after_mean": _r(e.after_mean),
            "ratio": _r(e.ratio),
            "ci_low": _r(e.ci_low),
            "ci_high": _r(e.ci_high),
            "method": e.method,
            "lag_months": self.windows.lag,
            "before": _span(self.before_months),
            "after": _span(self.after_months),
            "windows": self.windows.describe(),
            "p_value": _r(e.p_value),
            "dispersion": _r(e.dispersion),
            "source": self.source,
        }
        if self.removal:
            out["removal"] = self.removal
        out["warnings"] = list(self.warnings)
        if self.did is not None:
            out["controls"] = _rounded(self.did.to_dict())
        if self.synth is not None:
            out["synthetic_control"] = _rounded(self.synth.to_dict())
        for block in ("controls", "synthetic_control"):
            if block in out:
                out[block]["dropped_controls"] = _dropped(out[block]["dropped_controls"])
        return out


def run_removal_study(panel: Panel, region: str, removal: date, *,
                      months: int = DEFAULT_WINDOW_MONTHS, lag: int = DEFAULT_LAG_MONTHS,
                      controls: Sequence[str] | None = None, synth: bool = True,
                      fit_months: int = DEFAULT_FIT_MONTHS, placebos: bool = True,
                      removal_record: dict[str, Any] | None = None) -> RemovalStudy:
    """`controls` None: every other region of the same level (state or municipality) in the
    panel; an empty list: no comparison."""
    from threadpoolctl import threadpool_limits

    # Dozens of small model fits: BLAS threads cost far more than they bring (10x slower on
    # a busy 2-core machine).
    with threadpool_limits(1):
        return _study(panel, region, removal, months=months, lag=lag, controls=controls,
                      synth=synth, fit_months=fit_months, placebos=placebos,
                      removal_record=removal_record)


def _study(panel: Panel, region: str, removal: date, *, months: int, lag: int,
           controls: Sequence[str] | None, synth: bool, fit_months: int, placebos: bool,
           removal_record: dict[str, Any] | None) -> RemovalStudy:
    region = normalise_region(region)
    windows = Windows(removal, months, lag)
    row = panel.row(region)
    b_cols = _observed(panel, row, windows.before())
    a_cols = _observed(panel, row, windows.after())
    for name, cols, wanted in (("before", b_cols, windows.before()),
                               ("after", a_cols, windows.after())):
        if not cols:
            first, last = panel.first_month(region), panel.last_month(region)
            raise SeriesError(
                f"{panel.source or 'series'}: {region} has no data in the {name} window "
                f"{wanted[0]:%Y-%m}..{wanted[-1]:%Y-%m} (its series covers "
                f"{first:%Y-%m}..{last:%Y-%m})" if first and last else
                f"{panel.source or 'series'}: {region} has no data")
    estimate = before_after_ratio(row[b_cols], row[a_cols])

    control_names = _controls(panel, region, controls)
    did = None
    if control_names:
        cols = b_cols + a_cols
        did = difference_in_differences(
            row[cols], {c: panel.row(c)[cols] for c in control_names}, len(b_cols),
            placebos=placebos)

    sc, sc_months, fit = None, [], []
    if synth and control_names:
        m = month_index(removal) - panel.start
        fit = [c for c in range(max(0, m - fit_months), m) if not np.isnan(row[c])]
        middle = [c for c in range(m, a_cols[0]) if not np.isnan(row[c])]
        span = fit + middle + a_cols
        if len(fit) >= 3:
            sc = synthetic_control(
                row[span], {c: panel.row(c)[span] for c in control_names}, len(fit),
                slice(len(span) - len(a_cols), len(span)), placebos=placebos)
            sc_months = [month_from_index(panel.start + c) for c in span]
    compared = controls is None or len(controls) > 0
    warnings = thin_data_warnings(
        windows, before=row[b_cols], after=row[a_cols], estimate=estimate,
        controls=len(control_names), compared=compared, did=did, synth=synth and compared,
        sc=sc, fit_months=len(fit), fit_events=float(np.nansum(row[fit])) if fit else 0.0,
        placebos=placebos)
    return RemovalStudy(
        region=region, windows=windows,
        before_months=[month_from_index(panel.start + c) for c in b_cols],
        after_months=[month_from_index(panel.start + c) for c in a_cols],
        estimate=estimate, did=did, synth=sc, synth_months=sc_months if sc else [],
        series_months=panel.months, series=row.copy(), source=panel.source,
        removal=removal_record, warnings=warnings)


def thin_data_warnings(windows: Windows, *, before: np.ndarray, after: np.ndarray,
                       estimate: RatioEstimate, controls: int, compared: bool,
                       did: DidEstimate | None, synth: bool, sc: SynthEstimate | None,
                       fit_months: int, fit_events: float, placebos: bool) -> list[str]:
    """One sentence for each method the data are too thin for: the minimum it needs and what
    was found. `compared` False: no comparison with controls was asked for."""
    out: list[str] = []
    for name, values in (("before", before), ("after", after)):
        if values.size < windows.months:
            out.append(f"the {name} window has data for {values.size} of its "
                       f"{windows.months} months")
    b, a = float(np.nansum(before)), float(np.nansum(after))
    if estimate.ratio is None:
        out.append(f"no ratio: the before window holds no events (after: {a:g}); a ratio "
                   f"needs events in both windows, at least {MIN_WINDOW_EVENTS} in each to "
                   "say much")
    else:
        out += thin_ratio("the ratio", b, a)
    if compared:
        used = len(did.controls) if did is not None and did.irr is not None else 0
        thin = thin_comparison("difference-in-differences", "control region", used,
                               did.n_placebos if did is not None else 0, placebos,
                               of=controls)
        if thin and did is not None and did.irr is None and did.note:
            thin[-1] += f"; {did.note}"
        out += thin
    if synth:
        if sc is None:
            why = (f"{fit_months} months with data before the removal (needs at least 3)"
                   if controls else "no control region")
            out.append(f"no synthetic control: {why}")
        else:
            if min(fit_events, a) < MIN_WINDOW_EVENTS:
                out.append(f"the synthetic control rests on {events(fit_events)} over its "
                           f"{sc.fit_months} fit months and {a:g} after; at least "
                           f"{MIN_WINDOW_EVENTS} in each are needed for it to say much")
            if sc.fit_months < MIN_SYNTH_FIT_MONTHS:
                out.append(f"the synthetic control is fitted on {sc.fit_months} months "
                           f"(at least {MIN_SYNTH_FIT_MONTHS} are needed to pin its weights "
                           "down)")
            if controls < MIN_CONTROLS:
                out.append(f"the synthetic control draws on {controls} donor region"
                           f"{'' if controls == 1 else 's'} (needs at least {MIN_CONTROLS}"
                           "; no placebo p below that)")
            elif placebos and sc.n_placebos < PLACEBOS_FOR_5_PERCENT:
                out.append(placebo_floor("synthetic control", sc.n_placebos))
    return out


def thin_ratio(what: str, before: float, after: float) -> list[str]:
    """A warning when a before/after ratio rests on fewer events than it needs."""
    if min(before, after) >= MIN_WINDOW_EVENTS:
        return []
    return [f"{what} rests on {events(before)} before and {after:g} after; at least "
            f"{MIN_WINDOW_EVENTS} in each window are needed for its interval to say much"]


def thin_comparison(what: str, unit: str, used: int, n_placebos: int, placebos: bool, *,
                    of: int | None = None) -> list[str]:
    """A warning when a comparison has too few controls, or too few placebos to reach 0.05."""
    if used < MIN_CONTROLS:
        return [f"{what}: {used} usable {unit}{'' if used == 1 else 's'}"
                + (f" of {of}" if of is not None else "")
                + f" (needs at least {MIN_CONTROLS} with counts in both windows)"]
    if placebos and n_placebos < PLACEBOS_FOR_5_PERCENT:
        return [placebo_floor(what, n_placebos)]
    return []


def placebo_floor(what: str, n_placebos: int) -> str:
    return (f"{what}: {n_placebos} placebos, so its placebo p cannot fall below "
            f"{1 / (n_placebos + 1):.2f} (needs {PLACEBOS_FOR_5_PERCENT} to reach 0.05)")


def events(n: float) -> str:
    """"1 event", "3 events", "2.5 events" (a series may count rates)."""
    return f"{n:g} event" + ("" if n == 1 else "s")


def _observed(panel: Panel, row: np.ndarray, months: list[date]) -> list[int]:
    cols = [panel.column(m) for m in months]
    return [c for c in cols if c is not None and not np.isnan(row[c])]


def _controls(panel: Panel, region: str, chosen: Sequence[str] | None) -> list[str]:
    if chosen is None:
        level = region_level(region)
        return [r for r in panel.regions if r != region and region_level(r) == level]
    names = [normalise_region(c) for c in chosen if c.strip()]
    unknown = [c for c in names if c not in panel.regions]
    if unknown:
        raise SeriesError(f"{panel.source or 'series'}: no control region "
                          f"{', '.join(unknown)} in the series")
    return [c for c in dict.fromkeys(names) if c != region]


def _dropped(dropped: dict[str, str], most: int = 30) -> dict[str, Any]:
    """Region -> reason; counted by reason when a municipal panel drops thousands."""
    if len(dropped) <= most:
        return dropped
    counts: dict[str, int] = {}
    for reason in dropped.values():
        counts[reason] = counts.get(reason, 0) + 1
    return {"regions dropped, by reason": counts}


def _span(months: list[date]) -> dict[str, Any]:
    return {"from": f"{months[0]:%Y-%m}", "to": f"{months[-1]:%Y-%m}", "months": len(months)}


def _r(value: float | None, digits: int = 6) -> float | None:
    """Six significant digits: enough for any reader, and small p-values stay non-zero."""
    return None if value is None else float(f"{float(value):.{digits}g}")


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (_r(v) if isinstance(v, float) else v) for k, v in d.items()}
