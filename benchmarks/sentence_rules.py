"""What the "does this sentence report an event?" rules keep, on the hand-labelled trigger
hits of the news stream (benchmarks/annotations/EVENT_SENTENCES.md).

    .venv/bin/python benchmarks/sentence_rules.py [--half tune|report]

Extracts the labelled documents of one half (the split of training/eventhood/train.py, by
document hash) with the current rules and prints, over the labelled hits: how many the rules
now drop, how many of those reported an event (lost) or not (rightly dropped), and the
precision / recall / F1 of keeping the rest. Hits were labelled after the rules of their day,
so a rule added since shows as drops; labels of hits the rules never produced are not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training/eventhood"))

from train import collect, half, read_labels  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", choices=("tune", "report"), default="tune")
    ap.add_argument("--show", type=int, default=0, help="print N dropped hits (tune half only)")
    ap.add_argument("--dump", type=Path, help="write the dropped hits (JSON Lines) here, to "
                    "compare two versions of the rules")
    args = ap.parse_args()
    labels = [r for r in read_labels() if half(str(r["document_id"])) == args.half]
    kept = collect({str(r["document_id"]) for r in labels})
    dropped = [r for r in labels if (r["document_id"], *r["trigger"]) not in kept]
    lost = [r for r in dropped if r["reports_event"]]
    events = sum(bool(r["reports_event"]) for r in labels)
    tp = events - len(lost)
    kept_n = len(labels) - len(dropped)
    p, rec = tp / kept_n if kept_n else 0.0, tp / events if events else 0.0
    out = {"half": args.half, "labelled": len(labels), "events": events,
           "dropped": len(dropped), "dropped_events": len(lost),
           "precision": round(p, 3), "recall": round(rec, 3),
           "f1": round(2 * p * rec / (p + rec), 3) if p + rec else 0.0,
           "keep_all_precision": round(events / len(labels), 3)}
    if args.show and args.half == "tune":
        for r in dropped[:args.show]:
            print(("LOST  " if r["reports_event"] else "ok    ") + str(r["trigger_text"]),
                  r["document_id"], sep=" | ")
    if args.dump:
        args.dump.write_text("".join(json.dumps(r) + "\n" for r in dropped))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
