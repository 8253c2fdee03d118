"""Monthly count series by region (CONTRACTS §3): reading, checking and holding them.

A series file is CSV with the columns `date,region,count`: `date` the first of a month,
`region` an ISO 3166-2 code (`MX-SIN`) or a 5-digit INEGI municipality code (`17007`),
`count` a non-negative number. Problems are reported with the file and line.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

ISO_3166_2 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
INEGI_MUNICIPALITY = re.compile(r"^\d{5}$")
REQUIRED_COLUMNS = ("date", "region", "count")


class SeriesError(ValueError):
    """A series file or request that cannot be analysed, with where and why."""


def normalise_region(code: str) -> str:
    """`mx-sin` -> `MX-SIN`; `1001` -> `01001` (a spreadsheet dropped the INEGI zero)."""
    code = code.strip()
    if code.isdigit() and len(code) == 4:
        return "0" + code
    return code.upper()


def region_level(code: str) -> str:
    """`admin1` for ISO 3166-2 codes, `municipality` for INEGI codes, else `other`."""
    if ISO_3166_2.match(code):
        return "admin1"
    if INEGI_MUNICIPALITY.match(code):
        return "municipality"
    return "other"


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def month_from_index(i: int) -> date:
    return date(i // 12, i % 12 + 1, 1)


@dataclass(slots=True)
class Panel:
    """Counts of regions by month: `counts[r, t]` for `regions[r]` in month `start + t`.

    Months are contiguous; a month a region has no row for is NaN (missing, not zero).
    """

    regions: list[str]
    start: int
    """Month index (year * 12 + month - 1) of the first column."""
    counts: np.ndarray
    source: str = ""

    @property
    def months(self) -> list[date]:
        return [month_from_index(self.start + t) for t in range(self.counts.shape[1])]

    def row(self, region: str) -> np.ndarray:
        try:
            return self.counts[self.regions.index(region)]
        except ValueError:
            raise SeriesError(
                f"{self.source or 'series'}: no region {region!r} (it has "
                f"{_sample(self.regions)})") from None

    def column(self, month: date) -> int | None:
        t = month_index(month) - self.start
        return t if 0 <= t < self.counts.shape[1] else None

    def first_month(self, region: str) -> date | None:
        present = np.flatnonzero(~np.isnan(self.row(region)))
        return month_from_index(self.start + int(present[0])) if present.size else None

    def last_month(self, region: str) -> date | None:
        present = np.flatnonzero(~np.isnan(self.row(region)))
        return month_from_index(self.start + int(present[-1])) if present.size else None


def _sample(items: Sequence[str], n: int = 5) -> str:
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def panel_from_rows(rows: Iterable[tuple[date, str, float]], *, zero_fill: bool = False,
                    source: str = "") -> Panel:
    """Build a panel from (month, region, count) rows, already checked.

    `zero_fill` makes months without a row zero: right for event counts from the store
    (no event is a count of 0), wrong for an official series (no row is no data).
    """
    data: dict[tuple[int, str], float] = {}
    for month, region, count in rows:
        data[(month_index(month), region)] = count
    if not data:
        raise SeriesError(f"{source or 'series'}: no rows")
    regions = sorted({r for _, r in data})
    lo = min(m for m, _ in data)
    hi = max(m for m, _ in data)
    counts = np.full((len(regions), hi - lo + 1), 0.0 if zero_fill else np.nan)
    where = {r: i for i, r in enumerate(regions)}
    for (m, r), c in data.items():
        counts[where[r], m - lo] = c
    return Panel(regions=regions, start=lo, counts=counts, source=source)


def read_series(path: str | Path) -> Panel:
    """Read a CONTRACTS §3 series file; raise SeriesError naming the file, line and problem."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SeriesError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    rows: list[tuple[date, str, float]] = []
    seen: dict[tuple[date, str], int] = {}
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise SeriesError(f"{path}: empty file (expected a header date,region,count)")
            names = [h.strip().lower() for h in header]
            missing = [c for c in REQUIRED_COLUMNS if c not in names]
            if missing:
                raise SeriesError(
                    f"{path}:1: missing column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} (header is {','.join(header)}; "
                    f"expected date,region,count)")
            at = {c: names.index(c) for c in REQUIRED_COLUMNS}
            for record in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) < len(names):
                    raise SeriesError(f"{path}:{line}: {len(record)} fields, expected "
                                      f"{len(names)}")
                month = _parse_month(record[at["date"]], path, line)
                region = normalise_region(record[at["region"]])
                if not region:
                    raise SeriesError(f"{path}:{line}: empty region")
                count = _parse_count(record[at["count"]], path, line)
                key = (month, region)
                if key in seen:
                    raise SeriesError(f"{path}:{line}: duplicate ({month}, {region}), first "
                                      f"on line {seen[key]}")
                seen[key] = line
                rows.append((month, region, count))
        except UnicodeDecodeError as exc:
            raise SeriesError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise SeriesError(f"{path}: not CSV: {exc}") from exc
    if not rows:
        raise SeriesError(f"{path}: no data rows after the header")
    return panel_from_rows(rows, source=str(path))


def _parse_month(value: str, path: Path, line: int) -> date:
    value = value.strip()
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise SeriesError(f"{path}:{line}: bad date {value!r} (expected YYYY-MM-01)") from None
    if d.day != 1:
        raise SeriesError(f"{path}:{line}: date {value} is not the first of a month "
                          "(monthly series are dated YYYY-MM-01)")
    return d


def _parse_count(value: str, path: Path, line: int) -> float:
    value = value.strip()
    try:
        count = float(value)
    except ValueError:
        raise SeriesError(f"{path}:{line}: count {value!r} is not a number") from None
    if not math.isfinite(count):
        raise SeriesError(f"{path}:{line}: count {value!r} is not finite")
    if count < 0:
        raise SeriesError(f"{path}:{line}: negative count {value}")
    return count
