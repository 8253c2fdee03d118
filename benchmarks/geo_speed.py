"""Resolver start-up time and throughput on the gold toponym spans of a development set.

    .venv/bin/python benchmarks/geo_speed.py [GOLD.jsonl]

Start-up is measured from a built gazetteer cache (the first run ever builds it).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

from corrobora.geo import gazetteer
from corrobora.geo.resolver import Resolver

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def main() -> None:
    gold = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        SHARED / "data/geoparse-dev/gwn.gold.jsonl"
    docs = [json.loads(line) for line in gold.open(encoding="utf-8")]
    gazetteer.load()  # build the cache if this machine has none yet
    gazetteer.load.cache_clear()
    t0 = time.perf_counter()
    resolver = Resolver(gazetteer.load())
    startup = time.perf_counter() - t0
    n = 0
    t1 = time.perf_counter()
    for d in docs:
        spans = [(t["start"], t["end"]) for t in d["toponyms"]]
        resolver.resolve(d["text"], spans, lang=d.get("lang"))
        n += len(spans)
    secs = time.perf_counter() - t1
    print(json.dumps({"machine": f"{platform.machine()} {os.cpu_count()} cores",
                      "startup_s": round(startup, 2), "toponyms": n,
                      "toponyms_per_s": round(n / secs)}))


if __name__ == "__main__":
    main()
