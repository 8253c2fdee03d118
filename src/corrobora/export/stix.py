"""STIX 2.1 bundles shaped as OpenCTI imports them.

Each event becomes a `report` (its reports' documents as external references, its grade as
`confidence` on STIX's Admiralty scale, Appendix A of the STIX 2.1 specification) whose
`object_refs` hold:
- a `location` with `x_opencti_location_type` (City, Administrative-Area, Country);
- the actors: groups as `threat-actor` (`x_opencti_type` Threat-Actor-Group, type
  crime-syndicate), people as Threat-Actor-Individual, state forces and government as
  `identity` organizations, civilians as an `identity` group;
- the sources as `identity` organizations with `x_opencti_reliability` ("B - Usually
  reliable");
- relationships with the event's confidence and dates: the acting side `targets` the place
  and the other side (`related-to` between two threat actors).
Every object carries the TLP 2.0 marking of the OASIS definition (TLP:CLEAR for public
reporting: markings.py): an event's objects its marking, a source the marking of the report
that names it when the row has one, an object several events share the least restricted of
theirs. Ids are deterministic: UUIDv5 in the STIX namespace of §2.9 over the
canonical JSON (the stix2 library's RFC 8785 canonicaliser) of the object's identifying
fields, the same fields OpenCTI's client (pycti) derives its ids from, so a re-export or a
re-import into OpenCTI merges with what is there instead of duplicating it.

The bundle is written object by object as the events stream in (`write`), so memory holds
one event's objects, the shared ones (places, actors, sources: as many as the store has
distinct ones) and the ids of the relationships written, never the bundle: each event's
report and relationships go out with the event; the shared objects, which carry the least
restricted marking of the events that disclose them, once all events are read; then the
marking definitions used. A relationship two events give (the same actors on the same days)
is written once, with the marking of the first. The bundle's own id is derived from the ids
of its objects in order, so it closes the bundle.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO

from stix2.canonicalization.Canonicalize import canonicalize

from corrobora.export.markings import (
    ORDER,
    event_marking,
    least_strict,
    normalise,
    row_marking,
)

NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")  # STIX 2.1 §2.9
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
# The OASIS TLP 2.0 marking definitions (their ids are fixed by the OASIS CTI TC).
TLP_IDS = {
    "TLP:CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "TLP:GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "TLP:AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "TLP:AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "TLP:RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_TLP_NAMES = {v: k for k, v in TLP_IDS.items()}
RELIABILITY = {"A": "A - Completely reliable", "B": "B - Usually reliable",
               "C": "C - Fairly reliable", "D": "D - Not usually reliable",
               "E": "E - Unreliable", "F": "F - Reliability cannot be judged"}
# STIX 2.1 Appendix A: the Admiralty credibility scale as confidence values; 6 (truth
# cannot be judged) has none.
CONFIDENCE = {1: 100, 2: 80, 3: 60, 4: 40, 5: 20}
PRODUCER = "Corrobora"


def stix_id(kind: str, fields: dict[str, Any]) -> str:
    """`kind--UUIDv5` over the canonical JSON of `fields`."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, canonicalize(fields, utf8=False))}"


def _ts(value: datetime | date | None) -> str:
    if value is None:
        return "1970-01-01T00:00:00.000Z"
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{value.astimezone(UTC).microsecond // 1000:03d}Z"


def marking_definition(marking: str) -> dict[str, Any]:
    marking = normalise(marking)
    return {"type": "marking-definition", "spec_version": "2.1", "id": TLP_IDS[marking],
            "created": "2022-10-01T00:00:00.000Z", "name": marking,
            "extensions": {TLP_EXTENSION: {"extension_type": "property-extension",
                                           "tlp_2_0": marking.split(":", 1)[1].lower()}}}


def _location_type(event: dict[str, Any]) -> str:
    code = event.get("feature_code") or ""
    if code.startswith("PCL"):
        return "Country"
    if code.startswith("ADM") and not code.startswith("ADMD"):
        return "Administrative-Area"
    return "City"


# Objects of one event alone: written as the event is read. Others are shared by events.
_PER_EVENT = ("report", "relationship")


class BundleBuilder:
    """Objects of one bundle, each once by id, handed to `emit` as soon as they are final:
    `add_event` for every event, then `finish`."""

    def __init__(self, names: dict[str, dict[str, Any]],
                 emit: Callable[[dict[str, Any]], None]) -> None:
        self.names = names
        self.emit = emit
        self.shared: dict[str, dict[str, Any]] = {}
        self.written: set[str] = set()
        self.markings: set[str] = set()
        self.producer = stix_id("identity", {"name": PRODUCER.lower(),
                                             "identity_class": "organization"})

    def _common(self, created: str, marking: str) -> dict[str, Any]:
        self.markings.add(marking)
        return {"spec_version": "2.1", "created": created, "modified": created,
                "created_by_ref": self.producer, "object_marking_refs": [TLP_IDS[marking]]}

    def _put(self, obj: dict[str, Any]) -> str:
        if obj["type"] in _PER_EVENT:
            if obj["id"] not in self.written:
                self.written.add(obj["id"])
                self.emit(obj)
            return obj["id"]
        known = self.shared.setdefault(obj["id"], obj)
        if known is not obj and known["object_marking_refs"] != obj["object_marking_refs"]:
            # An object several events share (a place, an actor, a source) is disclosed by
            # the least restricted of them: it carries that marking.
            least = least_strict(_TLP_NAMES[m] for m in (*known["object_marking_refs"],
                                                         *obj["object_marking_refs"]))
            known["object_marking_refs"] = [TLP_IDS[least]]
        return obj["id"]

    def _location(self, e: dict[str, Any], created: str, marking: str) -> str | None:
        if e.get("lat") is None or not e.get("place_name"):
            return None
        kind = _location_type(e)
        obj = {"type": "location",
               "id": stix_id("location", {"name": e["place_name"].lower().strip(),
                                          "x_opencti_location_type": kind}),
               **self._common(created, marking), "name": e["place_name"],
               "latitude": round(e["lat"], 6), "longitude": round(e["lon"], 6),
               "x_opencti_location_type": kind}
        if e.get("country_code"):
            obj["country"] = e["country_code"]
        if e.get("admin1_code"):
            obj["administrative_area"] = e["admin1_code"]
        return self._put(obj)

    def _actor(self, a: dict[str, Any], created: str, marking: str) -> tuple[str, str]:
        """(id, STIX type) of an event's actor."""
        known = self.names.get(a.get("actor_id") or "") or {}
        name = known.get("name") or a.get("acled_name") or a["text"]
        kind = known.get("type")
        inter = a.get("inter") or known.get("inter_code")
        common = self._common(created, marking)
        if inter == 7:
            obj = {"type": "identity", "identity_class": "group"}
        elif kind in ("state_force", "government") or inter == 1:
            obj = {"type": "identity", "identity_class": "organization"}
        elif kind == "person":
            obj = {"type": "threat-actor", "threat_actor_types": ["criminal"],
                   "x_opencti_type": "Threat-Actor-Individual"}
        else:
            obj = {"type": "threat-actor", "threat_actor_types": ["crime-syndicate"],
                   "x_opencti_type": "Threat-Actor-Group"}
        if obj["type"] == "identity":
            obj["id"] = stix_id("identity", {"name": name.lower().strip(),
                                             "identity_class": obj["identity_class"]})
        else:
            obj["id"] = stix_id("threat-actor", {"name": name.lower().strip(),
                                                 "opencti_type": obj["x_opencti_type"]})
        obj.update(common, name=name)
        if known.get("aliases"):
            obj["aliases"] = list(known["aliases"])
        if a.get("actor_id"):
            obj["x_corrobora_actor_id"] = a["actor_id"]
        return self._put(obj), obj["type"]

    def _source(self, name: str, grade: str | None, created: str, marking: str) -> str:
        obj = {"type": "identity",
               "id": stix_id("identity", {"name": name.lower().strip(),
                                          "identity_class": "organization"}),
               **self._common(created, marking), "name": name,
               "identity_class": "organization",
               "x_opencti_reliability": RELIABILITY.get(grade or "F", RELIABILITY["F"])}
        return self._put(obj)

    def _relation(self, kind: str, source: str, target: str, e: dict[str, Any],
                  created: str, marking: str, confidence: int | None) -> str:
        start = e.get("date")
        stop = (e.get("date_max") or start) + timedelta(days=1) if start else None
        fields = {"relationship_type": kind, "source_ref": source, "target_ref": target}
        if start:
            fields.update(start_time=_ts(start), stop_time=_ts(stop))
        obj = {"type": "relationship", "id": stix_id("relationship", fields),
               **self._common(created, marking), **fields,
               "description": f"{e['type']} (Corrobora event {e['id']})"}
        if confidence is not None:
            obj["confidence"] = confidence
        return self._put(obj)

    def add_event(self, e: dict[str, Any]) -> str:
        marking = event_marking(e)
        created = _ts(e.get("updated_at"))
        confidence = CONFIDENCE.get(e.get("credibility") or 6)
        refs: list[str] = []
        place = self._location(e, created, marking)
        if place:
            refs.append(place)
        sides: dict[str, list[tuple[str, str]]] = {"actor1": [], "actor2": []}
        for a in e.get("actors") or ():
            ref = self._actor(a, created, marking)
            refs.append(ref[0])
            if a["role"] in sides:
                sides[a["role"]].append(ref)
        for actor, kind in sides["actor1"]:
            if kind == "threat-actor" and place:
                refs.append(self._relation("targets", actor, place, e, created, marking,
                                           confidence))
            for other, other_kind in sides["actor2"]:
                # STIX lets a threat actor target an identity; other pairs are related-to.
                rel = "targets" if (kind, other_kind) == ("threat-actor", "identity") \
                    else "related-to"
                refs.append(self._relation(rel, actor, other, e, created, marking,
                                           confidence))
        reports = e.get("report_rows") or []
        refs_ext = []
        for r in reports:
            if r.get("source"):
                # A source is as marked as the report that names it, when the row says.
                refs.append(self._source(r["source"], r.get("source_reliability"), created,
                                         row_marking(r, marking)))
            ref = {"source_name": r.get("source") or "document", "external_id": r["document_id"]}
            if r.get("url"):
                ref["url"] = r["url"]
            if r.get("title"):
                ref["description"] = r["title"]
            refs_ext.append(ref)
        published = min((r["published_at"] for r in reports if r.get("published_at")),
                        default=None) or e.get("date")
        where = f" in {e['place_name']}" if e.get("place_name") else ""
        name = f"{e['type']}{where}, {e.get('date') or 'undated'} ({e['id']})"
        description = " ".join(dict.fromkeys(r["sentence_text"] for r in reports
                                             if r.get("sentence_text")))
        report = {"type": "report",
                  "id": stix_id("report", {"name": name.lower().strip(),
                                           "published": _ts(published)}),
                  **self._common(created, marking), "name": name,
                  "report_types": ["threat-report"], "published": _ts(published),
                  "object_refs": list(dict.fromkeys(refs)) or [self.producer],
                  "labels": [x for x in (e["type"], e.get("acled_event_type")) if x],
                  "x_opencti_reliability": RELIABILITY.get(e.get("reliability") or "F"),
                  "x_corrobora_event_id": e["id"],
                  "x_corrobora_grade": f"{e.get('reliability')}{e.get('credibility')}"}
        if confidence is not None:
            report["confidence"] = confidence
        if description:
            report["description"] = description
        if refs_ext:
            report["external_references"] = refs_ext
        return self._put(report)

    def start(self) -> None:
        """The producer's identity, first."""
        self.markings.add("TLP:CLEAR")
        self.emit({"type": "identity", "spec_version": "2.1", "id": self.producer,
                   "created": "2024-01-01T00:00:00.000Z",
                   "modified": "2024-01-01T00:00:00.000Z", "name": PRODUCER,
                   "identity_class": "organization",
                   "object_marking_refs": [TLP_IDS["TLP:CLEAR"]]})

    def finish(self) -> None:
        """The shared objects, by id, then the marking definitions used."""
        for key in sorted(self.shared):
            self.emit(self.shared.pop(key))
        for m in sorted(self.markings, key=ORDER.index):
            self.emit(marking_definition(m))


def write(events: Iterable[dict[str, Any]], names: dict[str, dict[str, Any]],
          dst: TextIO) -> int:
    """A STIX 2.1 bundle of `events` (records.events_with_reports) to `dst`, one object a
    line, written as the events are read; returns the number of objects."""
    digest = hashlib.sha256()
    count = 0

    def emit(obj: dict[str, Any]) -> None:
        nonlocal count
        dst.write((",\n" if count else "") + json.dumps(obj, ensure_ascii=False))
        digest.update(obj["id"].encode("ascii") + b"\n")
        count += 1

    dst.write('{"type": "bundle", "objects": [\n')
    builder = BundleBuilder(names, emit)
    builder.start()
    for e in events:
        builder.add_event(e)
    builder.finish()
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, digest.hexdigest())}"
    dst.write(f'\n], "id": "{bundle_id}"}}\n')
    return count
