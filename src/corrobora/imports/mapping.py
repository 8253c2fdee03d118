"""Mapping a dataset's vocabulary onto ours: event types (ACLED types and sub-types, CAMEO
codes, UCDP types of violence) through the ontology's own mappings
(data/ontology/event_types.yaml), actors through the ActorRegistry, places through the
gazetteer (codes, names checked against the row's coordinates, or the nearest place)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

from corrobora.model import ActorRef, EventReport, Place

# -- event types ----------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class TypeInfo:
    name: str
    case: str
    acled_event_type: str | None
    acled_sub_event_type: str | None
    cameo: str | None
    base: bool
    """A CASE 2021 base type (not an organized-crime refinement)."""


@lru_cache(maxsize=1)
def ontology() -> dict[str, TypeInfo]:
    # Read as data here rather than through extract.ontology, which loads the NLP stack.
    text = (resources.files("corrobora.data") / "ontology" / "event_types.yaml").read_text(
        encoding="utf-8")
    out = {}
    for name, row in yaml.safe_load(text)["types"].items():
        acled = row.get("acled") or {}
        out[name] = TypeInfo(name, row["case"], acled.get("event_type"),
                             acled.get("sub_event_type"),
                             None if row.get("cameo") is None else str(row["cameo"]),
                             name == row["case"])
    return out


def complete_type(report: EventReport) -> EventReport:
    """Fill the CASE label and ACLED type and sub-type of a report from its type, as the text
    extractor does: the fuser matches reports by CASE family, the analyses count violence by
    ACLED type."""
    t = ontology()[report.type]
    report.case_label = t.case
    report.acled_event_type = t.acled_event_type
    # A dataset that codes the sub-event type itself (ACLED) keeps its own.
    report.acled_sub_event_type = report.acled_sub_event_type or t.acled_sub_event_type
    return report


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# An ACLED event type whose sub-type we do not know maps onto its most generic sub-type.
_ACLED_FALLBACK = {"battles": "ARMED_CLASH", "violence against civilians": "ATTACK",
                   "explosions remote violence": "REM_EXPLOS", "protests": "PEACE_PROTEST",
                   "riots": "MOB_VIOL", "strategic developments": "OTHER"}


def acled_type(event_type: str, sub_event_type: str | None) -> str | None:
    """Our base type for an ACLED (event type, sub-event type), or None if unknown."""
    by_sub = {_key(t.acled_sub_event_type): t.name for t in ontology().values()
              if t.base and t.acled_sub_event_type}
    if sub_event_type and _key(sub_event_type) in by_sub:
        return by_sub[_key(sub_event_type)]
    return _ACLED_FALLBACK.get(_key(event_type))


def cameo_type(code: str) -> str | None:
    """Our type for a CAMEO event code, by the longest prefix the ontology lists (base types
    first: 193 is ARMED_CLASH, not one of its refinements); None for codes outside it."""
    by_code: dict[str, str] = {}
    for t in sorted(ontology().values(), key=lambda t: not t.base):
        if t.cameo:
            by_code.setdefault(t.cameo, t.name)
    code = code.strip()
    for n in range(len(code), 1, -1):
        if code[:n] in by_code:
            return by_code[code[:n]]
    return None


def refine(type_name: str, actors: list[ActorRef], registry: object,
           hints: dict[str, str] | None = None) -> str:
    """An armed clash between criminal groups is CRIMINAL_CLASH, between a group and the
    state STATE_CLASH; an abduction by a criminal group is KIDNAPPING (the refinements the
    text extractor makes, so both kinds of report land in the same families). `hints` gives
    an actor's type by role where the dataset codes it (ACLED inter 1: state forces)."""
    kinds = {a.role: _actor_type(a, registry) for a in actors if a.role in ("actor1", "actor2")}
    for role, kind in (hints or {}).items():
        kinds[role] = kinds.get(role) or kind
    a1, a2 = kinds.get("actor1"), kinds.get("actor2")
    if type_name == "ARMED_CLASH":
        if a1 == "criminal_group" and a2 == "criminal_group":
            return "CRIMINAL_CLASH"
        if {a1, a2} & {"criminal_group"} and {a1, a2} & {"state_force", "government"}:
            return "STATE_CLASH"
    if type_name == "ABDUCT_DISSAP" and a1 == "criminal_group":
        return "KIDNAPPING"
    return type_name


def _actor_type(a: ActorRef, registry: object) -> str | None:
    if a.actor_id:
        actor = registry.get(a.actor_id)  # type: ignore[attr-defined]
        return actor.type if actor else None
    return "criminal_group" if a.candidate else None


# -- actors ---------------------------------------------------------------------------------

_PARENS = re.compile(r"\s*\([^)]*\)")
_GROUPISH = re.compile(r"\b(cartel|cártel|carteles|gang|pandilla|grupo|cell|célula|celula|"
                       r"los|las|la familia|organizaci[oó]n|faction|facci[oó]n)\b", re.I)
_UNNAMED = re.compile(r"\b(unidentified|unknown|civilians?|protesters|rioters|"
                      r"no identificado|desconocido)\b", re.I)


class ActorMapper:
    """Dataset actor names to registry actors. ACLED decorates names with a country or a
    period ("Military Forces of Mexico (2018-2024)"): tried with and without. An unknown
    name that reads as a criminal group becomes a candidate actor, kept apart from the
    registry until an analyst confirms it (as the text extractor does)."""

    def __init__(self, registry: object | None = None) -> None:
        if registry is None:
            from corrobora.extract.actors import ActorRegistry

            registry = ActorRegistry.load()
        self.registry = registry

    @lru_cache(maxsize=20_000)  # noqa: B019 - one mapper per import; keys are names
    def _lookup(self, name: str) -> str | None:
        reg = self.registry
        for form in dict.fromkeys([name, _PARENS.sub("", name).strip()]):
            if not form:
                continue
            actor = reg.match(form) or reg.match_mention(form)  # type: ignore[attr-defined]
            if actor is not None:
                return actor.actor_id
        return None

    def ref(self, name: str | None, role: str, *, group_hint: bool = False,
            candidates: bool = True) -> ActorRef | None:
        """An ActorRef for a named actor; `group_hint` when the dataset says the actor is an
        armed group (so an unknown name becomes a candidate); `candidates=False` for
        machine-coded names ("CARTEL", "DRUG LORD") that are roles, not groups."""
        name = (name or "").strip()
        if not name:
            return None
        actor_id = self._lookup(name)
        candidate = None
        if actor_id is None and candidates and not _UNNAMED.search(name) and (
                group_hint or _GROUPISH.search(name)):
            from corrobora.extract.actors import candidate_id

            candidate = candidate_id(_PARENS.sub("", name).strip() or name)
        return ActorRef(text=name, role=role, actor_id=actor_id, candidate=candidate)


# -- countries ------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def country_iso2(name: str | None = None, numeric: str | None = None) -> str | None:
    """ISO 3166-1 alpha-2 from a numeric code (ACLED `iso`) or a country name."""
    import pycountry

    if numeric and numeric.strip().isdigit():
        c = pycountry.countries.get(numeric=numeric.strip().zfill(3))
        if c:
            return c.alpha_2
    if name:
        try:
            return pycountry.countries.lookup(_PARENS.sub("", name).strip()).alpha_2
        except LookupError:
            try:
                return pycountry.countries.search_fuzzy(name)[0].alpha_2
            except LookupError:
                return None
    return None


# -- places ---------------------------------------------------------------------------------

MX_STATES = {
    "01": "MX-AGU", "02": "MX-BCN", "03": "MX-BCS", "04": "MX-CAM", "05": "MX-COA",
    "06": "MX-COL", "07": "MX-CHP", "08": "MX-CHH", "09": "MX-CMX", "10": "MX-DUR",
    "11": "MX-GUA", "12": "MX-GRO", "13": "MX-HID", "14": "MX-JAL", "15": "MX-MEX",
    "16": "MX-MIC", "17": "MX-MOR", "18": "MX-NAY", "19": "MX-NLE", "20": "MX-OAX",
    "21": "MX-PUE", "22": "MX-QUE", "23": "MX-ROO", "24": "MX-SLP", "25": "MX-SIN",
    "26": "MX-SON", "27": "MX-TAB", "28": "MX-TAM", "29": "MX-TLA", "30": "MX-VER",
    "31": "MX-YUC", "32": "MX-ZAC",
}
"""INEGI state code (CVE_ENT) -> ISO 3166-2: the first two digits of a municipality code."""

NAME_AGREES_KM = 50.0
"""A name resolved this close to the row's coordinates is the row's place."""
SNAP_KM = 30.0
"""Coordinates without a name that agrees snap to the nearest town or municipality within."""


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


class PlaceFinder:
    """Places for dataset rows, each with a gazetteer feature (a geonameid), so imported
    reports fuse with text-derived ones by the same place rules."""

    def __init__(self, resolver: object | None = None) -> None:
        self._resolver = resolver
        self._inegi: dict[str, int] | None = None
        self._tree: object | None = None
        self._tree_features: np.ndarray | None = None

    @property
    def resolver(self):  # -> Resolver (lazy: the gazetteer takes a second to load)
        if self._resolver is None:
            from corrobora.geo.resolver import Resolver

            self._resolver = Resolver.load()
        return self._resolver

    @property
    def gz(self):  # -> Gazetteer
        return self.resolver.gz

    def feature_place(self, f: int, text: str, precision: int | None,
                      score: float = 1.0) -> Place | None:
        from corrobora.geo.gazetteer import KIND_ADM1, KIND_ADM2, KIND_CITY, KIND_CONTINENT

        gz = self.gz
        gid = int(gz.geonameid[f])
        kind = int(gz.kind[f])
        if gid < 0 or kind == KIND_CONTINENT:
            return None
        own = {KIND_CITY: 1, KIND_ADM2: 2, KIND_ADM1: 3}.get(kind, 3)
        return Place(
            start=0, end=len(text), text=text, geonameid=gid, name=gz.name[f],
            lat=round(float(gz.lat[f]), 5), lon=round(float(gz.lon[f]), 5),
            country_code=gz.country_code[f] or None, admin1_code=gz.admin1_code[f],
            admin2_name=gz.admin2_name[f], inegi_code=gz.inegi_code[f],
            feature_code=gz.feature_code[f], population=int(gz.population[f]) or None,
            # Never claim more precision than the dataset gives, nor than the feature has.
            geo_precision=max(own, precision or own), score=score)

    def by_inegi(self, code: str, text: str | None = None,
                 precision: int | None = None) -> Place | None:
        from corrobora.geo.gazetteer import KIND_ADM2

        if self._inegi is None:
            gz = self.gz
            self._inegi = {c: i for i, c in enumerate(gz.inegi_code)
                           if c and int(gz.kind[i]) == KIND_ADM2}
        f = self._inegi.get(code.zfill(5))
        return None if f is None else self.feature_place(f, text or self.gz.name[f], precision)

    def by_admin1(self, code: str, text: str | None = None) -> Place | None:
        f = self.gz.admin1_feature.get(code)
        return None if f is None else self.feature_place(f, text or self.gz.name[f], 3)

    def by_country(self, iso2: str, text: str | None = None) -> Place | None:
        f = self.gz.country_feature.get(iso2)
        return None if f is None else self.feature_place(f, text or self.gz.name[f], 3)

    def nearest(self, lat: float, lon: float, country: str | None, admin1: str | None = None,
                max_km: float = SNAP_KM) -> tuple[int, float] | None:
        """The nearest town or municipality (feature, km), in `country` and `admin1` when
        given."""
        from scipy.spatial import cKDTree

        from corrobora.geo.gazetteer import KIND_ADM2, KIND_CITY

        gz = self.gz
        if self._tree is None:
            keep = np.flatnonzero(((gz.kind == KIND_CITY) | (gz.kind == KIND_ADM2))
                                  & (gz.geonameid >= 0))
            self._tree_features = keep
            self._tree = cKDTree(_xyz(gz.lat[keep], gz.lon[keep]))
        assert self._tree_features is not None
        # The k nearest on the unit sphere, then the country/region and great-circle checks.
        k = 64 if admin1 else 16
        point = _xyz(np.array([lat]), np.array([lon]))[0]
        _, idx = self._tree.query(point, k=k)  # type: ignore[attr-defined]
        for i in np.atleast_1d(idx):
            if i >= len(self._tree_features):
                continue
            f = int(self._tree_features[i])
            if (country and gz.country_code[f] != country) or (
                    admin1 and gz.admin1_code[f] != admin1):
                continue
            d = _haversine_km(lat, lon, float(gz.lat[f]), float(gz.lon[f]))
            return (f, d) if d <= max_km else None
        return None

    @lru_cache(maxsize=50_000)  # noqa: B019 - one finder per import; keys are row fields
    def find(self, name: str | None = None, context: tuple[str, ...] = (),
             coords: tuple[float, float] | None = None, country: str | None = None,
             precision: int | None = None, inegi: str | None = None) -> Place | None:
        """The row's place: its municipality code; else its name (with the names of its
        regions as context) where that agrees with its coordinates and country; else the
        nearest town to its coordinates; else its region or country by name."""
        if inegi:
            p = self.by_inegi(inegi, name, precision)
            if p is not None:
                return p
        if name:
            p = self.resolver.resolve_name(name, context=[c for c in context if c])
            if p.resolved and p.geonameid is not None and (
                    country is None or p.country_code == country) and (
                    coords is None or p.lat is None
                    or _haversine_km(coords[0], coords[1], p.lat, p.lon) <= NAME_AGREES_KM):
                p.start, p.end, p.text = 0, len(name), name
                if precision and (p.geo_precision or 0) < precision:
                    p.geo_precision = precision
                return p
        if coords is not None:
            # Within the region the row names, when it names one: a point near a state
            # border snaps to a town of the right state.
            region = self._admin1_of(context, country)
            hit = (region and self.nearest(coords[0], coords[1], country, region)) or \
                self.nearest(coords[0], coords[1], country)
            if hit is not None:
                f, d = hit
                return self.feature_place(f, name or self.gz.name[f],
                                          precision or (1 if d <= 5 else 2), score=0.8)
        for region in context:
            if not region:
                continue
            p = self.resolver.resolve_name(region, context=[c for c in context
                                                            if c and c != region])
            if p.resolved and p.geonameid is not None and p.feature_code in ("ADM1", "ADM2") \
                    and (country is None or p.country_code == country):
                p.start, p.end, p.text = 0, len(region), region
                p.geo_precision = max(p.geo_precision or 3, 2)
                return p
        return self.by_country(country) if country else None

    @lru_cache(maxsize=10_000)  # noqa: B019 - one finder per import; keys are names
    def _admin1_of(self, context: tuple[str, ...], country: str | None) -> str | None:
        for region in context:
            p = self.resolver.resolve_name(region, context=[c for c in context if c != region])
            if p.feature_code == "ADM1" and (country is None or p.country_code == country):
                return p.admin1_code
        return None


def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
