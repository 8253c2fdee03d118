"""Scores on the development sets, through `corrobora extract` and the shared scorers.

    .venv/bin/python benchmarks/dev_scores.py [TASK ...] [--shared ../shared] [--out out/dev]
        [--half tune|report]

TASKs: ner-en, ner-es, events, geo-gwn, geo-tr, geo-gwn-gold, geo-tr-gold, communiques
(default: all). Each task turns a gold file into input with `convert.py to-input` (the
SEDENA communiqués come with their input file), runs `corrobora extract`
on it as a user would, scores the output with the matching scorer in ../shared/eval and
prints the scorer's table; the last line is a JSON object with every headline number.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "corrobora.cli"]

# task: (gold file under data/, scorer, extra scorer flags, to-input flags, headline keys)
TASKS: dict[str, tuple[str, str, list[str], list[str], list[str]]] = {
    "ner-en": ("ner-dev/eng.testa.gold.jsonl", "score_ner.py", [], [], ["f1", "precision",
                                                                         "recall"]),
    "ner-es": ("ner-dev/esp.testa.gold.jsonl", "score_ner.py", [], [], ["f1", "precision",
                                                                         "recall"]),
    "events": ("events-dev/case2021-task2/dev.gold.jsonl", "score_events.py", [], [],
               ["weighted_f1", "macro_f1", "accuracy"]),
    "geo-gwn": ("geoparse-dev/gwn.gold.jsonl", "score_geoparse.py", [], [],
                ["f1", "precision", "recall", "acc161", "auc", "median_km"]),
    "geo-tr": ("geoparse-dev/tr-news.gold.jsonl", "score_geoparse.py", [], [],
               ["f1", "precision", "recall", "acc161", "auc", "median_km"]),
    "geo-gwn-gold": ("geoparse-dev/gwn.gold.jsonl", "score_geoparse.py", ["--resolution-only"],
                     ["--gold-spans"], ["acc161", "auc", "mean_km", "median_km",
                                        "geonameid_acc"]),
    "geo-tr-gold": ("geoparse-dev/tr-news.gold.jsonl", "score_geoparse.py",
                    ["--resolution-only"], ["--gold-spans"],
                    ["acc161", "auc", "mean_km", "median_km", "geonameid_acc"]),
    "communiques": ("mexico/sedena-dev/sedena.dev.gold.jsonl", "score_communiques.py", [], [],
                    ["f1", "precision", "recall", "f1_state", "municipality_accuracy"]),
}
# Tasks whose input is given beside the gold rather than derived from it.
INPUTS = {"communiques": "mexico/sedena-dev/sedena.dev.input.jsonl"}
# Tasks split into a tune and a report half (document ids; benchmarks/annotations/).
HALVES = {"communiques": REPO / "benchmarks/annotations/communique_halves.json"}


def _subset(src: Path, dst: Path, ids: set[str]) -> Path:
    lines = [line for line in src.read_text("utf-8").splitlines()
             if line.strip() and json.loads(line)["id"] in ids]
    dst.write_text("\n".join(lines) + "\n", "utf-8")
    return dst


def run(task: str, shared: Path, out: Path, half: str | None = None) -> dict[str, object]:
    gold_rel, scorer, score_flags, input_flags, keys = TASKS[task]
    gold = shared / "data" / gold_rel
    inp, pred = out / f"{task}.in.jsonl", out / f"{task}.pred.jsonl"
    if task in INPUTS:  # a given input is shared data: never write over it
        inp = shared / "data" / INPUTS[task]
    else:
        subprocess.run([sys.executable, str(shared / "eval" / "convert.py"), "to-input",
                        *input_flags, str(gold), str(inp)], check=True, capture_output=True)
    if half and task in HALVES:
        ids = set(json.loads(HALVES[task].read_text())[half])
        gold = _subset(gold, out / f"{task}.{half}.gold.jsonl", ids)
        inp = _subset(inp, out / f"{task}.{half}.in.jsonl", ids)
    t0 = time.perf_counter()
    subprocess.run([*CLI, "extract", str(inp), "-o", str(pred)], check=True)
    seconds = time.perf_counter() - t0
    res = subprocess.run([sys.executable, str(shared / "eval" / scorer), str(gold), str(pred),
                          *score_flags], check=True, capture_output=True, text=True)
    print(f"== {task}: {scorer} {gold_rel} {' '.join(score_flags)}\n{res.stdout}")
    scores = json.loads(res.stdout.strip().splitlines()[-1])
    return {"task": task, **({"half": half} if half and task in HALVES else {}),
            "seconds": round(seconds, 1),
            **{k: scores.get(k) for k in keys}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tasks", nargs="*", help=f"any of {', '.join(TASKS)} (default: all)")
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")))
    ap.add_argument("--out", type=Path, default=REPO / "out" / "dev")
    ap.add_argument("--half", choices=("tune", "report"),
                    help="score only that half of the tasks split in benchmarks/annotations/")
    args = ap.parse_args()
    unknown = set(args.tasks) - set(TASKS)
    if unknown:
        ap.error(f"unknown task(s): {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    results = [run(t, args.shared, args.out, args.half) for t in args.tasks or TASKS]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
