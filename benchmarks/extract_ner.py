"""NER on the CoNLL dev sets: `entities()` over each gold text, scored by score_ner.py.

    .venv/bin/python benchmarks/extract_ner.py [--shared ../shared] [--limit N]

Writes PRED files next to a temp dir and prints the scorer's headline per language.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corrobora.extract.entities import entities
from corrobora.extract.nlp import load_pipeline

REPO = Path(__file__).resolve().parents[1]
SETS = {"en": "eng.testa.gold.jsonl", "es": "esp.testa.gold.jsonl"}


def run(shared: Path, lang: str, out_dir: Path, limit: int | None) -> dict[str, object]:
    gold = shared / "data" / "ner-dev" / SETS[lang]
    rows = [json.loads(line) for line in gold.open(encoding="utf-8")]
    if limit:
        rows = rows[:limit]
        gold_used = out_dir / f"gold-{lang}.jsonl"
        gold_used.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        gold = gold_used
    pred = out_dir / f"pred-{lang}.jsonl"
    t0 = time.perf_counter()
    with pred.open("w", encoding="utf-8") as fh:
        by_lang: dict[str, list[dict[str, object]]] = {}
        for r in rows:
            by_lang.setdefault(r.get("lang") or lang, []).append(r)
        for row_lang, items in by_lang.items():
            nlp = load_pipeline(row_lang)
            for r, doc in zip(items, nlp.pipe([str(r["text"]) for r in items], batch_size=64),
                              strict=True):
                ents = [e.to_contract() for e in entities(doc, row_lang)]
                fh.write(json.dumps({"id": r["id"], "lang": row_lang, "entities": ents,
                                     "places": [], "event_type": None, "events": []},
                                    ensure_ascii=False) + "\n")
    secs = time.perf_counter() - t0
    res = subprocess.run([sys.executable, str(shared / "eval" / "score_ner.py"), str(gold),
                          str(pred)], capture_output=True, text=True, check=True)
    print(res.stdout)
    headline = json.loads(res.stdout.strip().splitlines()[-1])
    headline["seconds"] = round(secs, 1)
    return headline


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--lang", choices=sorted(SETS), action="append")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.lang or sorted(SETS):
            h = run(args.shared, lang, Path(tmp), args.limit)
            print(f"{lang}: f1={h['f1']:.4f} p={h['precision']:.4f} r={h['recall']:.4f} "
                  f"({h['seconds']} s)")


if __name__ == "__main__":
    main()
