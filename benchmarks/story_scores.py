"""Story clustering and copy detection on the labelled news-stream dev set.

    .venv/bin/python benchmarks/story_scores.py [--full-stream] [--shared DIR] [--out DIR]

The gold (benchmarks/annotations/stories.dev.jsonl, see STORIES.md) holds ids, story labels,
duplicate_of and the member path inside the news-stream tarball, never the article text. This
script reads the texts from the tarball through `corrobora.sources`, writes a CONTRACTS §1
input (id, text, title, published_at, source) and the scorer-facing gold (with text) to
--out, runs `corrobora ingest` into a fresh temporary DuckDB file and `corrobora export
documents`, then scores the export with score_stories.py and score_copies.py from
../shared/eval. With --full-stream every other document of the tarball is ingested too, as
realistic distractors (only the gold ids are scored). Trivial baselines are scored as well:
all singletons, exact-text copies, and the gold copy groups taken as stories. The last line
is one JSON object with the headline numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corrobora.sources import ReadFailure, read_path

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "benchmarks" / "annotations" / "stories.dev.jsonl"
ARCHIVE = "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"
CLI = [sys.executable, "-m", "corrobora.cli"]


def doc_id(member: str) -> str:
    """The stable id of a tarball member: `ns-YYYYMMDD-` + 10 hex digits of sha1(path)."""
    return f"ns-{member[:10].replace('/', '')}-{hashlib.sha1(member.encode()).hexdigest()[:10]}"


def iso(value: object) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


def read_archive(archive: Path) -> dict[str, dict[str, object]]:
    """{member path: §1 record} for every document the sources stage reads from the tarball."""
    records: dict[str, dict[str, object]] = {}
    for item in read_path(str(archive)):
        if isinstance(item, ReadFailure):
            continue
        member = item.origin.split("!", 1)[1] if "!" in item.origin else item.origin
        records[member] = {"id": doc_id(member), "text": item.text, "title": item.title,
                           "published_at": iso(item.published_at), "source": "CNN"}
    return records


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def score(shared: Path, scorer: str, gold: Path, pred: Path) -> tuple[str, dict[str, object]]:
    res = subprocess.run([sys.executable, str(shared / "eval" / scorer), str(gold), str(pred)],
                         check=True, capture_output=True, text=True)
    return res.stdout, json.loads(res.stdout.strip().splitlines()[-1])


def baselines(gold: list[dict[str, object]], out: Path) -> dict[str, Path]:
    """PRED files of three trivial systems over the gold documents."""
    singles = [{"id": g["id"], "story_id": None, "duplicate_of": None} for g in gold]
    first: dict[str, str] = {}
    exact = []
    for g in sorted(gold, key=lambda g: (str(g["published_at"]), str(g["id"]))):
        key = hashlib.sha1(re.sub(r"\s+", " ", str(g["text"])).strip().encode()).hexdigest()
        root = first.setdefault(key, str(g["id"]))
        exact.append({"id": g["id"], "story_id": root,
                      "duplicate_of": None if root == g["id"] else root})
    groups = [{"id": g["id"], "story_id": g["duplicate_of"] or g["id"],
               "duplicate_of": g["duplicate_of"]} for g in gold]
    paths = {}
    for name, rows in (("singletons", singles), ("exact-text", exact),
                       ("gold-copy-groups", groups)):
        paths[name] = out / f"baseline-{name}.pred.jsonl"
        write_jsonl(paths[name], rows)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full-stream", action="store_true",
                    help="ingest every tarball document, not only the labelled ones")
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")))
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--out", type=Path, default=REPO / "out" / "stories")
    ap.add_argument("--keep-db", action="store_true", help="keep the DuckDB file in --out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    labels = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    records = read_archive(args.shared / ARCHIVE)
    gold: list[dict[str, object]] = []
    for lab in labels:
        rec = records.get(str(lab["path"]))
        if rec is None or rec["id"] != lab["id"]:
            sys.exit(f"error: gold id {lab['id']} ({lab['path']}) not found in the archive")
        gold.append({"id": lab["id"], "text": rec["text"], "title": rec["title"],
                     "published_at": rec["published_at"], "source": rec["source"],
                     "story": lab["story"], "duplicate_of": lab["duplicate_of"]})
    gold_ids = {str(g["id"]) for g in gold}
    inputs = [{k: g[k] for k in ("id", "text", "title", "published_at", "source")} for g in gold]
    if args.full_stream:
        inputs += [r for r in records.values() if r["id"] not in gold_ids]
    inputs.sort(key=lambda r: (str(r["published_at"]), str(r["id"])))
    tag = "full" if args.full_stream else "gold"
    gold_path = args.out / "stories.gold.jsonl"
    in_path = args.out / f"stories.{tag}.in.jsonl"
    pred_path = args.out / f"stories.{tag}.pred.jsonl"
    write_jsonl(gold_path, gold)
    write_jsonl(in_path, inputs)

    with tempfile.TemporaryDirectory(prefix="corrobora-stories-") as tmp:
        db = Path(tmp) / "stories.duckdb"
        t0 = time.perf_counter()
        subprocess.run([*CLI, "ingest", str(in_path), "--db", str(db), "--quiet"], check=True)
        seconds = time.perf_counter() - t0
        subprocess.run([*CLI, "export", "documents", "--db", str(db), "--format", "jsonl",
                        "-o", str(pred_path)], check=True)
        if args.keep_db:
            (args.out / f"stories.{tag}.duckdb").write_bytes(db.read_bytes())

    print(f"== corrobora ({len(inputs)} documents ingested, {len(gold)} scored, "
          f"{seconds:.0f} s)")
    story_table, story = score(args.shared, "score_stories.py", gold_path, pred_path)
    copy_table, copy = score(args.shared, "score_copies.py", gold_path, pred_path)
    print(story_table + copy_table)
    result: dict[str, object] = {
        "mode": tag, "documents": len(gold), "ingested": len(inputs),
        "ingest_s": round(seconds, 1), "gold_stories": story["gold_stories"],
        "bcubed_f1": story["bcubed_f1"], "bcubed_precision": story["bcubed_precision"],
        "bcubed_recall": story["bcubed_recall"], "story_pairwise_f1": story["pairwise_f1"],
        "copy_pairwise_f1": copy["pairwise_f1"], "copy_precision": copy["pairwise_precision"],
        "copy_recall": copy["pairwise_recall"], "root_accuracy": copy["root_accuracy"],
        "baselines": {},
    }
    for name, path in baselines(gold, args.out).items():
        story_table, story = score(args.shared, "score_stories.py", gold_path, path)
        copy_table, copy = score(args.shared, "score_copies.py", gold_path, path)
        print(f"== baseline: {name}\n{story_table}{copy_table}")
        result["baselines"][name] = {  # type: ignore[index]
            "bcubed_f1": story["bcubed_f1"], "story_pairwise_f1": story["pairwise_f1"],
            "copy_pairwise_f1": copy["pairwise_f1"], "root_accuracy": copy["root_accuracy"]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
