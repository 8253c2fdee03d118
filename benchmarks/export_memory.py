"""Peak memory (max RSS) of `corrobora release` and `corrobora export events --format F`
for every streamed format (geojson, parquet, acled, stix, misp, ftm) at two store sizes, to
show that they stream (memory flat as the store grows) instead of building the output in
memory.

    .venv/bin/python benchmarks/export_memory.py [--sizes 1000 20000] [--work DIR]
        [--commands release stix ...] [--memory-limit 128MB]
    CORROBORA_SRC=/path/to/other/src .venv/bin/python benchmarks/export_memory.py  # compare

Each store is made by importing a generated ACLED CSV of N rows (distinct days, five
Sinaloa places, a 300-character note each) with `corrobora import acled`, as a user would;
then each command runs in a child process whose peak RSS the kernel reports (wait4), and
again under tracemalloc for the peak of Python's own heap: RSS also counts DuckDB's buffer
cache, which holds the pages a query read (up to DuckDB's memory limit) and so grows with
the store whatever the export does. Prints one JSON line per size and command. Generated
files stay in --work (a temp folder by default, removed at the end). `--memory-limit`
runs each export with DuckDB's `SET memory_limit` (and one thread) on its connection, to
see how much of the RSS is DuckDB's buffer cache.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from corrobora.export.acled import COLUMNS

PLACES = [("Culiacan", "Culiacan", 24.8049, -107.3940), ("Navolato", "Navolato", 24.7653,
          -107.7017), ("Elota", "La Cruz", 23.9213, -106.8927), ("Mazatlan", "Mazatlan",
          23.2494, -106.4111), ("Guasave", "Guasave", 25.5705, -108.4697)]
NOTE = ("Gunmen of two factions clashed in the streets for several hours; residents reported "
        "gunfire, burned vehicles and roadblocks, and the state prosecutor's office said it "
        "had opened an investigation into the deaths and the abductions that followed, while "
        "soldiers patrolled the neighbourhood and schools stayed closed the next day. ")


def acled_csv(path: Path, n: int) -> None:
    start = date(1970, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i in range(n):
            admin2, location, lat, lon = PLACES[i % len(PLACES)]
            day = start + timedelta(days=i)
            w.writerow({
                "event_id_cnty": f"MEX{i:07d}", "event_date": day.isoformat(),
                "year": day.year, "time_precision": 1, "disorder_type": "Political violence",
                "event_type": "Battles", "sub_event_type": "Armed clash",
                "actor1": "Los Chapitos", "inter1": 3, "actor2": "Los Mayos", "inter2": 3,
                "interaction": 33, "iso": 484, "region": "Central America",
                "country": "Mexico", "admin1": "Sinaloa", "admin2": admin2,
                "location": location, "latitude": lat, "longitude": lon,
                "geo_precision": 1, "source": "Reforma; Rio Doce",
                "source_scale": "National", "notes": f"{i}: {NOTE}", "fatalities": i % 7,
                "timestamp": 1727000000})


FORMATS = ("geojson", "parquet", "acled", "stix", "misp", "ftm")
CLI = "from corrobora.cli import app; app()"
# The same command with Python's heap traced; the peak is written to $PEAK_FILE.
TRACED = ("import os, sys, tracemalloc\ntracemalloc.start()\nfrom corrobora.cli import app\n"
          "try:\n    app(sys.argv[1:])\nfinally:\n    open(os.environ['PEAK_FILE'], 'w')"
          ".write(str(tracemalloc.get_traced_memory()[1]))\n")


LIMITED = ("import os, sys\nimport corrobora.store.duckdb_store as ds\n_init = ds.Store.__init__\n"
           "def init(self, *a, **k):\n    _init(self, *a, **k)\n"
           "    self.con.execute(f\"SET memory_limit = '{os.environ['DUCKDB_LIMIT']}'\")\n"
           "    self.con.execute('SET threads = 1')\n"
           "ds.Store.__init__ = init\n")


def run(args: list[str], env: dict[str, str], code: str = CLI) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of `corrobora ARGS` in a child process."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                            stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"corrobora {' '.join(args)} failed")
    return time.perf_counter() - t, usage.ru_maxrss / 1024  # Linux: KiB


def python_peak(args: list[str], env: dict[str, str], work: Path) -> float:
    """Peak of Python's heap (tracemalloc) of `corrobora ARGS`, in MiB."""
    peak = work / "peak"
    run(args, {**env, "PEAK_FILE": str(peak)}, TRACED)
    return int(peak.read_text()) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    ap.add_argument("--work", type=Path, help="keep the generated stores here (reused)")
    ap.add_argument("--commands", nargs="+", default=["release", *FORMATS],
                    help="release and/or export formats to measure")
    ap.add_argument("--memory-limit", help="DuckDB memory_limit for the exports (e.g. 128MB)")
    a = ap.parse_args()
    work = a.work or Path(tempfile.mkdtemp(prefix="corrobora-export-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    src = os.environ.get("CORROBORA_SRC")
    if src:
        env["PYTHONPATH"] = src
    try:
        for n in a.sizes:
            db = work / f"store-{n}.duckdb"
            if not db.exists():
                acled_csv(work / f"acled-{n}.csv", n)
                secs, rss = run(["import", "acled", str(work / f"acled-{n}.csv"), "--db",
                                 str(db), "-q"], env)
                print(json.dumps({"events": n, "command": "import acled",
                                  "seconds": round(secs, 1), "peak_rss_mib": round(rss)}),
                      flush=True)
            out = work / f"out-{n}"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            commands = {
                "release": ["release", "--db", str(db), "-o", str(out), "--version", "b"],
                **{f"export {fmt}": ["export", "events", "--db", str(db), "--format", fmt,
                                     "-o", str(out / f"events.{fmt}")]
                   for fmt in FORMATS}}
            for name, args in commands.items():
                if name.removeprefix("export ") not in a.commands:
                    continue
                if a.memory_limit:
                    secs, rss = run(args, {**env, "DUCKDB_LIMIT": a.memory_limit},
                                    LIMITED + CLI)
                    print(json.dumps({"events": n, "command": name,
                                      "duckdb_memory_limit": a.memory_limit,
                                      "seconds": round(secs, 1), "peak_rss_mib": round(rss)}),
                          flush=True)
                    continue
                secs, rss = run(args, env)
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                heap = python_peak(args, env, work)
                print(json.dumps({"events": n, "store_mib": round(db.stat().st_size / 2**20),
                                  "command": name, "seconds": round(secs, 1),
                                  "peak_rss_mib": round(rss),
                                  "python_heap_peak_mib": round(heap, 1)}), flush=True)
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
