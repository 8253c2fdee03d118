"""Ingest throughput and peak memory on the news-stream archive (local data, never committed).

    .venv/bin/python benchmarks/ingest_stream.py [ARCHIVE] [--db out/bench.duckdb]

Runs `corrobora ingest` twice on the same archive (the second run must add nothing) and prints
documents/s, peak resident memory and what was stored, as one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

from corrobora.cli import run_ingest
from corrobora.store import Store

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEFAULT = SHARED / "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("archive", nargs="?", default=str(DEFAULT))
    ap.add_argument("--db", default="out/bench-stream.duckdb")
    args = ap.parse_args()
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    first = run_ingest([args.archive], db, quiet=True)
    t1 = time.perf_counter()
    second = run_ingest([args.archive], db, quiet=True)
    t2 = time.perf_counter()
    with Store(db, read_only=True) as store:
        stats = store.stats()
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "documents_read": first.read, "new": first.new, "copies": first.copies,
        "failed": first.failed, "first_run_s": round(t1 - t0, 1),
        "docs_per_s": round(first.read / (t1 - t0), 1),
        "second_run_new": second.new, "second_run_already_stored": second.already_stored,
        "second_run_s": round(t2 - t1, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "events": stats["events"], "event_reports": stats["event_reports"],
        "store_mb": round(db.stat().st_size / 1e6, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
