"""Filter values as a person types them, resolved against what the store holds.

`--place culiacan`, `--place "Juárez, MX-NLE"`, `--actor zetas`, `--actor "Cártel de
Sinaloa"`, `--type armed_clash`: case and accents never matter, and names are matched the way
the rest of Corrobora reads them (the gazetteer's normalised names, the actor registry's
aliases). A value resolves to the concrete stored places (geonameids) or actors (registry
ids, plus the text as reported) the SQL then filters on, so the CLI and the API share one
meaning of a filter.

A value that matches nothing raises `FilterError` with one line: what was asked, and the
closest names the store holds (rapidfuzz). A place name that means places in more than one
state is refused the same way, listing each candidate as a value that picks it
("Juárez, MX-CHH"): mixing two cities silently is worse than asking.

Places resolve in this order, the first level with events winning: a code (MX-SIN, MX, an
INEGI municipality code 25006, a geonameid), a country's name, a state's name (the whole
state: "Sinaloa" is MX-SIN, not the town of Sinaloa de Leyva), then the name of a place or a
municipality. "Name, Region" looks the name up inside that region only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

from corrobora.geo.normalize import norm
from corrobora.store.duckdb_store import EventFilter, Store

_ISO_3166_2 = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_INEGI = re.compile(r"^\d{4,5}$")
_SUGGESTIONS = 3
_SUGGEST_CUTOFF = 70.0


class FilterError(ValueError):
    """A filter value that matches nothing the store holds, or more than one thing."""


@dataclass(slots=True, frozen=True)
class PlaceMatch:
    label: str
    """What the value was read as: "Culiacán, MX-SIN", "region MX-SIN", "country MX"."""
    geonameids: tuple[int, ...]


@dataclass(slots=True, frozen=True)
class ActorMatch:
    label: str
    actor_ids: tuple[str, ...]
    texts: tuple[str, ...]
    """The value folded (lower case, no accents), matched against the text as reported."""


def fold(text: str) -> str:
    """Lower case without accents, as DuckDB's strip_accents(lower(x)) gives it."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def resolve(store: Store, f: EventFilter) -> EventFilter:
    """`f` with its place, actor and type values resolved (FilterError if one matches
    nothing or is ambiguous); the values themselves are kept for messages."""
    out = f
    if f.place is not None and f.places is None:
        out = replace(out, places=resolve_place(store, f.place).geonameids)
    if f.actor is not None and f.actor_ids is None:
        a = resolve_actor(store, f.actor)
        out = replace(out, actor_ids=a.actor_ids, actor_texts=a.texts)
    if f.type is not None:
        out = replace(out, type=resolve_type(store, f.type))
    return out


def describe(f: EventFilter) -> str:
    """The filters of `f` as a person gave them, for "no events match ..." messages."""
    parts = [f"{k} {v}" for k, v in (("type", f.type), ("place", f.place),
                                       ("actor", f.actor), ("since", f.since),
                                       ("until", f.until),
                                       ("credibility <=", f.min_credibility)) if v]
    return ", ".join(parts) or "no filters"


# -- places ---------------------------------------------------------------------------------

@dataclass(slots=True)
class _Candidate:
    label: str
    """A value the filter takes that picks this candidate ("Juárez, MX-NLE", "MX-SIN")."""
    ids: set[int]
    events: int
    note: str = ""


def resolve_place(store: Store, value: str) -> PlaceMatch:
    raw = " ".join(value.split())
    if not raw:
        raise FilterError("--place is empty")
    rows = store.place_catalogue()
    name, comma, qualifier = raw.rpartition(",")
    if comma and name.strip():
        regions = _regions(qualifier.strip(), rows)
        if not regions:
            raise FilterError(f"no region matches {qualifier.strip()!r} (in place {raw!r})"
                              + _did_you_mean(qualifier, _region_choices(rows)))
        inside = [r for r in rows if r["admin1_code"] in regions or
                  (r["admin1_code"] is None and r["country_code"] in regions)]
        return _by_name(raw, name.strip(), inside, rows)
    code = _by_code(raw, rows)
    if code is not None:
        return code
    for level in (_countries(raw, rows), _named_regions(raw, rows)):
        with_events = [c for c in level if c.events]
        if len(with_events) == 1:
            return PlaceMatch(with_events[0].label, tuple(sorted(with_events[0].ids)))
        if len(with_events) > 1:
            raise _ambiguous(raw, with_events)
    try:
        return _by_name(raw, raw, rows, rows)
    except FilterError:
        # A real country or state the store holds nothing in: no events, not a typo.
        if _country_codes(raw) or _regions_by_name(raw, rows):
            return PlaceMatch(raw, ())
        raise


def _by_code(raw: str, rows: list[dict[str, Any]]) -> PlaceMatch | None:
    if _ISO_3166_2.match(raw):
        code = raw.upper()
        ids = [r["geonameid"] for r in rows if r["admin1_code"] == code]
        if not ids and code not in _gazetteer_regions():
            raise FilterError(f"no place matches {raw!r} (not a region code the store or the "
                              "gazetteer knows)"
                              + _did_you_mean(raw, {r["admin1_code"]: r["admin1_code"]
                                                    for r in rows if r["admin1_code"]}))
        return PlaceMatch(f"region {code}", tuple(sorted(ids)))
    if _COUNTRY.match(raw):
        code = raw.upper()
        ids = [r["geonameid"] for r in rows if r["country_code"] == code]
        if ids:
            return PlaceMatch(f"country {code}", tuple(sorted(ids)))
        return None  # a two-letter name ("Ba"), or a country with nothing stored
    if raw.isdigit():
        code = raw.zfill(5) if _INEGI.match(raw) else raw
        ids = [r["geonameid"] for r in rows
               if r["inegi_code"] == code or str(r["geonameid"]) == raw]
        if not ids:
            raise FilterError(f"no place matches {raw!r} (neither an INEGI municipality code "
                              "nor a geonameid of a stored place)")
        return PlaceMatch(f"place {raw}", tuple(sorted(ids)))
    return None


def _country_codes(raw: str) -> set[str]:
    from corrobora.geo import gazetteer as gz

    g = _gazetteer()
    return {g.country_code[f] for f, m in g.lookup(norm(raw))
            if g.kind[f] == gz.KIND_COUNTRY and m != gz.MATCH_DEMONYM}


def _countries(raw: str, rows: list[dict[str, Any]]) -> list[_Candidate]:
    return [_Candidate(c, ids, _events(rows, ids), "country")
            for c in sorted(_country_codes(raw)) if (ids := {r["geonameid"] for r in rows
                                                             if r["country_code"] == c})]


def _named_regions(raw: str, rows: list[dict[str, Any]]) -> list[_Candidate]:
    codes = _regions_by_name(raw, rows)
    return [_Candidate(c, ids, _events(rows, ids), _region_name(c, rows))
            for c in sorted(codes)
            if (ids := {r["geonameid"] for r in rows if r["admin1_code"] == c})]


def _regions(value: str, rows: list[dict[str, Any]]) -> set[str]:
    """Region (or country) codes a qualifier names: a code, or a state's name."""
    if _ISO_3166_2.match(value):
        return {value.upper()}
    if _COUNTRY.match(value):
        return {value.upper()}
    return _regions_by_name(value, rows)


def _regions_by_name(value: str, rows: list[dict[str, Any]]) -> set[str]:
    from corrobora.geo import gazetteer as gz

    g = _gazetteer()
    key = norm(value)
    codes = {g.admin1_code[f] for f, m in g.lookup(key)
             if g.kind[f] == gz.KIND_ADM1 and m != gz.MATCH_DEMONYM and g.admin1_code[f]}
    # A stored state row counts too ("Michoacán de Ocampo" as the store names it).
    codes |= {r["admin1_code"] for r in rows
              if r["feature_code"] == "ADM1" and r["admin1_code"] and norm(r["name"]) == key}
    return codes


def _by_name(raw: str, name: str, rows: list[dict[str, Any]],
             everything: list[dict[str, Any]]) -> PlaceMatch:
    key = norm(name)
    alternates = _gazetteer_alternates(key)
    groups: dict[str, _Candidate] = {}
    for r in rows:
        named = norm(r["name"]) == key or r["geonameid"] in alternates
        municipality = r["admin2_name"] is not None and norm(r["admin2_name"]) == key
        if not (named or municipality):
            continue
        region = r["admin1_code"] or r["country_code"] or "?"
        shown = r["name"] if named else r["admin2_name"]
        c = groups.setdefault(region, _Candidate(f"{shown}, {region}", set(), 0))
        c.ids.add(r["geonameid"])
    for c in groups.values():
        c.events = _events(everything, c.ids)
    found = sorted(groups.values(), key=lambda c: (-c.events, c.label))
    with_events = [c for c in found if c.events]
    if len(with_events) > 1:
        raise _ambiguous(raw, with_events)
    if with_events or found:
        best = (with_events or found)[0]
        ids = set().union(*(c.ids for c in found)) if not with_events else best.ids
        return PlaceMatch(best.label, tuple(sorted(ids)))
    raise FilterError(f"no place matches {raw!r}"
                      + _did_you_mean(name, _place_choices(everything)))


def _ambiguous(raw: str, candidates: list[_Candidate]) -> FilterError:
    listed = "; ".join(f'"{c.label}" ({c.note + ", " if c.note else ""}{c.events} event'
                       f'{"" if c.events == 1 else "s"})' for c in candidates[:8])
    more = f"; and {len(candidates) - 8} more" if len(candidates) > 8 else ""
    return FilterError(f"place {raw!r} is ambiguous: {listed}{more}; give one, e.g. "
                       f'--place "{candidates[0].label}"')


def _events(rows: list[dict[str, Any]], ids: set[int]) -> int:
    return sum(r["events"] for r in rows if r["geonameid"] in ids)


def _region_name(code: str, rows: list[dict[str, Any]]) -> str:
    for r in rows:
        if r["admin1_code"] == code and r["feature_code"] == "ADM1":
            return r["name"]
    g = _gazetteer()
    f = g.admin1_feature.get(code)
    return g.name[f] if f is not None else code


def _place_choices(rows: list[dict[str, Any]]) -> dict[str, str]:
    """"Name, REGION" (a value the filter takes) -> normalised name, for every stored place
    with events and its municipality."""
    out: dict[str, str] = {}
    for r in rows:
        if not r["events"]:
            continue
        for name in (r["name"], r["admin2_name"]):
            if name:
                region = r["admin1_code"] or r["country_code"]
                out.setdefault(f"{name}, {region}" if region else name, norm(name))
    return out


def _region_choices(rows: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in rows:
        if r["admin1_code"] and r["events"]:
            name = _region_name(r["admin1_code"], rows)
            out.setdefault(f"{name} ({r['admin1_code']})", norm(name))
    return out


@lru_cache(maxsize=1)
def _gazetteer():  # -> Gazetteer; loaded on first use (half a second from its cache file)
    from corrobora.geo import gazetteer

    return gazetteer.load()


@lru_cache(maxsize=1)
def _gazetteer_regions() -> frozenset[str]:
    return frozenset(k for k in _gazetteer().admin1_feature if "-" in k)


def _gazetteer_alternates(key: str) -> set[int]:
    """Geonameids of populated places and municipalities whose name or curated alias
    (data/geo/aliases.tsv) is `key`. GeoNames' other alternate names are left out: "Juárez"
    is one of Ciudad Mante's, and a filter must not wander there."""
    from corrobora.geo import gazetteer as gz

    g = _gazetteer()
    return {int(g.geonameid[f]) for f, m in g.lookup(key)
            if g.kind[f] in (gz.KIND_CITY, gz.KIND_ADM2)
            and m in (gz.MATCH_PRIMARY, gz.MATCH_ALIAS)}


def resolve_region(value: str, store: Store | None = None) -> str:
    """The ISO 3166-2 or INEGI municipality code a study's region names: a code as given
    ("mx-sin", "1001" for 01001) or a state's name ("Sinaloa", "Michoacán"); with a store,
    a name meaning states in several countries picks the one the store holds places in."""
    raw = " ".join(value.split())
    if _ISO_3166_2.match(raw):
        return raw.upper()
    if raw.isdigit() and len(raw) in (4, 5):
        return raw.zfill(5)
    rows = store.place_catalogue() if store is not None else []
    codes = sorted(_regions_by_name(raw, rows))
    if len(codes) > 1 and rows:
        held = {r["admin1_code"] for r in rows if r["events"]}
        codes = [c for c in codes if c in held] or codes
    if len(codes) == 1:
        return codes[0]
    if codes:
        raise FilterError(f"region {raw!r} is ambiguous: {', '.join(codes)}; give the code")
    choices = _region_choices(rows) if rows else {}
    raise FilterError(f"no region matches {raw!r} (a state's name, an ISO 3166-2 code such as "
                      "MX-SIN or an INEGI municipality code)" + _did_you_mean(raw, choices))


def resolve_actor_id(store: Store, value: str) -> str:
    """The one actor id (registry or candidate) a value names, for analyses that count
    actors by id."""
    match = resolve_actor(store, value)
    if len(match.actor_ids) == 1:
        return match.actor_ids[0]
    if not match.actor_ids:
        raise FilterError(f"actor {value!r} is no registry or candidate actor (only text as "
                          "reported); analyses count actors by id: see `corrobora actors`")
    raise FilterError(f"actor {value!r} is ambiguous: {match.label}; give one id")


# -- actors ---------------------------------------------------------------------------------

def resolve_actor(store: Store, value: str) -> ActorMatch:
    from corrobora.extract.actors import ActorRegistry

    raw = " ".join(value.split())
    if not raw:
        raise FilterError("--actor is empty")
    stored = store.actor_catalogue()
    key = norm(raw)
    ids: list[str] = [a["id"] for a in stored if a["id"].lower() == raw.lower()]
    ids += [a["id"] for a in stored if norm(a["name"]) == key]
    # The registry (half a second to load) for aliases and looser forms ("zetas", "CDS").
    hit = None if ids else ActorRegistry.load().match(raw, guarded=True)
    if hit is not None:
        ids.append(hit.actor_id)
    ids = list(dict.fromkeys(ids))
    texts = (fold(raw),)
    if ids:
        names = {a["id"]: a["name"] for a in stored}
        label = ", ".join(f"{names.get(i) or (hit.name if hit else i)} [{i}]" for i in ids)
        return ActorMatch(label, tuple(ids), texts)
    if store.count_events(EventFilter(actor_ids=(), actor_texts=texts, limit=None)):
        return ActorMatch(repr(raw), (), texts)
    choices = {f"{a['name']} [{a['id']}]": norm(a["name"]) for a in stored if a["events"]}
    choices |= {f"{a['name']} [{a['id']}]": norm(a["id"]) for a in stored if a["events"]}
    raise FilterError(f"no actor matches {raw!r}" + _did_you_mean(raw, choices))


# -- types ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def ontology_types() -> dict[str, str | None]:
    """Our event types and the ACLED event type each maps onto (read as data: the ontology
    module loads the NLP stack)."""
    import yaml

    text = (resources.files("corrobora.data") / "ontology" / "event_types.yaml").read_text(
        encoding="utf-8")
    return {name: (row.get("acled") or {}).get("event_type")
            for name, row in yaml.safe_load(text)["types"].items()}


def resolve_type(store: Store, value: str) -> str:
    """An event type of ours (any case, "-" or " " for "_") or an ACLED event type."""
    raw = value.strip()
    ours = raw.upper().replace("-", "_").replace(" ", "_")
    if ours in ontology_types():
        return ours
    acled = {t for t in ontology_types().values() if t} | set(store.acled_event_types())
    for t in acled:
        if fold(t) == fold(raw):
            return t
    choices = {t: t.lower() for t in [*ontology_types(), *sorted(acled)]}
    raise FilterError(f"no event type {raw!r}" + _did_you_mean(raw.replace("-", "_"), choices))


# -- suggestions ------------------------------------------------------------------------------

def _did_you_mean(value: str, choices: dict[str, str]) -> str:
    """"; did you mean 'A', 'B'?" over display -> key choices, or "" when none is close."""
    names = suggestions(value, choices)
    return f"; did you mean {', '.join(repr(n) for n in names)}?" if names else ""


def suggestions(value: str, choices: dict[str, str], limit: int = _SUGGESTIONS) -> list[str]:
    key = norm(value)
    if not key or not choices:
        return []
    found = process.extract(key, choices, scorer=fuzz.WRatio, limit=limit * 3,
                            score_cutoff=_SUGGEST_CUTOFF)
    return _unique(display for _key, _score, display in found)[:limit]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
