"""MISP event JSON: one MISP event per fused event, one JSON object a line (each loads with
MISP's "Import from MISP JSON" or pymisp's MISPEvent.load).

The grade travels as MISP taxonomy tags: `admiralty-scale:source-reliability` (a-f, of the
best source) and `admiralty-scale:information-credibility` (1-6), and the
`estimative-language` taxonomy's likelihood (from the credibility) and confidence in the
judgement (from the number of independent sources); the marking as a `tlp:` tag, on the
event (its marking) and on each attribute a report gives (that report's, when the row has
one). Attributes are the place (target-location), the actors (threat-actor), the reports'
sentences (text) and documents (link), the event's date (datetime). The event's uuid is a
UUIDv5 of its id, so re-importing updates it instead of adding a copy.
"""

from __future__ import annotations

import uuid
from typing import Any

from corrobora.export.markings import event_marking, row_marking

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/corrobora/corrobora/misp")
LIKELIHOOD = {1: "almost-certain", 2: "very-likely", 3: "roughly-even-chance", 4: "unlikely",
              5: "very-unlikely"}
ANALYSIS_COMPLETE = 2


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def confidence(event: dict[str, Any]) -> str:
    """Confidence in the analytic judgement: high with three or more independent sources and
    no hedging, moderate with two, low otherwise."""
    n = event.get("independent_sources") or 0
    if n >= 3 and not event.get("hedged"):
        return "high"
    return "moderate" if n >= 2 else "low"


def tags(event: dict[str, Any]) -> list[str]:
    out = [event_marking(event).lower(),
           f'admiralty-scale:source-reliability="{(event.get("reliability") or "F").lower()}"',
           f'admiralty-scale:information-credibility="{event.get("credibility") or 6}"']
    likely = LIKELIHOOD.get(event.get("credibility") or 6)
    if likely:
        out.append(f'estimative-language:likelihood-probability="{likely}"')
    out.append(f'estimative-language:confidence-in-analytic-judgment="{confidence(event)}"')
    return out


def _attribute(event_id: str, kind: str, category: str, value: str, comment: str = "",
               *, to_ids: bool = False, marking: str | None = None) -> dict[str, Any]:
    out = {"uuid": _uuid(event_id, kind, value), "type": kind, "category": category,
           "value": value, "comment": comment, "to_ids": to_ids, "distribution": "5"}
    if marking:
        out["Tag"] = [{"name": marking.lower()}]
    return out


def event(e: dict[str, Any], names: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One event (records.events_with_reports) as a MISP event object."""
    eid = e["id"]
    where = f" in {e['place_name']}" if e.get("place_name") else ""
    attrs = []
    if e.get("place_name"):
        coords = f" ({e['lat']:.5f}, {e['lon']:.5f})" if e.get("lat") is not None else ""
        attrs.append(_attribute(eid, "target-location", "Targeting data", e["place_name"],
                                f"{e.get('admin1_code') or ''}{coords}".strip()))
    for a in e.get("actors") or ():
        known = names.get(a.get("actor_id") or "") or {}
        name = known.get("name") or a.get("acled_name") or a["text"]
        attrs.append(_attribute(eid, "threat-actor", "Attribution", name, a["role"]))
    for r in e.get("report_rows") or ():
        # What a report gives carries its own marking (a tlp: tag) when the row has one.
        marked = row_marking(r) if r.get("marking") else None
        if r.get("sentence_text"):
            attrs.append(_attribute(eid, "text", "Other", r["sentence_text"],
                                    f"{r.get('source') or ''} {r['document_id']}".strip(),
                                    marking=marked))
        if r.get("url"):
            attrs.append(_attribute(eid, "link", "External analysis", r["url"],
                                    r.get("title") or "", marking=marked))
    if e.get("date"):
        attrs.append(_attribute(eid, "datetime", "Other", f"{e['date'].isoformat()}T00:00:00Z",
                                "event date"))
    attrs = list({a["uuid"]: a for a in attrs}.values())
    deaths = e.get("fatalities_min") or 0
    published = [r["published_at"] for r in e.get("report_rows") or () if r.get("published_at")]
    day = e.get("date") or (min(published).date() if published else None)
    return {"Event": {
        "uuid": _uuid(eid),
        "info": f"{e['type']}{where}, {e.get('date') or 'undated'} (Corrobora {eid})",
        "date": day.isoformat() if day else None,
        # MISP threat levels: 1 high, 2 medium; an event with deaths is high.
        "threat_level_id": "1" if deaths else "2",
        "analysis": str(ANALYSIS_COMPLETE),
        "distribution": "3",
        "published": False,
        "Tag": [{"name": t} for t in tags(e)],
        "Attribute": attrs,
    }}
