"""The authorisation matrix of issue 20: every read endpoint and page × every role ×
organisation (and anonymous), over a seeded store holding one public event that reports
under TLP:GREEN, AMBER (shared with one other organisation), AMBER+STRICT and RED join
(tests/team_store.py). For each cell: the status, whether it is the one required, and the
leaks: a marker of a report the user may not see anywhere in the answer, or a derived
figure (independent sources, reports, fatalities range) that is not what the visible
reports give. Then the writes each role may and may not make. Loopback only (FastAPI's
TestClient: no socket).

    PYTHONPATH=src python benchmarks/authz_matrix.py          # about 40 s on 2 loaded cores
    PYTHONPATH=src python benchmarks/authz_matrix.py --cells  # every cell, not only the summary
    PYTHONPATH=src python benchmarks/authz_matrix.py --db $(bash scripts/postgres url)
        # the same over a store in PostgreSQL: a fresh database made (and dropped) on that
        # server (team mode on PostgreSQL, docs/team.md)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/team_store.py

from fastapi.testclient import TestClient
from tests.team_store import RESTRICTED, USERS, expected_status, matrix, may_see, seed

from corrobora.web import create_app


def writes(client: TestClient, tokens: dict[str, str]) -> list[tuple[str, str, int, bool]]:
    """(user, write, status, as required): viewers may not write; analysts and admins may."""
    out = []
    for user, _org, role in USERS:
        headers = {"Authorization": f"Bearer {tokens[user]}", "Origin": "http://127.0.0.1"}
        resp = client.post("/api/review/confirm", json={"id": "no-such-report"},
                           headers=headers)
        # A viewer is refused before anything is read; others reach the route (404: no
        # such report, as for a report they may not see).
        want = 403 if role == "viewer" else 404
        out.append((user, "POST /api/review/confirm", resp.status_code,
                    resp.status_code == want))
    return out


def latency(client: TestClient, tokens: dict[str, str], n: int = 40) -> dict[str, float]:
    """Median ms of GET /api/events for a user who sees everything (nothing to restrict)
    and for one from whom restricted reports are hidden (views made, events recomputed)."""
    out = {}
    for user in ("a-analyst", "c-viewer"):
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            client.get("/api/events", headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
        out[user] = statistics.median(times)
    return out


@contextmanager
def _store_at(server: str | None, folder: Path) -> Iterator[Path | str]:
    """Where the seeded store goes: a DuckDB file in `folder`, or a new database on the
    PostgreSQL `server`, dropped after."""
    if not server:
        yield folder / "team.duckdb"
        return
    from tests.conftest import pg_database

    with pg_database(server) as url:
        yield url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a PostgreSQL server URL (postgresql://...): seed and "
                        "ask a store there instead of a DuckDB file")
    parser.add_argument("--cells", action="store_true", help="print every cell")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, _store_at(args.db, Path(tmp)) as db:
        s = seed(Path(tmp), db)
        seeded_in = time.perf_counter() - started
        app = create_app(s.db, review=True)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            cells = matrix(client, s)
            wrote = writes(client, s.tokens)
            ms = latency(client, s.tokens)
    wrong = [c for c in cells if c.status not in expected_status(c, s)]
    leaks = [c for c in cells if c.leaks]
    print(f"engine: {'PostgreSQL' if args.db else 'DuckDB'}")
    print(f"seeded store: 2 public reports + {len(RESTRICTED)} restricted "
          f"({', '.join(r.marking for r in RESTRICTED)}) in one event; "
          f"{len(USERS)} users in 3 organisations ({seeded_in:.0f} s)")
    print("\nwho may see which restricted report:")
    print("  user        " + "  ".join(f"{r.marking:<17}" for r in RESTRICTED))
    for user, org, _role in USERS:
        print(f"  {user:<11} " + "  ".join(f"{'yes' if may_see(user, org, r) else '-':<17}"
                                           for r in RESTRICTED))
    by_path: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cells:
        by_path[f"{c.method} {c.path}"][str(c.status)] += 1
    print(f"\n{'endpoint':<58} statuses over {len(USERS) + 1} callers")
    for path, counts in by_path.items():
        print(f"  {path:<56} " + ", ".join(f"{k}×{v}" for k, v in sorted(counts.items())))
    if args.cells:
        for c in cells:
            print(f"  {c.method} {c.path} {c.user} ({c.role}, {c.org}): {c.status}"
                  + (f" LEAK {c.leaks}" if c.leaks else ""))
    for c in wrong:
        print(f"WRONG STATUS {c.method} {c.path} as {c.user}: {c.status}, want "
              f"{sorted(expected_status(c, s))}")
    for c in leaks:
        print(f"LEAK {c.method} {c.path} as {c.user} ({c.org}): {'; '.join(c.leaks)}")
    bad_writes = [w for w in wrote if not w[3]]
    for w in bad_writes:
        print(f"WRONG WRITE {w[1]} as {w[0]}: {w[2]}")
    print(f"\ncells: {len(cells)} ({len(by_path)} endpoints × {len(USERS) + 1} callers), "
          f"wrong status: {len(wrong)}, leaks: {sum(len(c.leaks) for c in cells)} "
          f"(derived figures included); writes checked: {len(wrote)}, wrong: "
          f"{len(bad_writes)} · {time.perf_counter() - started:.0f} s")
    print(f"GET /api/events, median of 40: {ms['a-analyst']:.1f} ms for a user who sees "
          f"everything, {ms['c-viewer']:.1f} ms for one from whom restricted reports are hidden")
    return 1 if wrong or leaks or bad_writes else 0


if __name__ == "__main__":
    sys.exit(main())
