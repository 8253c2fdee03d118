"""Events: event reports that tell the same real-world event, fused and graded.

A report joins an event when the fusion family agrees (data/ontology/event_types.yaml
`families`: a shooting told as an attack and as a clash is one happening), the places do not
conflict and the dates are compatible. What ties a report to an event, strongest first:

- its copy group or its **story** (fuse/stories.py) already told the event: follow-ups
  restate it days later, often without its place or day;
- the **same place** (or one inside the other) on a compatible date;
- a **named person** both name (the one arrested, the one killed) on a compatible date.

Dates carry their basis (extract/events.py): a date the sentence states, or one it takes from
context, is the day of the event; a publication date only bounds it (the event happened on
or shortly before). Two reports stating days too far apart are two events, even in one
story and one town (the second clash, the second strike).

The event's fields are read off its reports, not off the first one: the type most copy
groups give; the day most of them state (a range only for close disagreements); the place
most reports support, a town counting for the state and country it lies in; fatalities as
the range the reports give. Each link keeps its score.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from corrobora.extract import ontology
from corrobora.extract._data import fold
from corrobora.extract.actors import ActorRegistry
from corrobora.fuse.grading import (
    Evidence,
    best_reliability,
    credibility,
    independent_sources,
)

if TYPE_CHECKING:
    from corrobora.fuse.decisions import Constraints

# How many days apart two stated dates may be and still be one event, by the coarser time
# precision.
DATE_TOLERANCE_DAYS = {1: 1, 2: 7, 3: 31}
# A report dated only by its publication tells an event of the days before: within a week
# when only place or a person ties them, within the story's life when the story does.
PUBLISHED_WINDOW_DAYS = 7
STORY_WINDOW_DAYS = 45
# Candidate events are blocked by date bucket: a bucket is at least as wide as the largest
# tolerance, so a report can only match events in its own bucket or the two beside it.
BUCKET_DAYS = max(DATE_TOLERANCE_DAYS.values()) + 1
STATED = ("sentence", "context")
# How a report's sentence names its place (EventReport.place_basis): only a place governed by a
# locative or named in a list says where; a place the sentence merely names ("Paris police
# said", "Russian attacks"), the paragraph's or the dateline's often says whose or who. Stored
# rows from before the basis was kept, and imported rows, are NULL: read as locative.
WEAK_PLACE_BASES = ("sentence", "paragraph", "dateline")
# Place levels, finest first: town, municipality, state, country.
TOWN, ADM2, ADM1, COUNTRY = 1, 2, 3, 4


def place_level(feature_code: str | None, geo_precision: int | None,
                admin1_code: str | None) -> int:
    code = feature_code or ""
    if code.startswith(("PCL", "CONT")) or code in ("RGN", "ZN"):
        return COUNTRY
    if code.startswith("ADM1"):
        return ADM1
    if code.startswith("ADM2"):
        return ADM2
    if geo_precision is not None and geo_precision >= 3:
        return ADM1 if admin1_code else COUNTRY
    return TOWN


def _country(r: dict[str, Any]) -> str | None:
    cc = r.get("country_code")
    if cc:
        return str(cc)
    a1 = r.get("admin1_code") or ""
    return a1.split("-")[0] if "-" in a1 else None


def people(actors: Iterable[dict[str, Any]]) -> list[str]:
    """The named persons a report's event happens to (actor2: the one arrested, killed,
    attacked), as fusion keys: registry persons by id ("actor:<id>"), other names of two or
    more capitalised words by folded text ("name:<text>"). Groups, forces and those who act
    are not keys: they act in many events at once (a president "attacks" daily)."""
    registry = ActorRegistry.load()
    keys = []
    for a in actors:
        if a.get("role") != "actor2":
            continue
        actor_id, text = a.get("actor_id"), a.get("text") or ""
        if actor_id:
            known = registry.get(actor_id)
            if known is not None and known.type == "person":
                keys.append("actor:" + actor_id)
            continue
        words = text.split()
        if a.get("inter") is None and len(words) >= 2 and all(
                w[:1].isupper() and w.replace("-", "").replace(".", "").isalpha()
                for w in words):
            keys.append("name:" + fold(text))
    return sorted(set(keys))


def family(x: dict[str, Any] | FusedEvent) -> str:
    label = x.case_label or x.type if isinstance(x, FusedEvent) else x["case_label"] or x["type"]
    return ontology.family(label)


def _weak_place(r: dict[str, Any]) -> bool:
    return r.get("place_basis") in WEAK_PLACE_BASES


def _stated(r: dict[str, Any]) -> bool:
    # Rows written before date bases were stored: a day-precise date is a stated one.
    basis = r.get("date_basis")
    return basis in STATED or (basis is None and r.get("time_precision") == 1)


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
    country_code: str | None = None
    level: int | None = None
    place_weak: bool = False
    """Whether no report naming the event's place names it with a locative or in a list."""
    fatalities_min: int | None = None
    fatalities_max: int | None = None
    stated_dates: bool = False
    """Whether `date` is a day reports state (else it is the first publication day)."""
    told: list[dict[str, Any]] = field(default_factory=list)
    """The reports it holds, as fusion read them, in arrival order."""
    evidence: list[Evidence] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)
    """Copy groups (root documents) that reported it."""
    stories: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    reports: set[str] = field(default_factory=set)
    """Ids of the event reports it holds (analyst decisions are about reports)."""
    is_new: bool = True
    touched: bool = False
    kind_fixed: bool = False
    """The type was set by an analyst's stored event (kept when rebuilding)."""

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


def _gap(day: date, lo: date, hi: date) -> int:
    return max((lo - day).days, (day - hi).days, 0)


def _date_score(r: dict[str, Any], e: FusedEvent, tie: str) -> float:
    """How well the report's date fits the event's, given what ties them (`tie`: "story",
    "group", "place" or "person"); 0 when they cannot be one event."""
    if r["date"] is None or e.date is None:
        return 0.5 if tie in ("group", "story") else 0.0
    lo, hi = e.date, e.date_max or e.date
    # A person something happened to is a story of its own: the window of a story.
    window = STORY_WINDOW_DAYS if tie in ("group", "story", "person") else PUBLISHED_WINDOW_DAYS
    if _stated(r) and e.stated_dates:
        precision = max(r["time_precision"] or 1, e.time_precision or 1)
        tolerance = DATE_TOLERANCE_DAYS.get(precision, 1)
        if r["type"] != e.type and precision == 1:
            tolerance = 0  # told as another kind, it must be the same day
        gap = _gap(r["date"], lo, hi)
        return 0.0 if gap > tolerance else 1.0 - gap / (tolerance + 1)
    if _stated(r):
        # The event is known only by publication days: it happened before the first.
        ahead = (r["date"] - lo).days
        return 0.7 if -window <= ahead <= 1 else 0.0
    published = r["date"]
    if e.stated_dates:
        behind = (published - hi).days
        return 0.7 if -1 <= behind <= window else 0.0
    if tie == "person":
        return 0.0  # two publication days alone do not make one person's two events one
    if tie == "place" and abs((published - lo).days) > 3:
        return 0.0
    return 0.5 if abs((published - lo).days) <= window else 0.0


def _place_score(r: dict[str, Any], e: FusedEvent, tie: str) -> float:
    """1 for the same place, 0.6 when one lies inside the other, 0.5 for an unknown place the
    story or copy group ties; 0 for places that conflict, or an unknown place with nothing
    else to tie it."""
    if r["geonameid"] is None or e.geonameid is None:
        return 0.5 if tie in ("group", "story", "person") else 0.0
    r_level = r.get("level") or place_level(r.get("feature_code"), r.get("geo_precision"),
                                            r.get("admin1_code"))
    if tie == "place" and max(r_level, e.level or TOWN) == COUNTRY:
        # Nothing but a country ties them: a country holds too many events at once.
        return 0.0
    if r["geonameid"] == e.geonameid:
        return 1.0
    if tie in ("group", "story") and (_weak_place(r) or (e.place_weak and r["type"] == e.type)):
        # Within one story, a place named without a locative does not make another event:
        # "Paris police said", after "trains were sabotaged across France". A report that
        # does say where joins an event placed only so when it tells the same kind of event
        # ("clashes in six states" are not the killing in Tapalpa).
        return 0.4
    if tie == "place" and not _same_stated_day(r, e):
        # A state-level report of another story is the same event as a town-level one
        # in that state only on the same stated day: "clashes in Michoacán" and a clash in
        # Apatzingán a day later are two events.
        return 0.0
    e_level = e.level or TOWN
    (coarse_level, coarse_admin1, coarse_cc), (_, fine_admin1, fine_cc) = sorted(
        [(r_level, r.get("admin1_code"), _country(r)), (e_level, e.admin1_code, e.country_code)],
        key=lambda x: -x[0])
    if r["type"] != e.type:
        # A report naming only the region joins a town's event when it tells the same kind
        # of event: "gunfights across Jalisco" are not the killing in Tapalpa.
        return 0.0
    if coarse_level == ADM1 and fine_admin1 and fine_admin1 == coarse_admin1:
        return 0.6
    if coarse_level == COUNTRY and fine_cc and fine_cc == coarse_cc:
        return 0.6
    if min(r_level, e_level) == COUNTRY and tie in ("group", "story") \
            and _same_stated_day(r, e):
        # Two of one story's reports of one day, each naming only a country, name where the
        # attackers came from or whose the victims were ("a rocket fired from Lebanon"),
        # more often than a second event.
        return 0.3
    return 0.0


def _same_stated_day(r: dict[str, Any], e: FusedEvent) -> bool:
    return _stated(r) and e.stated_dates and r["date"] == e.date == (e.date_max or e.date)


class EventFuser:
    """Assigns a batch's reports to stored events (the candidates) or to new ones.

    Events are indexed by (family, copy group), (family, story), (family, place, date
    bucket), (family, state or country, date bucket) and (family, person), the only ways a
    report can score above zero against them, so a report is compared with a handful of
    events however many the fuser holds. Analyst decisions (`constraints`) come first: a
    report kept with others by a merge or a confirmation joins their event; a report split
    or rejected from others never joins an event that holds them."""

    def __init__(self, candidates: list[dict[str, Any]], evidence: list[dict[str, Any]],
                 constraints: Constraints | None = None) -> None:
        self.events: dict[str, FusedEvent] = {}
        self.constraints = constraints
        self.report_event: dict[str, str] = {}
        self._index: dict[tuple[Any, ...], set[str]] = {}
        for row in candidates:
            self.events[row["id"]] = FusedEvent(
                id=row["id"], type=row["type"], case_label=row["case_label"],
                acled_event_type=row["acled_event_type"], is_new=False)
        for ev in evidence:
            event = self.events.get(ev["event_id"])
            if event is not None:
                absorb(event, ev, ev["root"], refresh=False)
                if ev.get("id"):
                    self.report_event[ev["id"]] = event.id
        for event in self.events.values():
            event.touched = False
            summarise(event)
            self._index_event(event)

    def _index_event(self, e: FusedEvent) -> None:
        """File the event under every key a report could find it by. Keys are added as the
        event grows, never removed: a stale key only costs a comparison."""
        fam = family(e)
        keys: list[tuple[Any, ...]] = [(fam, "root", r) for r in e.roots]
        keys += [(fam, "story", s) for s in e.stories]
        keys += [(fam, "person", p) for p in e.people]
        if e.date is not None:
            first, last = e.date.toordinal(), (e.date_max or e.date).toordinal()
            buckets = range(first // BUCKET_DAYS, last // BUCKET_DAYS + 1)
            if e.geonameid is not None:
                keys += [(fam, "geo", e.geonameid, b) for b in buckets]
            regions = {e.admin1_code, e.country_code} - {None}
            for r in e.told:
                regions |= {r.get("admin1_code"), _country(r)} - {None}
            keys += [(fam, "region", reg, b) for reg in regions for b in buckets]
        for k in keys:
            self._index.setdefault(k, set()).add(e.id)

    def _candidates(self, r: dict[str, Any], root: str) -> list[FusedEvent]:
        fam = family(r)
        index = self._index
        ids = set(index.get((fam, "root", root), ()))
        if r.get("story"):
            ids |= index.get((fam, "story", r["story"]), set())
        for p in r.get("people") or ():
            ids |= index.get((fam, "person", p), set())
        if r["date"] is not None and r["geonameid"] is not None:
            b = r["date"].toordinal() // BUCKET_DAYS
            keys = [(fam, "geo", r["geonameid"])]
            keys += [(fam, "region", reg) for reg in {r.get("admin1_code"), _country(r)} - {None}]
            for key in keys:
                for bb in (b - 1, b, b + 1):
                    ids |= index.get((*key, bb), set())
        # Sorted: ties go to the same event whatever the set order. An event merged away
        # (consolidate) leaves stale keys behind.
        return [self.events[i] for i in sorted(ids) if i in self.events]

    def _fit(self, r: dict[str, Any], root: str, e: FusedEvent) -> float:
        """The link score of a report to an event; 0 when they cannot be one event."""
        if root in e.roots:
            tie = "group"
        elif r.get("story") and r["story"] in e.stories:
            tie = "story"
        elif set(r.get("people") or ()) & e.people:
            tie = "person"
        else:
            tie = "place"
        place = _place_score(r, e, tie)
        when = _date_score(r, e, tie)
        if place == 0.0 or when == 0.0:
            return 0.0
        same_type = 0.2 if e.type == r["type"] else 0.0
        tied = 0.1 if tie != "place" else 0.0
        return round(min(1.0, 0.4 * place + 0.3 * when + same_type + tied), 3)

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
        best: tuple[float, float, FusedEvent] | None = None
        fam = family(report)
        for event in self._candidates(report, root):
            if family(event) != fam or (cannot and event.reports & cannot):
                continue
            score = self._fit(report, root, event)
            # A copy group tells one event of a family unless its reports cannot be one
            # (another stated day, another place): its own event comes before others.
            rank = score + (1.0 if root in event.roots else 0.0)
            if score > 0 and (best is None or rank > best[0]):
                best = (rank, score, event)
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
            _, score, event = best
        self._absorb(event, report, root)
        return event.id, score

    def consolidate(self) -> dict[str, tuple[str, float]]:
        """Merge each new event into another event of its family that one of its copy groups
        or stories also told, when every report of it fits there. Reports are assigned in
        arrival order, so a report that conflicts with nothing yet founds an event that a
        later report would have tied to an existing one (a story's first sentences about
        the sabotage name Paris, the next say "across France"). Smaller events go first,
        each into the largest event that takes all of its reports; events holding a report
        an analyst ruled on stay as they are. Returns {moved report id: (event id, score)}."""
        moved: dict[str, tuple[str, float]] = {}
        ruled = self.constraints.reports() if self.constraints is not None else set()
        for e in sorted((e for e in self.events.values() if e.is_new),
                        key=lambda e: (len(e.told), e.id)):
            if e.reports & ruled or e.id not in self.events:
                continue
            ids: set[str] = set()
            for root in e.roots:
                ids |= self._index.get((family(e), "root", root), set())
            for story in e.stories:
                ids |= self._index.get((family(e), "story", story), set())
            targets = sorted((self.events[i] for i in ids - {e.id} if i in self.events),
                             key=lambda t: (-len(t.told), t.id))
            for target in targets:
                if target.reports & ruled or family(target) != family(e):
                    continue
                scores = [self._fit(r, r["root"], target) for r in e.told]
                if all(scores):
                    del self.events[e.id]
                    for r, score in zip(e.told, scores, strict=True):
                        self._absorb(target, r, r["root"])
                        if r.get("id"):
                            moved[r["id"]] = (target.id, score)
                    break
        return moved

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


def absorb(e: FusedEvent, r: dict[str, Any], root: str, *, refresh: bool = True) -> None:
    """Fold one report into an event, then read the event's fields off its reports again."""
    e.touched = True
    e.roots.add(root)
    if r.get("story"):
        e.stories.add(r["story"])
    e.people |= set(r.get("people") or ())
    if r.get("id"):
        e.reports.add(r["id"])
    r = {**r, "root": root, "level": r.get("level") or place_level(
        r.get("feature_code"), r.get("geo_precision"), r.get("admin1_code"))}
    e.told.append(r)
    e.evidence.append(Evidence(r["source_key"], r["reliability"], r["hedged"], root,
                               r.get("attributed", False)))
    if refresh:
        summarise(e)


def summarise(e: FusedEvent) -> None:
    """The event's type, date, place and toll, read off the reports it holds."""
    told = e.told
    if not told:
        return
    if not e.kind_fixed:
        _main_type(e)
    _main_date(e)
    _main_place(e)
    mins = [r["fatalities_min"] for r in told if r["fatalities_min"] is not None]
    maxs = [r["fatalities_max"] if r["fatalities_max"] is not None else r["fatalities_min"]
            for r in told if r["fatalities_min"] is not None]
    e.fatalities_min = min(mins) if mins else None
    e.fatalities_max = max(maxs) if maxs else None


def _main_type(e: FusedEvent) -> None:
    """The type most copy groups give; ties go to the more specific type (its ontology
    weight), then to the earlier report."""
    groups: dict[str, set[str]] = {}
    first: dict[str, int] = {}
    for i, r in enumerate(e.told):
        groups.setdefault(r["type"], set()).add(r["root"])
        first.setdefault(r["type"], i)

    def weight(t: str) -> float:
        types = ontology.types()
        return types[t].weight if t in types else 0.0

    best = max(groups, key=lambda t: (len(groups[t]), weight(t), -first[t]))
    r = e.told[first[best]]
    e.type, e.case_label, e.acled_event_type = best, r["case_label"], r["acled_event_type"]


def _main_date(e: FusedEvent) -> None:
    """The day most copy groups state, at the finest precision stated; a range only over
    stated days within that precision's tolerance of it. With no stated day, the first
    publication day, at week precision (the event happened on or before it)."""
    stated = [r for r in e.told if r["date"] is not None and _stated(r)]
    if stated:
        precision = min(r["time_precision"] or 1 for r in stated)
        votes: dict[date, set[str]] = {}
        for r in stated:
            if (r["time_precision"] or 1) == precision:
                votes.setdefault(r["date"], set()).add(r["root"])
        day = max(votes, key=lambda d: (len(votes[d]), -d.toordinal()))
        tolerance = DATE_TOLERANCE_DAYS.get(precision, 1) if precision > 1 else 1
        near = [d for d in votes if abs((d - day).days) <= tolerance]
        e.date, e.date_max = min(near), max(near)
        e.time_precision, e.stated_dates = precision, True
        return
    published = [r["date"] for r in e.told if r["date"] is not None]
    e.stated_dates = False
    if published:
        e.date = e.date_max = min(published)
        e.time_precision = 2
    else:
        e.date = e.date_max = e.time_precision = None


def _main_place(e: FusedEvent) -> None:
    """The place most reports support: a report supports its own place fully and the state
    and country it lies in by half, so three reports in a town outweigh one naming its
    state; a place named without a locative (`WEAK_PLACE_BASES`) supports by half as much.
    Ties go to a place named with a locative, then to the finer place, then to the earlier
    report."""
    places: dict[int, dict[str, Any]] = {}
    support: Counter[int] = Counter()
    strong: set[int] = set()
    for r in e.told:
        g = r["geonameid"]
        if g is None:
            continue
        places.setdefault(g, r)
        support[g] += 0.5 if _weak_place(r) else 1.0
        if not _weak_place(r):
            strong.add(g)
    for g, p in places.items():
        for r in e.told:
            if r["geonameid"] is None or r["geonameid"] == g or r["level"] <= p["level"]:
                continue
            inside = (p["level"] == ADM1 and r.get("admin1_code")
                      and r.get("admin1_code") == p.get("admin1_code")) or \
                     (p["level"] == COUNTRY and _country(r) and _country(r) == _country(p))
            if inside:
                support[g] += 0.25 if _weak_place(r) else 0.5
    if not support:
        e.geonameid = e.geo_precision = e.admin1_code = e.country_code = e.level = None
        e.place_weak = False
        return
    order = list(places)
    g = max(support, key=lambda k: (support[k], k in strong, -places[k]["level"],
                                    -order.index(k)))
    p = places[g]
    e.geonameid, e.geo_precision = g, p["geo_precision"]
    e.admin1_code, e.country_code, e.level = p.get("admin1_code"), _country(p), p["level"]
    e.place_weak = g not in strong


def rebuild(event_id: str, reports: Iterable[dict[str, Any]],
            kind: dict[str, Any] | None = None) -> FusedEvent:
    """An event recomputed from its reports alone (after an analyst moved reports in or out):
    the same folding as fusion, in arrival order, so the row equals what fusion would have
    written. `kind` keeps the stored event's type fields; else the reports decide."""
    reports = list(reports)
    first = kind or (reports[0] if reports else {})
    e = FusedEvent(id=event_id, type=first.get("type") or "", case_label=first.get("case_label"),
                   acled_event_type=first.get("acled_event_type"), kind_fixed=kind is not None)
    for r in reports:
        absorb(e, r, r["root"], refresh=False)
    summarise(e)
    return e
