"""Events: event reports that tell the same real-world event, fused and graded.

A report joins an event when the type family agrees, the places are compatible (the same
feature, or one inside the other's region when either is only known to region level) and the
dates are compatible given their precision. Reports with no place or date join only events
from the same copy group, since nothing else ties them down. Each decision keeps its score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from corrobora.fuse.grading import (
    Evidence,
    best_reliability,
    credibility,
    independent_sources,
)

if TYPE_CHECKING:
    from corrobora.fuse.decisions import Constraints

# How many days apart two dates may be and still be one event, by the coarser time precision.
DATE_TOLERANCE_DAYS = {1: 1, 2: 7, 3: 31}
# Candidate events are blocked by date bucket: a bucket is at least as wide as the largest
# tolerance, so a report can only match events in its own bucket or the two beside it.
BUCKET_DAYS = max(DATE_TOLERANCE_DAYS.values()) + 1
# Events dated to the day over at most this many days are indexed by day.
_DAY_SPAN = 62


@dataclass(slots=True)
class FusedEvent:
    id: str
    type: str
    case_label: str | None
    acled_event_type: str | None
    date: date | None = None
    date_max: date | None = None
    time_precision: int | None = None
    geonameid: int | None = None
    geo_precision: int | None = None
    admin1_code: str | None = None
    fatalities_min: int | None = None
    fatalities_max: int | None = None
    evidence: list[Evidence] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)
    """Copy groups (root documents) that reported it."""
    reports: set[str] = field(default_factory=set)
    """Ids of the event reports it holds (analyst decisions are about reports)."""
    is_new: bool = True
    touched: bool = False

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "case_label": self.case_label,
            "acled_event_type": self.acled_event_type, "date": self.date,
            "date_max": self.date_max, "time_precision": self.time_precision,
            "geonameid": self.geonameid, "geo_precision": self.geo_precision,
            "fatalities_min": self.fatalities_min, "fatalities_max": self.fatalities_max,
            "n_reports": len(self.evidence),
            "independent_sources": len(independent_sources(self.evidence)),
            "reliability": best_reliability(e.reliability for e in self.evidence),
            "credibility": credibility(self.evidence),
            "hedged": all(e.hedged for e in self.evidence) if self.evidence else False,
        }


def event_id_for(report_id: str) -> str:
    return "evt-" + hashlib.sha1(report_id.encode()).hexdigest()[:12]


def _date_score(r: dict[str, Any], e: FusedEvent, same_group: bool) -> float:
    if r["date"] is None or e.date is None:
        return 0.5 if same_group else 0.0
    precision = max(r["time_precision"] or 1, e.time_precision or 1)
    tolerance = DATE_TOLERANCE_DAYS.get(precision, 1)
    lo, hi = e.date, e.date_max or e.date
    gap = max((lo - r["date"]).days, (r["date"] - hi).days, 0)
    return 0.0 if gap > tolerance else 1.0 - gap / (tolerance + 1)


def _place_score(r: dict[str, Any], e: FusedEvent, same_group: bool) -> float:
    if r["geonameid"] is None or e.geonameid is None:
        return 0.5 if same_group and r["geonameid"] == e.geonameid else 0.0
    if r["geonameid"] == e.geonameid:
        return 1.0
    # A region-level report may be the same event as a town-level one in that region, but
    # only on the same day: "clashes in Michoacán" and a clash in Apatzingán a day later are
    # two events.
    coarse = max(r["geo_precision"] or 1, e.geo_precision or 1) >= 3
    same_day = r["date"] is not None and r["date"] == e.date == (e.date_max or e.date)
    if coarse and same_day and r["admin1_code"] and r["admin1_code"] == e.admin1_code:
        return 0.6
    return 0.0


def _family(x: dict[str, Any] | FusedEvent) -> str:
    if isinstance(x, FusedEvent):
        return x.case_label or x.type
    return x["case_label"] or x["type"]


class EventFuser:
    """Assigns a batch's reports to stored events (the candidates) or to new ones.

    Events are indexed by (family, place, day or date bucket), (family, state, day) and
    (family, copy group), the only ways a report can score above zero against them, so a
    report is compared with a handful of events however many the fuser holds. Analyst
    decisions (`constraints`) come first: a report kept with others by a merge or a
    confirmation joins their event; a report split or rejected from others never joins an
    event that holds them."""

    def __init__(self, candidates: list[dict[str, Any]], evidence: list[dict[str, Any]],
                 constraints: Constraints | None = None) -> None:
        self.events: dict[str, FusedEvent] = {}
        self.constraints = constraints
        self.report_event: dict[str, str] = {}
        self._index: dict[tuple[Any, ...], set[str]] = {}
        for row in candidates:
            self.events[row["id"]] = FusedEvent(
                id=row["id"], type=row["type"], case_label=row["case_label"],
                acled_event_type=row["acled_event_type"], date=row["date"],
                date_max=row["date_max"], time_precision=row["time_precision"],
                geonameid=row["geonameid"], geo_precision=row["geo_precision"],
                admin1_code=row.get("admin1_code"), fatalities_min=row["fatalities_min"],
                fatalities_max=row["fatalities_max"], is_new=False,
            )
        for ev in evidence:
            event = self.events.get(ev["event_id"])
            if event is not None:
                event.evidence.append(Evidence(ev["source_key"], ev["reliability"], ev["hedged"],
                                               ev["root"], ev.get("attributed", False)))
                event.roots.add(ev["root"])
                if ev.get("id"):
                    event.reports.add(ev["id"])
                    self.report_event[ev["id"]] = event.id
        for event in self.events.values():
            self._index_event(event)

    def _index_event(self, e: FusedEvent) -> None:
        """File the event under every key a report could find it by. Day keys for events
        dated to the day over a short range (a report looks up the days within its
        tolerance); 32-day buckets for coarser or longer ones; state keys only for one-day
        events, the only ones a region-level match allows. Keys are added as the event
        grows, never removed: a stale key only costs a comparison."""
        fam = _family(e)
        keys: list[tuple[Any, ...]] = [(fam, "root", r) for r in e.roots]
        if e.date is not None:
            first, last = e.date.toordinal(), (e.date_max or e.date).toordinal()
            if (e.time_precision or 1) == 1 and last - first <= _DAY_SPAN:
                if e.geonameid is not None:
                    keys += [(fam, "geo", e.geonameid, d) for d in range(first, last + 1)]
                if e.admin1_code and first == last:
                    keys.append((fam, "adm", e.admin1_code, first))
                    if (e.geo_precision or 1) >= 3:
                        keys.append((fam, "adm-coarse", e.admin1_code, first))
            elif e.geonameid is not None:
                keys += [(fam, "wide", e.geonameid, b)
                         for b in range(first // BUCKET_DAYS, last // BUCKET_DAYS + 1)]
        for k in keys:
            self._index.setdefault(k, set()).add(e.id)

    def _candidates(self, r: dict[str, Any], root: str) -> list[FusedEvent]:
        fam = _family(r)
        index = self._index
        ids = set(index.get((fam, "root", root), ()))
        if r["date"] is not None and r["geonameid"] is not None:
            day = r["date"].toordinal()
            tol = DATE_TOLERANCE_DAYS.get(r["time_precision"] or 1, 1)
            geo = r["geonameid"]
            for d in range(day - tol, day + tol + 1):
                ids |= index.get((fam, "geo", geo, d), set())
            b = day // BUCKET_DAYS
            for bb in (b - 1, b, b + 1):
                ids |= index.get((fam, "wide", geo, bb), set())
            if r.get("admin1_code"):
                coarse = (r["geo_precision"] or 1) >= 3
                ids |= index.get((fam, "adm" if coarse else "adm-coarse", r["admin1_code"],
                                  day), set())
        # Sorted: ties go to the same event whatever the set order.
        return [self.events[i] for i in sorted(ids)]

    def assign(self, report: dict[str, Any], root: str) -> tuple[str, float]:
        """Link one report (a store row plus `admin1_code` and `reliability`); returns event id
        and the link score (1.0 for the report that founds an event or that an analyst
        decision places)."""
        rid = report["id"]
        must: set[str] = set()
        cannot: set[str] = set()
        if self.constraints is not None:
            must, cannot = self.constraints.must(rid), self.constraints.cannot(rid)
        for other in sorted(must):
            eid = self.report_event.get(other)
            if eid is not None and not (self.events[eid].reports & cannot):
                event = self.events[eid]
                self._absorb(event, report, root)
                return event.id, 1.0
        best: tuple[float, FusedEvent] | None = None
        for event in self._candidates(report, root):
            if _family(event) != _family(report):
                continue
            if cannot and event.reports & cannot:
                continue
            same_group = root in event.roots
            place = _place_score(report, event, same_group)
            when = _date_score(report, event, same_group)
            if place == 0.0 or when == 0.0:
                continue
            same_type = 0.2 if event.type == report["type"] else 0.0
            score = round(0.5 * place + 0.3 * when + same_type, 3)
            if best is None or score > best[0]:
                best = (score, event)
        if best is None:
            event = FusedEvent(id=event_id_for(rid), type=report["type"],
                               case_label=report["case_label"],
                               acled_event_type=report["acled_event_type"])
            if event.id in self.events:
                # The report that founded this id was split away from it by an analyst and
                # the id is still in use: found a distinct one.
                event.id = event_id_for("refounded\x1f" + rid)
            self.events[event.id] = event
            score = 1.0
        else:
            score, event = best
        self._absorb(event, report, root)
        return event.id, score

    def _absorb(self, e: FusedEvent, r: dict[str, Any], root: str) -> None:
        absorb(e, r, root)
        if r.get("id"):
            self.report_event[r["id"]] = e.id
        self._index_event(e)

    def changes(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(new event rows, updated event rows) for the store."""
        new = [e.row() for e in self.events.values() if e.touched and e.is_new]
        updated = [e.row() for e in self.events.values() if e.touched and not e.is_new]
        return new, updated


def absorb(e: FusedEvent, r: dict[str, Any], root: str) -> None:
    """Fold one report into an event: evidence, date range, best place, fatality range."""
    e.touched = True
    e.roots.add(root)
    if r.get("id"):
        e.reports.add(r["id"])
    e.evidence.append(Evidence(r["source_key"], r["reliability"], r["hedged"], root,
                               r.get("attributed", False)))
    if r["date"] is not None:
        e.date = min(e.date, r["date"]) if e.date else r["date"]
        e.date_max = max(e.date_max, r["date"]) if e.date_max else r["date"]
        e.time_precision = min(e.time_precision or 3, r["time_precision"] or 1)
    # The most precise place wins: a town report refines a state-level event.
    if r["geonameid"] is not None and (
        e.geonameid is None or (r["geo_precision"] or 3) < (e.geo_precision or 3)
    ):
        e.geonameid, e.geo_precision = r["geonameid"], r["geo_precision"]
        e.admin1_code = r["admin1_code"]
    if r["fatalities_min"] is not None:
        hi = r["fatalities_max"] if r["fatalities_max"] is not None else r["fatalities_min"]
        e.fatalities_min = min(e.fatalities_min, r["fatalities_min"]) \
            if e.fatalities_min is not None else r["fatalities_min"]
        e.fatalities_max = max(e.fatalities_max, hi) if e.fatalities_max is not None else hi


def rebuild(event_id: str, reports: Iterable[dict[str, Any]],
            kind: dict[str, Any] | None = None) -> FusedEvent:
    """An event recomputed from its reports alone (after an analyst moved reports in or out):
    the same folding as fusion, in arrival order, so the row equals what fusion would have
    written. `kind` keeps the stored event's type fields; else the first report's."""
    reports = list(reports)
    first = kind or (reports[0] if reports else {})
    e = FusedEvent(id=event_id, type=first.get("type") or "", case_label=first.get("case_label"),
                   acled_event_type=first.get("acled_event_type"))
    for r in reports:
        absorb(e, r, r["root"])
    return e
