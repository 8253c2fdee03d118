"""Series files the analysis tests build: panels with a known answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pytest

SeriesWriter = Callable[..., Path]


def months(start: date, n: int) -> list[date]:
    out = []
    y, m = start.year, start.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture
def write_series(tmp_path: Path) -> SeriesWriter:
    """write_series({region: [counts...]}, start=date) -> a CONTRACTS §3 CSV file."""

    def write(counts: dict[str, Sequence[float]], start: date = date(2020, 1, 1),
              name: str = "series.csv") -> Path:
        path = tmp_path / name
        lines = ["date,region,count"]
        for region, values in counts.items():
            for month, value in zip(months(start, len(values)), values, strict=True):
                lines.append(f"{month.isoformat()},{region},{value:g}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
