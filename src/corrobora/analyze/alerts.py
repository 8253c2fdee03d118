"""Escalation alerts: where and for whom violence jumps, on daily, weekly or monthly counts.

Two detectors run on each count series (a region's violent events, an actor's, or a
region's official series), and each alert lists the events behind it:

- **shift** (a sustained rise): change points found by PELT (ruptures, Killick et al. 2012)
  on the Anscombe-transformed counts, 2*sqrt(x + 3/8), which makes Poisson counts roughly
  normal with variance 1, so the least-squares ("l2") cost applies; the penalty is
  BIC-like, 2 * sigma^2 * log(n), with sigma^2 the robust variance of the transformed series
  (MAD of first differences / sqrt 2; at least 1, the Poisson value). A change point is an
  alert when the mean after it rises: the ratio of the segment after to the segment before
  and its 95% interval come from the quasi-Poisson GLM of analyze/ratio.py (statsmodels),
  and the alert needs the interval's lower end above 1.
- **spike** (one period far above its recent past): the count against a negative-binomial
  baseline fitted to the trailing `baseline` periods (mean and method-of-moments
  dispersion; Poisson when not over-dispersed), alert when the upper tail probability
  (scipy.stats) is below `alpha` and the count at least `min_count`.

Assumptions: periods are independent given the local level (autocorrelation makes both
detectors fire more often); zero counts between the first and last event are real zeros
(a store with gaps in its coverage will show false shifts at the gaps); PELT's penalty
controls how many change points are found, not a false-alarm rate.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np

SHIFT_METHOD = ("PELT change points (ruptures, l2 cost on Anscombe-transformed counts, "
                "penalty 2 sigma^2 log n); ratio after/before segment with 95% quasi-Poisson "
                "interval (statsmodels GLM)")
SPIKE_METHOD = ("negative-binomial baseline over the trailing periods (moments; Poisson when "
                "not over-dispersed); upper-tail probability (scipy.stats)")


@dataclass(slots=True)
class Alert:
    kind: str
    """shift (a sustained rise from a change point) or spike (one period)."""
    by: str
    """region or actor."""
    key: str
    start: date
    end: date
    """Last day of the alert's periods."""
    count: float
    """Events (or series counts) in the alert's periods."""
    periods: int
    level_before: float
    level_after: float
    """Mean per period before and in the alert."""
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    method: str
    event_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        for k in ("level_before", "level_after", "ratio", "ci_low", "ci_high"):
            if out[k] is not None:
                out[k] = round(float(out[k]), 3)
        if out["p_value"] is not None:
            out["p_value"] = float(f"{out['p_value']:.3g}")
        return out


def step(freq: str) -> timedelta | None:
    return {"day": timedelta(days=1), "week": timedelta(days=7)}.get(freq)


def period_end(start: date, freq: str) -> date:
    if freq == "month":
        nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return nxt - timedelta(days=1)
    s = step(freq)
    assert s is not None
    return start + s - timedelta(days=1)


def periods(first: date, last: date, freq: str) -> list[date]:
    out, cur = [], first
    while cur <= last:
        out.append(cur)
        cur = period_end(cur, freq) + timedelta(days=1)
    return out


def _robust_var(z: np.ndarray) -> float:
    if z.size < 3:
        return 1.0
    d = np.diff(z)
    mad = float(np.median(np.abs(d - np.median(d))))
    return max(1.0, (1.4826 * mad) ** 2 / 2.0)


def change_points(counts: np.ndarray, min_size: int = 3) -> list[int]:
    """Indices where a new segment starts (PELT on Anscombe-transformed counts)."""
    import ruptures as rpt

    n = counts.size
    if n < 2 * min_size:
        return []
    z = 2.0 * np.sqrt(counts + 3.0 / 8.0)
    pen = 2.0 * _robust_var(z) * math.log(n)
    algo = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(z.reshape(-1, 1))
    return [b for b in algo.predict(pen=pen) if b < n]


def shifts(counts: np.ndarray, min_size: int = 3, min_count: float = 3.0
           ) -> list[tuple[int, int, object]]:
    """(start, end exclusive, RatioEstimate) of each significant rise."""
    from corrobora.analyze.ratio import before_after_ratio

    bounds = [0, *change_points(counts, min_size), counts.size]
    out = []
    for i in range(1, len(bounds) - 1):
        before = counts[bounds[i - 1]:bounds[i]]
        after = counts[bounds[i]:bounds[i + 1]]
        if after.sum() < min_count or after.mean() <= before.mean():
            continue
        est = before_after_ratio(before, after)
        if est.ci_low is not None and est.ci_low > 1.0:
            out.append((bounds[i], bounds[i + 1], est))
    return out


def spikes(counts: np.ndarray, baseline: int, alpha: float, min_count: float,
           min_ratio: float = 2.0) -> list[tuple[int, float, float]]:
    """(index, baseline mean, tail probability) of periods far above their trailing mean."""
    from scipy import stats

    out = []
    for t in range(baseline, counts.size):
        x = counts[t]
        if x < min_count:
            continue
        past = counts[t - baseline:t]
        mu = float(past.mean())
        if x < min_ratio * max(mu, 0.5):
            continue
        var = float(past.var(ddof=1)) if past.size > 1 else mu
        lam = max(mu, 1.0 / baseline)  # a quiet past still has some rate
        if var > mu > 0:
            size = mu * mu / (var - mu)
            p = float(stats.nbinom.sf(x - 1, size, size / (size + mu)))
        else:
            p = float(stats.poisson.sf(x - 1, lam))
        if p < alpha:
            out.append((t, mu, p))
    return out


def detect(series: dict[str, np.ndarray], starts: list[date], freq: str, by: str, *,
           baseline: int, alpha: float, min_count: float, min_size: int = 3) -> list[Alert]:
    """Alerts over aligned series (one per key; `starts[t]` is period t's first day)."""
    alerts: list[Alert] = []
    for key, counts in series.items():
        for s, e, est in shifts(counts, min_size, min_count):
            alerts.append(Alert(
                "shift", by, key, starts[s], period_end(starts[e - 1], freq),
                float(counts[s:e].sum()), e - s, est.before_mean, est.after_mean, est.ratio,
                est.ci_low, est.ci_high, est.p_value, SHIFT_METHOD))
        for t, mu, p in spikes(counts, baseline, alpha, min_count):
            x = float(counts[t])
            alerts.append(Alert(
                "spike", by, key, starts[t], period_end(starts[t], freq), x, 1, mu, x,
                x / mu if mu > 0 else None, None, None, p, SPIKE_METHOD))
    alerts.sort(key=lambda a: (a.start, a.by, a.key, a.kind))
    return alerts


def aligned(rows: list[tuple[date, str, float]], freq: str,
            zero_fill: bool = True) -> tuple[list[date], dict[str, np.ndarray]]:
    """(period starts, key -> counts) from (period, key, count) rows, zeros between the
    first and last period of the data."""
    if not rows:
        return [], {}
    starts = periods(min(r[0] for r in rows), max(r[0] for r in rows), freq)
    where = {p: i for i, p in enumerate(starts)}
    out: dict[str, np.ndarray] = {}
    for p, k, n in rows:
        arr = out.setdefault(k, np.zeros(len(starts)) if zero_fill
                             else np.full(len(starts), np.nan))
        arr[where[p]] = n
    return starts, out


# -- running over a store or a series, and writing the results ------------------------------

@dataclass(slots=True)
class AlertRun:
    freq: str
    by: str
    starts: list[date]
    series: dict[str, np.ndarray]
    alerts: list[Alert]
    source: str
    settings: dict[str, object]
    warnings: list[str] = field(default_factory=list)
    """Why there is little or nothing to alert on: no events of the types counted, or
    series too quiet to test."""

    def to_contract(self) -> dict[str, object]:
        return {"freq": self.freq, "by": self.by, "source": self.source,
                "settings": self.settings, "warnings": list(self.warnings),
                "series": len(self.series),
                "periods": len(self.starts),
                "first": self.starts[0].isoformat() if self.starts else None,
                "last": self.starts[-1].isoformat() if self.starts else None,
                "alerts": [a.to_dict() for a in self.alerts],
                "methods": {"shift": SHIFT_METHOD, "spike": SPIKE_METHOD}}


def from_store(store, *, freq: str = "week", by: str = "region", level: str = "admin1",
               region: str | None = None, actor: str | None = None, baseline: int | None = None,
               alpha: float = 0.01, min_count: float = 3, min_total: float = 10,
               max_series: int = 50, max_events: int = 200) -> AlertRun:
    """Alerts on the store's violent events (analyze/events.py) by region or by actor."""
    from corrobora.analyze.events import VIOLENT_ACLED_TYPES, violent_types

    types = violent_types()
    rows = store.event_counts(freq, level, VIOLENT_ACLED_TYPES, types, by=by, region=region,
                              actor=actor)
    starts, series = aligned([(p, k, float(n)) for p, k, n in rows], freq)
    if by == "actor" and actor:
        series = {k: v for k, v in series.items() if k == actor}
    warnings = []
    if not rows:
        from corrobora.analyze.events import none_found

        scope = " ".join(x for x in (f"in {region}" if region else "",
                                     f"naming {actor}" if actor else "") if x)
        warnings.append(none_found(store, f"{scope} with a date and a place"))
    quiet = sum(1 for v in series.values() if v.sum() < min_total)
    if quiet:
        warnings.append(f"{quiet} of {len(series)} series hold fewer than {min_total:g} events "
                        "and are not tested (a detector needs at least that many)")
    # The busiest series first; the quiet ones cannot say much and cost time.
    series = dict(sorted(((k, v) for k, v in series.items() if v.sum() >= min_total),
                         key=lambda kv: -kv[1].sum())[:max_series])
    base = baseline or {"day": 28, "week": 8, "month": 12}[freq]
    alerts = detect(series, starts, freq, by, baseline=base, alpha=alpha, min_count=min_count)
    for a in alerts:
        a.event_ids = store.events_between(
            a.start, a.end, VIOLENT_ACLED_TYPES, types, level=level,
            region=a.key if by == "region" else region,
            actor=a.key if by == "actor" else actor, limit=max_events)
    return AlertRun(freq, by, starts, series, alerts, f"{store.path} (violent events)",
                    {"level": level, "region": region, "actor": actor, "baseline": base,
                     "alpha": alpha, "min_count": min_count, "min_total": min_total},
                    warnings)


def from_panel(panel, *, region: str | None = None, baseline: int = 12, alpha: float = 0.01,
               min_count: float = 3) -> AlertRun:
    """Alerts on a monthly series (CONTRACTS §3 or a stored series), no events behind them."""
    starts = panel.months
    series = {}
    for i, r in enumerate(panel.regions):
        if region and r != region:
            continue
        row = panel.counts[i]
        present = np.flatnonzero(~np.isnan(row))
        if present.size == 0:
            continue
        # Leading and trailing months without data are trimmed; a region with holes inside
        # its range would need imputation, which is not ours to invent: its holes count zero
        # only if the caller made them so.
        lo, hi = present[0], present[-1] + 1
        if np.isnan(row[lo:hi]).any():
            continue
        full = np.zeros_like(row)
        full[lo:hi] = row[lo:hi]
        series[r] = full
    alerts = detect(series, starts, "month", "region", baseline=baseline, alpha=alpha,
                    min_count=min_count)
    return AlertRun("month", "region", starts, series, alerts, panel.source,
                    {"region": region, "baseline": baseline, "alpha": alpha,
                     "min_count": min_count})


def write_outputs(run: AlertRun, stem) -> list:
    """STEM.png/.svg (the series with the most alerts, alerts shaded), STEM.csv (one row per
    alert, event ids joined by spaces) and STEM.json."""
    import csv
    import json

    from corrobora.analyze.figures import save, stem_of

    stem = stem_of(stem)
    paths = save(draw(run), stem)
    csv_path = stem.with_suffix(".csv")
    cols = ["kind", "by", "key", "start", "end", "count", "periods", "level_before",
            "level_after", "ratio", "ci_low", "ci_high", "p_value", "event_ids"]
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for a in run.alerts:
            d = a.to_dict()
            d["event_ids"] = " ".join(a.event_ids)
            w.writerow(["" if d[c] is None else d[c] for c in cols])
    json_path = stem.with_suffix(".json")
    json_path.write_text(json.dumps(run.to_contract(), ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    return [*paths, csv_path, json_path]


def draw(run: AlertRun, panels: int = 6):
    from corrobora.analyze.figures import pyplot

    plt = pyplot()
    import matplotlib.dates as mdates

    per_key: dict[str, int] = {}
    for a in run.alerts:
        per_key[a.key] = per_key.get(a.key, 0) + 1
    keys = sorted(run.series, key=lambda k: (-per_key.get(k, 0), -run.series[k].sum()))[:panels]
    n = max(1, len(keys))
    fig, axes = plt.subplots(n, 1, figsize=(10, 1.9 * n + 0.8), sharex=True,
                             layout="constrained", squeeze=False)
    for ax, key in zip(axes[:, 0], keys, strict=False):
        ax.step(run.starts, run.series[key], where="post", color="#222222", linewidth=1.0)
        for a in run.alerts:
            if a.key != key:
                continue
            if a.kind == "shift":
                ax.axvspan(a.start, a.end + timedelta(days=1), color="#c44e52", alpha=0.15,
                           linewidth=0)
            else:
                ax.plot([a.start], [a.count], marker="v", color="#c44e52", markersize=6)
        ax.set_ylabel(key, fontsize=8, rotation=0, ha="right", va="center")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=7)
    if not keys:
        axes[0, 0].text(0.5, 0.5, "no series with enough events", ha="center",
                        transform=axes[0, 0].transAxes)
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    shifts_n = sum(a.kind == "shift" for a in run.alerts)
    fig.suptitle(f"Escalation alerts by {run.by}, {run.freq}ly counts: {shifts_n} sustained "
                 f"rises (shaded), {len(run.alerts) - shifts_n} spikes (▼)", fontsize=10)
    fig.text(0.01, -0.01, f"Source: {run.source}. Shifts: PELT change points (ruptures) with "
             "quasi-Poisson ratio CI > 1; spikes: negative-binomial tail p < "
             f"{run.settings.get('alpha')}.", fontsize=7, color="#555555")
    return fig
