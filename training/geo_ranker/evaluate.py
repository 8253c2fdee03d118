"""Resolve the gold toponym spans of the geoparsing dev sets in-process and score them.

    .venv/bin/python training/geo_ranker/evaluate.py [--dump out/geo/misses.jsonl]

Faster than `benchmarks/dev_scores.py geo-*-gold` (no spaCy) and scored the same way as
`score_geoparse.py --resolution-only`: acc@161 over gold toponyms with coordinates, an
unresolved span counting as 20,039 km.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
from pathlib import Path

from corrobora.geo.resolver import Resolver

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[3] / "shared"))
SETS = {"gwn": "geoparse-dev/gwn.gold.jsonl", "tr": "geoparse-dev/tr-news.gold.jsonl"}
MAX_KM = 20039.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def load(name: str) -> list[dict]:
    with (SHARED / "data" / SETS[name]).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def score(resolver: Resolver, docs: list[dict], dump: list[dict] | None = None) -> dict:
    errors: list[float] = []
    gid_right = gid_n = 0
    for d in docs:
        tops = d["toponyms"]
        places = resolver.resolve(d["text"], [(t["start"], t["end"]) for t in tops],
                                  lang=d.get("lang"))
        for t, p in zip(tops, places, strict=True):
            if t.get("lat") is None:
                continue
            e = MAX_KM if p.lat is None else km(t["lat"], t["lon"], p.lat, p.lon)
            errors.append(e)
            if t.get("geonameid") is not None:
                gid_n += 1
                gid_right += p.geonameid == t["geonameid"]
            if dump is not None and e > 161:
                dump.append({"id": d["id"], "text": t.get("text") or d["text"][t["start"]:t["end"]],
                             "gold": [t.get("name"), t["lat"], t["lon"], t.get("geonameid"),
                                      t.get("feature_code"), t.get("country_code"), t.get("type")],
                             "pred": [p.name, p.lat, p.lon, p.geonameid, p.feature_code,
                                      p.country_code], "km": round(e),
                             "ctx": d["text"][max(0, t["start"] - 60):t["end"] + 60]})
    return {"n": len(errors), "acc161": round(sum(e <= 161 for e in errors) / len(errors), 4),
            "median_km": round(statistics.median(errors), 1),
            "geonameid_acc": round(gid_right / gid_n, 4) if gid_n else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*", default=list(SETS))
    ap.add_argument("--dump", type=Path)
    args = ap.parse_args()
    resolver = Resolver.load()
    dump: list[dict] = []
    for name in args.sets:
        print(name, json.dumps(score(resolver, load(name), dump if args.dump else None)))
    if args.dump:
        args.dump.parent.mkdir(parents=True, exist_ok=True)
        with args.dump.open("w", encoding="utf-8") as f:
            for r in dump:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
