"""Spread: does violence rise in the regions next to a removal (or any dated event), more than
in regions farther away?

Neighbours are the states sharing a land border with the event's state
(data/geo/mx_state_adjacency.csv); non-neighbours are all other states of the panel. With
the same windows as the removal study (analyze/windows.py: N months before, N after a
skipped removal month and L lag months):

- `treated`, `neighbours`, `non_neighbours`: the before/after ratio of each group's summed
  monthly counts, with its 95% interval (quasi-Poisson GLM, analyze/ratio.py);
- `neighbours_vs_far`: difference-in-differences of the neighbours' summed series against
  each non-neighbour state as a control (Poisson two-way fixed effects with placebo-in-space
  inference, analyze/did.py). IRR > 1: the neighbours rose more than the far states. Assumes
  parallel trends on the log scale and that the far states were not affected; summing the
  neighbours makes them one unit, so the placebos (single far states) are noisier than it;
- `by_neighbour`: each neighbour's own ratio and DiD against the far states.

This is the design of Lindo and Padilla-Romo (2018, municipalities and their neighbours) at
state level. It says whether violence rose next door, not that it moved there.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from corrobora.analyze.series import Panel, SeriesError, region_level
from corrobora.analyze.windows import Windows


@lru_cache(maxsize=1)
def adjacency() -> dict[str, frozenset[str]]:
    """ISO 3166-2 state -> the states it borders (data/geo/mx_state_adjacency.csv)."""
    text = (resources.files("corrobora.data") / "geo" / "mx_state_adjacency.csv").read_text(
        encoding="utf-8")
    out: dict[str, set[str]] = {}
    rows = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    next(rows)
    for a, b in rows:
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(slots=True)
class SpreadResult:
    region: str
    windows: Windows
    neighbours: list[str]
    non_neighbours: list[str]
    groups: dict[str, Any]
    did: dict[str, Any] | None
    by_neighbour: list[dict[str, Any]]
    months: list[date]
    series: dict[str, np.ndarray]
    ratios: dict[str, float | None] = field(default_factory=dict)
    source: str = ""
    warnings: list[str] = field(default_factory=list)
    """Where the data are too thin (as in the removal study, analyze/study.py)."""

    def to_contract(self) -> dict[str, Any]:
        return {"region": self.region, "date": self.windows.removal.isoformat(),
                "window_months": self.windows.months, "lag_months": self.windows.lag,
                "windows": self.windows.describe(), "neighbours": self.neighbours,
                "non_neighbours": self.non_neighbours, **self.groups,
                "neighbours_vs_far": self.did, "by_neighbour": self.by_neighbour,
                "source": self.source, "warnings": list(self.warnings),
                "method": "before/after ratios: quasi-Poisson GLM (statsmodels); neighbours "
                          "vs far states: Poisson two-way FE difference-in-differences with "
                          "placebo-in-space p (analyze/did.py); adjacency: "
                          "data/geo/mx_state_adjacency.csv"}


def _r(v: float | None, nd: int = 3) -> float | None:
    return None if v is None else round(float(v), nd)


def _ratio(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    from corrobora.analyze.ratio import before_after_ratio

    e = before_after_ratio(before, after)
    return {"before_mean": _r(e.before_mean, 2), "after_mean": _r(e.after_mean, 2),
            "ratio": _r(e.ratio), "ci_low": _r(e.ci_low), "ci_high": _r(e.ci_high)}


def spread_study(panel: Panel, region: str, when: date, *, months: int = 12, lag: int = 1,
                 placebos: bool = True) -> SpreadResult:
    from corrobora.analyze.did import difference_in_differences

    if region_level(region) != "admin1":
        raise SeriesError(f"spread needs a state (ISO 3166-2 such as MX-SIN), not {region!r}: "
                          "municipal adjacency is not available")
    adj = adjacency()
    if region not in adj:
        raise SeriesError(f"no adjacency for {region!r} (Mexican states only)")
    panel.row(region)  # raises, naming the file, when the region is absent
    windows = Windows(when, months, lag)
    cols = [panel.column(m) for m in windows.before() + windows.after()]
    if any(c is None for c in cols[:months]) or all(c is None for c in cols[months:]):
        raise SeriesError(f"{panel.source}: the series does not cover the windows "
                          f"({windows.describe()})")
    kept = [c for c in cols if c is not None]
    n_before = months

    def window(r: str) -> np.ndarray:
        return panel.row(r)[kept]

    present = [r for r in panel.regions if not np.isnan(window(r)).any()]
    if region not in present:
        raise SeriesError(f"{panel.source}: {region} has missing months in the windows")
    neighbours = sorted(r for r in adj[region] if r in present)
    far = sorted(r for r in present if r != region and r not in adj[region])
    if not neighbours or not far:
        raise SeriesError(f"{panel.source}: needs neighbours and non-neighbours of {region} "
                          "with complete windows")
    treated = window(region)
    near_sum = np.sum([window(r) for r in neighbours], axis=0)
    far_sum = np.sum([window(r) for r in far], axis=0)
    groups = {"treated": _ratio(treated[:n_before], treated[n_before:]),
              "neighbours_pooled": _ratio(near_sum[:n_before], near_sum[n_before:]),
              "non_neighbours_pooled": _ratio(far_sum[:n_before], far_sum[n_before:])}
    controls = {r: window(r) for r in far}
    d = difference_in_differences(near_sum, controls, n_before, placebos=placebos)
    did = {k: v for k, v in d.to_dict().items() if k not in ("controls",)}
    by_neighbour = []
    for r in neighbours:
        row = window(r)
        entry: dict[str, Any] = {"region": r, **_ratio(row[:n_before], row[n_before:])}
        dn = difference_in_differences(row, controls, n_before, placebos=placebos)
        entry.update({"did_irr": _r(dn.irr), "did_ci_low": _r(dn.ci_low),
                      "did_ci_high": _r(dn.ci_high), "placebo_p": _r(dn.placebo_p)})
        by_neighbour.append(entry)
    ratios: dict[str, float | None] = {}
    for r in present:
        row = window(r)
        b, a = row[:n_before].mean(), row[n_before:].mean()
        ratios[r] = float(a / b) if b > 0 else None
    full = {"treated": panel.row(region),
            "neighbours": np.sum([panel.row(r) for r in neighbours], axis=0),
            "non_neighbours": np.sum([panel.row(r) for r in far], axis=0)}
    return SpreadResult(region, windows, neighbours, far, groups, did, by_neighbour,
                        panel.months, full, ratios, panel.source,
                        _warnings(windows, n_before, {"the region": treated,
                                                      "the neighbours": near_sum,
                                                      "the far states": far_sum}, d,
                                  placebos))


def _warnings(windows: Windows, n_before: int, pooled: dict[str, np.ndarray], d: Any,
              placebos: bool) -> list[str]:
    """The removal study's minimums (analyze/study.py) applied to each pooled series and to
    the neighbours-vs-far comparison."""
    from corrobora.analyze.study import thin_comparison, thin_ratio

    out = []
    after_months = len(next(iter(pooled.values()))) - n_before
    if after_months < windows.months:
        out.append(f"the after window has data for {after_months} of its {windows.months} "
                   "months")
    for name, row in pooled.items():
        out += thin_ratio(f"the ratio of {name}", float(row[:n_before].sum()),
                          float(row[n_before:].sum()))
    used = len(d.controls) if d.irr is not None else 0
    return out + thin_comparison("neighbours vs far states", "far state", used,
                                 d.n_placebos, placebos)


# -- outputs ----------------------------------------------------------------------------------

def write_outputs(result: SpreadResult, stem) -> list[Path]:
    from corrobora.analyze.figures import save, stem_of

    stem = stem_of(stem)
    paths = save(draw(result), stem)
    csv_path = stem.with_suffix(".csv")
    before, after = set(result.windows.before()), set(result.windows.after())
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["month", "window", "treated", "neighbours", "non_neighbours"])
        for i, m in enumerate(result.months):
            window = "before" if m in before else "after" if m in after else ""
            w.writerow([m.isoformat(), window] + [
                "" if np.isnan(result.series[k][i]) else f"{result.series[k][i]:g}"
                for k in ("treated", "neighbours", "non_neighbours")])
    json_path = stem.with_suffix(".json")
    json_path.write_text(json.dumps(result.to_contract(), ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    return [*paths, csv_path, json_path]


def _centroids(regions: list[str]) -> dict[str, tuple[float, float]]:
    """State centre points from the gazetteer (no boundaries ship with Corrobora)."""
    from corrobora.geo.resolver import Resolver

    gz = Resolver.load().gz
    out = {}
    for r in regions:
        f = gz.admin1_feature.get(r)
        if f is not None:
            out[r] = (float(gz.lat[f]), float(gz.lon[f]))
    return out


def draw(result: SpreadResult):
    from matplotlib import colors

    from corrobora.analyze.figures import pyplot

    plt = pyplot()
    import matplotlib.dates as mdates

    fig, (ax, mp) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained",
                                 gridspec_kw={"width_ratios": [1.25, 1]})
    before = result.windows.before()
    b_idx = [result.months.index(m) for m in before if m in result.months]
    lo = max(0, b_idx[0] - 6)
    after = [m for m in result.windows.after() if m in result.months]
    hi = result.months.index(after[-1]) + 4 if after else len(result.months)
    x = result.months[lo:hi]
    styles = {"treated": ("#8c1c13", result.region), "neighbours": ("#dd8452", "neighbours"),
              "non_neighbours": ("#4c72b0", "non-neighbours")}
    for key, (color, label) in styles.items():
        s = result.series[key]
        base = np.nanmean(s[b_idx])
        ratio = result.groups[{"treated": "treated", "neighbours": "neighbours_pooled",
                               "non_neighbours": "non_neighbours_pooled"}[key]]["ratio"]
        ax.plot(x, s[lo:hi] / base if base else s[lo:hi], color=color, linewidth=1.5,
                marker="o", markersize=2.5, label=f"{label} (ratio {ratio:.2f})"
                if ratio is not None else label)
    ax.axvspan(before[0], before[-1], color="#4c72b0", alpha=0.06, linewidth=0)
    if after:
        ax.axvspan(after[0], after[-1], color="#c44e52", alpha=0.06, linewidth=0)
    ax.axvline(result.windows.removal, color="#8c1c13", linestyle=":", linewidth=1.5)
    ax.axhline(1.0, color="#888888", linewidth=0.8)
    ax.set_ylabel("monthly count / before-window mean")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    d = result.did or {}
    irr = d.get("irr")
    ax.set_title(f"{result.region} {result.windows.removal}: neighbours vs far states IRR "
                 + (f"{irr:.2f} (95% CI {d['ci_low']:.2f}–{d['ci_high']:.2f}, placebo p "
                    f"{d['placebo_p']:.3f})" if irr is not None and d.get("placebo_p")
                    is not None else "n/a"), fontsize=10)
    # A schematic map: state centre points coloured by after/before ratio, borders as edges.
    regions = [result.region, *result.neighbours, *result.non_neighbours]
    pts = _centroids(regions)
    adj = adjacency()
    for a in pts:
        for b in adj.get(a, ()):
            if b in pts and a < b:
                mp.plot([pts[a][1], pts[b][1]], [pts[a][0], pts[b][0]], color="#cccccc",
                        linewidth=0.7, zorder=1)
    vals = {r: result.ratios.get(r) for r in pts}
    finite = [v for v in vals.values() if v]
    span = max(2.0, max((max(v, 1 / v) for v in finite), default=2.0))
    norm = colors.LogNorm(vmin=1 / span, vmax=span)
    cmap = plt.get_cmap("RdBu_r")
    for r, (la, lo_) in pts.items():
        v = vals[r]
        mp.scatter(lo_, la, s=160 if r == result.region else 90,
                   color=cmap(norm(v)) if v else "#dddddd",
                   edgecolor="#8c1c13" if r == result.region else
                   ("#dd8452" if r in result.neighbours else "#555555"),
                   linewidth=2.2 if r == result.region or r in result.neighbours else 0.6,
                   zorder=2)
        mp.annotate(r.removeprefix("MX-"), (lo_, la), fontsize=6, ha="center", va="center",
                    zorder=3)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=mp, shrink=0.7, label="after / before ratio")
    mp.set_aspect("equal")
    mp.set_xticks([])
    mp.set_yticks([])
    mp.set_title("after/before by state (orange ring: neighbours)", fontsize=10)
    fig.text(0.01, -0.02, f"Source: {Path(result.source).name or result.source}. "
             f"{result.windows.describe()}. Adjacency: land borders "
             "(data/geo/mx_state_adjacency.csv); points are state centres, not boundaries.",
             fontsize=7, color="#555555")
    return fig
