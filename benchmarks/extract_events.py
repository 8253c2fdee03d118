"""Document event typing on the CASE 2021 Task 2 dev split, scored by score_events.py.

    .venv/bin/python benchmarks/extract_events.py [--shared ../shared]

Rule-based: trigger lexicons of data/ontology/event_types.yaml, nothing learnt from the
dev items. A document with no trigger at all gets ARMED_CLASH (the most frequent label of
the CASE training data's ACLED-like sources) rather than null, which always scores wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corrobora.extract.events import document_event_type

REPO = Path(__file__).resolve().parents[1]
FALLBACK = "ARMED_CLASH"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    gold = args.shared / "data" / "events-dev" / "case2021-task2" / "dev.gold.jsonl"
    rows = [json.loads(line) for line in gold.open(encoding="utf-8")]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        with pred.open("w", encoding="utf-8") as fh:
            for r in rows:
                lang = r.get("lang") or "en"
                label = document_event_type(r["text"], [], lang) or FALLBACK
                fh.write(json.dumps({"id": r["id"], "lang": lang, "entities": [], "places": [],
                                     "event_type": label, "events": []}) + "\n")
        secs = time.perf_counter() - t0
        res = subprocess.run([sys.executable, str(args.shared / "eval" / "score_events.py"),
                              str(gold), str(pred)], capture_output=True, text=True, check=True)
    print(res.stdout)
    h = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"weighted_f1={h['weighted_f1']:.4f} accuracy={h['accuracy']:.4f} "
          f"macro_f1={h['macro_f1']:.4f} ({secs:.1f} s, {len(rows)} documents)")


if __name__ == "__main__":
    main()
