"""Team mode (issue 20): users, roles, tokens, the login cookie, TLP markings on every read
path (derived figures included), the audit log and analysts' own reports, over a real
seeded store (tests/team_store.py) served by the real app."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corrobora.cli import app as cli
from corrobora.store import EventFilter, Store, access
from corrobora.web import create_app

from ..conftest import StoreSpot
from ..team_store import (
    RESTRICTED,
    SOLO,
    USERS,
    Seeded,
    expected,
    expected_status,
    matrix,
    may_see,
    seed,
)

BASE = "http://127.0.0.1:8000"
ORIGIN = {"Origin": BASE}


@pytest.fixture(scope="module")
def seeded(module_store: StoreSpot, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The seeded store on each engine (tests/conftest.py module_store)."""
    return seed(tmp_path_factory.mktemp("team"), module_store("team.duckdb"))


@pytest.fixture
def team(seeded: Seeded, module_store: StoreSpot) -> Seeded:
    """A copy of the seeded store this test may write to, with an empty audit log (on
    PostgreSQL the read-only servers of other tests wrote theirs in the seeded store's
    table; a DuckDB copy leaves their file behind)."""
    db = module_store.copy(seeded.db, f"team-{secrets.token_hex(4)}.duckdb")
    with Store(db) as store:
        store.con.execute("DELETE FROM audit_log")
    return Seeded(db, dict(seeded.tokens), seeded.event_id, seeded.solo_event_id)


def client(db: Path | str, *, review: bool = False) -> TestClient:
    return TestClient(create_app(db, review=review), base_url=BASE)


def auth(s: Seeded, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {s.tokens[user]}"}


@pytest.fixture
def local_db(new_store: StoreSpot) -> Iterator[Path | str]:
    """A store with no users, on each engine."""
    db = new_store("local.duckdb")
    Store(db).close()
    yield db


def test_store_without_users_is_the_local_mode_for_this_machine_only(
        local_db: Path | str) -> None:
    with client(local_db) as c:
        assert c.get("/api/events").status_code == 200
        assert c.get("/api/me").json() == {"user": None, "org": None, "role": "admin",
                                           "local": True, "team": False}
    remote = TestClient(create_app(local_db), base_url=BASE, client=("203.0.113.9", 40000))
    with remote as c:
        r = c.get("/api/events")
        assert r.status_code == 403
        assert "local mode answers this machine only" in r.json()["detail"]
    loopback = TestClient(create_app(local_db), base_url=BASE, client=("127.0.0.1", 40000))
    with loopback as c:
        assert c.get("/api/events").status_code == 200


def test_once_a_user_exists_every_call_needs_a_token(seeded: Seeded) -> None:
    with client(seeded.db) as c:
        r = c.get("/api/events")
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        page = c.get("/event", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/event"
        assert c.get("/api/events", headers={"Authorization": "Bearer cbt_wrong"}
                     ).status_code == 401
        assert c.get("/api/events", headers=auth(seeded, "c-viewer")).status_code == 200
        assert c.get("/login").status_code == 200  # the form itself is open
        assert c.get("/static/css/app.css").status_code in (200, 404)


def test_tokens_are_stored_as_their_hash_only(seeded: Seeded) -> None:
    with Store(seeded.db, read_only=True) as store:
        stored = {r["token_hash"] for r in store._dicts("SELECT token_hash FROM api_tokens")}
        dump = json.dumps(store._dicts("SELECT * FROM api_tokens"), default=str)
    for token in seeded.tokens.values():
        assert hashlib.sha256(token.encode()).hexdigest() in stored
        assert token not in dump


def test_disabled_user_and_revoked_token_open_nothing(team: Seeded) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["users", "disable", "b-viewer", "--db", str(team.db)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["users", "token", "c-viewer", "--revoke", "--db", str(team.db)])
    assert r.exit_code == 0, r.output
    with client(team.db) as c:
        assert c.get("/api/events", headers=auth(team, "b-viewer")).status_code == 401
        assert c.get("/api/events", headers=auth(team, "c-viewer")).status_code == 401
        assert c.get("/api/events", headers=auth(team, "a-viewer")).status_code == 200


def test_login_form_sets_a_cookie_that_opens_pages_and_api(seeded: Seeded) -> None:
    with client(seeded.db) as c:
        bad = c.post("/login", data={"token": "nope", "next": "/event"}, headers=ORIGIN)
        assert bad.status_code == 401 and "unknown" in bad.text
        r = c.post("/login", data={"token": seeded.tokens["b-viewer"],
                                   "next": "//evil.example/"}, headers=ORIGIN,
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/api/me").json()["user"] == "b-viewer"
        assert c.get("/event", follow_redirects=False).status_code == 200
        c.post("/logout", headers=ORIGIN)
        assert c.get("/api/me").status_code == 401


def test_a_write_with_the_cookie_must_name_its_origin(team: Seeded) -> None:
    with client(team.db, review=True) as c:
        c.post("/login", data={"token": team.tokens["a-analyst"]}, headers=ORIGIN)
        r = c.post("/api/review/confirm", json={"id": "nothing-like-it"})
        assert r.status_code == 403 and "Origin or Referer" in r.json()["detail"]
        r = c.post("/api/review/confirm", json={"id": "nothing-like-it"}, headers=ORIGIN)
        assert r.status_code == 404


def test_viewers_read_but_do_not_write(team: Seeded) -> None:
    with client(team.db, review=True) as c:
        r = c.post("/api/review/confirm", json={"id": team.event_id},
                   headers={**auth(team, "a-viewer"), **ORIGIN})
        assert r.status_code == 403 and "viewer" in r.json()["detail"]
        r = c.post("/api/reports", json={"text": "x", "source": "s", "reliability": "C",
                                         "credibility": 3},
                   headers={**auth(team, "b-viewer"), **ORIGIN})
        assert r.status_code == 403


def test_admin_endpoints_need_an_admin(seeded: Seeded) -> None:
    with client(seeded.db) as c:
        assert c.get("/api/team/users", headers=auth(seeded, "a-analyst")).status_code == 403
        users = c.get("/api/team/users", headers=auth(seeded, "a-admin")).json()["items"]
        assert {u["id"] for u in users} == {u for u, _, _ in USERS}


def test_authorisation_matrix_has_no_leak_and_every_status_as_required(seeded: Seeded
                                                                        ) -> None:
    with client(seeded.db) as c:
        cells = matrix(c, seeded)
    assert len(cells) > 300
    wrong = [(c.path, c.user, c.status) for c in cells
             if c.status not in expected_status(c, seeded)]
    assert wrong == []
    assert [(c.path, c.user, c.leaks) for c in cells if c.leaks] == []


def test_matrix_counts_what_an_unrestricted_reader_leaks(seeded: Seeded,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """The checker itself: with the restriction off, it finds markers and figures."""
    import corrobora.web.deps as deps

    monkeypatch.setattr(deps, "restrict", lambda reader, principal: access.NOTHING)
    with client(seeded.db) as c:
        cells = matrix(c, seeded)
    leaks = [leak for c in cells for leak in c.leaks]
    assert any("independent_sources" in leak for leak in leaks)
    assert any("fatalities_max" in leak for leak in leaks)
    assert any("'red-1'" in leak for leak in leaks)


def test_event_figures_are_computed_from_the_reports_the_reader_may_see(seeded: Seeded
                                                                         ) -> None:
    with Store(seeded.db, read_only=True) as store:
        stored = store.event_rows([seeded.event_id])[seeded.event_id]
        for user, org, role in USERS:
            reader = store.reader()
            access.restrict(reader, access.Principal(user, org, role))
            row = reader.event_rows([seeded.event_id])[seeded.event_id]
            want = expected(user, org)
            assert {k: row[k] for k in want} == want, user
            point = reader.events_for_map(EventFilter(limit=None))
            assert [p["id"] for p in point if p["id"] == seeded.event_id] == [seeded.event_id]
            seen = may_see(user, org, SOLO)
            assert (seeded.solo_event_id in reader.event_rows([seeded.solo_event_id])) == seen
            reader.con.close()
    # Everything visible: the stored figures stand.
    assert stored["n_reports"] == 2 + len(RESTRICTED) + 0
    assert stored["fatalities_max"] == max(r.killed for r in RESTRICTED)


def test_a_reader_handed_on_keeps_no_views_of_the_user_before(seeded: Seeded) -> None:
    """On PostgreSQL a closed reader's connection goes back to a pool and serves the next
    request, perhaps another user's: the views of the first must be gone with it."""
    viewer = access.Principal("c-viewer", "ngo-c", "viewer")
    everyone = access.Principal("a-analyst", "ngo-a", "analyst")  # holds every marking
    with Store(seeded.db, read_only=True) as store:
        stored = store.event_rows([seeded.event_id])[seeded.event_id]
        first = store.reader()
        assert access.restrict(first, viewer)
        assert first.event_rows([seeded.event_id])[seeded.event_id]["n_reports"] == expected(
            "c-viewer", "ngo-c")["n_reports"] < 2 + len(RESTRICTED)
        connection = getattr(first.con, "con", None)
        first.con.close()
        for principal in (everyone, access.LOCAL):
            nxt = store.reader()
            if store.con.kind == "postgresql":
                assert nxt.con.con is connection  # the same pooled connection
            assert not access.restrict(nxt, principal)
            row = nxt.event_rows([seeded.event_id])[seeded.event_id]
            assert row["n_reports"] == stored["n_reports"] == 2 + len(RESTRICTED)
            assert nxt._scalar("SELECT count(*) FROM documents") == 3 + len(RESTRICTED)
            connection = getattr(nxt.con, "con", None)
            nxt.con.close()


def test_a_restricted_reader_reads_one_snapshot_without_a_document_stored_after_its_views(
        team: Seeded) -> None:
    """A document stored (and marked) after a request's views were made is not in them:
    every read of a restricted request sees the store as it was when they were made."""
    viewer = access.Principal("c-viewer", "ngo-c", "viewer")
    with Store(team.db) as store:
        reader = store.reader()
        access.restrict(reader, viewer)
        cols = store.con.columns("documents")
        given = {"id": "late-1", "content_hash": "late-1-hash"}
        picked = ", ".join("?" if c in given else c for c in cols)
        with store.transaction():
            store.con.execute(f"INSERT INTO documents ({', '.join(cols)}) SELECT {picked} "
                              "FROM documents WHERE id = 'pub-1'",
                              [given[c] for c in cols if c in given])
            access.write_marking_rows(store, access.Marking.of(
                "TLP:AMBER+STRICT", "ngo-a").rows("document", "late-1"))
        seen = {r["id"] for r in reader._dicts("SELECT id FROM documents")}
        assert "late-1" not in seen and "pub-1" in seen
        reader.con.close()
        later = store.reader()
        access.restrict(later, viewer)  # its own views: the marking hides it
        assert "late-1" not in {r["id"] for r in later._dicts("SELECT id FROM documents")}
        later.con.close()
        owner = store.reader()
        access.restrict(owner, access.Principal("a-viewer", "ngo-a", "viewer"))
        assert "late-1" in {r["id"] for r in owner._dicts("SELECT id FROM documents")}
        owner.con.close()


def test_event_with_no_visible_report_is_404_not_403(seeded: Seeded) -> None:
    with client(seeded.db) as c:
        r = c.get(f"/api/events/{seeded.solo_event_id}", headers=auth(seeded, "b-admin"))
        assert r.status_code == 404
        r = c.get(f"/api/events/{seeded.solo_event_id}", headers=auth(seeded, "a-viewer"))
        assert r.status_code == 200


def test_reads_of_restricted_items_and_decisions_are_audited(team: Seeded) -> None:
    with client(team.db, review=True) as c:
        c.get(f"/api/events/{team.event_id}", headers=auth(team, "b-viewer"))
        c.get("/api/documents/pub-1", headers=auth(team, "b-viewer"))  # CLEAR: no line
        reports = c.get(f"/api/events/{team.event_id}",
                        headers=auth(team, "a-analyst")).json()["reports"]
        pub = next(r["id"] for r in reports if r["document_id"] == "pub-1")
        r = c.post("/api/review/confirm", json={"id": pub, "note": "checked",
                                                "marking": "TLP:AMBER"},
                   headers={**auth(team, "a-analyst"), **ORIGIN})
        assert r.status_code == 200, r.text
        decision = r.json()["decision_id"]
        mine = c.get("/api/team/audit", headers=auth(team, "b-admin")).json()["items"]
        assert {(x["user_id"], x["object_id"]) for x in mine} == {("b-viewer", "amber-1")}
    rows = CliRunner().invoke(cli, ["audit", "--db", str(team.db), "--format", "jsonl"])
    assert rows.exit_code == 0, rows.output
    lines = [json.loads(x) for x in rows.stdout.splitlines()]
    assert {"user_id": "b-viewer", "org_id": "ngo-b", "action": "read",
            "object_id": "amber-1", "marking": "TLP:AMBER"}.items() <= next(
        x for x in lines if x["user_id"] == "b-viewer").items()
    assert any(x["action"] == "decision" and x["object_id"] == decision
               and x["user_id"] == "a-analyst" for x in lines)
    # The decision is marked AMBER for ngo-a: outside it, the decision is not listed.
    with Store(team.db, read_only=True) as store:
        assert not access.visible(store, access.Principal("c-viewer", "ngo-c", "viewer"),
                                  "decision", decision)


def test_read_only_server_audits_to_the_file_beside_the_store_or_postgres_table(
        team: Seeded) -> None:
    """A read-only DuckDB server cannot write its store: the lines go to the file beside
    it. On PostgreSQL its read-only sessions write them in the table all the same."""
    with client(team.db) as c:
        c.get("/api/documents/amber-1", headers=auth(team, "b-viewer"))
    if isinstance(team.db, Path):
        lines = access.audit_file(team.db).read_text("utf-8").splitlines()
        assert json.loads(lines[-1])["object_id"] == "amber-1"
    else:
        with Store(team.db, read_only=True) as store:
            assert store._scalar("SELECT count(*) FROM audit_log WHERE object_id = "
                                 "'amber-1' AND user_id = 'b-viewer'") == 1
    with Store(team.db, read_only=True) as store:
        assert access.audit_entries(store, user="b-viewer")[0]["object_id"] == "amber-1"


def test_analyst_report_is_stored_marked_graded_and_fused(team: Seeded) -> None:
    body = {"text": "Gunmen attacked a police patrol in Culiacán, Sinaloa, on Monday, "
            "killing eleven officers, a witness told our team.", "source": "informant K-7",
            "reliability": "C", "credibility": 3, "marking": "TLP:AMBER+STRICT",
            "provenance": "interview", "received_at": "2025-03-06T08:00:00",
            "title": "Witness account"}
    with client(team.db, review=True) as c:
        r = c.post("/api/reports", json=body, headers={**auth(team, "b-analyst"), **ORIGIN})
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["marking"] == "TLP:AMBER+STRICT" and out["events"] == [team.event_id]
        mine = c.get(f"/api/events/{team.event_id}", headers=auth(team, "b-viewer")).json()
        theirs = c.get(f"/api/events/{team.event_id}", headers=auth(team, "c-viewer")).json()
        assert "informant K-7" in json.dumps(mine)
        assert "informant K-7" not in json.dumps(theirs)
        assert mine["independent_sources"] == theirs["independent_sources"] + 2  # + amber
        listed = c.get("/api/reports", headers=auth(team, "b-viewer")).json()["items"]
        assert [(x["reliability"], x["credibility"], x["org_id"]) for x in listed] == [
            ("C", 3, "ngo-b")]
        assert c.get("/api/reports", headers=auth(team, "c-viewer")).json()["items"] == []
        bad = c.post("/api/reports", json={**body, "marking": "TLP:PURPLE"},
                     headers={**auth(team, "b-analyst"), **ORIGIN})
        assert bad.status_code == 422 and "unknown marking" in bad.json()["detail"]
    with Store(team.db, read_only=True) as store:
        grade = store._scalar("SELECT reliability FROM sources WHERE name = 'informant K-7'")
        assert grade == "C"
        assert store._scalar("SELECT count(*) FROM audit_log WHERE action = 'report'") == 1


def test_report_add_cli_submits_as_a_user(team: Seeded) -> None:
    r = CliRunner().invoke(cli, [
        "report", "add", "--db", str(team.db), "--source", "field team 3", "--reliability",
        "b", "--credibility", "2", "--marking", "TLP:RED", "--as", "c-analyst", "--text",
        "Gunmen attacked a police patrol in Culiacán, Sinaloa, on Monday, killing two "
        "officers, our field team saw."])
    assert r.exit_code == 0, r.output
    doc_id = r.stdout.strip()
    with Store(team.db, read_only=True) as store:
        marks = access.markings_of(store, "document", doc_id)
        assert marks == [{"marking": "TLP:RED", "org_id": "ngo-c", "share_with": [],
                          "recipients": ["c-analyst"]}]
        assert access.visible(store, access.Principal("c-analyst", "ngo-c", "analyst"),
                              "document", doc_id)
        assert not access.visible(store, access.Principal("c-admin", "ngo-c", "admin"),
                                  "document", doc_id)


def test_users_and_orgs_cli_manage_the_team(local_db: Path | str) -> None:
    runner = CliRunner()
    db = ["--db", str(local_db)]
    assert runner.invoke(cli, ["orgs", "add", "ngo-x", "--name", "NGO X", *db]).exit_code == 0
    r = runner.invoke(cli, ["users", "add", "zoe", "--org", "ngo-y", *db])
    assert r.exit_code == 1 and "no organisation 'ngo-y'" in r.output
    r = runner.invoke(cli, ["users", "add", "zoe", "--org", "ngo-x", "--role", "boss", *db])
    assert r.exit_code == 1 and "unknown role" in r.output
    r = runner.invoke(cli, ["users", "add", "zoe", "--org", "ngo-x", "--role", "analyst", *db])
    assert r.exit_code == 0 and "team" not in r.stdout
    assert "asks every call for a token" in r.output
    token = runner.invoke(cli, ["users", "token", "zoe", *db]).stdout.strip()
    assert token.startswith("cbt_")
    listed = runner.invoke(cli, ["users", "list", "--format", "jsonl", *db]).stdout
    assert json.loads(listed)["tokens"] == 1 and json.loads(listed)["role"] == "analyst"
    assert "ngo-x" in runner.invoke(cli, ["orgs", "list", *db]).stdout
    with client(local_db) as c:
        assert c.get("/api/events").status_code == 401
        assert c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()[
            "user"] == "zoe"


def test_ingest_marking_needs_a_known_marking_and_an_owner(local_db: Path | str,
                                                           tmp_path: Path) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Gunmen killed two officers in Culiacán, Sinaloa, on Monday.", "utf-8")
    runner = CliRunner()
    r = runner.invoke(cli, ["ingest", str(doc), "--db", str(local_db), "--marking",
                            "TLP:AMBER", "-q"])
    assert r.exit_code == 2 and "needs the organisation" in r.output
    r = runner.invoke(cli, ["ingest", str(doc), "--db", str(local_db), "--marking", "amberr",
                            "--org", "x", "-q"])
    assert r.exit_code == 2 and "unknown marking" in r.output
    r = runner.invoke(cli, ["ingest", str(doc), "--db", str(local_db), "--marking",
                            "TLP:AMBER", "--org", "ngo-q", "-q"])
    assert r.exit_code == 2 and "no organisation 'ngo-q'" in r.output
    with Store(local_db) as store:
        assert store.stats()["documents"] == 0  # refused before anything was read
        access.add_org(store, "ngo-q")
    r = runner.invoke(cli, ["ingest", str(doc), "--db", str(local_db), "--marking",
                            "amber+strict", "--org", "ngo-q", "-q"])
    assert r.exit_code == 0, r.output
    with Store(local_db, read_only=True) as store:
        row = store._dicts("SELECT id, marking FROM documents")[0]
        assert row["marking"] == "TLP:AMBER+STRICT"
        assert access.markings_of(store, "document", row["id"])[0]["org_id"] == "ngo-q"
        audited = store._dicts("SELECT action, object_kind, object_id, marking FROM audit_log")
        assert {"action": "write", "object_kind": "document", "object_id": row["id"],
                "marking": "TLP:AMBER+STRICT"} in audited  # a restricted write is audited


def test_export_as_a_user_leaves_out_what_they_may_not_see(seeded: Seeded,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    r = CliRunner().invoke(cli, ["export", "events", "--db", str(seeded.db), "--as",
                                 "c-viewer", "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text("utf-8")
    for hidden in ("amber-1", "strict-1", "red-1", "solo-1"):
        assert hidden not in text
    event = next(json.loads(x) for x in text.splitlines()
                 if json.loads(x)["event_id"] == seeded.event_id)
    assert event["independent_sources"] == expected("c-viewer", "ngo-c")["independent_sources"]
    r = CliRunner().invoke(cli, ["export", "events", "--db", str(seeded.db), "--as", "nobody",
                                 "-o", str(out)])
    assert r.exit_code == 2 and "no user 'nobody'" in r.output


def test_unknown_marking_is_refused_never_taken_for_clear() -> None:
    assert access.parse_marking("amber+strict") == "TLP:AMBER+STRICT"
    assert access.parse_marking("TLP:WHITE") == "TLP:CLEAR"
    with pytest.raises(access.AccessError, match="unknown marking"):
        access.parse_marking("TLP:AMBRE")
