"""An export for a reader shows exactly what the web API shows that reader (issue 21 with
team mode, issue 20): the same events, the same derived figures (reports, independent
sources, fatalities range, grade, computed from the visible reports alone) and nothing of a
report the reader may not see, in every format and in a release. Over the real seeded team
store (tests/team_store.py) served by the real app, and `corrobora export --as` / `corrobora
release --as` run as a user would."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corrobora.cli import app as cli
from corrobora.web import create_app

from .team_store import USERS, Seeded, check, seed

# One reader of each reach: public and GREEN only; AMBER shared with its organisation;
# every marking but RED; RED as a named recipient too.
READERS = ("c-viewer", "b-viewer", "a-viewer", "a-analyst")
ORG = {u: o for u, o, _ in USERS}
FIGURES = ("n_reports", "independent_sources", "fatalities_min", "fatalities_max",
           "reliability", "credibility")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("team-export"))


def _api(s: Seeded, user: str) -> dict[str, dict[str, Any]]:
    """Each event the API lists for `user`: its figures and the documents of its reports."""
    headers = {"Authorization": f"Bearer {s.tokens[user]}"}
    with TestClient(create_app(s.db), base_url="http://127.0.0.1:8000") as c:
        items = c.get("/api/events?limit=500", headers=headers).json()["items"]
        out = {}
        for it in items:
            detail = c.get(f"/api/events/{it['id']}", headers=headers).json()
            out[it["id"]] = {
                "n_reports": it["n_reports"], "independent_sources": it["independent_sources"],
                "fatalities_min": it["fatalities"]["min"],
                "fatalities_max": it["fatalities"]["max"], "reliability": it["reliability"],
                "credibility": it["credibility"],
                "documents": sorted({r["document_id"] for r in detail["reports"]})}
    return out


def _export(s: Seeded, user: str, fmt: str, out: Path) -> str:
    r = CliRunner().invoke(cli, ["export", "events", "--db", str(s.db), "--as", user,
                                 "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    if fmt == "parquet":
        return json.dumps(pq.read_table(out).to_pylist(), default=str)
    return out.read_text("utf-8")


def _grade(text: str) -> tuple[str, int]:
    m = re.search(r"grade[= ]([A-F])([1-6])", text)
    assert m, text
    return m.group(1), int(m.group(2))


def _figures(fmt: str, text: str) -> dict[str, dict[str, Any]]:
    """What each format says of each event: the figures it carries, by event id."""
    out: dict[str, dict[str, Any]] = {}
    if fmt == "jsonl" or fmt == "geojson":
        rows = [json.loads(x) for x in text.splitlines()] if fmt == "jsonl" else [
            f["properties"] for f in json.loads(text)["features"]]
        for e in rows:
            out[e["event_id"]] = {
                "independent_sources": e["independent_sources"],
                "fatalities_min": e["fatalities"]["min"],
                "fatalities_max": e["fatalities"]["max"], "reliability": e["reliability"],
                "credibility": e["credibility"], "n_reports": len(e["reports"]),
                "documents": sorted({r["document_id"] for r in e["reports"]})}
    elif fmt == "csv":
        for e in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))):
            out[e["id"]] = {k: (e[k] if k == "reliability" else int(e[k]) if e[k] else None)
                            for k in FIGURES}
    elif fmt == "parquet":
        for e in json.loads(text):
            out[e["event_id"]] = {k: e[k] for k in FIGURES}
    elif fmt == "acled":
        for e in csv.DictReader(io.StringIO(text)):
            rel, cred = _grade(e["tags"])
            out[e["event_id_cnty"]] = {
                "fatalities_min": int(e["fatalities"]), "reliability": rel, "credibility": cred,
                "independent_sources": int(re.search(r"independent sources=(\d+)",
                                                     e["tags"]).group(1))}
    elif fmt == "stix":
        for o in json.loads(text)["objects"]:
            if o["type"] == "report":
                rel, cred = _grade("grade " + o["x_corrobora_grade"])
                out[o["x_corrobora_event_id"]] = {
                    "reliability": rel, "credibility": cred,
                    "documents": sorted({x["external_id"] for x in o["external_references"]})}
    elif fmt == "misp":
        for line in text.splitlines():
            e = json.loads(line)["Event"]
            tags = {t["name"] for t in e["Tag"]}
            rel = next(t for t in tags if "source-reliability" in t).split('"')[1].upper()
            cred = int(next(t for t in tags if "information-credibility" in t).split('"')[1])
            eid = e["info"].rsplit("(Corrobora ", 1)[1].rstrip(")")
            out[eid] = {"reliability": rel, "credibility": cred, "documents": sorted({
                a["comment"].split()[-1] for a in e["Attribute"] if a["type"] == "text"})}
    elif fmt == "ftm":
        entities = [json.loads(x) for x in text.splitlines()]
        articles = {e["id"]: e["properties"]["keywords"][0] for e in entities
                    if e["schema"] == "Article"}
        events = {e["id"]: e for e in entities if e["schema"] == "Event"}
        for e in events.values():
            p = e["properties"]
            rel, cred = _grade(p["notes"][0])
            out[p["recordId"][0]] = {
                "reliability": rel, "credibility": cred,
                "independent_sources": int(re.search(r"(\d+) independent", p["notes"][0])
                                           .group(1)),
                "documents": sorted({articles[d["properties"]["document"][0]]
                                     for d in entities if d["schema"] == "Documentation"
                                     and d["properties"]["entity"][0] == e["id"]})}
    return out


FORMATS = ("jsonl", "csv", "acled", "geojson", "parquet", "stix", "misp", "ftm")


@pytest.mark.parametrize("user", READERS)
def test_export_for_a_reader_matches_what_the_api_shows_them(seeded: Seeded, tmp_path: Path,
                                                             user: str) -> None:
    api = _api(seeded, user)
    assert seeded.event_id in api
    for fmt in FORMATS:
        text = _export(seeded, user, fmt, tmp_path / f"events.{fmt}")
        leaks = check(f"export --format {fmt}", 200, text, user, ORG[user], seeded)
        assert not leaks, (fmt, leaks)
        got = _figures(fmt, text)
        # The same events (ACLED CSV leaves out the types ACLED does not code: none here).
        assert set(got) == set(api), (fmt, sorted(got), sorted(api))
        for eid, figures in got.items():
            want = {k: api[eid][k] for k in figures}
            assert figures == want, (fmt, eid)


@pytest.mark.parametrize("user", ("c-viewer", "a-analyst"))
def test_release_for_a_reader_matches_what_the_api_shows_them(seeded: Seeded, tmp_path: Path,
                                                              user: str) -> None:
    api = _api(seeded, user)
    r = CliRunner().invoke(cli, ["release", "--db", str(seeded.db), "--as", user, "-o",
                                 str(tmp_path), "--version", "1"])
    assert r.exit_code == 0, r.output
    folder = tmp_path / "corrobora-events-1"
    events = {e["event_id"]: {k: e[k] for k in FIGURES}
              for e in pq.read_table(folder / "events.parquet").to_pylist()}
    assert events == {eid: {k: v[k] for k in FIGURES} for eid, v in api.items()}
    reports = pq.read_table(folder / "reports.parquet").to_pylist()
    for eid, want in api.items():
        assert sorted({r["document_id"] for r in reports if r["event_id"] == eid}) == \
            want["documents"]
    everything = json.dumps([pq.read_table(p).to_pylist() for p in folder.glob("*.parquet")],
                            default=str) + (folder / "manifest.json").read_text("utf-8")
    assert not check("release", 200, everything, user, ORG[user], seeded)
    r = CliRunner().invoke(cli, ["release", "--db", str(seeded.db), "--as", "nobody", "-o",
                                 str(tmp_path), "--version", "2"])
    assert r.exit_code == 2 and "no user 'nobody'" in r.output
    assert not (tmp_path / "corrobora-events-2").exists()
