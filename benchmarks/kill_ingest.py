"""kill -9 in the middle of `corrobora ingest`, several times; then the store must open, hold
whole batches only, and a rerun must complete with the right counts (issue 18).

    PYTHONPATH=src .venv/bin/python benchmarks/kill_ingest.py [--docs 160] [--kills 5]
        [--creation-kills 10]

Generates --docs short JSON Lines reports in a temporary folder, starts the ingest in a
subprocess (batches of 8), and kills it with SIGKILL once the store's write-ahead log has
changed a random 1-3 times after start (a batch committed, the next one in flight), --kills
times. After each kill the store is opened and checked: no event report without its document
or event, no mention without its document, documents a multiple of whole batches. Then one run
to the end: every document stored once, no failures, and a second run adds nothing.

Then --creation-kills runs of the first ingest into a NEW store, each killed as soon as a
write-ahead log appears beside it (the schema migrations are under way; plus 0-18 ms): the
store must then open (Store creates it whole, duckdb#18259 made a store killed there
unopenable) and pass the same checks; the last one is ingested to the end. Prints one JSON
line; exit status 1 when a check fails. Not a test: it depends on timing to land the kills
mid-run, and each run loads the NLP models (about 10 s each).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corrobora.store import Store

TOWNS = ["Celaya", "Culiacán", "Tijuana", "Morelia", "Zamora", "Uruapan", "Reynosa",
         "Apatzingán", "Chilpancingo", "Fresnillo"]


def corpus(folder: Path, n: int) -> Path:
    path = folder / "reports.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            town = TOWNS[i % len(TOWNS)]
            f.write(json.dumps({
                "id": f"k{i:04d}", "published_at": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}",
                "text": f"Report {i}: gunmen attacked a bar in {town} on day {i}; police said "
                        f"{i % 7 + 1} people were killed and {i % 5} wounded.",
            }, ensure_ascii=False) + "\n")
    return path


def check(db: Path) -> dict[str, int]:
    """Counts of a store opened afresh; raises AssertionError when it is inconsistent."""
    with Store(db, read_only=True) as store:
        one = lambda sql: store.con.execute(sql).fetchone()[0]  # noqa: E731
        counts = {
            "documents": one("SELECT count(*) FROM documents"),
            "distinct_ids": one("SELECT count(DISTINCT id) FROM documents"),
            "event_reports": one("SELECT count(*) FROM event_reports"),
            "failures": one("SELECT count(*) FROM ingest_failures"),
            "orphan_reports": one(
                "SELECT count(*) FROM event_reports r LEFT JOIN documents d ON d.id = "
                "r.document_id LEFT JOIN events e ON e.id = r.event_id "
                "WHERE d.id IS NULL OR e.id IS NULL"),
            "orphan_mentions": one(
                "SELECT count(*) FROM mentions m LEFT JOIN documents d ON d.id = m.document_id "
                "WHERE d.id IS NULL"),
        }
        store.stats()
    assert counts["orphan_reports"] == 0 and counts["orphan_mentions"] == 0, counts
    assert counts["documents"] == counts["distinct_ids"], counts
    return counts


def wal_state(db: Path) -> tuple[float, int] | None:
    wal = Path(f"{db}.wal")
    try:
        st = wal.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime, st.st_size


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=160)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--creation-kills", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kill-ingest-"))
    src, db = corpus(work, args.docs), work / "store.duckdb"
    cmd = ingest_cmd(src, db, args.batch_size)
    # Created (migrated) first: kills inside the schema migrations come after (creations).
    Store(db).close()
    after_kill: list[int] = []
    landed_mid_run = 0
    for _ in range(args.kills):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        changes, wanted, last = 0, rng.randint(1, 3), wal_state(db)
        while proc.poll() is None and changes < wanted:
            time.sleep(0.05)
            now = wal_state(db)
            if now != last:
                changes, last = changes + 1, now
        if proc.poll() is None:
            time.sleep(rng.uniform(0, 0.5))
            os.kill(proc.pid, signal.SIGKILL)
            landed_mid_run += 1
        proc.wait()
        counts = check(db)
        after_kill.append(counts["documents"])
    done = subprocess.run(cmd, capture_output=True, text=True)
    final = check(db)
    again = subprocess.run(cmd, capture_output=True, text=True)
    final_again = check(db)
    ok = (done.returncode == 0 and again.returncode == 0 and final["documents"] == args.docs
          and final["failures"] == 0 and final_again == final
          and all(n % args.batch_size == 0 for n in after_kill))
    creation = kill_creations(work, src, args.creation_kills)
    ok = ok and creation["survived"] == args.creation_kills and creation["last_ingested_to_the_end"]
    print(json.dumps({"docs": args.docs, "kills": args.kills, "kills_mid_run": landed_mid_run,
                      "documents_after_each_kill": after_kill, "final": final,
                      "rerun_unchanged": final_again == final, "creation": creation,
                      "ok": ok}))
    return 0 if ok else 1


def ingest_cmd(src: Path, db: Path, batch_size: int = 8) -> list[str]:
    return [sys.executable, "-m", "corrobora.cli", "ingest", str(src), "--db", str(db), "-q",
            "--batch-size", str(batch_size)]


def kill_creations(work: Path, src: Path, runs: int) -> dict[str, object]:
    """`runs` first ingests into a new store, each killed while the store is created."""
    with_log = survived = 0
    problems: list[str] = []
    db = work
    for i in range(runs):
        folder = work / f"new-{i}"
        folder.mkdir()
        db = folder / "store.duckdb"
        proc = subprocess.Popen(ingest_cmd(src, db), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        start = time.monotonic()
        # Any log: the store's own, or that of the hidden file it is created in.
        while (not any(folder.glob("*.wal")) and proc.poll() is None
               and time.monotonic() - start < 60):
            time.sleep(0.001)
        time.sleep(0.002 * (i % 10))
        with_log += any(folder.glob("*.wal"))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        try:
            Store(db).close()  # creates it when the kill left none
            check(db)
            survived += 1
        except Exception as exc:  # counted and shown; the run goes on
            problems.append(f"{db}: {type(exc).__name__}: {str(exc)[:160]}")
    completed = False
    if runs:
        done = subprocess.run(ingest_cmd(src, db), capture_output=True, text=True)
        completed = done.returncode == 0 and check(db)["failures"] == 0
    return {"runs": runs, "killed_with_a_log": with_log, "survived": survived,
            "last_ingested_to_the_end": completed, "problems": problems}


if __name__ == "__main__":
    sys.exit(main())
