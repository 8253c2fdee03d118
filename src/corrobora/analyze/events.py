"""Monthly series of violent events from the store.

"Violent" is the ACLED event types Battles, Explosions/Remote violence and Violence against
civilians, plus every type of our ontology that maps onto one of them (LEADER_KILLED,
CRIMINAL_CLASH, STATE_CLASH, KIDNAPPING...): an event counts once, in the month of its
first date, in the state (ISO 3166-2) or municipality (INEGI code) of its place.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from corrobora.analyze.series import Panel, SeriesError, panel_from_rows
from corrobora.store import Store

VIOLENT_ACLED_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")


@lru_cache(maxsize=1)
def violent_types() -> tuple[str, ...]:
    """Our event types whose ACLED type is violent, read from the ontology (data, not code).
    Read here rather than through extract.ontology, which loads the NLP stack."""
    text = (resources.files("corrobora.data") / "ontology" / "event_types.yaml").read_text(
        encoding="utf-8")
    rows = yaml.safe_load(text)["types"]
    return tuple(sorted(name for name, row in rows.items()
                        if (row.get("acled") or {}).get("event_type") in VIOLENT_ACLED_TYPES))


def violent_event_panel(store: Store, level: str) -> Panel:
    """Violent events by month and region of `level` ("admin1" or "municipality"); months
    without events are zero between the first and last month with any."""
    rows = store.monthly_event_counts(level, VIOLENT_ACLED_TYPES, violent_types())
    if not rows:
        raise SeriesError(f"{store.path}: " + none_found(
            store, f"with a date and a place at "
            f"{'state' if level == 'admin1' else 'municipality'} level"))
    return panel_from_rows(((m, r, float(n)) for m, r, n in rows), zero_fill=True,
                           source=f"{store.path} (violent events)")


def looked_for() -> str:
    """The types a violent-event analysis counts, as a sentence."""
    return (f"ACLED types {', '.join(VIOLENT_ACLED_TYPES)}, or ours that map onto them "
            f"({', '.join(violent_types())})")


def none_found(store: Store, where: str = "") -> str:
    """Why an analysis of violent events found none: what it looked for and what the store
    holds instead (by type, with the datasets the events come from)."""
    held = store.event_type_holdings()
    if not held:
        return f"no violent events {where}; the store holds no events at all".replace(
            "  ", " ")
    shown = ", ".join(
        f"{h['type']} {h['events']:,}"
        + (f" (from {', '.join(h['datasets'])})" if h["datasets"] else "")
        for h in held[:8]) + (f" and {len(held) - 8} other types" if len(held) > 8 else "")
    text = (f"no violent events {where} (looked for {looked_for()}); the store holds "
            f"{shown}").replace("  ", " ")
    if any("OCVED" in h["datasets"] for h in held):
        text += ("; OCVED rows record a group's violent presence in a municipality, not what "
                 "happened, so they are ORG_CRIME and not counted (docs/imports.md): import "
                 "ACLED or UCDP, or use --series with an official count")
    return text
