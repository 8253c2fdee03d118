"""Event fusion at scale: N event reports fused into a store through the ingest path
(`fuse.fusion.fuse_batch` then `Store.write_batch`), then incremental batches of 1,000.

    .venv/bin/python benchmarks/fusion_scale.py [N] [--batch 10000] [--increments 10]
        [--profile ocved.json] [--keep PATH]

The reports are drawn from real distributions, not uniform noise:
- places (municipality and state, with their GeoNames rows) and dates: OCVED 2.0, the daily
  violent presence of criminal groups by municipality 2000-2018 (../shared/data/mexico/
  ocved-2.0-silver), imported once through `corrobora import ocved` into a profile store;
- event types, time and geo precision, fatalities, hedging, attribution and how many
  reports tell one event: the event reports the extraction makes of the demo corpus and
  the seed article (news in English and Spanish);
- sources: the outlets of the source registry, weighted by reliability class.
Each real-world event is told by 1..k reports from different outlets, some a day late, some
only at state level, with disagreeing death tolls; reports arrive in date order with a lag,
as a news stream does. Not a test: it prints timings and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from corrobora.fuse.fusion import fuse_batch
from corrobora.fuse.source_registry import SourceRegistry
from corrobora.store import Store
from corrobora.store.duckdb_store import Batch

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
OCVED = SHARED / "data/mexico/ocved-2.0-silver/OCVED_2.0.xlsx"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the profile: real distributions ------------------------------------------------------

def build_profile(path: Path) -> dict[str, Any]:
    """Place/date counts from OCVED and report-shape frequencies from the demo corpus."""
    from corrobora.demo import corpus_path
    from corrobora.imports import import_file
    from corrobora.ingest import Ingestor
    from corrobora.sources import read_paths

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        with Store(Path(tmp) / "ocved.duckdb") as store:
            import_file(store, "ocved", OCVED)
            ocved_s = time.perf_counter() - t
            places = store.con.execute(
                "SELECT p.geonameid, p.name, p.lat, p.lon, p.country_code, p.admin1_code, "
                "p.admin2_name, p.inegi_code, p.feature_code, p.population, count(*) AS n "
                "FROM event_reports r JOIN gazetteer_places p USING (geonameid) "
                "GROUP BY ALL").fetchall()
            states = store.con.execute(
                "SELECT geonameid, name, lat, lon, country_code, admin1_code, admin2_name, "
                "inegi_code, feature_code, population FROM gazetteer_places "
                "WHERE feature_code = 'ADM1'").fetchall()
            days = store.con.execute(
                "SELECT date::VARCHAR, count(*) FROM event_reports WHERE date IS NOT NULL "
                "GROUP BY 1").fetchall()
        with Store(Path(tmp) / "demo.duckdb") as store:
            news = [str(corpus_path())]
            seed = SHARED / "data/seed/blitz-el-mencho-2026.txt"
            if seed.exists():
                news.append(str(seed))
            Ingestor(store).ingest(read_paths(news))
            shape = store.con.execute(
                "SELECT r.type, r.case_label, r.acled_event_type, r.time_precision, "
                "r.geo_precision, r.fatalities_min, r.fatalities_max, r.hedged, "
                "r.attribution IS NOT NULL AND len(r.attribution) > 0 FROM event_reports r"
            ).fetchall()
            per_event = store.con.execute(
                "SELECT n_reports, count(*) FROM events GROUP BY 1").fetchall()
    profile = {"ocved_import_seconds": round(ocved_s, 1),
               "places": [list(p) for p in places], "states": [list(s) for s in states],
               "days": days, "shape": [list(s) for s in shape], "per_event": per_event}
    path.write_text(json.dumps(profile, default=str))
    return profile


PLACE_COLS = ("geonameid", "name", "lat", "lon", "country_code", "admin1_code", "admin2_name",
              "inegi_code", "feature_code", "population")


class Generator:
    """Event reports drawn from the profile, in arrival order."""

    def __init__(self, profile: dict[str, Any], seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.places = profile["places"]
        w = np.array([p[-1] for p in self.places], dtype=float)
        self.place_p = w / w.sum()
        self.state_of = {s[5]: s for s in profile["states"]}
        days = sorted(profile["days"])
        self.days = [date.fromisoformat(d) for d, _ in days]
        dw = np.array([n for _, n in days], dtype=float)
        self.day_p = dw / dw.sum()
        self.shape = profile["shape"]
        per = sorted(profile["per_event"])
        self.k = np.array([k for k, _ in per])
        kw = np.array([n for _, n in per], dtype=float)
        self.k_p = kw / kw.sum()
        registry = SourceRegistry.load()
        self.sources = [(s.name, s.reliability) for s in registry.sources] or [("Wire", "C")]
        self.n = 0

    def gazetteer(self) -> list[dict[str, Any]]:
        rows = [dict(zip(PLACE_COLS, p[:10], strict=True)) for p in self.places]
        rows += [dict(zip(PLACE_COLS, s, strict=True)) for s in self.state_of.values()]
        return list({r["geonameid"]: r for r in rows}.values())

    def reports(self, n: int) -> list[dict[str, Any]]:
        """About n reports of ceil(n / mean k) events, sorted by arrival."""
        out: list[dict[str, Any]] = []
        rng = self.rng
        while len(out) < n:
            m = 4096
            places = rng.choice(len(self.places), m, p=self.place_p)
            days = rng.choice(len(self.days), m, p=self.day_p)
            ks = rng.choice(self.k, m, p=self.k_p)
            shapes = rng.integers(0, len(self.shape), m)
            for pi, di, k, si in zip(places, days, ks, shapes, strict=True):
                place, day, shape = self.places[pi], self.days[di], self.shape[si]
                base = shape[5]
                self.n += 1
                for j in range(int(k)):
                    src, grade = self.sources[int(rng.integers(len(self.sources)))]
                    state = self.state_of.get(place[5])
                    coarse = state is not None and rng.random() < 0.15
                    late = int(rng.integers(0, 2)) if j else 0
                    dead = None if base is None else max(0, base + int(rng.integers(-1, 3)))
                    out.append({
                        "event": self.n, "type": shape[0], "case_label": shape[1],
                        "acled_event_type": shape[2], "time_precision": shape[3] or 1,
                        "date": day + timedelta(days=late),
                        "geonameid": state[0] if coarse else place[0],
                        "admin1_code": place[5], "geo_precision": 3 if coarse else 1,
                        "fatalities_min": dead, "fatalities_max": dead,
                        "hedged": bool(shape[7]), "source": src, "reliability": grade,
                        "arrival": day + timedelta(days=late + int(rng.integers(0, 3))),
                    })
        out = out[:n]
        out.sort(key=lambda r: r["arrival"])
        return out


def batch_for(reports: list[dict[str, Any]], start: int) -> tuple[Batch, list[tuple[dict, str]]]:
    """Documents (one per report, its own copy group) and report rows for one batch."""
    batch = Batch()
    rows = []
    for i, r in enumerate(reports, start):
        did = f"bench-{i}"
        batch.documents.append({
            "id": did, "content_hash": did, "text": "", "origin": "benchmark",
            "minhash": b"", "ingest_seq": i, "source": r["source"], "story_id": did,
            "published_at": datetime.combine(r["arrival"], datetime.min.time(),
                                              tzinfo=UTC)})
        row = {"id": f"r{i}", "document_id": did, "type": r["type"],
               "case_label": r["case_label"], "acled_event_type": r["acled_event_type"],
               "sentence_start": 0, "sentence_end": 0, "trigger_start": 0, "trigger_end": 0,
               "geonameid": r["geonameid"], "geo_precision": r["geo_precision"],
               "admin1_code": r["admin1_code"], "date": r["date"],
               "time_precision": r["time_precision"], "fatalities_min": r["fatalities_min"],
               "fatalities_max": r["fatalities_max"], "source_key": r["source"],
               "attributed": False, "hedged": r["hedged"], "reliability": r["reliability"]}
        rows.append((row, did))
    return batch, rows


def fuse_into(store: Store, reports: list[dict[str, Any]], start: int,
              sources: SourceRegistry) -> tuple[float, int]:
    batch, rows = batch_for(reports, start)
    t = time.perf_counter()
    batch.new_events, batch.updated_events = fuse_batch(store, rows, sources)
    for row, _root in rows:
        del row["admin1_code"], row["reliability"], row["attributed"]
        batch.event_reports.append(row)
    store.write_batch(batch)
    return time.perf_counter() - t, len(batch.new_events)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--increments", type=int, default=10)
    ap.add_argument("--profile", type=Path, default=Path(tempfile.gettempdir())
                    / "corrobora-fusion-profile.json")
    ap.add_argument("--keep", type=Path, help="Keep the store at this path.")
    ap.add_argument("--checkpoint", default="1GB",
                    help="DuckDB checkpoint_threshold (its default is 16MB).")
    args = ap.parse_args()

    t = time.perf_counter()
    profile = (json.loads(args.profile.read_text()) if args.profile.exists()
               else build_profile(args.profile))
    print(f"profile: {len(profile['places'])} OCVED places, {len(profile['days'])} days, "
          f"{len(profile['shape'])} report shapes from the news corpus "
          f"({time.perf_counter() - t:.0f} s; OCVED import "
          f"{profile.get('ocved_import_seconds')} s)", flush=True)
    gen = Generator(profile)
    t = time.perf_counter()
    reports = gen.reports(args.n + args.increments * 1000)
    bulk, extra = reports[:args.n], reports[args.n:]
    types = Counter(r["case_label"] or r["type"] for r in bulk).most_common(5)
    print(f"generated {len(reports):,} reports of {gen.n:,} events in "
          f"{time.perf_counter() - t:.0f} s; top families {types}", flush=True)

    sources = SourceRegistry.load()
    tmp = tempfile.TemporaryDirectory()
    path = args.keep or Path(tmp.name) / "fusion.duckdb"
    with Store(path) as store:
        # DuckDB writes every index whole at each checkpoint, by default every 16 MB of WAL,
        # which made each 10,000-report batch cost in proportion to the store.
        store.con.execute(f"SET checkpoint_threshold = '{args.checkpoint}'")
        store._insert("gazetteer_places", gen.gazetteer())
        store._insert("sources", [{"name": n, "reliability": g} for n, g in gen.sources])
        t0 = time.perf_counter()
        times: list[float] = []
        for i in range(0, len(bulk), args.batch):
            dt, _ = fuse_into(store, bulk[i:i + args.batch], i, sources)
            times.append(dt)
            done = i + len(bulk[i:i + args.batch])
            if len(times) % 10 == 0 or done == len(bulk):
                print(f"  {done:>9,} reports fused: {time.perf_counter() - t0:7.1f} s, last "
                      f"batch {dt:.2f} s, peak RSS {peak_mib():.0f} MiB", flush=True)
        total = time.perf_counter() - t0
        events = store._scalar("SELECT count(*) FROM events")
        inc = []
        for j in range(args.increments):
            dt, _ = fuse_into(store, extra[j * 1000:(j + 1) * 1000], len(bulk) + j * 1000,
                              sources)
            inc.append(dt)
        store.con.execute("CHECKPOINT")
        size = path.stat().st_size / 2**20
    print(json.dumps({
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
        + f", {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "reports": len(bulk), "events": events, "batch": args.batch,
        "fuse_seconds": round(total, 1), "reports_per_second": round(len(bulk) / total),
        "batch_seconds_median": round(float(np.median(times)), 2),
        "batch_seconds_max": round(max(times), 2),
        "increment_1000_seconds": [round(x, 2) for x in inc],
        "peak_rss_mib": round(peak_mib()), "store_mib": round(size)}, indent=1))


if __name__ == "__main__":
    main()
