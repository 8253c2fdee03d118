"""Which months count as before and after a removal.

The removal month itself is in neither window: it mixes days before and after the removal,
and a removal late in the month (Zambada, 25 July) would otherwise count as "after" with
three weeks of "before" in it. With `months = N` and `lag = L`:

    before = the N months before the removal month          (m-N ... m-1)
    after  = the N months after the removal month, after L  (m+1+L ... m+N+L)

`lag` (default 0) skips months after the removal, for effects known to start later; it is
a choice to make before looking at the numbers, not after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from corrobora.analyze.series import month_from_index, month_index


@dataclass(slots=True, frozen=True)
class Windows:
    removal: date
    months: int
    lag: int = 0

    def __post_init__(self) -> None:
        if self.months < 1:
            raise ValueError(f"window of {self.months} months: must be at least 1")
        if self.lag < 0:
            raise ValueError(f"lag of {self.lag} months: must be 0 or more")

    @property
    def removal_month(self) -> date:
        return self.removal.replace(day=1)

    def before(self) -> list[date]:
        m = month_index(self.removal)
        return [month_from_index(m - k) for k in range(self.months, 0, -1)]

    def after(self) -> list[date]:
        m = month_index(self.removal) + self.lag
        return [month_from_index(m + k) for k in range(1, self.months + 1)]

    def describe(self) -> str:
        b, a = self.before(), self.after()
        lag = f", skipping {self.lag} month(s) after it" if self.lag else ""
        return (f"before {b[0]:%Y-%m}..{b[-1]:%Y-%m}, after {a[0]:%Y-%m}..{a[-1]:%Y-%m}; "
                f"removal month {self.removal:%Y-%m} excluded{lag}")
