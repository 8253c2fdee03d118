"""How the actor registry resolves real mentions: ORG entities and group-cue spans of the
cartel-related documents of the news stream (local data, never committed).

    .venv/bin/python benchmarks/actor_resolution.py [ARCHIVE] [--all] [--show N]

Reads the archive as `corrobora ingest` does, keeps the documents listed in
`cartel_related_paths.txt` (or all with --all), runs extraction, and counts:
- ORG entities resolved to a registry actor (by the entity step, or by the registry with the
  NER's ORG label as a group cue), vs not resolved;
- spans named through a group cue ("Cártel de X", "X cartel", "grupo criminal X") resolved vs
  left as candidates;
- the event actors of those documents: registry, candidate, unresolved, hedged.
Prints one JSON line at the end; --show lists the most frequent unresolved strings.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

from corrobora.extract.actors import ActorRegistry, candidate_id, group_mentions
from corrobora.extractor import Extractor
from corrobora.model import Document
from corrobora.sources import read_paths

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[2] / "shared"))
STREAM = SHARED / "data/news-stream"
DEFAULT = STREAM / "news_2024-07-16_to_2024-08-01.tar.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("archive", nargs="?", default=str(DEFAULT))
    ap.add_argument("--all", action="store_true", help="every document, not only cartel-related")
    ap.add_argument("--show", type=int, default=15)
    args = ap.parse_args()
    wanted = set((STREAM / "cartel_related_paths.txt").read_text().split())
    reg = ActorRegistry.load()
    ex = Extractor()
    org = Counter[str]()
    unresolved = Counter[str]()
    cue = Counter[str]()
    cands = Counter[str]()
    docs = 0
    for d in read_paths([args.archive]):
        if not isinstance(d, Document):
            continue
        member = d.origin.split("!", 1)[-1]
        if not args.all and not any(member.endswith(w) for w in wanted):
            continue
        docs += 1
        ext = ex.extract(d)
        for e in ext.entities:
            if e.label != "ORG":
                continue
            a = reg.get(e.actor_id) if e.actor_id else reg.match(e.text, guarded=True)
            org["registry" if a else "unresolved"] += 1
            if a is None:
                unresolved[e.text] += 1
        for g in group_mentions(d.text):
            a = reg.match(g.text, guarded=True) or reg.match(g.name, guarded=True)
            cue["registry" if a else "candidate"] += 1
            if a is None:
                cands[candidate_id(g.text)] += 1
    result = {"documents": docs, "org_entities": sum(org.values()),
              "org_resolved": org["registry"], "org_unresolved": org["unresolved"],
              "cue_spans": sum(cue.values()), "cue_resolved": cue["registry"],
              "cue_candidates": cue["candidate"], "distinct_candidates": len(cands)}
    if args.show:
        print("most frequent unresolved ORG:", unresolved.most_common(args.show))
        print("candidates:", cands.most_common(args.show))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
