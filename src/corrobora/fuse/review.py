"""Analyst review of the automatic links: split, merge, confirm, reject, undo.

Every action is one decision row plus what it changes, written in one transaction. Events
touched are recomputed from their reports with the same folding as fusion (`events.rebuild`),
so counts, independent sources, grades and ranges are what fusion would have written. The
decisions are replayed as constraints by fusion (`fuse/decisions.py`), so re-clustering keeps
them; undoing one applies its inverse and drops its constraint.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from corrobora.fuse.decisions import decision_row
from corrobora.fuse.events import event_id_for, rebuild
from corrobora.fuse.fusion import report_reliability
from corrobora.fuse.source_registry import SourceRegistry
from corrobora.store import Store


class ReviewError(Exception):
    """The action cannot be applied as asked (unknown id, nothing to split...)."""


@dataclass(slots=True)
class Outcome:
    decision_id: str
    kind: str
    message: str
    events: list[dict[str, Any]] = field(default_factory=list)
    """Event rows written (recomputed from their reports)."""
    deleted: list[str] = field(default_factory=list)


def default_actor() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "analyst"


def _short_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


class Reviewer:
    def __init__(self, store: Store, actor: str | None = None,
                 sources: SourceRegistry | None = None) -> None:
        self.store = store
        self.actor = actor or default_actor()
        self.sources = sources or SourceRegistry.load()

    # -- ids ---------------------------------------------------------------------------------

    def _report(self, value: str) -> str:
        rid = self.store.resolve_id("event_reports", value)
        if rid is None:
            raise ReviewError(f"no single event report matches {value!r}")
        return rid

    def _event(self, value: str) -> str:
        eid = self.store.resolve_id("events", value)
        if eid is None:
            raise ReviewError(f"no single event matches {value!r}")
        return eid

    def _reports_of(self, event_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {e: [] for e in event_ids}
        for r in self.store.event_evidence(list(event_ids)):
            r["reliability"] = report_reliability(self.sources, r["source_key"],
                                                  r["doc_source"])
            out[r["event_id"]].append(r)
        return out

    def _rows(self, groups: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]],
                                                                     list[str]]:
        """Event rows rebuilt from the reports each will hold; events left empty go."""
        stored = self.store.event_rows(list(groups))
        rows, empty = [], []
        for eid, reports in groups.items():
            if not reports:
                empty.append(eid)
                continue
            e = rebuild(eid, reports, kind=stored.get(eid))
            rows.append(e.row())
        return rows, [e for e in empty if e in stored]

    # -- events ------------------------------------------------------------------------------

    def split(self, report_values: Sequence[str], *, note: str | None = None,
              kind: str = "event_split") -> Outcome:
        """Take these reports (all of one event) out into an event of their own."""
        moved = list(dict.fromkeys(self._report(v) for v in report_values))
        if not moved:
            raise ReviewError("name at least one report")
        homes = self.store.report_events(moved)
        if len(set(homes.values())) != 1:
            raise ReviewError("the reports to split belong to different events: "
                              + ", ".join(f"{r} in {e}" for r, e in homes.items()))
        old = homes[moved[0]]
        reports = self._reports_of([old])[old]
        stay = [r for r in reports if r["id"] not in moved]
        go = [r for r in reports if r["id"] in moved]
        if not stay:
            raise ReviewError(f"{old} holds only these reports: nothing to split from")
        new_id = event_id_for("split\x1f" + ",".join(sorted(moved)))
        rows, _ = self._rows({old: stay})
        go_event = rebuild(new_id, go)
        rows.append(go_event.row())
        scores = [r["link_score"] for r in go if r["link_score"] is not None]
        decision = decision_row(kind, moved[0], target=old, members=moved,
                                others=[r["id"] for r in stay],
                                score=min(scores) if scores else None, actor=self.actor,
                                note=note)
        did = self.store.write_review(decision, moves=dict.fromkeys(moved, new_id),
                                      events=rows)
        verb = "rejected from" if kind == "report_reject" else "split from"
        return Outcome(did, kind, f"{len(moved)} report(s) {verb} {old} into {new_id}", rows)

    def reject(self, report_value: str, *, note: str | None = None) -> Outcome:
        """The report does not tell this event: it leaves for an event of its own and never
        rejoins the reports it was with."""
        return self.split([report_value], note=note, kind="report_reject")

    def merge(self, event_a: str, event_b: str, *, note: str | None = None) -> Outcome:
        """Make one event of two: B's reports join A, A's id stays, B is deleted."""
        a, b = self._event(event_a), self._event(event_b)
        if a == b:
            raise ReviewError(f"{a} and {b} are the same event")
        # Both events' reports in arrival order: folded in that order, as fusion would.
        together = self._reports_of_merged(a, b)
        members = [r["id"] for r in together if r["event_id"] == b]
        others = [r["id"] for r in together if r["event_id"] == a]
        rows, deleted = self._rows({a: together, b: []})
        decision = decision_row("event_merge", b, target=a, members=members, others=others,
                                score=None, actor=self.actor, note=note)
        did = self.store.write_review(decision, moves=dict.fromkeys(members, a), events=rows,
                                      delete_events=deleted)
        return Outcome(did, "event_merge", f"{b} merged into {a} ({len(together)} reports)",
                       rows, deleted)

    def _reports_of_merged(self, a: str, b: str) -> list[dict[str, Any]]:
        merged = []
        for r in self.store.event_evidence([a, b]):
            r["reliability"] = report_reliability(self.sources, r["source_key"],
                                                  r["doc_source"])
            merged.append(r)
        return merged

    def confirm(self, value: str, *, note: str | None = None) -> Outcome:
        """A report's link to its event (or every link of an event) is right: it leaves the
        queue and re-clustering keeps it."""
        eid = self.store.resolve_id("events", value)
        if eid is not None:
            ids = [r["id"] for r in self._reports_of([eid])[eid]]
            decision = decision_row("event_confirm", eid, target=eid, members=ids, others=[],
                                    score=None, actor=self.actor, note=note)
            if (same := self._recorded(decision)) is not None:
                return Outcome(same, "event_confirm", f"{eid}: already confirmed ({same})")
            did = self.store.write_review(decision)
            return Outcome(did, "event_confirm", f"{eid}: {len(ids)} report link(s) confirmed")
        rid = self._report(value)
        eid = self.store.report_events([rid])[rid]
        reports = self._reports_of([eid])[eid]
        score = next((r["link_score"] for r in reports if r["id"] == rid), None)
        decision = decision_row("report_confirm", rid, target=eid, members=[rid],
                                others=[r["id"] for r in reports if r["id"] != rid],
                                score=score, actor=self.actor, note=note)
        if (same := self._recorded(decision)) is not None:
            return Outcome(same, "report_confirm", f"{rid} already confirmed in {eid} ({same})")
        did = self.store.write_review(decision)
        return Outcome(did, "report_confirm", f"{rid} confirmed in {eid}")

    def _recorded(self, decision: dict[str, Any]) -> str | None:
        """The id of an active decision saying the same about the same links: confirming
        twice (a double click, a retried request) is one decision."""
        about = decision["members"] or [decision["subject"]]
        for d in self.store.decisions(about=about, kinds=[decision["kind"]]):
            if (d["subject"], d["target"]) == (decision["subject"], decision["target"]) \
                    and set(d["members"] or []) == set(decision["members"]) \
                    and set(d["others"] or []) == set(decision["others"]):
                return str(d["id"])
        return None

    # -- stories -----------------------------------------------------------------------------

    def _document(self, value: str) -> str:
        did = self.store.resolve_id("documents", value)
        if did is None:
            raise ReviewError(f"no single document matches {value!r}")
        return did

    def _story_of(self, value: str) -> str:
        """A story id, given a story id or any of its documents."""
        if self.store.story_documents([value]):
            return value
        did = self._document(value)
        return self.store.story_ids([did])[did]

    def story_split(self, values: Sequence[str], *, note: str | None = None,
                    kind: str = "story_split") -> Outcome:
        """Take these documents, with their copies, out of their story into a new one."""
        given = list(dict.fromkeys(self._document(v) for v in values))
        stories = self.store.story_ids(given)
        if len(set(stories.values())) != 1:
            raise ReviewError("the documents belong to different stories: "
                              + ", ".join(f"{d} in {s}" for d, s in stories.items()))
        old = stories[given[0]]
        docs = self.store.story_documents([old])
        roots = {d["duplicate_of"] or d["id"] for d in docs if d["id"] in given}
        go = [d for d in docs if (d["duplicate_of"] or d["id"]) in roots]
        stay = [d for d in docs if d not in go]
        if not stay:
            raise ReviewError(f"story {old} holds only these documents: nothing to split from")
        new_id = "story-" + _short_hash("split", *sorted(d["id"] for d in go))
        scores = [d["story_score"] for d in go if d["story_score"] is not None]
        decision = decision_row(kind, given[0], target=old, members=[d["id"] for d in go],
                                others=[d["id"] for d in stay],
                                score=min(scores) if scores else None, actor=self.actor,
                                note=note)
        did = self.store.write_review(decision, stories={d["id"]: new_id for d in go})
        return Outcome(did, kind, f"{len(go)} document(s) split from story {old} into {new_id}")

    def story_reject(self, value: str, *, note: str | None = None) -> Outcome:
        return self.story_split([value], note=note, kind="story_reject")

    def story_merge(self, story_a: str, story_b: str, *, note: str | None = None) -> Outcome:
        """One story of two (story ids or any of their documents): B's documents take A's."""
        a, b = self._story_of(story_a), self._story_of(story_b)
        if a == b:
            raise ReviewError(f"{story_a} and {story_b} are already one story ({a})")
        docs_a, docs_b = self.store.story_documents([a]), self.store.story_documents([b])
        decision = decision_row("story_merge", b, target=a,
                                members=[d["id"] for d in docs_b],
                                others=[d["id"] for d in docs_a], score=None,
                                actor=self.actor, note=note)
        did = self.store.write_review(decision, stories={d["id"]: a for d in docs_b})
        return Outcome(did, "story_merge", f"story {b} merged into {a} "
                       f"({len(docs_a) + len(docs_b)} documents)")

    def story_confirm(self, value: str, *, note: str | None = None) -> Outcome:
        did = self._document(value)
        story = self.store.story_ids([did])[did]
        docs = self.store.story_documents([story])
        mine = next(d for d in docs if d["id"] == did)
        decision = decision_row("story_confirm", did, target=story, members=[did],
                                others=[d["id"] for d in docs if d["id"] != did],
                                score=mine["story_score"], actor=self.actor, note=note)
        dec = self.store.write_review(decision)
        return Outcome(dec, "story_confirm", f"{did} confirmed in story {story}")

    # -- undo --------------------------------------------------------------------------------

    def undo(self, decision_id: str, *, note: str | None = None) -> Outcome:
        """Apply the inverse of a decision and drop its constraint."""
        d = self.store.get_decision(decision_id)
        if d is None:
            raise ReviewError(f"no decision {decision_id!r}")
        if d["undone_by"]:
            raise ReviewError(f"{decision_id} was already undone by {d['undone_by']}")
        if d["kind"] == "undo":
            raise ReviewError("an undo cannot be undone; apply the decision again")
        members, others = list(d["members"] or ()), list(d["others"] or ())
        undo = decision_row("undo", decision_id, target=d["target"], members=members,
                            others=others, score=None, actor=self.actor, note=note)
        kind = d["kind"]
        if kind in ("event_split", "report_reject"):
            # Back into the event that now holds most of the reports they were split from.
            return self._rejoin(undo, members, others, decision_id)
        if kind == "event_merge":
            homes = self.store.report_events(members + others)
            eid = Counter(homes[r] for r in others if r in homes).most_common(1)
            held = [r for r in members if homes.get(r) == (eid[0][0] if eid else None)]
            if not eid or not held:
                return self._record(undo, decision_id, "nothing left to separate")
            home = eid[0][0]
            reports = self._reports_of([home])[home]
            go = [r for r in reports if r["id"] in held]
            stay = [r for r in reports if r["id"] not in held]
            if not stay:
                return self._record(undo, decision_id, "nothing left to separate")
            new_id = d["subject"] if not self.store.event_rows([d["subject"]]) \
                else event_id_for("unmerged\x1f" + decision_id)
            rows, _ = self._rows({home: stay})
            rows.append(rebuild(new_id, go).row())
            did = self.store.write_review(undo, moves=dict.fromkeys(held, new_id),
                                          events=rows, undoes=decision_id)
            return Outcome(did, "undo", f"{decision_id} undone: {len(held)} report(s) back "
                           f"in {new_id}", rows)
        if kind in ("story_split", "story_reject"):
            stories = self.store.story_ids(others)
            if not stories:
                return self._record(undo, decision_id, "the story is gone")
            home = Counter(stories.values()).most_common(1)[0][0]
            did = self.store.write_review(undo, stories=dict.fromkeys(members, home),
                                          undoes=decision_id)
            return Outcome(did, "undo", f"{decision_id} undone: {len(members)} document(s) "
                           f"back in story {home}")
        if kind == "story_merge":
            did = self.store.write_review(undo, stories=dict.fromkeys(members, d["subject"]),
                                          undoes=decision_id)
            return Outcome(did, "undo", f"{decision_id} undone: story {d['subject']} "
                           "separated again")
        return self._record(undo, decision_id, "confirmation withdrawn")

    def _record(self, undo: dict[str, Any], decision_id: str, what: str) -> Outcome:
        did = self.store.write_review(undo, undoes=decision_id)
        return Outcome(did, "undo", f"{decision_id} undone: {what}")

    def _rejoin(self, undo: dict[str, Any], members: list[str], others: list[str],
                decision_id: str) -> Outcome:
        homes = self.store.report_events(members + others)
        counts = Counter(homes[r] for r in others if r in homes)
        if not counts:
            return self._record(undo, decision_id, "the reports it was split from are gone")
        home = counts.most_common(1)[0][0]
        back = [r for r in members if r in homes and homes[r] != home]
        left = sorted({homes[r] for r in back})
        groups: dict[str, list[dict[str, Any]]] = {home: []}
        groups.update({e: [] for e in left})
        for r in self.store.event_evidence([home, *left]):
            r["reliability"] = report_reliability(self.sources, r["source_key"],
                                                  r["doc_source"])
            groups[home if r["id"] in back else r["event_id"]].append(r)
        rows, deleted = self._rows(groups)
        did = self.store.write_review(undo, moves=dict.fromkeys(back, home), events=rows,
                                      delete_events=deleted, undoes=decision_id)
        return Outcome(did, "undo", f"{decision_id} undone: {len(back)} report(s) back in "
                       f"{home}", rows, deleted)
