"""Removal studies over a store of N events (default 1,000,000): how long from the store to
the answer.

    .venv/bin/python benchmarks/analyze_speed.py [N_EVENTS] [--keep PATH]

Builds a store of synthetic events (10 years, the 32 states, 200 municipalities, a mix of
violent and other types) through Store.write_batch, then times the monthly counting query
and a whole study at state and at municipality level.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from corrobora.analyze.events import violent_event_panel
from corrobora.analyze.study import run_removal_study
from corrobora.store import Store
from corrobora.store.duckdb_store import Batch

STATES = ["MX-AGU", "MX-BCN", "MX-BCS", "MX-CAM", "MX-CHH", "MX-CHP", "MX-CMX", "MX-COA",
          "MX-COL", "MX-DUR", "MX-GRO", "MX-GUA", "MX-HID", "MX-JAL", "MX-MEX", "MX-MIC",
          "MX-MOR", "MX-NAY", "MX-NLE", "MX-OAX", "MX-PUE", "MX-QUE", "MX-ROO", "MX-SIN",
          "MX-SLP", "MX-SON", "MX-TAB", "MX-TAM", "MX-TLA", "MX-VER", "MX-YUC", "MX-ZAC"]
TYPES = [("CRIMINAL_CLASH", "Battles"), ("ATTACK", "Violence against civilians"),
         ("KIDNAPPING", "Violence against civilians"), ("ARREST", "Strategic developments"),
         ("DRUG_SEIZURE", "Strategic developments")]
N_MUNICIPALITIES = 200
CHUNK = 100_000


def build(path: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    places = [{"geonameid": i + 1, "name": f"place {i}", "lat": 0.0, "lon": 0.0,
               "country_code": "MX", "admin1_code": STATES[i % 32],
               "inegi_code": f"{i % 32 + 1:02d}{i // 32 + 1:03d}"}
              for i in range(N_MUNICIPALITIES)]
    start = date(2015, 1, 1)
    with Store(path) as store:
        store.write_batch(Batch(places=places))
        for lo in range(0, n, CHUNK):
            size = min(CHUNK, n - lo)
            days = rng.integers(0, 3650, size)
            where = rng.integers(1, N_MUNICIPALITIES + 1, size)
            kinds = rng.integers(0, len(TYPES), size)
            events = [{"id": f"evt-{lo + k}", "type": TYPES[t][0], "case_label": TYPES[t][0],
                       "acled_event_type": TYPES[t][1], "date": start + timedelta(int(d)),
                       "geonameid": int(g), "n_reports": 1, "independent_sources": 1,
                       "reliability": "C", "credibility": 3, "hedged": False}
                      for k, (d, g, t) in enumerate(zip(days, where, kinds, strict=True))]
            store.write_batch(Batch(new_events=events))


def main() -> None:
    args = sys.argv[1:]
    keep = Path(args[args.index("--keep") + 1]) if "--keep" in args else None
    n = int(next((a for a in args if a.isdigit()), 1_000_000))
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "bench.duckdb"
        if not path.exists():
            t0 = time.perf_counter()
            build(path, n)
            print(f"built a store of {n:,} events in {time.perf_counter() - t0:.1f} s")
        import statsmodels.api  # noqa: F401 - loaded before timing: start-up is not the query

        with Store(path, read_only=True) as store:
            for level, region in (("admin1", "MX-SIN"), ("municipality", "25001")):
                t0 = time.perf_counter()
                panel = violent_event_panel(store, level)
                t1 = time.perf_counter()
                study = run_removal_study(panel, region, date(2020, 6, 15))
                t2 = time.perf_counter()
                print(f"{level:>12}: {len(panel.regions)} regions x {len(panel.months)} months;"
                      f" counting {t1 - t0:.2f} s, study {t2 - t1:.2f} s (ratio "
                      f"{study.estimate.ratio:.2f}, {study.did.n_placebos if study.did else 0}"
                      f" DiD placebos)")
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
