"""Splits the SEDENA communiqué dev set into a tune and a report half, with a fixed seed.

    .venv/bin/python benchmarks/annotations/communique_halves.py

Writes communique_halves.json (release ids per half). Written once, before anything was
tuned on the halves, and committed; never regenerated. Score a half with
`benchmarks/dev_scores.py communiques --half tune|report`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parents[2] / "shared/data/mexico/sedena-dev/sedena.dev.gold.jsonl"
OUT = HERE / "communique_halves.json"
SEED = 20261207


def main() -> None:
    if OUT.exists():
        raise SystemExit(f"{OUT} exists: the split is fixed once")
    ids = sorted(json.loads(line)["id"] for line in GOLD.read_text().splitlines() if line.strip())
    random.Random(SEED).shuffle(ids)
    half = (len(ids) + 1) // 2
    OUT.write_text(json.dumps({"tune": sorted(ids[:half]), "report": sorted(ids[half:])},
                              indent=1) + "\n")


if __name__ == "__main__":
    main()
