"""Toponym resolution from gold spans (the setting of the published geocoding tables).

    .venv/bin/python benchmarks/geoparse_resolution.py [--shared ../shared] [--out DIR]
        [--backoff] [--tail]

For each dev gold file (GeoWebNews, TR-News), resolves the input's `toponyms` spans, writes
a PRED jsonl in the CONTRACTS §1 output format and runs the shared scorer with
`--resolution-only` and with `--original-coords`. `--tail` also scores the last-30% splits
made by `eval/convert.py tail` (comparable with Mordecai 3's held-out numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = ("gwn", "tr-news")
KEYS = ("acc161", "auc", "mean_km", "median_km", "geonameid_acc", "country_acc", "admin1_acc")


def predict(gold: Path, pred: Path, *, backoff: bool) -> tuple[int, float]:
    from corrobora.geo.resolver import Resolver

    resolver = Resolver.load()
    n = 0
    t = time.perf_counter()
    with gold.open(encoding="utf-8") as fin, pred.open("w", encoding="utf-8") as fout:
        for line in fin:
            doc = json.loads(line)
            spans = [(int(t["start"]), int(t["end"])) for t in doc.get("toponyms", [])]
            places = resolver.resolve(doc["text"], spans, lang=doc.get("lang"), backoff=backoff)
            n += len(spans)
            fout.write(json.dumps({
                "id": doc["id"], "lang": doc.get("lang"), "entities": [],
                "places": [p.to_contract() for p in places],
                "event_type": None, "events": [],
            }, ensure_ascii=False) + "\n")
    return n, time.perf_counter() - t


def score(scorer: Path, gold: Path, pred: Path, *extra: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(scorer), str(gold), str(pred),
                          "--resolution-only", *extra],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt(v: object) -> str:
    return "-" if v is None else f"{float(v):.3f}"  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")))
    ap.add_argument("--out", type=Path, default=None, help="where to keep PRED files")
    ap.add_argument("--backoff", action="store_true",
                    help="give unresolvable spans the document's main place")
    ap.add_argument("--tail", action="store_true", help="also score the 30%% tails")
    args = ap.parse_args()
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="geoparse-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    dev = args.shared / "data" / "geoparse-dev"
    scorer = args.shared / "eval" / "score_geoparse.py"
    convert = args.shared / "eval" / "convert.py"

    t = time.perf_counter()
    from corrobora.geo.resolver import Resolver

    Resolver.load()
    print(f"start-up (gazetteer load): {time.perf_counter() - t:.2f} s")

    rows = []
    for corpus in CORPORA:
        gold = dev / f"{corpus}.gold.jsonl"
        pred = out_dir / f"{corpus}.pred.jsonl"
        n, secs = predict(gold, pred, backoff=args.backoff)
        print(f"{corpus}: {n} toponyms in {secs:.2f} s = {n / secs:.0f} toponyms/s -> {pred}")
        golds = [("all", gold)]
        if args.tail:
            tail = out_dir / f"{corpus}.tail.gold.jsonl"
            subprocess.run([sys.executable, str(convert), "tail", str(gold), str(tail)],
                           check=True, capture_output=True)
            golds.append(("tail", tail))
        for split, g in golds:
            for mode, extra in (("gold", ()), ("orig", ("--original-coords",))):
                r = score(scorer, g, pred, *extra)
                rows.append((corpus, split, mode, r))
    print()
    print(f"{'corpus':8} {'split':5} {'coords':6} {'n':>5} " + " ".join(f"{k:>13}" for k in KEYS))
    for corpus, split, mode, r in rows:
        vals = " ".join(f"{_fmt(r.get(k)):>13}" for k in KEYS)
        n = r.get("n_scored", "")
        print(f"{corpus:8} {split:5} {mode:6} {n!s:>5} {vals}")


if __name__ == "__main__":
    main()
