"""Pictures and tables of a removal study: PNG and SVG an analyst can put in a report, and a
CSV of the numbers behind them."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from corrobora.analyze.study import RemovalStudy

CONTEXT_MONTHS = 18
"""Months shown before the before window, so the reader sees the longer trend."""


def write_outputs(study: RemovalStudy, stem: str | Path) -> list[Path]:
    """Write STEM.png, STEM.svg, STEM.csv (the monthly numbers) and STEM.json (the result);
    a suffix on `stem` is dropped. Returns the paths written."""
    stem = Path(stem)
    if stem.suffix.lower() in {".png", ".svg", ".csv", ".json"}:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    figure = draw(study)
    import matplotlib

    try:
        # A fixed salt and no date: the same study gives the same SVG bytes (diffable docs).
        with matplotlib.rc_context({"svg.hashsalt": "corrobora"}):
            for p in paths:
                figure.savefig(p, dpi=150 if p.suffix == ".png" else None,
                               bbox_inches="tight",
                               metadata={"Date": None} if p.suffix == ".svg" else None)
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    paths.append(write_csv(study, stem.with_suffix(".csv")))
    json_path = stem.with_suffix(".json")
    json_path.write_text(json.dumps(study.to_contract(), ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    paths.append(json_path)
    return paths


def _shown(study: RemovalStudy) -> tuple[list[date], np.ndarray]:
    months, series = study.series_months, study.series
    first = min([study.before_months[0], *study.synth_months[:1]])
    lo = max(0, months.index(first) - CONTEXT_MONTHS) if first in months else 0
    hi = months.index(study.after_months[-1]) + 1
    return months[lo:hi], series[lo:hi]


def _next(month: date) -> date:
    """The first of the following month: where a month's bar ends."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _mid(month: date) -> date:
    return month + timedelta(days=14)


def draw(study: RemovalStudy):  # -> matplotlib Figure (kept untyped: matplotlib is lazy)
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window; safe on a server
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    e = study.estimate
    months, counts = _shown(study)
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    x = [_mid(m) for m in months]
    ax.plot(x, counts, color="#222222", marker="o", markersize=3, linewidth=1.3,
            label=f"{study.region} monthly count")
    b0, b1 = study.before_months[0], study.before_months[-1]
    a0, a1 = study.after_months[0], study.after_months[-1]
    ax.axvspan(b0, _next(b1), color="#4c72b0", alpha=0.08, linewidth=0)
    ax.axvspan(a0, _next(a1), color="#c44e52", alpha=0.08, linewidth=0)
    ax.hlines(e.before_mean, b0, _next(b1), color="#4c72b0", linewidth=2.2,
              label=f"before mean {e.before_mean:.1f}")
    ax.hlines(e.after_mean, a0, _next(a1), color="#c44e52", linewidth=2.2,
              label=f"after mean {e.after_mean:.1f}")
    if e.ci_low is not None and e.ci_high is not None:
        # The ratio's interval drawn on the after level: before mean x [low, high].
        ax.fill_between([a0, _next(a1)], e.before_mean * e.ci_low, e.before_mean * e.ci_high,
                        color="#c44e52", alpha=0.22, linewidth=0,
                        label=f"95% interval (ratio {e.ci_low:.2f}–{e.ci_high:.2f})")
    if study.synth is not None:
        ax.plot([_mid(m) for m in study.synth_months], study.synth.synthetic, color="#55a868",
                linestyle="--", linewidth=1.3,
                label=f"synthetic control (pre-fit RMSE {study.synth.pre_rmse:.1f})")
    removal = study.windows.removal
    ax.axvline(removal, color="#8c1c13", linestyle=":", linewidth=1.6)
    who = ""
    if study.removal:
        who = f"{study.removal.get('person', '')} {study.removal.get('kind', '')}".strip()
    ax.annotate(f"{removal:%Y-%m-%d}" + (f"\n{who}" if who else ""), xy=(removal, 1.0),
                xycoords=("data", "axes fraction"), xytext=(-4, -4),
                textcoords="offset points", ha="right", va="top", fontsize=8,
                color="#8c1c13")
    ratio = "n/a" if e.ratio is None else f"{e.ratio:.2f}"
    title = f"{study.region}: after/before ratio {ratio}"
    if e.ci_low is not None and e.ci_high is not None:
        title += f" (95% CI {e.ci_low:.2f}–{e.ci_high:.2f})"
    if study.did is not None and study.did.irr is not None:
        title += f"; vs controls IRR {study.did.irr:.2f}"
    ax.set_title(title, fontsize=11)
    ax.set_ylabel("count per month")
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.text(0.01, -0.02, f"Source: {Path(study.source).name or study.source}. "
             f"{study.windows.describe()}.", fontsize=7, color="#555555")
    return fig


def write_csv(study: RemovalStudy, path: Path) -> Path:
    """One row per month shown: count, window, synthetic control where computed."""
    months, counts = _shown(study)
    before, after = set(study.before_months), set(study.after_months)
    synthetic = dict(zip(study.synth_months,
                         [] if study.synth is None else study.synth.synthetic, strict=True))
    removal_month = study.windows.removal_month
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["month", "region", "count", "window", "synthetic"])
        for m, c in zip(months, counts, strict=True):
            window = ("before" if m in before else "after" if m in after
                      else "removal" if m == removal_month else "")
            s = synthetic.get(m)
            w.writerow([m.isoformat(), study.region, "" if np.isnan(c) else f"{c:g}", window,
                        "" if s is None else f"{s:.3f}"])
    return path
