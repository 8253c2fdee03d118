"""Every event report that ACLED's participant rules recode, on random news-stream articles,
for a person to read (a precision check on text the rules were not written from).

    .venv/bin/python benchmarks/coding_rules_sample.py [--docs 700] [--seed 7]

Extracts a random sample of the news-stream archive with `extract/coding_rules.recode`
wrapped to log each change of type (PEACE_PROTEST -> DROPPED when a forceful or violent
protest in the same sentence replaces it), then prints the counts and each distinct change
with its sentence. Ends with one JSON line of the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tarfile
from collections import Counter
from pathlib import Path

import corrobora.extract.events as events_mod
from corrobora.extract import coding_rules
from corrobora.extractor import Extractor
from corrobora.model import Document

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[2] / "shared"))
ARCHIVE = SHARED / "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", type=Path, default=ARCHIVE)
    ap.add_argument("--docs", type=int, default=700)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    changes: list[tuple[str, str, str]] = []

    def logged(reports, sent, lang, places):  # type: ignore[no-untyped-def]
        before = [(r, r.type) for r in reports]
        out = coding_rules.recode(reports, sent, lang, places)
        kept = {id(r) for r in out}
        for r, old in before:
            new = r.type if id(r) in kept else "DROPPED"
            if new != old:
                changes.append((old, new, " ".join(sent.text.split())))
        return out

    with tarfile.open(args.archive) as tf:
        members = [m for m in tf.getmembers() if m.isfile() and m.name.endswith(".md")]
        random.seed(args.seed)
        docs = [Document(tf.extractfile(m).read().decode("utf-8", "replace"), "news-stream",
                         id=m.name)
                for m in random.sample(members, min(args.docs, len(members)))]
    events_mod.recode = logged
    for _ in Extractor().extract_many(docs):
        pass
    counts = Counter(f"{old} -> {new}" for old, new, _ in changes)
    for change, n in counts.most_common():
        print(f"{n:4}  {change}")
    print()
    for old, new, sentence in sorted(set(changes)):
        print(f"{old} -> {new}\n    {sentence[:400]}\n")
    print(json.dumps({"docs": len(docs), "changes": len(changes),
                      "distinct": len(set(changes)), "by_change": dict(counts)}))


if __name__ == "__main__":
    main()
