"""English NER on names seen and not seen in training (CoNLL-2003 eng.testa).

    .venv/bin/python training/ner_en/train.py fetch     # eng.train into /tmp/corrobora-ner-en
    .venv/bin/python benchmarks/dev_scores.py ner-en    # out/dev/ner-en.pred.jsonl
    .venv/bin/python benchmarks/ner_unseen.py [--pred out/dev/ner-en.pred.jsonl]

A gold or predicted entity is "seen" when its string occurs as an entity (any label) in
eng.train. The held-out CoNLL-2003 test set holds more unseen names than eng.testa, so the
unseen score says where the held-out score goes. Exact span and label, as score_ner.py.
Prints a table per label, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO / "training" / "ner_en"))
sys.path.insert(0, str(REPO / "training"))
from train import _read_conll, _record  # noqa: E402  (the recipe's own reader)


def train_names(path: Path) -> set[str]:
    names = set()
    for doc in _read_conll(path):
        for sent in doc:
            rec = _record(sent)
            names |= {str(rec["text"])[e["start"]:e["end"]] for e in rec["entities"]}
    return names


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3)
            if p + r else 0.0, "gold": n_gold}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=SHARED / "data/ner-dev/eng.testa.gold.jsonl")
    ap.add_argument("--pred", type=Path, default=REPO / "out/dev/ner-en.pred.jsonl")
    ap.add_argument("--train", type=Path, default=Path("/tmp/corrobora-ner-en/eng.train"))
    args = ap.parse_args()
    seen_names = train_names(args.train)
    gold = {d["id"]: d for d in map(json.loads, args.gold.read_text().splitlines())}
    pred = {d["id"]: d for d in map(json.loads, args.pred.read_text().splitlines())}
    count: Counter[tuple[str, str, str]] = Counter()  # (seen|unseen, label|all, tp|gold|pred)
    for doc_id, g in gold.items():
        text = g["text"]

        def spans(d: dict) -> set[tuple[int, int, str]]:
            return {(e["start"], e["end"], e["label"]) for e in d["entities"]}

        gs, ps = spans(g), spans(pred[doc_id])
        for kind, items in (("gold", gs), ("pred", ps), ("tp", gs & ps)):
            for s, e, label in items:
                seen = "seen" if " ".join(text[s:e].split()) in seen_names else "unseen"
                for lab in (label, "all"):
                    count[(seen, lab, kind)] += 1
    out = {f"{seen}/{lab}": prf(count[(seen, lab, "tp")], count[(seen, lab, "pred")],
                                count[(seen, lab, "gold")])
           for seen in ("seen", "unseen") for lab in ("all", "PER", "ORG", "LOC", "MISC")}
    n_gold = sum(count[(s, "all", "gold")] for s in ("seen", "unseen"))
    print(f"{'':14}{'gold':>6}{'P':>7}{'R':>7}{'F1':>7}")
    for key, r in out.items():
        print(f"{key:14}{r['gold']:>6}{r['p']:>7}{r['r']:>7}{r['f1']:>7}")
    print(f"unseen share of gold entities: {count[('unseen', 'all', 'gold')] / n_gold:.3f}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
