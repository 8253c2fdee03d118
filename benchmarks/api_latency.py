"""Latency of the HTTP API (`corrobora serve`) on a store of N synthetic events (default
1,000,000): p50 and p95 of a filtered event list, its next page, and a map query.

    .venv/bin/python benchmarks/api_latency.py [N_EVENTS] [--keep PATH] [--requests R]

Builds the store through Store.write_batch (10 years, 2,000 places over the 32 states with
real-looking coordinates, five event types), starts `corrobora serve` on a free loopback
port in a subprocess and times requests from this process over one keep-alive connection,
varying the state and the period so no two consecutive requests are the same. Loopback only.
"""

from __future__ import annotations

import http.client
import json
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from corrobora.store import Store
from corrobora.store.duckdb_store import Batch

# (code, lat, lon) of each state's rough centre: points are scattered around it.
STATES = [("MX-AGU", 21.9, -102.3), ("MX-BCN", 30.6, -115.1), ("MX-BCS", 25.4, -111.6),
          ("MX-CAM", 19.0, -90.4), ("MX-CHH", 28.6, -106.1), ("MX-CHP", 16.5, -92.6),
          ("MX-CMX", 19.4, -99.1), ("MX-COA", 27.3, -102.0), ("MX-COL", 19.1, -103.9),
          ("MX-DUR", 24.6, -104.7), ("MX-GRO", 17.6, -99.9), ("MX-GUA", 21.0, -101.3),
          ("MX-HID", 20.5, -98.9), ("MX-JAL", 20.6, -103.6), ("MX-MEX", 19.3, -99.6),
          ("MX-MIC", 19.2, -101.9), ("MX-MOR", 18.7, -99.1), ("MX-NAY", 21.8, -104.8),
          ("MX-NLE", 25.6, -99.9), ("MX-OAX", 17.0, -96.4), ("MX-PUE", 19.0, -97.9),
          ("MX-QUE", 20.8, -99.9), ("MX-ROO", 19.6, -88.0), ("MX-SIN", 25.0, -107.5),
          ("MX-SLP", 22.6, -100.4), ("MX-SON", 29.3, -110.7), ("MX-TAB", 18.0, -92.6),
          ("MX-TAM", 24.3, -98.6), ("MX-TLA", 19.4, -98.2), ("MX-VER", 19.2, -96.5),
          ("MX-YUC", 20.7, -89.0), ("MX-ZAC", 23.3, -102.7)]
TYPES = [("ARMED_CLASH", "Battles"), ("ATTACK", "Violence against civilians"),
         ("ABDUCT_DISSAP", "Violence against civilians"), ("ARREST", "Strategic developments"),
         ("BLOCKADE", "Strategic developments")]
N_PLACES = 2000
CHUNK = 100_000
START = date(2015, 1, 1)


def build(path: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    places = []
    for i in range(N_PLACES):
        code, lat, lon = STATES[i % len(STATES)]
        places.append({"geonameid": i + 1, "name": f"place {i}",
                       "lat": float(lat + rng.normal(0, 0.7)),
                       "lon": float(lon + rng.normal(0, 0.7)), "country_code": "MX",
                       "admin1_code": code, "admin2_name": f"municipio {i}",
                       "inegi_code": f"{i % 32 + 1:02d}{i // 32 + 1:03d}", "feature_code": "PPL"})
    with Store(path) as store:
        store.write_batch(Batch(places=places))
        for lo in range(0, n, CHUNK):
            size = min(CHUNK, n - lo)
            days = rng.integers(0, 3650, size)
            where = rng.integers(1, N_PLACES + 1, size)
            kinds = rng.integers(0, len(TYPES), size)
            dead = rng.poisson(1.5, size)
            cred = rng.integers(1, 5, size)
            events = [{"id": f"evt-{lo + k:012d}", "type": TYPES[t][0], "case_label": TYPES[t][0],
                       "acled_event_type": TYPES[t][1], "date": START + timedelta(int(d)),
                       "time_precision": 1, "geonameid": int(g), "geo_precision": 1,
                       "fatalities_min": int(f), "fatalities_max": int(f), "n_reports": 1,
                       "independent_sources": 1, "reliability": "C", "credibility": int(c),
                       "hedged": False}
                      for k, (d, g, t, f, c) in enumerate(zip(days, where, kinds, dead, cred,
                                                               strict=True))]
            store.write_batch(Batch(new_events=events))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentiles(times: list[float]) -> str:
    ms = np.array(times) * 1000
    return (f"p50 {np.percentile(ms, 50):6.1f} ms  p95 {np.percentile(ms, 95):6.1f} ms  "
            f"max {ms.max():6.1f} ms")


def main() -> None:
    args = sys.argv[1:]
    keep = Path(args[args.index("--keep") + 1]) if "--keep" in args else None
    requests = int(args[args.index("--requests") + 1]) if "--requests" in args else 200
    n = int(next((a for a in args if a.isdigit() and args[args.index(a) - 1] != "--requests"),
                 1_000_000))
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "bench.duckdb"
        if not path.exists():
            t0 = time.perf_counter()
            build(path, n)
            print(f"built a store of {n:,} events in {time.perf_counter() - t0:.1f} s")
        with Store(path, read_only=True) as store:
            total = store.stats()["events"]
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "corrobora.cli", "serve", "--db",
                                   str(path), "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            deadline = time.monotonic() + 60
            while True:
                try:
                    con.request("GET", "/api/stats")
                    con.getresponse().read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("corrobora serve did not start") from None
                    time.sleep(0.3)
                    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

            def get(url: str) -> tuple[float, dict]:
                t0 = time.perf_counter()
                con.request("GET", url)
                body = con.getresponse().read()
                return time.perf_counter() - t0, json.loads(body)

            def period(days: int) -> tuple[str, str]:
                a = START + timedelta(int(rng.integers(0, 3650 - days)))
                return a.isoformat(), (a + timedelta(days)).isoformat()

            results: dict[str, list[float]] = {"list": [], "next page": [], "map": [],
                                               "map bbox": []}
            sizes: dict[str, list[int]] = {k: [] for k in results}
            for _ in range(5):  # warm up: first queries load the file's blocks
                get("/api/events?limit=50")
            for _ in range(requests):
                state = STATES[int(rng.integers(0, len(STATES)))][0]
                since, until = period(365)
                kind = TYPES[int(rng.integers(0, len(TYPES)))][0]
                q = f"/api/events?place={state}&type={kind}&since={since}&until={until}&limit=50"
                dt, body = get(q)
                results["list"].append(dt)
                sizes["list"].append(body["count"])
                if body["next_cursor"]:
                    dt, body = get(q + f"&cursor={body['next_cursor']}")
                    results["next page"].append(dt)
                    sizes["next page"].append(body["count"])
                since, until = period(30)
                dt, body = get(f"/api/geo/events?since={since}&until={until}")
                results["map"].append(dt)
                sizes["map"].append(len(body["features"]))
                _, lat, lon = STATES[int(rng.integers(0, len(STATES)))]
                since, until = period(365)
                dt, body = get(f"/api/geo/events?since={since}&until={until}"
                               f"&bbox={lon - 2},{lat - 2},{lon + 2},{lat + 2}")
                results["map bbox"].append(dt)
                sizes["map bbox"].append(len(body["features"]))
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"store: {total:,} events; {requests} requests of each kind over one keep-alive "
          f"connection; Python {platform.python_version()}, {platform.machine()}")
    notes = {"list": "state + type + 1-year period, 50 a page",
             "next page": "the same, cursor of the first page",
             "map": "GeoJSON, 30-day period, all of Mexico (cap 5,000 points)",
             "map bbox": "GeoJSON, 1-year period, a 4x4 degree box (cap 5,000)"}
    for name, times in results.items():
        if times:
            print(f"{name:>10}: {_percentiles(times)}  ({notes[name]}; "
                  f"{np.mean(sizes[name]):.0f} rows on average)")


if __name__ == "__main__":
    main()
