"""A team store for the authorisation tests and benchmarks/authz_matrix.py: one public event
(two wire reports of two police officers killed in Culiacán) joined by a report under each
TLP marking from organisations ngo-a and ngo-c, each with its own source, its own toll and a
word of its own, and users of every role in three organisations. `matrix` asks every
endpoint as every user and counts what leaks: a marker of a report the user may not see
(its document id, source, word, the group only it names) anywhere in an answer, and derived
figures (independent sources, reports, fatalities range, grade) that do not match the
reports the user may see."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corrobora.ingest import Ingestor
from corrobora.sources import read_paths
from corrobora.store import Store, access

PUBLIC = [
    {"id": "pub-1", "lang": "en", "source": "Reuters", "published_at": "2025-03-04T10:00:00Z",
     "title": "Attack in Culiacan", "text": "Gunmen attacked a police patrol in Culiacán, "
     "Sinaloa, on Monday, killing two officers, officials said."},
    {"id": "pub-2", "lang": "en", "source": "Associated Press",
     "published_at": "2025-03-04T12:00:00Z", "title": "Police killed in Culiacan",
     "text": "Two police officers were killed on Monday when gunmen attacked their patrol in "
     "Culiacán, Sinaloa, state prosecutors said."},
]


@dataclass(frozen=True)
class Restricted:
    doc_id: str
    marking: str
    org: str
    source: str
    word: str
    killed: int
    share_with: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        return {"id": self.doc_id, "lang": "en", "source": self.source,
                "published_at": "2025-03-05T09:00:00Z", "title": f"Field note {self.word}",
                "text": f"Gunmen attacked a police patrol in Culiacán, Sinaloa, on Monday, "
                f"killing {self.killed} officers, according to the {self.word} field team."}


RESTRICTED = [
    Restricted("green-1", "TLP:GREEN", "ngo-c", "Green Monitors", "verdigris", 3),
    Restricted("amber-1", "TLP:AMBER", "ngo-a", "Amber Network", "saffron", 5,
               share_with=("ngo-b",)),
    Restricted("strict-1", "TLP:AMBER+STRICT", "ngo-a", "Strict Circle", "ochre", 7),
    Restricted("red-1", "TLP:RED", "ngo-a", "Red Desk", "carmine", 9,
               recipients=("a-analyst",)),
]
SOLO = Restricted("solo-1", "TLP:AMBER+STRICT", "ngo-a", "Solo Watch", "sepia", 4)
"""The only report of an event of its own: for everyone outside ngo-a that event does not
exist."""
SOLO_TEXT = ("Gunmen killed four municipal police officers in Tijuana, Baja California, on "
             "Friday, according to the sepia field team.")
ORGS = ("ngo-a", "ngo-b", "ngo-c")
USERS = [(f"{org[-1]}-{role}", org, role) for org in ORGS
         for role in ("viewer", "analyst", "admin")]


def may_see(user: str, org: str, r: Restricted) -> bool:
    """The rule of docs/team.md, written out independently of store/access.py."""
    if r.marking in ("TLP:CLEAR", "TLP:GREEN"):
        return True
    if r.marking == "TLP:AMBER":
        return org == r.org or org in r.share_with
    if r.marking == "TLP:AMBER+STRICT":
        return org == r.org
    return user in r.recipients


@dataclass
class Seeded:
    db: Path | str
    """A DuckDB file or a PostgreSQL URL."""
    tokens: dict[str, str] = field(default_factory=dict)
    """user -> API token."""
    event_id: str = ""
    solo_event_id: str = ""


def seed(folder: Path, db: Path | str | None = None) -> Seeded:
    """Build the store at `db` (default: team.duckdb in `folder`, which holds the inputs;
    a PostgreSQL URL works too), in about 20 s: the extractor's models load once."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "team.duckdb" if db is None else db
    pub = folder / "public.jsonl"
    pub.write_text("".join(json.dumps(r) + "\n" for r in PUBLIC), "utf-8")
    seeded = Seeded(db)
    with Store(db) as store:
        for org in ORGS:
            access.add_org(store, org)
        for user, org, role in USERS:
            access.add_user(store, user, org, role)
            seeded.tokens[user] = access.issue_token(store, user)
        ingestor = Ingestor(store)
        ingestor.ingest(read_paths([str(pub)]))
        for r in RESTRICTED:
            path = folder / f"{r.doc_id}.jsonl"
            path.write_text(json.dumps(r.record()) + "\n", "utf-8")
            ingestor.marking = access.Marking.of(r.marking, r.org, r.share_with, r.recipients)
            ingestor.ingest(read_paths([str(path)]))
        solo = folder / "solo-1.jsonl"
        solo.write_text(json.dumps({**SOLO.record(), "published_at": "2025-06-07T09:00:00Z",
                                    "text": SOLO_TEXT}) + "\n", "utf-8")
        ingestor.marking = access.Marking.of(SOLO.marking, SOLO.org)
        ingestor.ingest(read_paths([str(solo)]))
        ingestor.marking = None
        events = store._dicts("SELECT document_id, event_id FROM event_reports")
        joined = {e["event_id"] for e in events if e["document_id"] != SOLO.doc_id}
        assert len(joined) == 1, f"the seeded reports made {len(joined)} events, not one"
        seeded.event_id = joined.pop()
        seeded.solo_event_id = next(e["event_id"] for e in events
                                    if e["document_id"] == SOLO.doc_id)
        assert seeded.solo_event_id != seeded.event_id
    return seeded


def expected(user: str, org: str) -> dict[str, Any]:
    """The event's figures from the reports `user` may see."""
    seen = [r for r in RESTRICTED if may_see(user, org, r)]
    return {"n_reports": 2 + len(seen), "independent_sources": 2 + len(seen),
            "fatalities_max": max([2, *(r.killed for r in seen)])}


def endpoints(s: Seeded) -> list[tuple[str, str]]:
    """(method, path) of every read endpoint and page, with the ids of the seed."""
    e = s.event_id
    paths = [
        "/api/events", "/api/events?format=csv", "/api/events?format=acled",
        "/api/events?format=geojson", "/api/events/counts?by=month",
        "/api/events/counts?by=type", "/api/events/counts?by=admin1", f"/api/events/{e}",
        "/api/geo/events", "/api/geo/regions", "/api/documents", "/api/documents?format=csv",
        "/api/actors", "/api/actors/graph", "/api/sources", "/api/intake", "/api/stats",
        "/api/facets", "/api/review", "/api/reports", "/api/analyses/removals",
        "/api/analyses/removal?region=MX-SIN&date=2025-01-01", "/api/me",
        "/api/team/users", "/api/team/audit", "/", "/event", "/document", "/review",
    ]
    paths += [f"/api/documents/{d}" for d in ["pub-1", *(r.doc_id for r in RESTRICTED),
                                               SOLO.doc_id]]
    paths.append(f"/api/events/{s.solo_event_id}")
    return [("GET", p) for p in paths]


@dataclass
class Cell:
    method: str
    path: str
    user: str
    role: str
    org: str
    status: int
    leaks: list[str]


def _figures(path: str, body: str, event_id: str) -> dict[str, Any] | None:
    """The event's derived figures as this answer gives them, if it gives them."""
    try:
        if "format=csv" in path and path.startswith("/api/events"):
            rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
            row = next((r for r in rows if r.get("id") == event_id), None)
            return None if row is None else {
                k: int(row[k]) for k in ("n_reports", "independent_sources", "fatalities_max")
                if row.get(k)}
        data = json.loads(body)
    except (ValueError, KeyError):
        return None
    items: list[dict[str, Any]] = []
    if isinstance(data, dict):
        if data.get("id") == event_id:
            items = [data]
        for key in ("items", "features"):
            for it in data.get(key) or ():
                if isinstance(it, dict):
                    props = it.get("properties") if key == "features" else it
                    if isinstance(props, dict) and props.get("id") == event_id:
                        items.append(props)
    if not items:
        return None
    it = items[0]
    return {k: it[k] for k in ("n_reports", "independent_sources", "fatalities_max")
            if isinstance(it.get(k), int)}


def check(cell_path: str, status: int, body: str, user: str | None, org: str | None,
          s: Seeded) -> list[str]:
    """What leaks in one answer to `user` (None: anonymous)."""
    leaks = []
    for r in [*RESTRICTED, SOLO]:
        if user is not None and org is not None and may_see(user, org, r):
            continue
        for marker in (r.doc_id, r.source, r.word):
            if marker in cell_path:
                continue  # the caller's own words echoed ("no document 'red-1'")
            if marker.lower() in body.lower():
                leaks.append(f"{r.marking} {r.doc_id}: {marker!r} in the answer")
                break
    if user is None or org is None or status != 200:
        return leaks
    got = _figures(cell_path, body, s.event_id)
    if got:
        want = expected(user, org)
        for k, v in got.items():
            if want.get(k) != v:
                leaks.append(f"{k} {v} where the visible reports give {want.get(k)}")
    return leaks


def matrix(client: Any, s: Seeded) -> list[Cell]:
    """Every endpoint as anonymous and as every user, with its status and leaks."""
    cells = []
    who: list[tuple[str | None, str, str]] = [(None, "-", "-")] + [
        (u, r, o) for u, o, r in USERS]
    for method, path in endpoints(s):
        for user, role, org in who:
            headers = {"Authorization": f"Bearer {s.tokens[user]}"} if user else {}
            resp = client.request(method, path, headers=headers, follow_redirects=False)
            body = resp.text
            leaks = check(path, resp.status_code, body, user, org if user else None, s)
            cells.append(Cell(method, path, user or "anonymous", role, org,
                              resp.status_code, leaks))
    return cells


def expected_status(cell: Cell, s: Seeded) -> set[int]:
    """What an endpoint must answer this user: anonymous 401 (pages: a redirect to the
    login form); admin pages for admins only; a hidden document does not exist."""
    if cell.user == "anonymous":
        return {303} if not cell.path.startswith("/api/") else {401}
    if cell.path.startswith("/api/team/"):
        return {200} if cell.role == "admin" else {403}
    if cell.path.startswith("/api/documents/") and cell.path != "/api/documents/pub-1":
        doc = cell.path.rsplit("/", 1)[1]
        r = next(x for x in [*RESTRICTED, SOLO] if x.doc_id == doc)
        return {200} if may_see(cell.user, cell.org, r) else {404}
    if cell.path == f"/api/events/{s.solo_event_id}":
        return {200} if may_see(cell.user, cell.org, SOLO) else {404}
    if cell.path.startswith("/api/analyses/removal?"):
        return {200, 400, 404, 422}  # a study needs more months than the seed has
    return {200}
