"""Team mode over a store: organisations, users and roles, API tokens, TLP 2.0 markings, what
a reader may see, and the audit log (issue 20; rules in docs/team.md).

Everything here is plain SQL over the tables of migration 010, through the Store's
`_dicts`/`_scalar`/`transaction` and its adapter (store/backend.py), so it runs on DuckDB and
PostgreSQL alike. `restrict` shadows a reader's tables with temporary views of what its
principal may see; the adapter names the store's own tables past them and, on PostgreSQL,
holds the reader in one snapshot whose end drops the views before its pooled connection
serves another request.

The rule a read obeys (`grants`): TLP:CLEAR and TLP:GREEN for every user; TLP:AMBER for the
owning organisation and those it shares the object with; TLP:AMBER+STRICT for the owning
organisation only; TLP:RED for the named recipients only. An object with several markings
needs all of them. A store without users is the single-analyst local mode: one reader,
who sees everything (and the server answers loopback clients only).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corrobora.store.duckdb_store import Store

ROLES = ("viewer", "analyst", "admin")
MARKINGS = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
PUBLIC = ("TLP:CLEAR", "TLP:GREEN")
KINDS = ("document", "event_report", "decision")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class AccessError(ValueError):
    """A team-mode request that cannot be done as asked (unknown user, bad marking...)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who reads or writes. `local`: the single analyst of a store without users, who
    holds every marking."""

    user: str | None
    org: str | None
    role: str
    local: bool = False

    def can(self, role: str) -> bool:
        """Whether this principal holds `role` or a higher one (viewer < analyst < admin)."""
        return self.local or ROLES.index(self.role) >= ROLES.index(role)

    @property
    def name(self) -> str:
        return self.user or "local"


LOCAL = Principal(None, None, "admin", local=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_marking(value: str) -> str:
    """A TLP 2.0 marking as stored ("amber+strict" -> TLP:AMBER+STRICT; TLP:WHITE is
    TLP:CLEAR). Unlike export/markings.normalise, an unknown one is refused, never taken
    for CLEAR: a typo must not publish a restricted report."""
    m = value.strip().upper().replace(" ", "")
    m = m if m.startswith("TLP:") else "TLP:" + m
    m = "TLP:CLEAR" if m == "TLP:WHITE" else m
    if m not in MARKINGS:
        raise AccessError(f"unknown marking {value!r}: use one of {', '.join(MARKINGS)}")
    return m


def hash_token(token: str) -> str:
    # Tokens are 32 random bytes: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def has_team_tables(store: Store) -> bool:
    # The store's own schema: a PostgreSQL database may hold other schemas' `users`.
    return store.con.table_exists("users")


def team_mode(store: Store) -> bool:
    """Whether the store has users: then every call needs a token."""
    return has_team_tables(store) and bool(
        store._scalar("SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1) u"))


def _check_name(kind: str, value: str) -> str:
    if not _NAME.match(value):
        raise AccessError(f"{kind} {value!r}: use 1-64 lower-case letters, digits, '.', "
                          "'_' or '-', starting with a letter or digit")
    return value


# -- organisations and users ------------------------------------------------------------------


def add_org(store: Store, org_id: str, name: str | None = None) -> None:
    _check_name("organisation", org_id)
    with store.transaction():
        if store._scalar("SELECT count(*) FROM orgs WHERE id = ?", [org_id]):
            raise AccessError(f"organisation {org_id!r} exists already")
        store.con.execute("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)",
                          [org_id, name or org_id, _now()])


def list_orgs(store: Store) -> list[dict[str, Any]]:
    return store._dicts(
        "SELECT o.id, o.name, o.created_at, (SELECT count(*) FROM users u "
        "WHERE u.org_id = o.id) AS users FROM orgs o ORDER BY o.id")


def add_user(store: Store, user_id: str, org_id: str, role: str = "viewer") -> None:
    _check_name("user", user_id)
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    with store.transaction():
        if not store._scalar("SELECT count(*) FROM orgs WHERE id = ?", [org_id]):
            raise AccessError(f"no organisation {org_id!r} (add it with `corrobora orgs "
                              "add`)")
        if store._scalar("SELECT count(*) FROM users WHERE id = ?", [user_id]):
            raise AccessError(f"user {user_id!r} exists already")
        store.con.execute(
            "INSERT INTO users (id, org_id, role, disabled, created_at) VALUES (?, ?, ?, ?, ?)",
            [user_id, org_id, role, False, _now()])


def list_users(store: Store) -> list[dict[str, Any]]:
    return store._dicts(
        "SELECT u.id, u.org_id, u.role, u.disabled, u.created_at, (SELECT count(*) FROM "
        "api_tokens t WHERE t.user_id = u.id AND NOT t.revoked) AS tokens FROM users u "
        "ORDER BY u.org_id, u.id")


def get_user(store: Store, user_id: str) -> dict[str, Any] | None:
    rows = store._dicts("SELECT * FROM users WHERE id = ?", [user_id])
    return rows[0] if rows else None


def set_disabled(store: Store, user_id: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user: a disabled user's tokens no longer open anything."""
    with store.transaction():
        if get_user(store, user_id) is None:
            raise AccessError(f"no user {user_id!r}")
        store.con.execute("UPDATE users SET disabled = ? WHERE id = ?", [disabled, user_id])


def issue_token(store: Store, user_id: str, label: str | None = None) -> str:
    """A new API token for the user, returned once; only its hash is stored."""
    token = "cbt_" + secrets.token_urlsafe(32)
    with store.transaction():
        user = get_user(store, user_id)
        if user is None:
            raise AccessError(f"no user {user_id!r}")
        if user["disabled"]:
            raise AccessError(f"user {user_id!r} is disabled")
        store.con.execute(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at, revoked) "
            "VALUES (?, ?, ?, ?, ?)", [hash_token(token), user_id, label, _now(), False])
    return token


def revoke_tokens(store: Store, user_id: str) -> int:
    with store.transaction():
        n = int(store._scalar("SELECT count(*) FROM api_tokens WHERE user_id = ? AND NOT "
                              "revoked", [user_id]) or 0)
        store.con.execute("UPDATE api_tokens SET revoked = ? WHERE user_id = ?",
                          [True, user_id])
    return n


def principal_for_token(store: Store, token: str) -> Principal | None:
    """The enabled user holding this (unrevoked) token, else None."""
    if not token or len(token) > 200 or not has_team_tables(store):
        return None
    rows = store._dicts(
        "SELECT u.id, u.org_id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND NOT t.revoked AND NOT u.disabled", [hash_token(token)])
    if not rows:
        return None
    return Principal(rows[0]["id"], rows[0]["org_id"], rows[0]["role"])


def principal_for_user(store: Store, user_id: str | None) -> Principal:
    """The principal a CLI command acts as: `user_id`'s, or LOCAL when none is named."""
    if user_id is None:
        return LOCAL
    user = get_user(store, user_id) if has_team_tables(store) else None
    if user is None:
        raise AccessError(f"no user {user_id!r}")
    if user["disabled"]:
        raise AccessError(f"user {user_id!r} is disabled")
    return Principal(user["id"], user["org_id"], user["role"])


# -- markings ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marking:
    """One marking given to an object: its TLP level, owner, sharing list and recipients."""

    marking: str = "TLP:CLEAR"
    org: str | None = None
    share_with: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()

    @classmethod
    def of(cls, marking: str | None, org: str | None = None, share_with: Iterable[str] = (),
           recipients: Iterable[str] = ()) -> Marking:
        """Checked: a restricted marking needs its owning organisation."""
        m = parse_marking(marking or "TLP:CLEAR")
        if m not in PUBLIC and not org:
            raise AccessError(f"{m} needs the organisation that owns it (--org ORG)")
        return cls(m, org, tuple(dict.fromkeys(share_with)), tuple(dict.fromkeys(recipients)))

    @property
    def restricted(self) -> bool:
        return self.marking not in PUBLIC

    def rows(self, kind: str, object_id: str) -> dict[str, list[dict[str, Any]]]:
        """The rows of markings, marking_shares and marking_recipients for one object."""
        now = _now()
        if self.marking == "TLP:CLEAR" and not self.org:
            return {"markings": [], "marking_shares": [], "marking_recipients": []}
        return {
            "markings": [{"kind": kind, "object_id": object_id, "marking": self.marking,
                          "org_id": self.org, "created_at": now}],
            "marking_shares": [{"kind": kind, "object_id": object_id, "org_id": o}
                               for o in self.share_with],
            "marking_recipients": [{"kind": kind, "object_id": object_id, "user_id": u}
                                   for u in self.recipients],
        }


def check_marking(store: Store, m: Marking) -> None:
    """The organisations and users a marking names exist."""
    for org in filter(None, (m.org, *m.share_with)):
        if not store._scalar("SELECT count(*) FROM orgs WHERE id = ?", [org]):
            raise AccessError(f"no organisation {org!r} (add it with `corrobora orgs add`)")
    for user in m.recipients:
        if get_user(store, user) is None:
            raise AccessError(f"no user {user!r} among the recipients")


def write_marking_rows(store: Store, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert marking rows (inside the caller's transaction)."""
    for table, items in rows.items():
        for row in items:
            cols = list(row)
            store.con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                f"({', '.join('?' for _ in cols)})", [row[c] for c in cols])


def mark(store: Store, kind: str, object_id: str, m: Marking) -> None:
    """Add a marking to a stored object (its other markings stay: all are needed)."""
    if kind not in KINDS:
        raise AccessError(f"cannot mark a {kind}")
    check_marking(store, m)
    with store.transaction():
        write_marking_rows(store, m.rows(kind, object_id))
        if kind == "document":
            _sync_document_marking(store, [object_id])


def _sync_document_marking(store: Store, ids: Sequence[str]) -> None:
    """documents.marking: the strictest of the document's markings (what exports name)."""
    for doc_id in ids:
        found = [r["marking"] for r in store._dicts(
            "SELECT marking FROM markings WHERE kind = 'document' AND object_id = ?", [doc_id])]
        strictest = max(found, key=MARKINGS.index, default="TLP:CLEAR")
        store.con.execute("UPDATE documents SET marking = ? WHERE id = ?", [strictest, doc_id])


def markings_of(store: Store, kind: str, object_id: str) -> list[dict[str, Any]]:
    if not has_team_tables(store):
        return []
    rows = store._dicts("SELECT marking, org_id FROM markings WHERE kind = ? AND object_id = ? "
                        "ORDER BY created_at", [kind, object_id])
    shares = [r["org_id"] for r in store._dicts(
        "SELECT org_id FROM marking_shares WHERE kind = ? AND object_id = ? ORDER BY org_id",
        [kind, object_id])]
    recipients = [r["user_id"] for r in store._dicts(
        "SELECT user_id FROM marking_recipients WHERE kind = ? AND object_id = ? "
        "ORDER BY user_id", [kind, object_id])]
    return [{**r, "share_with": shares if r["marking"] == "TLP:AMBER" else [],
             "recipients": recipients if r["marking"] == "TLP:RED" else []} for r in rows]


# The visibility rule in SQL, over a marking row `m` (kind, object_id, marking, org_id);
# parameters: the reader's org (twice), the reader's org again, the reader's user.
_GRANTS = (
    "(m.marking IN ('TLP:CLEAR', 'TLP:GREEN') "
    " OR (m.marking = 'TLP:AMBER' AND (m.org_id = ? OR EXISTS (SELECT 1 FROM marking_shares "
    "  s WHERE s.kind = m.kind AND s.object_id = m.object_id AND s.org_id = ?))) "
    " OR (m.marking = 'TLP:AMBER+STRICT' AND m.org_id = ?) "
    " OR (m.marking = 'TLP:RED' AND EXISTS (SELECT 1 FROM marking_recipients x "
    "  WHERE x.kind = m.kind AND x.object_id = m.object_id AND x.user_id = ?)))")


@dataclass(frozen=True, slots=True)
class Hidden:
    """What one principal may not see."""

    documents: frozenset[str]
    reports: frozenset[str]
    """Event reports: those marked themselves, and every report of a hidden document."""
    decisions: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.documents or self.reports or self.decisions)


NOTHING = Hidden(frozenset(), frozenset(), frozenset())


def hidden(store: Store, p: Principal) -> Hidden:
    """The objects `p` may not see. A document marked only by its `marking` column (no
    marking rows: no owner known) is hidden from every user unless CLEAR or GREEN."""
    if p.local or not has_team_tables(store):
        return NOTHING
    org, user = p.org or "", p.user or ""
    rows = store._dicts(
        "SELECT DISTINCT m.kind, m.object_id FROM markings m WHERE NOT " + _GRANTS
        + " UNION SELECT 'document', d.id FROM documents d "
        "WHERE d.marking NOT IN ('TLP:CLEAR', 'TLP:GREEN') AND NOT EXISTS (SELECT 1 FROM "
        "markings k WHERE k.kind = 'document' AND k.object_id = d.id)",
        [org, org, org, user])
    by_kind: dict[str, set[str]] = {k: set() for k in KINDS}
    for r in rows:
        by_kind.setdefault(r["kind"], set()).add(r["object_id"])
    docs = by_kind["document"]
    reports = set(by_kind["event_report"])
    if docs:
        reports |= {r["id"] for r in store._dicts(
            "SELECT id FROM event_reports WHERE document_id IN "
            "(SELECT unnest(?::VARCHAR[]))", [sorted(docs)])}
    return Hidden(frozenset(docs), frozenset(reports), frozenset(by_kind["decision"]))


def visible(store: Store, p: Principal, kind: str, object_id: str) -> bool:
    h = hidden(store, p)
    group = {"document": h.documents, "event_report": h.reports, "decision": h.decisions}
    return object_id not in group[kind]


def restricted_documents(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """Of these documents, those with a marking other than CLEAR/GREEN, with it."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    marks = ",".join("?" for _ in wanted)
    return {r["id"]: r["marking"] for r in store._dicts(
        f"SELECT id, marking FROM documents WHERE id IN ({marks}) AND marking NOT IN "
        "('TLP:CLEAR', 'TLP:GREEN')", wanted)}


# -- a reader restricted to what its principal may see (DuckDB) -------------------------------

_SHADOWED = {
    # table: the condition (over the base table's own columns) that keeps a row
    "documents": "id NOT IN (SELECT id FROM _hidden_documents)",
    "mentions": "document_id NOT IN (SELECT id FROM _hidden_documents)",
    "document_bands": "document_id NOT IN (SELECT id FROM _hidden_documents)",
    "event_reports": "id NOT IN (SELECT id FROM _hidden_reports)",
    "event_report_actors": "event_report_id NOT IN (SELECT id FROM _hidden_reports)",
    "decisions": "id NOT IN (SELECT id FROM _hidden_decisions)",
    "intake_items": "document_id IS NULL OR document_id NOT IN "
                    "(SELECT id FROM _hidden_documents)",
    # A source named only by hidden documents is itself not shown (a human source's name).
    "sources": "name NOT IN (SELECT source FROM {documents} WHERE source IS NOT NULL "
               "AND id IN (SELECT id FROM _hidden_documents)) OR name IN (SELECT source FROM "
               "{documents} WHERE source IS NOT NULL AND id NOT IN "
               "(SELECT id FROM _hidden_documents))",
    "analyst_reports": "document_id NOT IN (SELECT id FROM _hidden_documents)",
    # An actor or place named only by hidden rows is itself not shown (a candidate group's
    # name, a village: they tell what the hidden report said).
    "actors": "id NOT IN (SELECT actor_id FROM _hidden_actor_refs) OR id IN "
              "(SELECT actor_id FROM _visible_actor_refs)",
    "gazetteer_places": "geonameid NOT IN (SELECT geonameid FROM _hidden_place_refs) OR "
                        "geonameid IN (SELECT geonameid FROM _visible_place_refs)",
    # Tokens, users and the audit log are no read path of any reader.
    "api_tokens": "FALSE",
    "audit_log": "FALSE",
}


def restrict(reader: Store, p: Principal, *, sources: Any = None) -> Hidden:
    """Make `reader` (a cursor of its own, see Store.reader) see only what `p` may: its
    connection's temporary views shadow the tables, so every read path (lists, map,
    tallies, graph, documents, review queues, exports, analyses) reads the visible rows
    alone. An event with a hidden report is recomputed from its visible reports by the
    fusion step's own folding (fuse/events.rebuild), so its independent sources, fatalities
    range, grades, date and place are what those reports give; an event with none is gone.
    The stored figures stand where every report is visible. Returns what was hidden."""
    if p.local or not has_team_tables(reader):
        return NOTHING
    con = reader.con
    con.snapshot()
    h = hidden(reader, p)
    if not h:
        con.snapshot_done()
        return h
    reader.restricted = True  # type: ignore[attr-defined]  # read by Store._stream
    base = con.qualified
    fixed_events, gone_events = _recomputed_events(reader, h, sources)
    relations = _visible_relations(reader, h)
    for name, ids in (("_hidden_documents", h.documents), ("_hidden_reports", h.reports),
                      ("_hidden_decisions", h.decisions), ("_affected_events", gone_events)):
        con.execute(f"CREATE TEMP TABLE {name} (id VARCHAR PRIMARY KEY)")
        if ids:
            con.execute(f"INSERT INTO {name} SELECT DISTINCT unnest(?::VARCHAR[])",
                        [sorted(ids)])
    con.execute(f"CREATE TEMP TABLE _events_fixed AS SELECT * FROM {base('events')} LIMIT 0")
    con.insert_rows("_events_fixed", fixed_events)
    tables = con.tables()
    _references(con)
    for table, keep in _SHADOWED.items():
        if table in tables:
            con.execute(f"CREATE TEMP VIEW {table} AS SELECT * FROM {base(table)} "
                        f"WHERE {keep.format(documents=base('documents'))}")
    con.execute(f"CREATE TEMP VIEW events AS SELECT * FROM {base('events')} WHERE id NOT IN "
                "(SELECT id FROM _affected_events) UNION ALL SELECT * FROM _events_fixed")
    if relations is not None and "actor_relations" in tables:
        relations_table = base("actor_relations")
        con.execute(f"CREATE TEMP TABLE _relations_fixed AS SELECT * FROM "
                    f"{relations_table} LIMIT 0")
        changed, kept = relations
        if changed:
            con.execute("CREATE TEMP TABLE _relations_changed (id VARCHAR PRIMARY KEY)")
            con.execute("INSERT INTO _relations_changed SELECT unnest(?::VARCHAR[])",
                        [sorted(changed)])
            evidence = {row["id"]: row["evidence"] for row in kept}
            rows = reader._dicts(f"SELECT * FROM {relations_table} WHERE id IN "
                                 "(SELECT unnest(?::VARCHAR[]))", [sorted(evidence)]
                                 ) if evidence else []
            # Only the visible evidence, and no as_of (it may date a hidden report).
            con.insert_rows("_relations_fixed", [
                {**row, "evidence": evidence[row["id"]], "as_of": None} for row in rows])
            con.execute(f"CREATE TEMP VIEW actor_relations AS SELECT * FROM "
                        f"{relations_table} WHERE id NOT IN (SELECT id FROM "
                        "_relations_changed) UNION ALL SELECT * FROM _relations_fixed")
    con.snapshot_done()
    return h


def _references(con: Any) -> None:
    """The actors and places hidden rows name, and those visible rows (or events) name."""
    hd = "(SELECT id FROM _hidden_documents)"
    hr = "(SELECT id FROM _hidden_reports)"
    mentions, actors, reports = (con.qualified(t) for t in (
        "mentions", "event_report_actors", "event_reports"))
    for name, hidden_side, visible_side in (
        ("actor", f"SELECT actor_id FROM {mentions} WHERE document_id IN {hd} "
         f"UNION SELECT actor_id FROM {actors} WHERE event_report_id IN {hr}",
         f"SELECT actor_id FROM {mentions} WHERE document_id NOT IN {hd} "
         f"UNION SELECT actor_id FROM {actors} WHERE event_report_id NOT IN {hr}"),
        ("place", f"SELECT geonameid FROM {mentions} WHERE document_id IN {hd} "
         f"UNION SELECT geonameid FROM {reports} WHERE id IN {hr}",
         f"SELECT geonameid FROM {mentions} WHERE document_id NOT IN {hd} "
         f"UNION SELECT geonameid FROM {reports} WHERE id NOT IN {hr} "
         "UNION SELECT geonameid FROM _events_fixed UNION SELECT geonameid FROM "
         f"{con.qualified('events')} WHERE id NOT IN (SELECT id FROM _affected_events)"),
    ):
        column = "actor_id" if name == "actor" else "geonameid"
        kind = "VARCHAR" if name == "actor" else "BIGINT"
        for side, sql in (("hidden", hidden_side), ("visible", visible_side)):
            con.execute(f"CREATE TEMP TABLE _{side}_{name}_refs AS SELECT CAST({column} AS "
                        f"{kind}) AS {column} FROM ({sql}) x WHERE {column} IS NOT NULL")


def _recomputed_events(reader: Store, h: Hidden, sources: Any
                       ) -> tuple[list[dict[str, Any]], set[str]]:
    """(rows of the events with a hidden report, recomputed from their visible reports;
    the ids of every such event). Read from the base tables, before any shadowing."""
    # Imported here: fuse imports the store, and only restricted readers need fusion.
    from corrobora.fuse.events import rebuild
    from corrobora.fuse.fusion import report_reliability
    from corrobora.fuse.source_registry import SourceRegistry

    if not h.reports:
        return [], set()
    registry = sources or SourceRegistry.load()
    affected = {r["event_id"] for r in reader._dicts(
        "SELECT DISTINCT event_id FROM event_reports WHERE id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(h.reports)])}
    if not affected:
        return [], set()
    groups: dict[str, list[dict[str, Any]]] = {e: [] for e in affected}
    for r in reader.event_evidence(sorted(affected)):
        if r["id"] in h.reports:
            continue
        # A source the registry does not know keeps the grade stored with it (an analyst's
        # human source is graded when reported, docs/team.md).
        if registry.get(r["source_key"]) or registry.get(r["doc_source"]):
            r["reliability"] = report_reliability(registry, r["source_key"], r["doc_source"])
        groups[r["event_id"]].append(r)
    rows = []
    for eid, reports in groups.items():
        if reports:
            row = rebuild(eid, reports).row()
            rows.append(row)
    return rows, affected


def _visible_relations(reader: Store, h: Hidden
                       ) -> tuple[set[str], list[dict[str, Any]]] | None:
    """Relations read from hidden documents: (their ids, those still evidenced by visible
    sentences, with that evidence alone). Their as_of is dropped: it may date a hidden
    report."""
    if not h.documents:
        return None
    changed: set[str] = set()
    kept: list[dict[str, Any]] = []
    for row in reader._dicts("SELECT id, evidence FROM actor_relations WHERE origin = 'text'"):
        evidence = list(row["evidence"] or ())
        rest = [e for e in evidence if e.split("#", 1)[0] not in h.documents]
        if len(rest) != len(evidence):
            changed.add(row["id"])
            if rest:
                kept.append({"id": row["id"], "evidence": rest})
    return changed, kept


# -- audit ------------------------------------------------------------------------------------

_AUDIT_LOCK = threading.Lock()


def audit_file(store_path: Path) -> Path:
    """Where a read-only server appends its audit lines (it cannot write the store)."""
    return store_path.with_name(store_path.name + ".audit.jsonl")


def audit_row(p: Principal, action: str, kind: str, object_id: str, marking: str | None = None,
              detail: str | None = None) -> dict[str, Any]:
    return {"id": secrets.token_hex(8), "at_time": _now(), "user_id": p.user, "org_id": p.org,
            "action": action, "object_kind": kind, "object_id": object_id,
            "marking": marking, "detail": detail}


def audit(store: Store, rows: Sequence[dict[str, Any]], *, writable: bool = True) -> None:
    """Record audit rows: in the store's audit_log when it is open for writing (inside the
    caller's transaction if there is one), else appended to the JSON Lines file beside the
    store, which `corrobora audit` reads too. On PostgreSQL there is no file: a read-only
    server's session writes its lines in a transaction of their own (READ WRITE)."""
    if not rows:
        return
    postgres = store.con.kind == "postgresql"
    if (writable or postgres) and has_team_tables(store):
        if writable:
            _insert_audit(store, rows)
        else:
            with store.transaction(write=True):
                _insert_audit(store, rows)
        return
    if postgres:
        return  # a store from before migration 010: it has no restricted items to audit
    path = audit_file(store.path)
    lines = "".join(json.dumps({**r, "at_time": r["at_time"].isoformat()},
                               ensure_ascii=False) + "\n" for r in rows)
    with _AUDIT_LOCK:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, lines.encode("utf-8"))
        finally:
            os.close(fd)


def _insert_audit(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    for row in rows:
        cols = list(row)
        store.con.execute(f"INSERT INTO audit_log ({', '.join(cols)}) VALUES "
                          f"({', '.join('?' for _ in cols)})", [row[c] for c in cols])


def audit_entries(store: Store, *, user: str | None = None, action: str | None = None,
                  limit: int | None = 100) -> list[dict[str, Any]]:
    """The audit log, newest first: the store's table and the read-only servers' file."""
    rows: list[dict[str, Any]] = []
    if has_team_tables(store):
        rows = store._dicts("SELECT * FROM audit_log")
    path = audit_file(store.path) if store.con.kind == "duckdb" else None
    if path is not None and path.exists():
        for line in path.read_text("utf-8").splitlines():
            try:
                r = json.loads(line)
                r["at_time"] = datetime.fromisoformat(r["at_time"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut by a crash
            rows.append(r)
    rows = [r for r in rows if (user is None or r.get("user_id") == user)
            and (action is None or r.get("action") == action)]
    rows.sort(key=lambda r: (r["at_time"], r["id"]), reverse=True)
    return rows[:limit] if limit else rows
