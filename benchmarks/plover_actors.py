"""Who did what to whom: event detection and actor roles on PLOVER's gold sentences.

    .venv/bin/python benchmarks/plover_actors.py [--shared ../shared] [--errors tune]

`data/events-dev/plover-gsr/PLOVER_GSR_CAMEO.json` holds example sentences of the CAMEO
manual coded by the Open Event Data Alliance with PLOVER event categories and their source
and target actors (CC BY-SA 4.0; read here for evaluation only, nothing of it is stored in
the repository). We keep the categories of Corrobora's domain, the material conflicts
(ASSAULT, FIGHT, COERCE) and PROTEST, run each sentence through `corrobora extract`, and score:

- detected: the sentence gets at least one event;
- actor1 / actor2: the actors our events give those roles against PLOVER's source /
  target actors (sentences coded as reciprocal, "SRC/TAR", accept either role). A
  predicted actor is correct when it matches a gold actor of the sentence, a gold actor is
  found when a prediction matches it; matching is attribution_scores.py's (accents, case,
  punctuation and leading articles folded; equal, or one contains the other on word
  boundaries, so "soldiers" matches "Israeli soldiers").
- any role: the same, roles ignored.

The sentences alternate `tune` and `report` in file order; rules may be changed looking only
at the `tune` half's errors (`--errors tune`); `report` is the headline. The last line is a
JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from attribution_scores import matches  # noqa: E402

SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
GOLD = "data/events-dev/plover-gsr/PLOVER_GSR_CAMEO.json"
CATEGORIES = ("ASSAULT", "FIGHT", "COERCE", "PROTEST")
ROLES = ("actor1", "actor2", "any")


@dataclass
class Case:
    id: str
    split: str
    category: str
    text: str
    gold: dict[str, list[str]]  # role -> gold actor texts


def _names(value: object) -> list[str]:
    # PLOVER gives a list of {"actorText", "code"}, or a bare string / nothing when uncoded.
    if not isinstance(value, list):
        return []
    return [a["actorText"] for a in value if isinstance(a, dict) and a.get("actorText")]


def load_cases(shared: Path) -> list[Case]:
    records = json.loads((shared / GOLD).read_text(encoding="utf-8"))
    cases = []
    for rec in records:
        if rec.get("event") not in CATEGORIES or not rec.get("text"):
            continue
        source, target = _names(rec.get("source")), _names(rec.get("target"))
        if "SRC/TAR" in str((rec.get("textInfo") or {}).get("markup", "")):
            source = target = source + target  # reciprocal: either role is right
        split = "tune" if len(cases) % 2 == 0 else "report"
        cases.append(Case(rec["id"], split, rec["event"], rec["text"],
                          {"actor1": source, "actor2": target, "any": source + target}))
    return cases


def extract(cases: list[Case]) -> dict[str, dict]:
    """The output of `corrobora extract`, as a user runs it, by id."""
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        inp.write_text("".join(json.dumps({"id": c.id, "lang": "en", "text": c.text}) + "\n"
                               for c in cases), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "corrobora.cli", "extract", str(inp), "-o",
                        str(out)], check=True)
        return {r["id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}


def predicted(doc: dict) -> dict[str, list[str]]:
    by_role: dict[str, list[str]] = {"actor1": [], "actor2": [], "any": []}
    for event in doc.get("events", []):
        for actor in event.get("actors", []):
            for role in (actor.get("role"), "any"):
                if role in by_role and actor["text"] not in by_role[role]:
                    by_role[role].append(actor["text"])
    return by_role


def score(cases: list[Case], docs: dict[str, dict]) -> dict[str, float | int]:
    out: dict[str, float | int] = {"n": len(cases), "detected": round(
        sum(bool(docs[c.id].get("events")) for c in cases) / len(cases), 3) if cases else 0}
    for role in ROLES:
        npred = correct = ngold = found = 0
        for c in cases:
            pred, gold = predicted(docs[c.id])[role], c.gold[role]
            npred += len(pred)
            correct += sum(any(matches(p, g) for g in gold) for p in pred)
            ngold += len(gold)
            found += sum(any(matches(p, g) for p in pred) for g in gold)
        p = correct / npred if npred else 0.0
        r = found / ngold if ngold else 0.0
        out |= {f"{role}_p": round(p, 3), f"{role}_r": round(r, 3),
                f"{role}_f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
                f"{role}_gold": ngold, f"{role}_pred": npred}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--errors", choices=["tune"], help="print the tune half's errors")
    args = ap.parse_args()
    cases = load_cases(args.shared)
    docs = extract(cases)
    results = {split: score([c for c in cases if c.split == split], docs)
               for split in ("report", "tune")}
    print(f"{'half':7} {'n':>4} {'detected':>8}  " + "  ".join(
        f"{r + ' P/R/F1':>20}" for r in ROLES))
    for split, s in results.items():
        print(f"{split:7} {s['n']:4} {s['detected']:8.3f}  " + "  ".join(
            f"{s[f'{r}_p']:.3f}/{s[f'{r}_r']:.3f}/{s[f'{r}_f1']:.3f}".rjust(20) for r in ROLES))
    if args.errors:
        for c in cases:
            if c.split != args.errors:
                continue
            pred = predicted(docs[c.id])
            if any(sorted(pred[r]) != sorted(c.gold[r]) for r in ("actor1", "actor2")):
                types = [e["type"] for e in docs[c.id].get("events", [])]
                print(f"\n{c.id} {c.category} {types}\n  {c.text}\n  gold {c.gold['actor1']} "
                      f"-> {c.gold['actor2']}\n  pred {pred['actor1']} -> {pred['actor2']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
