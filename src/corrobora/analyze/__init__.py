"""What happens next: removal studies on monthly series (official or from the store's events).

`series` reads and holds CONTRACTS §3 series, `windows` defines before and after, `ratio`
the before/after ratio and its interval, `did` the comparison with control regions,
`synth` the synthetic control, `study` puts them together, `events` builds series from the
store, `registry` the dated removals, `plot` the pictures and CSV.
"""

from corrobora.analyze.series import Panel, SeriesError, read_series
from corrobora.analyze.study import RemovalStudy, run_removal_study

__all__ = ["Panel", "RemovalStudy", "SeriesError", "read_series", "run_removal_study"]
