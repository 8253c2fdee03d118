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
        raise SeriesError(f"{store.path}: no violent events with a date and a place at "
                          f"{'state' if level == 'admin1' else 'municipality'} level")
    return panel_from_rows(((m, r, float(n)) for m, r, n in rows), zero_fill=True,
                           source=f"{store.path} (violent events)")
