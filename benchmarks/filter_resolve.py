"""What resolving a typed filter value costs (store/filters.py): `events --place culiacan`.

    .venv/bin/python benchmarks/filter_resolve.py [N_EVENTS] [--keep PATH]

Builds a store (default 200,000 events) over the gazetteer's Mexican populated places and
municipalities through Store.write_batch, then times, each from a fresh process state where
it matters: loading the gazetteer and the actor registry (once per command), the place
catalogue query, and resolving a few values; and the filtered listing against the same
listing by code.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from corrobora.store import EventFilter, Store
from corrobora.store.duckdb_store import Batch

CHUNK = 100_000


def build(path: Path, n: int) -> int:
    from corrobora.geo import gazetteer as gz

    g = gz.load()
    places = [{"geonameid": int(g.geonameid[f]), "name": g.name[f], "lat": float(g.lat[f]),
               "lon": float(g.lon[f]), "country_code": "MX", "admin1_code": g.admin1_code[f],
               "admin2_name": g.admin2_name[f], "inegi_code": g.inegi_code[f],
               "feature_code": g.feature_code[f]}
              for f in range(len(g)) if g.country_code[f] == "MX" and g.geonameid[f] > 0
              and g.kind[f] in (gz.KIND_CITY, gz.KIND_ADM2, gz.KIND_ADM1)]
    ids = np.array([p["geonameid"] for p in places])
    rng = np.random.default_rng(0)
    with Store(path) as store:
        store.write_batch(Batch(places=places))
        for lo in range(0, n, CHUNK):
            size = min(CHUNK, n - lo)
            days = rng.integers(0, 3650, size)
            where = rng.choice(ids, size)
            store.write_batch(Batch(new_events=[
                {"id": f"evt-{lo + k}", "type": "ATTACK", "case_label": "ATTACK",
                 "acled_event_type": "Violence against civilians",
                 "date": date(2015, 1, 1) + timedelta(int(d)), "geonameid": int(p),
                 "n_reports": 1, "independent_sources": 1, "reliability": "C",
                 "credibility": 3, "hedged": False}
                for k, (d, p) in enumerate(zip(days, where, strict=True))]))
    return len(places)


def timed(label: str, fn: Callable[[], object], repeat: int = 3) -> object:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<48} {best * 1000:8.1f} ms")
    return out


def main() -> None:
    argv = sys.argv[1:]
    keep = None
    if "--keep" in argv:
        i = argv.index("--keep")
        keep, argv = argv[i + 1], argv[:i] + argv[i + 2:]
    n = int(argv[0]) if argv else 200_000
    folder = Path(tempfile.mkdtemp())
    path = Path(keep) if keep else folder / "bench.duckdb"
    if not path.exists():
        t = time.perf_counter()
        n_places = build(path, n)
        print(f"built {n:,} events over {n_places:,} places in {time.perf_counter() - t:.1f} s")
    print(f"{platform.python_version()} on {platform.machine()}, {path}")

    from corrobora.extract.actors import ActorRegistry
    from corrobora.store import filters

    t = time.perf_counter()
    filters._gazetteer()
    print(f"{'gazetteer load (once per command)':<48} {(time.perf_counter() - t) * 1000:8.1f} ms")
    t = time.perf_counter()
    ActorRegistry.load()
    print(f"{'actor registry load (once per command)':<48} "
          f"{(time.perf_counter() - t) * 1000:8.1f} ms")
    with Store(path, read_only=True) as store:
        timed("place catalogue query", store.place_catalogue)
        for value in ("culiacan", "Sinaloa", "Juárez, MX-NLE", "MX-SIN", "culican"):
            def resolve(v: str = value) -> object:
                try:
                    return filters.resolve_place(store, v)
                except filters.FilterError as exc:
                    return exc
            timed(f"resolve --place {value!r}", resolve)
        code = EventFilter(place="MX-SIN", limit=None)
        timed("list_events by code, unresolved (MX-SIN)", lambda: store.list_events(code))
        resolved = filters.resolve(store, code)
        timed("list_events resolved (MX-SIN)", lambda: store.list_events(resolved))


if __name__ == "__main__":
    main()
