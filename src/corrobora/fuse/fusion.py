"""Event fusion against the store: one batch of new reports (ingest), or every stored report
again (re-clustering), with the analysts' decisions as constraints."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from corrobora.extract import ontology
from corrobora.fuse.decisions import Constraints
from corrobora.fuse.events import (
    DATE_TOLERANCE_DAYS,
    PUBLISHED_WINDOW_DAYS,
    EventFuser,
    event_id_for,
    family,
    people,
)
from corrobora.fuse.source_registry import SourceRegistry
from corrobora.store import Store


def report_reliability(sources: SourceRegistry, source_key: str, doc_source: str | None) -> str:
    """The grade a report carries: the source it counts as when the registry knows it (a
    cited "Reuters"), else its document's outlet."""
    return sources.grade(source_key) if sources.get(source_key) else sources.grade(doc_source)


def _with_reliability(rows: list[dict[str, Any]], sources: SourceRegistry
                      ) -> list[dict[str, Any]]:
    for r in rows:
        r["reliability"] = report_reliability(sources, r["source_key"], r.get("doc_source"))
    return rows


def with_people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored rows carry their actors; fusion keys on the named persons among them."""
    for r in rows:
        r["people"] = people(r.pop("actors", None) or [])
    return rows


def fuse_batch(store: Store, rows: list[tuple[dict[str, Any], str]], sources: SourceRegistry
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Assign a batch's reports (store rows plus `admin1_code`, `country_code`,
    `feature_code`, `story`, `people`, `reliability`, `attributed`; each with its copy
    group's root) to stored or new events. Sets each row's `event_id` and `link_score`;
    returns (new event rows, updated event rows).

    Only the events a report could join are read: of the same fusion family, told by one of
    its copy groups or stories, or dated within the batch's window at one of its places or
    regions or naming one of its persons."""
    if not rows:
        return [], []
    reports = [r for r, _ in rows]
    dated = [r["date"] for r in reports if r["date"] is not None]
    slack = timedelta(days=max(*DATE_TOLERANCE_DAYS.values(), PUBLISHED_WINDOW_DAYS))
    since = min(dated) - slack if dated else None
    until = max(dated) + slack if dated else None
    keys = [k for r in reports for k in r.get("people") or ()]
    candidates = store.event_candidates(
        ontology.family_labels({family(r) for r in reports}), since, until,
        sorted({root for _, root in rows}),
        stories=sorted({r["story"] for r in reports if r.get("story")}),
        geonameids=sorted({r["geonameid"] for r in reports if r["geonameid"] is not None}),
        regions=sorted({x for r in reports for x in (r.get("admin1_code"), r.get("country_code"))
                        if x}),
        actor_ids=sorted({k[6:] for k in keys if k.startswith("actor:")}),
        actor_texts=sorted({k[5:] for k in keys if k.startswith("name:")}))
    evidence = with_people(_with_reliability(
        store.event_evidence([c["id"] for c in candidates]), sources))
    # Decisions name reports; only those about this batch's reports can constrain it (a
    # stored report is fused again only when re-clustering).
    constraints = Constraints.from_decisions(
        store.decisions(about=[r["id"] for r in reports]) if store.has_decisions() else [])
    fuser = EventFuser(candidates, evidence, constraints or None)
    for row, root in rows:
        row["event_id"], row["link_score"] = fuser.assign(row, root)
    moved = fuser.consolidate()
    for row, _root in rows:
        row["event_id"], row["link_score"] = moved.get(row["id"], (row["event_id"],
                                                                   row["link_score"]))
    return fuser.changes()


def recluster(store: Store, sources: SourceRegistry | None = None) -> dict[str, int]:
    """Fuse every stored report again, in arrival order, under every active decision, and
    replace the events. Returns counts: reports, events before and after, reports whose
    event changed."""
    sources = sources or SourceRegistry.load()
    constraints = Constraints.from_decisions(store.decisions())
    fuser = EventFuser([], [], constraints or None)
    links: dict[str, tuple[str, float]] = {}
    old: dict[str, str] = {}
    for r in store.fusion_reports():
        with_people([r])
        old[r["id"]] = r["event_id"]
        r["reliability"] = report_reliability(sources, r["source_key"], r["doc_source"])
        links[r["id"]] = fuser.assign(r, r["root"])
    links.update(fuser.consolidate())
    new, _ = fuser.changes()
    rename = _keep_ids(links, old)
    for row in new:
        row["id"] = rename.get(row["id"], row["id"])
    links = {rid: (rename.get(eid, eid), score) for rid, (eid, score) in links.items()}
    store.replace_events(new, links)
    return {"reports": len(links), "events_before": len(set(old.values())),
            "events_after": len(new),
            "reports_moved": sum(links[r][0] != old[r] for r in links)}


def _keep_ids(links: dict[str, tuple[str, float]], old: dict[str, str]) -> dict[str, str]:
    """New event id -> the stored id it keeps: the one most of its reports had, so events an
    analyst or a link points to keep their id unless their reports really moved. Larger
    events choose first; an id is kept once."""
    held: dict[str, Counter[str]] = {}
    for rid, (eid, _score) in links.items():
        held.setdefault(eid, Counter())[old[rid]] += 1
    taken: set[str] = set()
    rename: dict[str, str] = {}
    for eid, counts in sorted(held.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        for candidate, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if candidate not in taken:
                taken.add(candidate)
                rename[eid] = candidate
                break
    # A new id that happens to equal a kept id of another event must not collide with it.
    for eid in held:
        if eid not in rename and eid in taken:
            rename[eid] = event_id_for("reclustered\x1f" + eid)
    return rename
