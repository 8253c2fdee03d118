"""Saving figures the way `analyze removal --plot` does (analyze/plot.py): PNG at 150 dpi and
a reproducible SVG (fixed hash salt, no date), matplotlib on the Agg backend; shared by the
alerts, fragmentation and spread pictures."""

from __future__ import annotations

from pathlib import Path


def stem_of(stem: str | Path) -> Path:
    stem = Path(stem)
    if stem.suffix.lower() in {".png", ".svg", ".csv", ".json"}:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    return stem


def pyplot():  # -> the matplotlib.pyplot module, files only
    import matplotlib

    matplotlib.use("Agg")  # never a window; safe on a server
    import matplotlib.pyplot as plt

    return plt


def save(figure, stem: Path) -> list[Path]:  # figure: matplotlib Figure (lazy import)
    import matplotlib

    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    try:
        with matplotlib.rc_context({"svg.hashsalt": "corrobora"}):
            for p in paths:
                figure.savefig(p, dpi=150 if p.suffix == ".png" else None, bbox_inches="tight",
                               metadata={"Date": None} if p.suffix == ".svg" else None)
    finally:
        pyplot().close(figure)
    return paths
