"""The embedded store: one DuckDB file, migrated on open. The only module that speaks SQL."""

from __future__ import annotations

import glob
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from corrobora.store import postgres
from corrobora.store.backend import Backend, DuckDBBackend

MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# A document `d` that is not a row of an imported event dataset (corrobora import): the
# rows carry their dataset as source (the names of imports/run.py, or one a run logged; an
# interrupted run has logged nothing yet). They are no reporting in a language, whatever
# an older import stored as their `lang`.
_NOT_DATASET_ROW = (
    "(d.source IS NULL OR (d.source NOT IN ('ACLED', 'UCDP GED', 'GDELT', 'OCVED') "
    "AND d.source NOT IN (SELECT dataset FROM import_runs "
    "WHERE kind IN ('acled', 'ucdp', 'gdelt', 'ocved'))))")


INTAKE_POLLS_KEPT = 500
"""Polls of one feed kept in the intake log (the newest)."""


class StoreError(Exception):
    """The store cannot be opened or written as asked."""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def _open_error(path: Path, exc: duckdb.Error) -> str:
    """What went wrong opening `path`, in our words: for a lock held by another process,
    which command holds it and what to do instead of DuckDB's own message."""
    m = _LOCK_HOLDER.search(str(exc))
    if m is None:
        return f"{path}: cannot open as a Corrobora store: {exc}"
    return (f"{path}: {_holder(int(m['pid']), m['program'])} has this store open; stop it "
            "(or let it finish), or use --db on a copy")


def _holder(pid: int, program: str) -> str:
    """Who holds the lock: a `corrobora serve` (PID n) when it is one of our commands,
    else its command line (read from /proc when there is one), printable and short."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        args = [a for a in argv.split("\0") if a]
    except OSError:
        args = []
    if not args:
        args = [program]
    names = [Path(a).name for a in args]
    for i, name in enumerate(names):
        if name == "corrobora" or (name == "corrobora.cli" and i and args[i - 1] == "-m"):
            words = [a for a in args[i + 1:] if not a.startswith("-")][:2]
            group = words[:2] if words[:1] in (["review"], ["analyze"]) else words[:1]
            return "a `" + " ".join(["corrobora", *group]) + f"` (PID {pid})"
    shown = " ".join([names[0], *args[1:]])
    shown = "".join(c if c.isprintable() else "?" for c in shown)
    shown = shown[:77] + "..." if len(shown) > 80 else shown
    return f"another program (PID {pid}: `{shown}`)"


def _create(path: Path) -> None:
    """A new store at `path`, whole or not at all: created and migrated (each migration
    checkpointed) in a hidden file beside it, closed, then linked into place. A kill -9 in
    the migrations left a store DuckDB could not open again (duckdb#18259: its log cannot
    replay an ADD COLUMN); now it leaves only the hidden file, removed by the next open.
    Linking, unlike a rename, never replaces a store another process created meanwhile."""
    _remove_abandoned(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.creating")
    try:
        con = duckdb.connect(str(tmp))
    except duckdb.Error as exc:
        raise StoreError(_open_error(path, exc)) from exc
    try:
        store = object.__new__(Store)
        store.path, store.con = tmp, DuckDBBackend(con)
        store.migrate()
    finally:
        con.close()
    try:
        _fsync(tmp)
        _set_aside_orphan_log(path)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # created meanwhile by another process: that one is opened
        except OSError:
            # A file system without hard links: a rename, unless a store appeared.
            if not os.path.lexists(path):
                os.replace(tmp, path)
        _fsync(path.parent)
    finally:
        _unlink_all(tmp)


def _set_aside_orphan_log(path: Path) -> None:
    """A write-ahead log left where no database is: DuckDB would replay it into the new
    store (another database's tables, or a replay that fails). Renamed, not deleted."""
    wal = Path(f"{path}.wal")
    if os.path.lexists(wal) and not os.path.lexists(path):
        os.replace(wal, wal.with_name(f"{wal.name}.orphan-{secrets.token_hex(4)}"))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_all(tmp: Path) -> None:
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)


def _remove_abandoned(path: Path) -> None:
    """Hidden files of creations of `path` whose process is gone (killed mid-creation)."""
    for tmp in path.parent.glob(glob.escape(f".{path.name}.") + "*.creating*"):
        pid = tmp.name[len(path.name) + 2:].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@dataclass(slots=True)
class Batch:
    """Rows for one transactional write: everything one batch of documents produced."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    bands: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    new_events: list[dict[str, Any]] = field(default_factory=list)
    updated_events: list[dict[str, Any]] = field(default_factory=list)
    event_reports: list[dict[str, Any]] = field(default_factory=list)
    event_report_actors: list[dict[str, Any]] = field(default_factory=list)
    reroots: list[tuple[str, str]] = field(default_factory=list)
    """(old_root, new_root): a newly ingested earlier original takes over a copy group."""
    actor_relations: list[dict[str, Any]] = field(default_factory=list)
    """Relations between actors (fuse/relations.py), merged into the stored ones."""
    failures: list[dict[str, Any]] = field(default_factory=list)
    markings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Team mode (store/access.py): rows of markings, marking_shares, marking_recipients
    for the batch's documents, written with them so none is ever stored unmarked."""


@dataclass(slots=True, frozen=True)
class EventFilter:
    type: str | None = None
    place: str | None = None
    """Matches the place name, admin1 code (MX-JAL), municipality or country code."""
    since: date | None = None
    until: date | None = None
    actor: str | None = None
    """Matches an actor id or the text of an actor mention."""
    min_credibility: int | None = None
    """Keep events graded this credible or better (1 is best)."""
    limit: int | None = 50
    places: tuple[int, ...] | None = None
    """The stored places `place` resolved to (store/filters.py); when set, wins over it."""
    actor_ids: tuple[str, ...] | None = None
    """The actors `actor` resolved to (store/filters.py); when set, wins over it, together
    with `actor_texts`: the value folded (lower case, no accents) as reports may word it."""
    actor_texts: tuple[str, ...] = ()


class Store:
    con: Backend
    """The connection, through its engine's adapter (store/backend.py, store/postgres.py)."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        if postgres.is_url(path):
            self._open_postgres(postgres.DatabaseURL(path), read_only)
            return
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no such store (run `corrobora ingest` first)")
        if not read_only and self.path.is_file() and self.path.stat().st_size == 0:
            # An empty file (`touch`, mktemp) is a new store; DuckDB calls it invalid.
            self.path.unlink()
        if not read_only and self.path.parent.is_dir() and not os.path.lexists(self.path):
            _create(self.path)
        try:
            self.con = DuckDBBackend(duckdb.connect(str(self.path), read_only=read_only))
        except duckdb.Error as exc:
            raise StoreError(_open_error(self.path, exc)) from exc
        if self.schema_version() == 0:
            # Migrating someone else's DuckDB database would add our tables to it.
            foreign = self.con.table_count()
            if read_only or foreign:
                self.con.close()
                raise StoreError(
                    f"{self.path} is a DuckDB database but not a Corrobora store "
                    f"({foreign} table(s), no schema version); it was left untouched: pass "
                    "--db a new file name or an existing store")
        if not read_only:
            self.migrate()

    def _open_postgres(self, url: postgres.DatabaseURL, read_only: bool) -> None:
        """A store in a PostgreSQL database (its current schema): migrated unless
        `read_only`; refused when that schema holds tables but no store."""
        self.path = url  # type: ignore[assignment]  # str with .name, as messages use it
        try:
            self.con = postgres.PostgresBackend(url.raw, read_only=read_only)
        except postgres.PostgresError as exc:
            raise StoreError(str(exc)) from exc
        if self.schema_version() == 0:
            foreign = self.con.table_count()
            if read_only or foreign:
                self.con.close()
                raise StoreError(
                    f"{url}: no such store (run `corrobora ingest` first)" if not foreign else
                    f"{url} is a PostgreSQL database but not a Corrobora store ({foreign} "
                    "table(s), no schema version); it was left untouched: pass --db another "
                    "database or an existing store")
        if not read_only:
            self.migrate()

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held by one writer of the database at a time: an ingest batch from its reads of
        the store to its write, a review decision, a re-clustering. On PostgreSQL two
        ingests (or an ingest and a review) then cannot fuse against the same events at
        once; DuckDB admits one writing process anyway."""
        with self.con.exclusive("fusion"):
            yield

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------

    @staticmethod
    def migrations() -> list[tuple[int, str, str]]:
        folder = resources.files("corrobora.store") / "migrations"
        found = []
        for entry in folder.iterdir():
            m = MIGRATION_NAME.match(entry.name)
            if m:
                found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
        return sorted(found)

    def schema_version(self) -> int:
        if not self.con.table_exists("schema_version"):
            return 0
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> int:
        """Apply pending migrations in order, each in its own transaction; returns the version."""
        # Two processes opening a new PostgreSQL store at once: one migrates, the other
        # then finds it done.
        with self.con.exclusive("migrate"):
            return self._migrate()

    def _migrate(self) -> int:
        if isinstance(self.con, postgres.PostgresBackend):
            self.con.install_compat()
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
        )
        current = self.schema_version()
        for version, name, sql in self.migrations():
            if version <= current:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name]
                )
            # Each schema change out of the write-ahead log at once: DuckDB cannot replay an
            # ADD COLUMN on a table with a function default (duckdb#18259), so a kill -9 of
            # the first ingest into a new store, before any checkpoint, left a store that no
            # longer opens.
            self.con.checkpoint()
            if isinstance(self.con, postgres.PostgresBackend):
                self.con.forget_columns()
        return self.schema_version()

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[None]:
        """All or nothing; `write`: writes even through a handle opened read-only
        (PostgreSQL; store/access.py audit)."""
        self.con.begin(write=write)
        try:
            yield
        except BaseException:
            # KeyboardInterrupt included: a half-written batch never reaches the file.
            self.con.rollback()
            raise
        else:
            self.con.commit()

    # -- ingest -----------------------------------------------------------------------------

    def stored_hashes(self, hashes: Iterable[str]) -> set[str]:
        return self._existing("documents", "content_hash", hashes)

    def stored_ids(self, ids: Iterable[str]) -> set[str]:
        return self._existing("documents", "id", ids)

    def _existing(self, table: str, column: str, values: Iterable[str]) -> set[str]:
        values = list(set(values))
        if not values:
            return set()
        rows = self.con.execute(
            f"SELECT {column} FROM {table} WHERE {column} IN (SELECT unnest(?))", [values]
        ).fetchall()
        return {r[0] for r in rows}

    def copy_candidates(self, keys: Sequence[int]) -> list[dict[str, Any]]:
        """Stored documents sharing an LSH band key with any of `keys`, and the originals of
        those that are copies (a copy group is decided by its root)."""
        if not keys:
            return []
        return self._dicts(
            "WITH hit AS (SELECT id, duplicate_of FROM documents WHERE id IN ("
            " SELECT document_id FROM document_bands WHERE key IN (SELECT unnest(?::UBIGINT[]))))"
            "SELECT d.id, d.minhash, d.published_at, d.ingest_seq, d.duplicate_of "
            "FROM documents d WHERE d.id IN (SELECT id FROM hit) "
            "OR d.id IN (SELECT duplicate_of FROM hit)",
            [list(keys)],
        )

    def band_members(self, keys: Sequence[int]) -> list[dict[str, Any]]:
        """(document_id, key) for every stored document holding one of these band keys."""
        if not keys:
            return []
        return self._dicts(
            "SELECT document_id, key FROM document_bands "
            "WHERE key IN (SELECT unnest(?::UBIGINT[]))",
            [list(keys)],
        )

    def story_pool(self, since: datetime, until: datetime,
                   lead_chars: int) -> list[dict[str, Any]]:
        """Originals published in [since, until] with their story, lead, embedding and the
        mentions of their lead (fuse/stories.py compares new documents against them)."""
        return self._dicts(
            "SELECT d.id, d.story_id, d.published_at, d.title, "
            "substr(d.text, 1, ?) AS lead, d.embedding, "
            "(SELECT list({'kind': m.kind, 'start_char': m.start_char, 'text': m.text, "
            "  'label': m.label, 'actor_id': m.actor_id, 'geonameid': m.geonameid, "
            "  'geo_precision': m.geo_precision}) FROM mentions m "
            " WHERE m.document_id = d.id AND m.start_char < ?) AS mentions "
            "FROM documents d WHERE d.duplicate_of IS NULL AND d.embedding IS NOT NULL "
            "AND d.published_at BETWEEN ? AND ?",
            [lead_chars, lead_chars, since, until],
        )

    def story_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """The story of each of these stored documents."""
        if not ids:
            return {}
        rows = self.con.execute(
            "SELECT id, story_id FROM documents WHERE id IN (SELECT unnest(?))", [list(ids)]
        ).fetchall()
        return dict(rows)

    def document_sources(self, ids: Sequence[str]) -> dict[str, str | None]:
        if not ids:
            return {}
        rows = self.con.execute(
            "SELECT id, source FROM documents WHERE id IN (SELECT unnest(?))", [list(ids)]
        ).fetchall()
        return dict(rows)

    def event_candidates(self, labels: Sequence[str], since: date | None, until: date | None,
                         roots: Sequence[str], *, stories: Sequence[str] = (),
                         geonameids: Sequence[int] | None = None,
                         regions: Sequence[str] = (), actor_ids: Sequence[str] = (),
                         actor_texts: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Events of these CASE labels (the batch's fusion families) that a report of the
        batch could join (fuse/events.py): told by one of these copy groups or stories; or
        dated within the window and, with `geonameids`, at one of these places or in one of
        `regions` (ISO 3166-2 or country codes), or with a report naming one of these actors
        (registry ids, or lower-cased names). A batch then reads what its keys hold, not the
        store."""
        if not labels:
            return []
        place = "TRUE"
        params: list[Any] = [list(labels), since, until]
        if geonameids is not None:
            place = ("(e.geonameid IN (SELECT unnest(?::BIGINT[])) "
                     "OR p.admin1_code IN (SELECT unnest(?::TEXT[])) "
                     "OR p.country_code IN (SELECT unnest(?::TEXT[])) "
                     "OR e.id IN (SELECT r.event_id FROM event_reports r "
                     " JOIN event_report_actors a ON a.event_report_id = r.id "
                     " WHERE a.actor_id IN (SELECT unnest(?::TEXT[])) "
                     " OR lower(a.text) IN (SELECT unnest(?::TEXT[]))))")
            params += [list(geonameids), list(regions), list(regions), list(actor_ids),
                       list(actor_texts)]
        return self._dicts(
            "SELECT e.*, p.admin1_code, p.country_code FROM events e "
            "LEFT JOIN gazetteer_places p USING (geonameid) "
            "WHERE coalesce(e.case_label, e.type) IN (SELECT unnest(?)) AND ("
            f" (e.date_max >= ?::DATE AND e.date <= ?::DATE AND {place}) OR e.id IN ("
            "  SELECT r.event_id FROM event_reports r WHERE r.document_id IN ("
            "   SELECT d.id FROM documents d WHERE d.id IN (SELECT unnest(?::TEXT[])) "
            "   OR d.duplicate_of IN (SELECT unnest(?::TEXT[])) "
            "   OR d.story_id IN (SELECT unnest(?::TEXT[])))))",
            [*params, list(roots), list(roots), list(stories)],
        )

    # What fusion reads of a stored report (fuse/events.py): `event_reports r` joined to its
    # document `d`, the copy group's root `rd` and its place `p`.
    _FUSION_FIELDS = (
        "r.id, r.event_id, r.type, r.case_label, r.acled_event_type, r.date, "
        "r.time_precision, r.date_basis, r.geonameid, r.geo_precision, r.place_basis, "
        "p.admin1_code, "
        "p.country_code, p.feature_code, r.fatalities_min, r.fatalities_max, r.source_key, "
        "r.hedged, coalesce(d.duplicate_of, d.id) AS root, d.story_id AS story, "
        "d.source AS doc_source, "
        # A report not keyed by its copy group's outlet is keyed by a source it cites.
        "r.source_key <> coalesce(rd.source, 'doc:' || rd.id) AS attributed, "
        "(SELECT list({'actor_id': a.actor_id, 'text': a.text, 'inter': a.inter, "
        "'role': a.role}) "
        " FROM event_report_actors a WHERE a.event_report_id = r.id) AS actors ")
    _FUSION_FROM = (
        "FROM event_reports r JOIN documents d ON d.id = r.document_id "
        "JOIN documents rd ON rd.id = coalesce(d.duplicate_of, d.id) "
        "LEFT JOIN gazetteer_places p ON p.geonameid = r.geonameid ")
    _ARRIVAL = "ORDER BY d.ingest_seq, r.sentence_start, r.trigger_start, r.id"

    def event_evidence(self, event_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The stored reports of these events, with what grading and re-fusion need, in
        arrival order."""
        if not event_ids:
            return []
        return self._dicts(
            f"SELECT {self._FUSION_FIELDS}, r.link_score, "
            f"coalesce(s.reliability, 'F') AS reliability {self._FUSION_FROM}"
            "LEFT JOIN sources s ON s.name = d.source "
            f"WHERE r.event_id IN (SELECT unnest(?)) {self._ARRIVAL}",
            [list(event_ids)],
        )

    def next_ingest_seq(self, n: int) -> list[int]:
        if n == 0:
            return []
        rows = self.con.execute(
            "SELECT nextval('ingest_seq') FROM generate_series(1, ?)", [n]).fetchall()
        return [r[0] for r in rows]

    def write_batch(self, batch: Batch) -> None:
        """Write one batch in one transaction: all of it, or (on any error) none of it."""
        with self.transaction():
            self._insert("sources", batch.sources, ignore=True)
            self._insert("gazetteer_places", batch.places, ignore=True)
            self._insert("actors", batch.actors, ignore=True)
            self._insert("documents", batch.documents)
            for old_root, new_root in batch.reroots:
                self.con.execute(
                    "UPDATE documents SET duplicate_of = ? "
                    "WHERE (id = ? OR duplicate_of = ?) AND id <> ?",
                    [new_root, old_root, old_root, new_root],
                )
            self._insert("document_bands", batch.bands)
            self._insert("mentions", batch.mentions)
            self._insert("events", batch.new_events)
            self._update_events(batch.updated_events)
            self._insert("event_reports", batch.event_reports)
            self._insert("event_report_actors", batch.event_report_actors)
            self._upsert_relations(batch.actor_relations)
            self._insert("ingest_failures", batch.failures)
            for table, rows in batch.markings.items():  # team mode: store/access.py
                self._insert(table, rows)

    def _update_events(self, rows: list[dict[str, Any]]) -> None:
        """One UPDATE for all of a batch's changed events (one statement per event took most
        of a batch's time on a large store)."""
        if not rows:
            return
        self.con.update_rows("events", rows, also="updated_at = current_timestamp")

    def _insert(self, table: str, rows: list[dict[str, Any]], *, ignore: bool = False) -> None:
        self.con.insert_rows(table, rows, ignore=ignore)

    # -- review: analyst decisions over automatic links (fuse/review.py) ----------------------

    def add_decision(self, row: dict[str, Any]) -> str:
        """Record one decision (inside the caller's transaction); returns its id."""
        seq = self._scalar("SELECT nextval('decision_seq')")
        decision_id = f"dec-{seq}"
        self._insert("decisions", [{**row, "id": decision_id, "seq": seq}])
        return decision_id

    def mark_undone(self, decision_id: str, by: str) -> None:
        self.con.execute("UPDATE decisions SET undone_by = ? WHERE id = ?", [by, decision_id])

    def decisions(self, *, about: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
                  active: bool = True) -> list[dict[str, Any]]:
        """Decisions in order; `about`: only those naming one of these reports or documents."""
        where, params = ["TRUE"], []
        if about is not None:
            if not about:
                return []
            where.append("(list_has_any(members, ?::TEXT[]) OR list_has_any(others, ?::TEXT[]))")
            params += [list(about), list(about)]
        if kinds is not None:
            where.append("kind IN (SELECT unnest(?::TEXT[]))")
            params.append(list(kinds))
        if active:
            where.append("undone_by IS NULL")
        return self._dicts("SELECT * FROM decisions WHERE " + " AND ".join(where)
                           + " ORDER BY seq", params)

    def has_decisions(self) -> bool:
        return bool(self._scalar("SELECT count(*) FROM (SELECT 1 FROM decisions LIMIT 1) AS one"))

    def get_decision(self, decision_id: str) -> dict[str, Any] | None:
        rows = self._dicts("SELECT * FROM decisions WHERE id = ?", [decision_id])
        return rows[0] if rows else None

    def resolve_id(self, table: str, value: str) -> str | None:
        """The one id of `table` (events, event_reports, documents) equal to or starting with
        `value`, else None."""
        if table not in ("events", "event_reports", "documents"):
            raise StoreError(f"cannot resolve ids of {table}")
        rows = self.con.execute(
            f"SELECT id FROM {table} WHERE id = ? UNION SELECT id FROM {table} "
            "WHERE starts_with(id, ?) LIMIT 2", [value, value]).fetchall()
        exact = [r[0] for r in rows if r[0] == value]
        if exact:
            return exact[0]
        return rows[0][0] if len(rows) == 1 else None

    def report_events(self, report_ids: Sequence[str]) -> dict[str, str]:
        if not report_ids:
            return {}
        return dict(self.con.execute(
            "SELECT id, event_id FROM event_reports WHERE id IN (SELECT unnest(?::TEXT[]))",
            [list(report_ids)]).fetchall())

    def event_rows(self, event_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not event_ids:
            return {}
        return {r["id"]: r for r in self._dicts(
            "SELECT * FROM events WHERE id IN (SELECT unnest(?::TEXT[]))", [list(event_ids)])}

    def write_review(self, decision: dict[str, Any], *,
                     moves: dict[str, str] | None = None,
                     events: Sequence[dict[str, Any]] = (),
                     delete_events: Sequence[str] = (),
                     stories: dict[str, str] | None = None,
                     undoes: str | None = None) -> str:
        """One analyst decision and everything it changes, in one transaction: reports moved
        to events (`moves`: report id -> event id, link score 1.0, since an analyst placed
        them), event rows rewritten from their reports, emptied events deleted, documents
        moved to stories (`stories`: document id -> story id)."""
        with self.exclusive(), self.transaction():
            decision_id = self.add_decision(decision)
            if undoes:
                self.mark_undone(undoes, decision_id)
            if moves:
                self.con.update_rows("event_reports", [
                    {"id": k, "event_id": v} for k, v in moves.items()], also="link_score = 1.0")
            if events or delete_events:
                gone = [*delete_events, *(e["id"] for e in events)]
                self.con.execute("DELETE FROM events WHERE id IN (SELECT unnest(?::TEXT[]))",
                                 [gone])
                self._insert("events", list(events))
            if stories:
                self.con.update_rows("documents", [
                    {"id": k, "story_id": v} for k, v in stories.items()])
        return decision_id

    def review_event_queue(self, limit: int | None = 20) -> list[dict[str, Any]]:
        """Automatic report -> event links no analyst has ruled on, least sure first: the link
        score, lowered when the event's reports disagree on fatalities or dates."""
        sql = (
            "WITH reviewed AS (SELECT DISTINCT unnest(members) AS id FROM decisions "
            " WHERE undone_by IS NULL AND kind IN ('event_split', 'report_reject', "
            " 'event_merge', 'report_confirm', 'event_confirm') UNION "
            " SELECT DISTINCT unnest(others) FROM decisions WHERE undone_by IS NULL "
            " AND kind IN ('event_merge', 'event_confirm')) "
            "SELECT r.id AS report_id, r.event_id, r.link_score, r.document_id, r.date, "
            "r.place_text, r.fatalities_min, r.fatalities_max, r.type, "
            "substring(d.text, r.sentence_start + 1, r.sentence_end - r.sentence_start) "
            "AS sentence, d.title, d.source, d.published_at, e.n_reports, "
            "e.date AS event_date, e.date_max AS event_date_max, "
            "e.fatalities_min AS event_fatalities_min, e.fatalities_max AS event_fatalities_max, "
            "(r.fatalities_min IS NOT NULL AND e.fatalities_min <> e.fatalities_max) "
            "AS fatalities_conflict, "
            "(r.date IS NOT NULL AND e.date <> e.date_max) AS date_conflict, "
            "coalesce(r.link_score, 0) - 0.2 * (r.fatalities_min IS NOT NULL "
            " AND e.fatalities_min <> e.fatalities_max)::INT "
            " - 0.2 * (r.date IS NOT NULL AND e.date <> e.date_max)::INT AS priority "
            "FROM event_reports r JOIN events e ON e.id = r.event_id "
            "JOIN documents d ON d.id = r.document_id "
            "WHERE e.n_reports > 1 AND r.id NOT IN (SELECT id FROM reviewed) "
            "ORDER BY priority, r.link_score, r.id"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._dicts(sql)

    def event_report_context(self, event_id: str) -> list[dict[str, Any]]:
        """An event's reports with their sentence, document and place, in arrival order."""
        return self._dicts(
            "SELECT r.id AS report_id, r.link_score, r.date, r.place_text, r.fatalities_min, "
            "r.fatalities_max, r.document_id, d.title, d.source, d.published_at, "
            "substring(d.text, r.sentence_start + 1, r.sentence_end - r.sentence_start) "
            "AS sentence FROM event_reports r JOIN documents d ON d.id = r.document_id "
            "WHERE r.event_id = ? ORDER BY d.ingest_seq, r.id", [event_id])

    def review_story_queue(self, limit: int | None = 20) -> list[dict[str, Any]]:
        """Automatic document -> story links no analyst has ruled on, lowest score first, with
        both documents' titles, dates and sources."""
        sql = (
            "WITH reviewed AS (SELECT DISTINCT unnest(members) AS id FROM decisions "
            " WHERE undone_by IS NULL AND kind LIKE 'story_%' UNION "
            " SELECT DISTINCT unnest(others) FROM decisions WHERE undone_by IS NULL "
            " AND kind IN ('story_merge', 'story_confirm')) "
            "SELECT d.id AS document_id, d.story_id, d.story_score, d.story_link, d.title, "
            "d.published_at, d.source, d.lang, substr(d.text, 1, 300) AS lead, "
            "l.title AS link_title, l.published_at AS link_published_at, "
            "l.source AS link_source, l.lang AS link_lang, substr(l.text, 1, 300) AS link_lead "
            "FROM documents d JOIN documents l ON l.id = d.story_link "
            "WHERE d.duplicate_of IS NULL AND d.id NOT IN (SELECT id FROM reviewed) "
            "ORDER BY d.story_score, d.id"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._dicts(sql)

    def story_documents(self, story_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Documents of these stories (originals and copies) in arrival order."""
        if not story_ids:
            return []
        return self._dicts(
            "SELECT id, story_id, duplicate_of, story_score FROM documents "
            "WHERE story_id IN (SELECT unnest(?::TEXT[])) ORDER BY ingest_seq",
            [list(story_ids)])

    def fusion_reports(self) -> Iterator[dict[str, Any]]:
        """Every event report as fusion sees it, in arrival order (for re-clustering)."""
        yield from self._stream(
            f"SELECT {self._FUSION_FIELDS} {self._FUSION_FROM} {self._ARRIVAL}", batch=10_000)

    def replace_events(self, events: list[dict[str, Any]], links: dict[str, tuple[str, float]]
                       ) -> None:
        """Re-clustering's result: every event row anew, every report's event and score."""
        with self.exclusive(), self.transaction():
            self.con.update_rows("event_reports", [
                {"id": k, "event_id": v[0], "link_score": v[1]} for k, v in links.items()])
            self.con.execute("DELETE FROM events")
            self._insert("events", events)

    # -- actors over time ----------------------------------------------------------------------

    def upsert_actor_relations(self, rows: list[dict[str, Any]]) -> None:
        """Insert relations, or merge evidence and bounds into the stored ones (by id)."""
        with self.transaction():
            self._upsert_relations(rows)

    def _upsert_relations(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        # One row per id: a batch may state the same relation twice.
        merged: dict[str, dict[str, Any]] = {}
        for row in rows:
            seen = merged.setdefault(row["id"], {**row, "evidence": []})
            seen["evidence"] = sorted({*seen["evidence"], *(row.get("evidence") or ())})
        self.con.insert_rows(
            "actor_relations", list(merged.values()),
            schema=pa.schema([("id", pa.string()), ("type", pa.string()),
                              ("source", pa.string()), ("target", pa.string()),
                              ("start_date", pa.string()), ("end_date", pa.string()),
                              ("as_of", pa.string()), ("origin", pa.string()),
                              ("evidence", pa.list_(pa.string()))]),
            conflict="(id) DO UPDATE SET evidence = list_sort(list_distinct(list_concat("
            "actor_relations.evidence, excluded.evidence))), "
            "start_date = coalesce(least(actor_relations.start_date, excluded.start_date), "
            "actor_relations.start_date, excluded.start_date), "
            "end_date = coalesce(greatest(actor_relations.end_date, excluded.end_date), "
            "actor_relations.end_date, excluded.end_date), "
            # A report observes a relation: the latest observation dates it.
            "as_of = coalesce(greatest(actor_relations.as_of, excluded.as_of), "
            "actor_relations.as_of, excluded.as_of), "
            "updated_at = get_current_timestamp()")

    def actor_relations(self, actor_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        where, params = "TRUE", []
        if actor_ids is not None:
            where = ("source IN (SELECT unnest(?::TEXT[])) "
                     "OR target IN (SELECT unnest(?::TEXT[]))")
            params = [list(actor_ids), list(actor_ids)]
        return self._dicts(f"SELECT * FROM actor_relations WHERE {where} "
                           "ORDER BY source, type, target, origin", params)

    def actor_rows(self) -> list[dict[str, Any]]:
        return self._dicts("SELECT * FROM actors ORDER BY id")

    # -- exploration ------------------------------------------------------------------------

    def list_events(self, f: EventFilter) -> list[dict[str, Any]]:
        where, params = self._filter_conditions(f)
        sql = (
            "SELECT e.*, p.name AS place_name, p.admin1_code, p.admin2_name, p.country_code, "
            "p.lat, p.lon, p.inegi_code FROM events e "
            "LEFT JOIN gazetteer_places p USING (geonameid) WHERE " + " AND ".join(where)
            + " ORDER BY e.date DESC NULLS LAST, e.independent_sources DESC, e.id"
        )
        if f.limit:
            sql += f" LIMIT {int(f.limit)}"
        return self._dicts(sql, params)

    def count_events(self, f: EventFilter) -> int:
        """How many events match `f` (its limit aside): what a page of them is out of."""
        where, params = self._filter_conditions(f)
        return int(self._scalar(
            "SELECT count(*) FROM events e LEFT JOIN gazetteer_places p USING (geonameid) "
            "WHERE " + " AND ".join(where), params))

    def place_catalogue(self) -> list[dict[str, Any]]:
        """Every stored place with how many events it holds: what place filters resolve
        against (store/filters.py)."""
        return self._dicts(
            "SELECT p.geonameid, p.name, p.admin1_code, p.admin2_name, p.country_code, "
            "p.inegi_code, p.feature_code, count(e.id) AS events FROM gazetteer_places p "
            "LEFT JOIN events e USING (geonameid) GROUP BY 1, 2, 3, 4, 5, 6, 7 "
            "ORDER BY p.geonameid")

    def actor_catalogue(self) -> list[dict[str, Any]]:
        """Every stored actor with how many events name it: what actor filters resolve
        against (store/filters.py)."""
        return self._dicts(
            "SELECT a.id, a.name, a.status, count(DISTINCT r.event_id) AS events "
            "FROM actors a LEFT JOIN event_report_actors ra ON ra.actor_id = a.id "
            "LEFT JOIN event_reports r ON r.id = ra.event_report_id GROUP BY 1, 2, 3 "
            "ORDER BY a.id")

    def event_type_holdings(self) -> list[dict[str, Any]]:
        """Events by type, most first, with the imported datasets their reports come from:
        what an analysis that found none of its types can say the store holds instead."""
        return self._dicts(
            "SELECT e.type, count(DISTINCT e.id) AS events, "
            "list_sort(coalesce(list(DISTINCT d.source) "
            f"FILTER (WHERE NOT {_NOT_DATASET_ROW}), [])) AS datasets "
            "FROM events e LEFT JOIN event_reports r ON r.event_id = e.id "
            "LEFT JOIN documents d ON d.id = r.document_id GROUP BY 1 ORDER BY 2 DESC, 1")

    def acled_event_types(self) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT DISTINCT acled_event_type FROM events WHERE acled_event_type IS NOT NULL "
            "ORDER BY 1").fetchall()]

    def get_event(self, event_id: str) -> dict[str, Any] | None:
        rows = self._dicts(
            "SELECT e.*, p.name AS place_name, p.admin1_code, p.admin2_name, p.country_code, "
            "p.lat, p.lon, p.inegi_code FROM events e "
            "LEFT JOIN gazetteer_places p USING (geonameid) WHERE e.id = ? OR e.id LIKE ?",
            [event_id, event_id + "%"],
        )
        if len(rows) != 1:
            return None
        event = rows[0]
        event["reports"] = self._dicts(
            "SELECT r.*, d.title, d.source, d.url, d.published_at, d.origin, d.duplicate_of, "
            "substring(d.text, r.sentence_start + 1, r.sentence_end - r.sentence_start) "
            "AS sentence_text FROM event_reports r JOIN documents d ON d.id = r.document_id "
            "WHERE r.event_id = ? ORDER BY d.published_at NULLS LAST, r.id",
            [event["id"]],
        )
        event["actors"] = self._dicts(
            "SELECT DISTINCT a.role, a.text, a.actor_id, ac.name AS actor_name, a.inter, "
            "a.acled_name "
            "FROM event_report_actors a JOIN event_reports r ON r.id = a.event_report_id "
            "LEFT JOIN actors ac ON ac.id = a.actor_id WHERE r.event_id = ? "
            "ORDER BY a.role, a.text",
            [event["id"]],
        )
        return event

    def stats(self) -> dict[str, Any]:
        """Counts of what the store holds. `documents` counts every stored document, dataset
        rows included; `by_language` counts only reporting (a dataset row is in no
        language), and `dataset_rows` the imported rows by dataset."""
        one = self._scalar
        return {
            "path": str(self.path),
            "schema_version": self.schema_version(),
            "documents": one("SELECT count(*) FROM documents"),
            "copies": one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"),
            "by_language": self.con.execute(
                "SELECT coalesce(lang, '?'), count(*) FROM documents d "
                f"WHERE {_NOT_DATASET_ROW} GROUP BY 1 ORDER BY 2 DESC, 1").fetchall(),
            "dataset_rows": self.con.execute(
                "SELECT source, count(*) FROM documents d "
                f"WHERE NOT ({_NOT_DATASET_ROW}) GROUP BY 1 ORDER BY 2 DESC, 1").fetchall(),
            "mentions": one("SELECT count(*) FROM mentions"),
            "places": one("SELECT count(*) FROM gazetteer_places"),
            "event_reports": one("SELECT count(*) FROM event_reports"),
            "events": one("SELECT count(*) FROM events"),
            "by_type": self.con.execute(
                "SELECT type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall(),
            "by_admin1": self.con.execute(
                "SELECT p.admin1_code, count(*) FROM events e JOIN gazetteer_places p "
                "USING (geonameid) WHERE p.admin1_code IS NOT NULL "
                "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
            ).fetchall(),
            "actors": one("SELECT count(*) FROM actors"),
            "failures": one("SELECT count(*) FROM ingest_failures"),
        }

    def list_actors(self, status: str | None = None) -> list[dict[str, Any]]:
        """Stored actors with how many event reports and documents name them, most named
        first; `status` 'candidate' lists the groups awaiting confirmation."""
        return self._dicts(
            "SELECT a.id, a.name, a.type, a.inter_code, a.status, a.origin, "
            "count(DISTINCT ra.event_report_id) AS reports, "
            "count(DISTINCT r.document_id) AS documents "
            "FROM actors a LEFT JOIN event_report_actors ra ON ra.actor_id = a.id "
            "LEFT JOIN event_reports r ON r.id = ra.event_report_id "
            "WHERE ? IS NULL OR a.status = ? GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY reports DESC, a.id",
            [status, status])

    def export_documents(self) -> Iterator[dict[str, Any]]:
        """CONTRACTS §2 documents: id, story_id, duplicate_of, cites, lang, source, published_at."""
        yield from self._stream(
            "SELECT d.id, d.story_id, d.duplicate_of, "
            "list_sort(coalesce(list_distinct(flatten(list(r.attribution) "
            "FILTER (WHERE r.attribution IS NOT NULL))), [])) AS cites, "
            "d.lang, d.source, d.published_at, d.title, d.url, d.origin "
            "FROM documents d LEFT JOIN event_reports r ON r.document_id = d.id "
            "GROUP BY 1, 2, 3, 5, 6, 7, 8, 9, 10 ORDER BY min(d.ingest_seq)"
        )

    def export_events(self, f: EventFilter | None = None, *,
                      ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every event (or those matching `f`, up to its limit, and among `ids` when given)
        with its place, reports and actors, by id."""
        where, params = self._filter_conditions(f or EventFilter(limit=None))
        if ids is not None:
            where.append("e.id IN (SELECT unnest(?::TEXT[]))")
            params.append(list(ids))
        limit = f" LIMIT {int(f.limit)}" if f is not None and f.limit else ""
        yield from self._stream(
            "SELECT e.*, p.name AS place_name, p.lat, p.lon, p.country_code, p.admin1_code, "
            "p.admin2_name, p.inegi_code, p.feature_code, "
            "(SELECT list({'document_id': r.document_id, "
            "'sentence': [r.sentence_start, r.sentence_end]} ORDER BY r.id) "
            " FROM event_reports r WHERE r.event_id = e.id) AS reports, "
            # DISTINCT rows, not list(DISTINCT {...}): PostgreSQL can compare only jsonb,
            # which reorders the keys.
            "(SELECT list({'text': a.text, 'actor_id': a.actor_id, 'role': a.role, "
            "'inter': a.inter, 'acled_name': a.acled_name} ORDER BY a.role, a.text, "
            "a.actor_id, a.inter, a.acled_name) FROM (SELECT DISTINCT a.text, "
            " a.actor_id, a.role, a.inter, a.acled_name FROM event_report_actors a "
            " JOIN event_reports r ON r.id = a.event_report_id WHERE r.event_id = e.id) AS a"
            ") AS actors "
            "FROM events e LEFT JOIN gazetteer_places p USING (geonameid) WHERE "
            + " AND ".join(where) + " ORDER BY e.id" + limit, params=params
        )

    def export_reports(self, event_ids: Sequence[str] | None = None, *,
                       with_text: bool = True) -> list[dict[str, Any]]:
        """The reports of these events (or of all), with what exports name them by: their
        document's source, its grade and kind, title, url, publication time and marking, and
        (unless `with_text` is false) the sentence that tells the event. By event, then id."""
        sentence = ("substring(d.text, r.sentence_start + 1, r.sentence_end - r.sentence_start)"
                    if with_text else "NULL::TEXT")
        return self._dicts(
            "SELECT r.id, r.event_id, r.document_id, r.type, r.case_label, r.acled_event_type, "
            "r.acled_sub_event_type, r.sentence_start, r.sentence_end, "
            f"{sentence} AS sentence_text, r.date, r.time_precision, r.geonameid, "
            "r.place_text, r.geo_precision, r.fatalities_min, r.fatalities_max, r.attribution, "
            "r.source_key, r.hedged, r.score, r.link_score, d.source, d.title, d.url, "
            "d.published_at, d.lang, d.marking, s.reliability AS source_reliability, "
            "s.kind AS source_kind, (SELECT list({'text': a.text, 'actor_id': a.actor_id, "
            "'role': a.role} ORDER BY a.role, a.text) FROM event_report_actors a "
            "WHERE a.event_report_id = r.id) AS actors "
            "FROM event_reports r JOIN documents d ON d.id = r.document_id "
            "LEFT JOIN sources s ON s.name = d.source "
            "WHERE ?::TEXT[] IS NULL OR r.event_id IN (SELECT unnest(?::TEXT[])) "
            "ORDER BY r.event_id, r.id",
            [None if event_ids is None else list(event_ids)] * 2)

    def export_document_rows(self, *, with_text: bool = False) -> Iterator[dict[str, Any]]:
        """Every document's metadata (its text only with `with_text`), in arrival order."""
        text = "text" if with_text else "NULL::TEXT AS text"
        yield from self._stream(
            "SELECT id, title, lang, published_at, source, url, origin, marking, duplicate_of, "
            f"story_id, ingested_at, content_hash, {text} FROM documents ORDER BY ingest_seq")

    def monthly_event_counts(self, level: str, acled_event_types: Sequence[str],
                             types: Sequence[str] = ()) -> list[tuple[date, str, int]]:
        """(month, region, events) for events of these ACLED event types or our types, by
        `level` "admin1" (ISO 3166-2 code) or "municipality" (INEGI code) of the event's
        place. An event dated as a range counts in the month of its first day; events
        without a date or a place at that level are not counted."""
        column = {"admin1": "p.admin1_code", "municipality": "p.inegi_code"}.get(level)
        if column is None:
            raise StoreError(f"unknown region level {level!r} (admin1 or municipality)")
        rows = self.con.execute(
            f"SELECT date_trunc('month', e.date)::DATE AS month, {column} AS region, "
            "count(*) AS n FROM events e JOIN gazetteer_places p USING (geonameid) "
            f"WHERE e.date IS NOT NULL AND {column} IS NOT NULL "
            "AND (e.acled_event_type IN (SELECT unnest(?::TEXT[])) "
            "OR e.type IN (SELECT unnest(?::TEXT[]))) "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            [list(acled_event_types), list(types)],
        ).fetchall()
        return [(m, r, int(n)) for m, r, n in rows]

    # -- web reads (corrobora serve): keyset pages, map, facets, documents, graph ----------
    # Events are paged by (date DESC NULLS LAST, id): `after` is the (date, id) of the last
    # row of the previous page. The filters are those of list_events plus the language of a
    # report's document and a bounding box.

    def reader(self) -> Store:
        """A handle on the same database through a new cursor: one per request or thread
        (a DuckDB connection must not be shared by concurrent threads; its cursors may)."""
        other = object.__new__(Store)
        other.path = self.path
        other.con = self.con.cursor()
        return other

    def _event_where(self, f: EventFilter, language: str | None = None,
                     bbox: tuple[float, float, float, float] | None = None
                     ) -> tuple[list[str], list[Any]]:
        where, params = self._filter_conditions(f)
        if language:
            where.append(
                "e.id IN (SELECT r.event_id FROM event_reports r JOIN documents d "
                f"ON d.id = r.document_id WHERE d.lang = lower(?) AND {_NOT_DATASET_ROW})")
            params.append(language)
        if bbox:
            west, south, east, north = bbox
            where.append("p.lon BETWEEN ? AND ? AND p.lat BETWEEN ? AND ?")
            params += [west, east, south, north]
        return where, params

    @staticmethod
    def _filter_conditions(f: EventFilter) -> tuple[list[str], list[Any]]:
        """SQL conditions (over `events e` joined to `gazetteer_places p`) of a filter, the
        same for the CLI's list and the API's pages."""
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if f.type:
            where.append("(e.type = ? OR e.case_label = ? OR lower(e.acled_event_type) = "
                         "lower(?))")
            params += [f.type.upper()] * 2 + [f.type]
        if f.places is not None:
            where.append("e.geonameid IN (SELECT unnest(?::BIGINT[]))")
            params.append(list(f.places))
        elif f.place:
            # Unresolved (the API): case- and accent-insensitive, no ambiguity check.
            where.append(
                "(strip_accents(lower(p.name)) = strip_accents(lower(?)) "
                "OR upper(p.admin1_code) = upper(?) "
                "OR strip_accents(lower(p.admin2_name)) = strip_accents(lower(?)) "
                "OR upper(p.country_code) = upper(?) OR p.inegi_code = ?)")
            params += [f.place] * 5
        if f.since:
            where.append("coalesce(e.date_max, e.date) >= ?")
            params.append(f.since)
        if f.until:
            where.append("e.date <= ?")
            params.append(f.until)
        if f.actor_ids is not None:
            where.append(
                "e.id IN (SELECT r.event_id FROM event_reports r JOIN event_report_actors a "
                "ON a.event_report_id = r.id WHERE a.actor_id IN (SELECT unnest(?::TEXT[])) "
                "OR strip_accents(lower(a.text)) IN (SELECT unnest(?::TEXT[])) "
                "OR strip_accents(lower(a.acled_name)) IN (SELECT unnest(?::TEXT[])))")
            params += [list(f.actor_ids), list(f.actor_texts), list(f.actor_texts)]
        elif f.actor:
            where.append(
                "e.id IN (SELECT r.event_id FROM event_reports r JOIN event_report_actors a "
                "ON a.event_report_id = r.id WHERE a.actor_id = lower(?) "
                "OR strip_accents(lower(a.text)) = strip_accents(lower(?)) "
                "OR strip_accents(lower(a.acled_name)) = strip_accents(lower(?)))")
            params += [f.actor, f.actor, f.actor]
        if f.min_credibility:
            where.append("e.credibility <= ?")
            params.append(f.min_credibility)
        return where, params

    def events_page(self, f: EventFilter, *, language: str | None = None,
                    after: tuple[date | None, str] | None = None, limit: int = 50
                    ) -> list[dict[str, Any]]:
        """Up to `limit` events after the key `after`, newest first (undated last)."""
        where, params = self._event_where(f, language)
        if after is not None:
            last_date, last_id = after
            if last_date is None:
                where.append("e.date IS NULL AND e.id > ?")
                params.append(last_id)
            else:
                where.append("(e.date < ? OR (e.date = ? AND e.id > ?) OR e.date IS NULL)")
                params += [last_date, last_date, last_id]
        return self._dicts(
            "SELECT e.* EXCLUDE (updated_at), p.name AS place_name, p.admin1_code, "
            "p.admin2_name, p.country_code, p.lat, p.lon, p.inegi_code FROM events e "
            "LEFT JOIN gazetteer_places p USING (geonameid) WHERE " + " AND ".join(where)
            + f" ORDER BY e.date DESC NULLS LAST, e.id LIMIT {int(limit)}", params)

    def events_for_map(self, f: EventFilter, *, language: str | None = None,
                       bbox: tuple[float, float, float, float] | None = None,
                       limit: int = 5000) -> list[dict[str, Any]]:
        """The located events matching `f` (newest first, at most `limit`): what a map draws."""
        where, params = self._event_where(f, language, bbox)
        return self._dicts(
            "SELECT e.id, e.type, e.date, e.date_max, e.fatalities_min, e.fatalities_max, "
            "e.independent_sources, e.reliability, e.credibility, e.geo_precision, "
            "p.name AS place_name, p.admin1_code, p.lat, p.lon FROM events e "
            "JOIN gazetteer_places p USING (geonameid) WHERE " + " AND ".join(where)
            + f" ORDER BY e.date DESC NULLS LAST, e.id LIMIT {int(limit)}", params)

    def events_geojson(self, f: EventFilter, *, language: str | None = None,
                       bbox: tuple[float, float, float, float] | None = None,
                       limit: int = 5000) -> tuple[str, bool]:
        """The features of events_for_map as GeoJSON text made by DuckDB (a map asks for
        thousands of points; building them in Python costs more than the query), and
        whether more than `limit` matched."""
        where, params = self._event_where(f, language, bbox)
        row = self.con.execute(
            "WITH sel AS (SELECT *, row_number() OVER () AS rn FROM (SELECT e.id, e.type, "
            "e.date, e.date_max, e.fatalities_min, e.fatalities_max, e.independent_sources, "
            "e.reliability, e.credibility, e.geo_precision, p.name AS place_name, "
            "p.admin1_code, p.lat, p.lon FROM events e JOIN gazetteer_places p "
            "USING (geonameid) WHERE " + " AND ".join(where)
            + f" ORDER BY e.date DESC NULLS LAST, e.id LIMIT {int(limit) + 1}) AS ev) "
            "SELECT coalesce(string_agg(json_object('type', 'Feature', 'id', id, "
            "'geometry', json_object('type', 'Point', 'coordinates', json_array(lon, lat)), "
            "'properties', json_object('id', id, 'type', type, 'date', date, "
            "'date_max', date_max, 'fatalities_min', fatalities_min, "
            "'fatalities_max', fatalities_max, 'independent_sources', independent_sources, "
            "'reliability', reliability, 'credibility', credibility, "
            "'geo_precision', geo_precision, 'place_name', place_name, "
            "'admin1_code', admin1_code))::VARCHAR, ',' ORDER BY rn) "
            f"FILTER (WHERE rn <= {int(limit)}), ''), count(*) > {int(limit)} FROM sel",
            params).fetchone()
        return (row[0], bool(row[1])) if row else ("", False)

    def event_tallies(self, f: EventFilter, by: str, *, language: str | None = None
                     ) -> list[dict[str, Any]]:
        """Events matching `f` counted by `by`: "admin1" (ISO 3166-2 code of the place),
        "day" or "month" (of the event's first day), or "type"."""
        key = {"admin1": "p.admin1_code", "day": "e.date",
               "month": "date_trunc('month', e.date)::DATE", "type": "e.type"}.get(by)
        if key is None:
            raise StoreError(f"cannot count events by {by!r}")
        where, params = self._event_where(f, language)
        return self._dicts(
            f"SELECT {key} AS key, count(*) AS events, sum(e.fatalities_min) AS fatalities "
            "FROM events e LEFT JOIN gazetteer_places p USING (geonameid) WHERE "
            + " AND ".join(where) + f" AND {key} IS NOT NULL GROUP BY 1 ORDER BY 1", params)

    def event_facets(self) -> dict[str, list[dict[str, Any]]]:
        """What the filters can take: types, regions, languages and actors, with counts."""
        return {
            "types": self._dicts("SELECT type AS value, count(*) AS events FROM events "
                                 "GROUP BY 1 ORDER BY 2 DESC, 1"),
            "regions": self._dicts(
                "SELECT p.admin1_code AS value, count(*) AS events FROM events e "
                "JOIN gazetteer_places p USING (geonameid) WHERE p.admin1_code IS NOT NULL "
                "GROUP BY 1 ORDER BY 1"),
            "languages": self._dicts(
                "SELECT lang AS value, count(*) AS documents FROM documents d "
                f"WHERE lang IS NOT NULL AND {_NOT_DATASET_ROW} GROUP BY 1 ORDER BY 2 DESC, 1"),
            "actors": self._dicts(
                "SELECT a.actor_id AS value, any_value(ac.name) AS name, "
                "count(DISTINCT r.event_id) AS events FROM event_report_actors a "
                "JOIN event_reports r ON r.id = a.event_report_id "
                "JOIN actors ac ON ac.id = a.actor_id GROUP BY 1 ORDER BY 3 DESC, 1"),
            "dates": self._dicts("SELECT min(date) AS min, max(coalesce(date_max, date)) "
                                 "AS max FROM events"),
        }

    def event_actor_pairs(self, f: EventFilter, *, language: str | None = None,
                          limit: int = 500) -> dict[str, list[dict[str, Any]]]:
        """Registered actors named in the events matching `f` (with how many events), and
        the pairs of them named in the same event (with how many events)."""
        where, params = self._event_where(f, language)
        chosen = (
            "WITH ev AS (SELECT e.id FROM events e LEFT JOIN gazetteer_places p "
            "USING (geonameid) WHERE " + " AND ".join(where) + "), "
            "ea AS (SELECT DISTINCT r.event_id, a.actor_id FROM event_report_actors a "
            "JOIN event_reports r ON r.id = a.event_report_id "
            "WHERE a.actor_id IS NOT NULL AND r.event_id IN (SELECT id FROM ev)) ")
        nodes = self._dicts(
            chosen + "SELECT ea.actor_id AS id, any_value(ac.name) AS name, "
            "any_value(ac.type) AS type, any_value(ac.status) AS status, "
            "count(*) AS events FROM ea JOIN actors ac ON ac.id = ea.actor_id "
            f"GROUP BY 1 ORDER BY 5 DESC, 1 LIMIT {int(limit)}", params)
        pairs = self._dicts(
            chosen + "SELECT x.actor_id AS source, y.actor_id AS target, count(*) AS events "
            "FROM ea x JOIN ea y ON x.event_id = y.event_id AND x.actor_id < y.actor_id "
            f"GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT {int(limit)}", params)
        return {"nodes": nodes, "pairs": pairs}

    def documents_page(self, *, lang: str | None = None, source: str | None = None,
                       after: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Documents in order of arrival after ingest_seq `after`, without their text."""
        where, params = ["TRUE"], []
        if lang:
            where.append(f"d.lang = lower(?) AND {_NOT_DATASET_ROW}")
            params.append(lang)
        if source:
            where.append("lower(d.source) = lower(?)")
            params.append(source)
        if after is not None:
            where.append("d.ingest_seq > ?")
            params.append(after)
        return self._dicts(
            "SELECT d.id, d.title, d.lang, d.source, d.published_at, d.url, d.origin, "
            "d.marking, d.duplicate_of, d.story_id, d.ingest_seq, length(d.text) AS chars, "
            "(SELECT count(*) FROM event_reports r WHERE r.document_id = d.id) AS reports "
            "FROM documents d WHERE " + " AND ".join(where)
            + f" ORDER BY d.ingest_seq LIMIT {int(limit)}", params)

    def get_document(self, document_id: str) -> dict[str, Any] | None:
        """One document with its text, its mentions and the event reports it carries."""
        rows = self._dicts(
            "SELECT d.* EXCLUDE (minhash, embedding), s.reliability, s.kind AS source_kind "
            "FROM documents d LEFT JOIN sources s ON s.name = d.source WHERE d.id = ?",
            [document_id])
        if not rows:
            return None
        doc = rows[0]
        doc["mentions"] = self._dicts(
            "SELECT kind, start_char, end_char, text, label, value, actor_id, geonameid "
            "FROM mentions WHERE document_id = ? ORDER BY start_char, end_char",
            [document_id])
        doc["event_reports"] = self._dicts(
            "SELECT r.id, r.event_id, r.type, r.sentence_start, r.sentence_end, "
            "r.trigger_start, r.trigger_end, r.hedged, r.attribution, r.source_key, "
            "r.date, r.fatalities_min, r.fatalities_max, r.place_text "
            "FROM event_reports r WHERE r.document_id = ? ORDER BY r.sentence_start, r.id",
            [document_id])
        doc["copies"] = [r[0] for r in self.con.execute(
            "SELECT id FROM documents WHERE duplicate_of = ? ORDER BY ingest_seq",
            [document_id]).fetchall()]
        return doc

    def source_usage(self) -> list[dict[str, Any]]:
        """Sources as stored, with how many documents come from them and how many event
        reports count as them."""
        return self._dicts(
            "SELECT s.name, s.kind, s.reliability, s.country, "
            "(SELECT count(*) FROM documents d WHERE d.source = s.name) AS documents, "
            "(SELECT count(*) FROM event_reports r WHERE r.source_key = s.name) AS reports "
            "FROM sources s ORDER BY s.name")

    # -- structured imports and series (corrobora/imports/) ---------------------------------

    def record_import(self, run: dict[str, Any]) -> None:
        """Log one `corrobora import` run (kind, dataset, path, sha256, counts)."""
        self._insert("import_runs", [run])

    def import_runs(self) -> list[dict[str, Any]]:
        return self._dicts("SELECT * FROM import_runs ORDER BY imported_at, path")

    def write_series(self, rows: list[dict[str, Any]]) -> None:
        """Store series values; a value already stored for the same dataset, measure, region
        and period is replaced (official series are revised)."""
        if not rows:
            return
        with self.transaction():
            self.con.insert_rows("series", rows, replace=True)

    def series_values(self, dataset: str, measure: str | None = None
                      ) -> list[tuple[date, str, float]]:
        """(period, region, value) of a stored series (the only measure if none is named)."""
        return [(p, r, float(v)) for p, r, v in self.con.execute(
            "SELECT period, region, value FROM series WHERE upper(dataset) = upper(?) "
            "AND (? IS NULL OR measure = ?) ORDER BY period, region",
            [dataset, measure, measure]).fetchall()]

    def list_series(self) -> list[dict[str, Any]]:
        return self._dicts(
            "SELECT dataset, measure, freq, count(DISTINCT region) AS regions, "
            "min(period) AS first, max(period) AS last, count(*) AS values "
            "FROM series GROUP BY 1, 2, 3 ORDER BY dataset, measure")

    def event_counts(self, freq: str, level: str, acled_event_types: Sequence[str],
                     types: Sequence[str] = (), *, by: str = "region",
                     region: str | None = None, actor: str | None = None
                     ) -> list[tuple[date, str, int]]:
        """(period, key, events) of events of these ACLED or our types by `freq` ("day",
        "week": ISO weeks from Monday, "month"), where key is the region of `level`
        ("admin1" or "municipality") or, with `by="actor"`, each actor the event's reports
        name (registry id or candidate). `region` and `actor` restrict the events counted.
        An event counts once per key, on its first date."""
        if freq not in ("day", "week", "month"):
            raise StoreError(f"unknown frequency {freq!r} (day, week or month)")
        column = {"admin1": "p.admin1_code", "municipality": "p.inegi_code"}.get(level)
        if column is None:
            raise StoreError(f"unknown region level {level!r} (admin1 or municipality)")
        key = column if by == "region" else "a.actor_id"
        actor_join = ("JOIN (SELECT DISTINCT r.event_id, ra.actor_id FROM event_reports r "
                      "JOIN event_report_actors ra ON ra.event_report_id = r.id "
                      "WHERE ra.actor_id IS NOT NULL) a ON a.event_id = e.id "
                      if by == "actor" or actor else "")
        rows = self.con.execute(
            f"SELECT date_trunc('{freq}', e.date)::DATE AS period, {key} AS k, "
            "count(DISTINCT e.id) FROM events e JOIN gazetteer_places p USING (geonameid) "
            f"{actor_join}"
            f"WHERE e.date IS NOT NULL AND {column} IS NOT NULL "
            "AND (e.acled_event_type IN (SELECT unnest(?::TEXT[])) "
            "OR e.type IN (SELECT unnest(?::TEXT[]))) "
            f"AND (?::TEXT IS NULL OR {column} = ?) "
            + ("AND a.actor_id = ? " if actor else "")
            + "GROUP BY 1, 2 ORDER BY 1, 2",
            [list(acled_event_types), list(types), region, region]
            + ([actor] if actor else []),
        ).fetchall()
        return [(p, k, int(n)) for p, k, n in rows]

    def events_between(self, since: date, until: date, acled_event_types: Sequence[str],
                       types: Sequence[str] = (), *, level: str = "admin1",
                       region: str | None = None, actor: str | None = None,
                       limit: int = 200) -> list[str]:
        """Ids of events of these types dated in [since, until], in `region` (at `level`) and
        naming `actor` when given: the events behind an alert."""
        column = {"admin1": "p.admin1_code", "municipality": "p.inegi_code"}[level]
        rows = self.con.execute(
            "SELECT e.id FROM events e JOIN gazetteer_places p USING (geonameid) "
            "WHERE e.date BETWEEN ? AND ? "
            "AND (e.acled_event_type IN (SELECT unnest(?::TEXT[])) "
            "OR e.type IN (SELECT unnest(?::TEXT[]))) "
            f"AND (?::TEXT IS NULL OR {column} = ?) "
            "AND (?::TEXT IS NULL OR e.id IN (SELECT r.event_id FROM event_reports r "
            " JOIN event_report_actors ra ON ra.event_report_id = r.id WHERE ra.actor_id = ?)) "
            "ORDER BY e.date, e.id LIMIT ?",
            [since, until, list(acled_event_types), list(types), region, region, actor, actor,
             limit]).fetchall()
        return [r[0] for r in rows]

    def group_activity(self, freq: str, level: str) -> list[dict[str, Any]]:
        """Events naming each criminal group (registry groups and candidates), by period and
        region of `level`: period, region, actor_id, name, status, events."""
        if freq not in ("month", "quarter", "year"):
            raise StoreError(f"unknown period {freq!r} (month, quarter or year)")
        column = {"admin1": "p.admin1_code", "municipality": "p.inegi_code"}.get(level)
        if column is None:
            raise StoreError(f"unknown region level {level!r} (admin1 or municipality)")
        return self._dicts(
            f"SELECT date_trunc('{freq}', e.date)::DATE AS period, {column} AS region, "
            "ac.id AS actor_id, ac.name, ac.status, count(DISTINCT e.id) AS events "
            "FROM events e JOIN gazetteer_places p USING (geonameid) "
            "JOIN event_reports r ON r.event_id = e.id "
            "JOIN event_report_actors ra ON ra.event_report_id = r.id "
            "JOIN actors ac ON ac.id = ra.actor_id "
            f"WHERE e.date IS NOT NULL AND {column} IS NOT NULL "
            "AND ac.type = 'criminal_group' GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3")

    # -- live intake (sources/watch.py) -------------------------------------------------------

    def intake_feed(self, url: str) -> dict[str, Any] | None:
        """What the last polls of a feed or page left: ETag, Last-Modified, errors, next poll."""
        rows = self._dicts("SELECT * FROM intake_feeds WHERE url = ?", [url])
        return rows[0] if rows else None

    def intake_seen(self, feed_url: str, keys: Iterable[str]) -> set[str]:
        """The item keys of `feed_url` already taken."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        return {r[0] for r in self.con.execute(
            "SELECT item_key FROM intake_items WHERE feed_url = ? AND list_contains(?, item_key)",
            [feed_url, wanted]).fetchall()}

    def record_poll(self, feed: dict[str, Any], items: list[dict[str, Any]],
                    poll: dict[str, Any]) -> None:
        """A poll's outcome in one transaction: the feed's new state, the items it took (one
        already recorded is kept as it was) and the poll's line in the log (its newest
        INTAKE_POLLS_KEPT lines kept)."""
        with self.transaction():
            self.con.insert_rows("intake_feeds", [feed], replace=True)
            self._insert("intake_items", items, ignore=True)
            self._insert("intake_polls", [poll])
            # The log keeps each feed's newest polls: a feed polled every 15 minutes for a
            # year would otherwise leave 35,000 rows.
            self.con.execute(
                "DELETE FROM intake_polls WHERE feed_url = $1 AND polled_at < (SELECT "
                "min(polled_at) FROM (SELECT polled_at FROM intake_polls WHERE feed_url = $1 "
                "ORDER BY polled_at DESC LIMIT $2) AS kept)", [feed["url"], INTAKE_POLLS_KEPT])

    def intake_overview(self, *, limit: int = 50) -> dict[str, Any]:
        """For the dashboard: every feed's state, the newest items and polls. Empty for a
        store no `corrobora watch` has written to (a read-only store is not migrated)."""
        if not self.con.table_exists("intake_feeds"):
            return {"feeds": [], "items": [], "polls": []}
        return {
            "feeds": self._dicts("SELECT * EXCLUDE (etag, last_modified), etag IS NOT NULL "
                                 "OR last_modified IS NOT NULL AS conditional "
                                 "FROM intake_feeds ORDER BY url"),
            "items": self._dicts("SELECT * FROM intake_items ORDER BY first_seen DESC, title "
                                 "LIMIT ?", [limit]),
            "polls": self._dicts("SELECT * FROM intake_polls ORDER BY polled_at DESC LIMIT ?",
                                 [limit]),
        }

    # -- helpers ----------------------------------------------------------------------------

    def _scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        row = self.con.execute(sql, params or []).fetchone()
        return row[0] if row else None

    def _dicts(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _stream(self, sql: str, batch: int = 1000, params: list[Any] | None = None
                ) -> Iterator[dict[str, Any]]:
        if getattr(self, "restricted", False) and self.con.kind == "duckdb":
            # Team mode (store/access.py): a new DuckDB cursor would not see this reader's
            # temporary views, so a restricted reader reads its rows whole (PostgreSQL
            # streams them on the reader's own connection).
            yield from self._dicts(sql, params)
            return
        yield from self.con.stream(sql, params, batch)
