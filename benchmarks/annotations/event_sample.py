"""Draws the reader-judged sample of stored events: 100 events of a news-stream store, at
random with a fixed seed, stratified by type (each type's share, at least one per type).

    .venv/bin/python benchmarks/annotations/event_sample.py STORE OUT.jsonl

Each line holds the event as exported (type, date, place, actors, fatalities, sources) and
its reports' document ids and sentences, for a reader to judge by the rules of
EVENT_JUDGMENTS.md. The sentences are article text (copyright): OUT stays local; only the
judgments (event id, verdicts) are committed.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict

import duckdb

SEED = 20261207
SIZE = 100


def main() -> None:
    store, out = sys.argv[1], sys.argv[2]
    con = duckdb.connect(store, read_only=True)
    events = con.execute(
        "SELECT e.id, e.type, e.date, e.date_max, e.time_precision, p.name, p.country_code, "
        "p.admin1_code, e.fatalities_min, e.fatalities_max, e.independent_sources, "
        "e.credibility FROM events e LEFT JOIN gazetteer_places p USING (geonameid) "
        "ORDER BY e.id").fetchall()
    by_type: dict[str, list[tuple]] = defaultdict(list)
    for row in events:
        by_type[row[1]].append(row)
    rng = random.Random(SEED)
    quota = {t: max(1, round(SIZE * len(rows) / len(events))) for t, rows in by_type.items()}
    while sum(quota.values()) > SIZE:
        biggest = max(quota, key=lambda t: quota[t])
        quota[biggest] -= 1
    picked = [row for t in sorted(by_type) for row in rng.sample(by_type[t], min(quota[t],
                                                                                 len(by_type[t])))]
    with open(out, "w", encoding="utf-8") as f:
        for row in picked:
            reports = con.execute(
                "SELECT r.document_id, d.title, d.published_at, "
                "substr(d.text, r.sentence_start + 1, r.sentence_end - r.sentence_start), "
                "r.type, r.date, r.date_basis, r.place_text "
                "FROM event_reports r JOIN documents d ON d.id = r.document_id "
                "WHERE r.event_id = ? ORDER BY d.published_at LIMIT 8", [row[0]]).fetchall()
            actors = con.execute(
                "SELECT DISTINCT a.role, a.text FROM event_report_actors a JOIN event_reports r "
                "ON r.id = a.event_report_id WHERE r.event_id = ? LIMIT 12", [row[0]]).fetchall()
            n = con.execute("SELECT count(*) FROM event_reports WHERE event_id = ?",
                            [row[0]]).fetchone()
            f.write(json.dumps({
                "event_id": row[0], "type": row[1], "date": str(row[2]),
                "date_max": str(row[3]), "time_precision": row[4],
                "place": {"name": row[5], "country_code": row[6], "admin1_code": row[7]},
                "fatalities": [row[8], row[9]], "independent_sources": row[10],
                "credibility": row[11], "n_reports": n[0] if n else 0,
                "actors": [{"role": r, "text": t} for r, t in actors],
                "reports": [{"document_id": d, "title": ti, "published_at": str(p),
                             "sentence": s, "type": ty, "date": str(da), "date_basis": b,
                             "place_text": pl} for d, ti, p, s, ty, da, b, pl in reports],
            }, ensure_ascii=False, default=str) + "\n")
    print(f"{len(picked)} events of {len(events)} written to {out}")


if __name__ == "__main__":
    main()
