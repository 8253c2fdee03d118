"""Event fusion on the news stream: one real-world event, one row.

    .venv/bin/python benchmarks/event_fusion.py [--db out/stream.duckdb] [--reuse] [--recluster]

Ingests the whole news-stream archive (2,959 CNN articles, local data, never committed) with
the gold document ids (`YYYY-MM-DD/<slug>`, as `../shared/data/events-dev/cnn-events/`
names them), exports the events and scores them with `score_event_fusion.py` against each
gold file and half: the development events of `../shared/data/events-dev/cnn-events/` and
the project's own annotations (`benchmarks/annotations/events.stream.jsonl`), each split
into a tune and a report half by `benchmarks/annotations/event_halves.json` (fixed before
any change was tuned). `--reuse` scores an existing store; `--recluster` fuses its reports
again first (fusion changes only). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corrobora.sources import ReadFailure, read_path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
ARCHIVE = SHARED / "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"
SCORER = SHARED / "eval/score_event_fusion.py"
GOLDS = {
    "cnn-dev": SHARED / "data/events-dev/cnn-events/dev.gold.jsonl",
    "stream": REPO / "benchmarks/annotations/events.stream.jsonl",
}
HALVES = REPO / "benchmarks/annotations/event_halves.json"
CLI = [sys.executable, "-m", "corrobora.cli"]


def gold_id(member: str) -> str:
    """`2024/07/16/name.md` -> `2024-07-16/name`, the id the event gold uses."""
    parts = member.split("/")
    return "-".join(parts[:3]) + "/" + parts[3][:-3]


def stream_jsonl(out: Path) -> int:
    """Writes the archive as CONTRACTS §1 input with gold ids; returns the document count."""
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for item in read_path(str(ARCHIVE)):
            if isinstance(item, ReadFailure):
                continue
            member = item.origin.split("!", 1)[1]
            if len(member.split("/")) != 4 or member.endswith("readme.md"):
                continue
            published = item.published_at.isoformat().replace("+00:00", "Z") \
                if item.published_at else None
            f.write(json.dumps({"id": gold_id(member), "text": item.text, "title": item.title,
                                "published_at": published, "source": "CNN"},
                               ensure_ascii=False) + "\n")
            n += 1
    return n


def score(gold: Path, pred: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, str(SCORER), str(gold), str(pred)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def halves(gold: Path, tmp: Path, name: str) -> dict[str, Path]:
    """The tune and report halves of a gold file, as files."""
    split = json.loads(HALVES.read_text())[name]
    rows = [json.loads(line) for line in gold.read_text().splitlines() if line.strip()]
    files = {}
    for half in ("tune", "report"):
        path = tmp / f"{name}.{half}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows
                                if r["gold_event_id"] in split[half]))
        files[half] = path
    files["all"] = gold
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="out/stream.duckdb")
    ap.add_argument("--reuse", action="store_true", help="score the store as it is")
    ap.add_argument("--recluster", action="store_true", help="fuse the stored reports again")
    ap.add_argument("--pred", default="out/stream-events.jsonl")
    args = ap.parse_args()
    db, pred = Path(args.db), Path(args.pred)
    db.parent.mkdir(parents=True, exist_ok=True)
    timing: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if not args.reuse:
            db.unlink(missing_ok=True)
            docs = tmp / "stream.jsonl"
            stream_jsonl(docs)
            t0 = time.perf_counter()
            subprocess.run([*CLI, "ingest", str(docs), "--db", str(db), "--quiet"], check=True)
            timing["ingest_s"] = round(time.perf_counter() - t0, 1)
        if args.recluster:
            subprocess.run([*CLI, "review", "recluster", "--db", str(db)], check=True)
        subprocess.run([*CLI, "export", "events", "--db", str(db), "--format", "jsonl",
                        "-o", str(pred)], check=True)
        result: dict[str, object] = dict(timing)
        for name, gold in GOLDS.items():
            if not gold.exists():
                continue
            for half, path in halves(gold, tmp, name).items():
                s = score(path, pred)
                print(f"{name:8} {half:6} " + " ".join(
                    f"{k}={s.get(k)}" for k in ("events", "mean_fragmentation", "exact_rate",
                                                 "date_acc", "place_acc", "fatalities_acc",
                                                 "doc_recall", "impurity")))
                result[f"{name}.{half}"] = s
    print(json.dumps(result))


if __name__ == "__main__":
    main()
