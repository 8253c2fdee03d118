"""Splits event gold files into a tune and a report half, by story, with a fixed seed.

    .venv/bin/python benchmarks/annotations/event_halves.py

Writes event_halves.json. Events of one story go to the same half (a story's articles tell
all of its events, so tuning on one would leak into the other). Run once per gold file,
before anything is tuned on it; the file is committed and never regenerated for a set
already split.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared"
GOLDS = {"cnn-dev": SHARED / "data/events-dev/cnn-events/dev.gold.jsonl",
         "stream": HERE / "events.stream.jsonl"}
OUT = HERE / "event_halves.json"
SEED = 20261207


def split(rows: list[dict[str, object]]) -> dict[str, list[str]]:
    stories = sorted({str(r["story"]) for r in rows})
    random.Random(SEED).shuffle(stories)
    tune_stories = set(stories[: len(stories) // 2])
    return {half: sorted(str(r["gold_event_id"]) for r in rows
                         if (r["story"] in tune_stories) == (half == "tune"))
            for half in ("tune", "report")}


def main() -> None:
    done = json.loads(OUT.read_text()) if OUT.exists() else {}
    for name, path in GOLDS.items():
        if name in done or not path.exists():
            continue
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        done[name] = split(rows)
    OUT.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
