"""Official series (SESNSP victims of intentional homicide by state and month, INEGI
municipal homicides, ...): counts by region and period, not events. Stored as a series
table the analyses read, with the dataset and the file and line each value came from.

Format: CONTRACTS §3, CSV `date,region,count` (monthly, `date` the first of the month,
`region` ISO 3166-2 or a 5-digit INEGI municipality code). A bad row is reported with file
and line and left out; the rest is stored. Re-importing replaces values (official series
are revised), so it is idempotent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corrobora.imports.base import RowError, RowProblem, parse_date, read_csv

REGION = re.compile(r"^([A-Z]{2}-[A-Z0-9]{1,3}|\d{5})$")


@dataclass(slots=True, frozen=True)
class SeriesValue:
    region: str
    period: date
    value: float
    line: int


def read(path: Path) -> Iterator[SeriesValue | RowProblem]:
    seen: dict[tuple[str, date], int] = {}
    for line, row in read_csv(path, ("date", "region", "count"), delimiter=","):
        try:
            if "__short__" in row:
                raise RowError(row["__short__"])
            period = parse_date(row.get("date"), "date")
            if period.day != 1:
                raise RowError(f"date {period} is not the first of a month")
            region = row.get("region", "").strip().upper()
            if region.isdigit() and len(region) == 4:
                region = "0" + region  # a spreadsheet dropped the INEGI code's zero
            if not REGION.match(region):
                raise RowError(f"region {region!r} is neither ISO 3166-2 nor an INEGI code")
            try:
                value = float(row.get("count", ""))
            except ValueError:
                raise RowError(f"count {row.get('count')!r} is not a number") from None
            if not math.isfinite(value) or value < 0:
                raise RowError(f"count {value} is not a non-negative number")
            if (region, period) in seen:
                raise RowError(f"duplicate ({period}, {region}), first on line "
                               f"{seen[(region, period)]}")
            seen[(region, period)] = line
            yield SeriesValue(region, period, value, line)
        except RowError as exc:
            yield RowProblem(str(path), line, str(exc))
