"""Toponym resolution: one gazetteer feature per span, ranked by document context.

Each candidate gets a prior (population, feature type, how its name matched) and, over a few
rounds, context from the document's other toponyms: the dominant countries, the regions
named, a container named right after it ("Tapalpa, Jalisco"), nearness to the other places.
A surface form keeps one sense in a document. Demonyms are resolved only when a span is
nothing else, and never count as context.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corrobora.geo import gazetteer as gzm
from corrobora.geo.gazetteer import (
    KIND_ADM1,
    KIND_ADM2,
    KIND_CITY,
    KIND_CONTINENT,
    KIND_COUNTRY,
    MATCH_ALIAS,
    MATCH_ALT,
    MATCH_DEMONYM,
    MATCH_PRIMARY,
    Gazetteer,
)
from corrobora.geo.normalize import norm
from corrobora.model.place import Place

MAX_CANDIDATES = 40
ROUNDS = 3

# Prior weights. Countries and regions beat homonymous villages; a capital beats its namesakes.
KIND_PRIOR = {KIND_CITY: 0.0, KIND_ADM2: -0.15, KIND_ADM1: 0.5, KIND_COUNTRY: 1.5,
              KIND_CONTINENT: 1.2}
MATCH_PRIOR = {MATCH_ALT: 0.0, MATCH_PRIMARY: 0.25, MATCH_ALIAS: 0.4, MATCH_DEMONYM: 0.1}
PRECISION = {KIND_CITY: 1, KIND_ADM2: 2, KIND_ADM1: 3, KIND_COUNTRY: 3, KIND_CONTINENT: 3}
W_COUNTRY = 1.2  # times the share of the document's other toponyms in the candidate's country
W_ADMIN1 = 0.35  # candidate lies in a region the document names
W_INSIDE = 0.5  # a region whose towns the document names
W_CONTAINER = 1.0  # "Tapalpa, Jalisco": the next toponym contains the candidate
W_NEAR = 0.4  # candidate is near the document's other places
NEAR_KM = 400.0
W_HINT = 0.5
W_POP = 1.0
W_CAPITAL = 0.8  # "Washington", "Kabul", "Baghdad": the capital, not its namesake region
FUZZY_CUTOFF = 88.0
FOCUS_SUPPORT = 2.0  # agreement with the other places outweighs mention counts
STRAY_KM = 1000.0  # a small town abroad this far from the story's place is suspect...
STRAY_POP = 20_000  # ...below this population

_POSSESSIVE = re.compile(r"['’]s$")
_WRAPPERS = [
    re.compile(r"^(?:the )?(?:city|town|state|province|county|municipality|region|republic)"
               r" of (.+)$"),
    re.compile(r"^(?:la |el )?(?:ciudad|estado|municipio|provincia|region|republica)"
               r" de (.+)$"),
    re.compile(r"^(.+) (?:city|state|province|county|municipality|region)$"),
    re.compile(r"^the (.+)$"),
]


@dataclass(slots=True)
class _Cand:
    feature: int
    match: int
    prior: float


def _haversine_km(lat1: float | np.ndarray, lon1: float | np.ndarray, lat2: np.ndarray,
                  lon2: np.ndarray) -> np.ndarray:
    p = math.pi / 180
    a = (np.sin((lat2 - lat1) * p / 2) ** 2
         + np.cos(lat1 * p) * np.cos(lat2 * p) * np.sin((lon2 - lon1) * p / 2) ** 2)
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class Resolver:
    """Resolves toponym spans to gazetteer features. Build with `Resolver.load()`."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gz = gazetteer
        self._fuzzy_keys: dict[str, list[str]] | None = None

    @classmethod
    def load(cls, path: Path | str | None = None) -> Resolver:
        """The shared resolver (the gazetteer is built on first use, then read from cache)."""
        return _load_cached(str(path) if path is not None else None)

    # ---- candidates ---------------------------------------------------------------------
    @lru_cache(maxsize=50_000)  # noqa: B019 - one resolver per process; keys are names
    def is_region(self, surface: str) -> bool:
        """Whether a name is, exactly, a state, province or country ("Sinaloa", "Michoacán")."""
        key = norm(_POSSESSIVE.sub("", surface.strip()))
        return any(int(self.gz.kind[f]) in (KIND_ADM1, KIND_COUNTRY) and m != MATCH_DEMONYM
                   for f, m in self.gz.lookup(key))

    def is_demonym(self, surface: str) -> bool:
        """Whether a word is, exactly, the demonym of a place ("Mexican", "jaliscienses"),
        whatever else it may name ("Canadian" is also a town in Texas)."""
        key = norm(_POSSESSIVE.sub("", surface.strip()))
        found = self.gz.lookup(key) or (self.gz.lookup(key[:-1]) if key.endswith("s") else [])
        return any(m == MATCH_DEMONYM for _, m in found)

    def candidates(self, surface: str) -> tuple[tuple[_Cand, ...], bool]:
        """Candidates for a surface form and whether they came from a fuzzy match."""
        gz = self.gz
        key = norm(_POSSESSIVE.sub("", surface.strip()))
        if sum(ch.isalpha() for ch in key) < 2:
            # A lone letter is an initial or a cut abbreviation ("B . C ."), never a place,
            # though the gazetteer lists some as alternate names ("B" for Ibb, Yemen).
            return (), False
        found = gz.lookup(key)
        fuzzy = False
        if not found:
            for rx in _WRAPPERS:
                m = rx.match(key)
                if m and (found := gz.lookup(m.group(1))):
                    break
        if not found and key.endswith("s"):
            # Plural demonyms ("Mexicans") and stray plurals.
            found = [(f, m) for f, m in gz.lookup(key[:-1]) if m == MATCH_DEMONYM]
        if not found and len(key) >= 5:
            found = self._fuzzy(key)
            fuzzy = bool(found)
        cands = [_Cand(f, m, self._prior(f, m)) for f, m in found]
        cands.sort(key=lambda c: -c.prior)
        return tuple(cands[:MAX_CANDIDATES]), fuzzy

    def _prior(self, f: int, match: int) -> float:
        gz = self.gz
        pop = float(gz.population[f])
        p = W_POP * min(math.log10(pop + 10.0) / 7.5, 1.0)
        p += KIND_PRIOR[int(gz.kind[f])] + MATCH_PRIOR.get(match, 0.0)
        if gz.feature_code[f] == "PPLC":
            p += W_CAPITAL
        return p

    def _fuzzy(self, key: str) -> list[tuple[int, int]]:
        from rapidfuzz import fuzz, process

        if self._fuzzy_keys is None:
            by_first: dict[str, list[str]] = defaultdict(list)
            for k in self.gz.keys:
                if len(k) >= 4:
                    by_first[k[0]].append(k)
            self._fuzzy_keys = dict(by_first)
        pool = self._fuzzy_keys.get(key[0], [])
        hit = process.extractOne(key, pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if hit is None:
            return []
        return [(f, m) for f, m in self.gz.lookup(hit[0]) if m != MATCH_DEMONYM]

    # ---- resolution ---------------------------------------------------------------------
    def resolve(self, text: str, spans: list[tuple[int, int]], *, lang: str | None = None,
                country_hint: str | None = None, backoff: bool = True) -> list[Place]:
        """One `Place` per span, in order.

        With `backoff` (the default) a span the gazetteer lacks (a street, a building, a
        neighbourhood) gets the document's main place, with geo_precision 2, no geonameid and
        a low score: the story's town is a far better guess for "Frenchmen Street" than no
        point at all (GeoWebNews gold spans: acc@161 0.78 -> 0.85). `backoff=False` leaves
        such spans with lat/lon None.
        """
        del lang  # names are matched language-independently; kept for the interface
        gz = self.gz
        surfaces = [text[s:e] for s, e in spans]
        # Group mentions by normalised surface: one sense per document.
        groups: dict[str, list[int]] = defaultdict(list)
        cand_of: dict[str, tuple[_Cand, ...]] = {}
        fuzzy_of: dict[str, bool] = {}
        for n, surf in enumerate(surfaces):
            key = norm(_POSSESSIVE.sub("", surf.strip()))
            groups[key].append(n)
            if key not in cand_of:
                cand_of[key], fuzzy_of[key] = self.candidates(surf)
        keys = [k for k in groups if cand_of[k]]
        hint = country_hint.upper() if country_hint else None

        # Containers named right after a mention: "Tapalpa, Jalisco" / "Tapalpa (Jalisco)".
        next_key: dict[int, str] = {}
        order = sorted(range(len(spans)), key=lambda n: spans[n][0])
        for a, b in itertools.pairwise(order):
            gap = text[spans[a][1]:spans[b][0]]
            if len(gap) <= 3 and gap.strip() in (",", "(", "-", ", ", "", "/"):
                next_key[a] = norm(_POSSESSIVE.sub("", surfaces[b].strip()))

        choice = {k: 0 for k in keys}  # index into cand_of[k]
        conf = {k: 0.5 for k in keys}
        scores: dict[str, list[float]] = {}
        for _ in range(ROUNDS):
            chosen = {k: cand_of[k][choice[k]].feature for k in keys}
            cc_weight: dict[str, float] = defaultdict(float)
            admin1_named: dict[str, float] = defaultdict(float)
            inside: dict[str, float] = defaultdict(float)  # towns named in each region
            total = 0.0
            pts: list[tuple[str, float, float, float]] = []
            for k in keys:
                f = chosen[k]
                # Demonyms say little about where a story is; they are not context.
                w = conf[k] * (0.0 if cand_of[k][choice[k]].match == MATCH_DEMONYM else 1.0)
                total += w
                if gz.country_code[f]:
                    cc_weight[gz.country_code[f]] += w
                a1 = gz.admin1_code[f]
                if a1 and gz.kind[f] != KIND_CONTINENT:
                    admin1_named[a1] = max(admin1_named[a1],
                                           w if gz.kind[f] == KIND_ADM1 else 0.5 * w)
                if gz.kind[f] in (KIND_CITY, KIND_ADM2):
                    pts.append((k, float(gz.lat[f]), float(gz.lon[f]), w))
                    if a1:
                        inside[a1] += w
            for k in keys:
                f0 = chosen[k]
                w0 = conf[k]
                own_cc = gz.country_code[f0]
                denom = total - w0
                cands = cand_of[k]
                feats = np.fromiter((c.feature for c in cands), dtype=np.int64, count=len(cands))
                near = np.zeros(len(cands))
                other = [(la, lo) for kk, la, lo, _w in pts if kk != k]
                if other:
                    # All candidates against all other places in one broadcast.
                    o = np.asarray(other)
                    d = _haversine_km(o[:, :1], o[:, 1:], gz.lat[feats][None, :],
                                      gz.lon[feats][None, :])
                    near = np.clip(1.0 - d.min(axis=0) / NEAR_KM, 0.0, 1.0)
                containers = [cand_of.get(next_key[n], ()) for n in groups[k] if n in next_key]
                sc: list[float] = []
                for j, c in enumerate(cands):
                    f = c.feature
                    cc = gz.country_code[f]
                    s = c.prior
                    if denom > 0 and cc:
                        share = (cc_weight[cc] - (w0 if cc == own_cc else 0.0)) / denom
                        s += W_COUNTRY * share
                    a1 = gz.admin1_code[f]
                    kind = int(gz.kind[f])
                    if a1 and kind != KIND_ADM1:
                        named = admin1_named.get(a1, 0.0)
                        if gz.admin1_code[f0] == a1:
                            # Discount this key's own vote for its region.
                            named = 0.0 if gz.kind[f0] == KIND_ADM1 else named
                        s += W_ADMIN1 * min(named, 1.0)
                    elif a1 and kind == KIND_ADM1:
                        # "Washington" is the state when Seattle and Spokane are the context.
                        own = w0 if gz.admin1_code[f0] == a1 and gz.kind[f0] != KIND_ADM1 \
                            else 0.0
                        s += W_INSIDE * min(inside.get(a1, 0.0) - own, 1.0)
                    if kind in (KIND_CITY, KIND_ADM2):
                        s += W_NEAR * float(near[j])
                    if containers and any(self._contains(cont, f) for cont in containers):
                        s += W_CONTAINER
                    if hint and cc == hint:
                        s += W_HINT
                    sc.append(s)
                scores[k] = sc
                best_j = int(np.argmax(sc))
                choice[k] = best_j
                conf[k] = _softmax_top(sc)

        out: list[Place] = []
        focus = self._focus(keys, cand_of, choice, conf, groups) if backoff else None
        for n, (s, e) in enumerate(spans):
            surf = surfaces[n]
            key = norm(_POSSESSIVE.sub("", surf.strip()))
            if key not in choice or (focus is not None and self._stray(
                    cand_of[key][choice[key]].feature, fuzzy_of[key], focus,
                    keys, cand_of, choice)):
                if focus is not None:
                    p = self._place(s, e, surf, focus, 0.1)
                    # Near the focus, not the focus itself: no geonameid to claim.
                    p.geonameid = None
                    p.geo_precision = 2
                    out.append(p)
                else:
                    out.append(Place(start=s, end=e, text=surf, score=0.0))
                continue
            c = cand_of[key][choice[key]]
            score = conf[key] * (0.7 if fuzzy_of[key] else 1.0)
            out.append(self._place(s, e, surf, c.feature, score))
        return out

    def resolve_name(self, name: str, *, context: list[str] | None = None,
                     lang: str | None = None, country_hint: str | None = None) -> Place:
        """Resolve one place name, optionally with other names from the same document."""
        names = [name, *(context or [])]
        text = ", ".join(names)
        spans, pos = [], 0
        for nm in names:
            spans.append((pos, pos + len(nm)))
            pos += len(nm) + 2
        # No backoff: a lone name must not borrow its neighbours' place.
        return self.resolve(text, spans, lang=lang, country_hint=country_hint,
                            backoff=False)[0]

    # ---- helpers ------------------------------------------------------------------------
    def _contains(self, container: tuple[_Cand, ...], f: int) -> bool:
        gz = self.gz
        for c in container:
            g = c.feature
            kind = int(gz.kind[g])
            # A state contains what lies in it, not itself: "Durango, Dgo." is the city.
            if kind == KIND_ADM1 and gz.admin1_code[g] and gz.admin1_code[g] == gz.admin1_code[f] \
                    and int(gz.kind[f]) != KIND_ADM1:
                return True
            if kind == KIND_COUNTRY and gz.country_code[g] == gz.country_code[f] and g != f:
                return True
            if (kind == KIND_ADM2 and int(gz.kind[f]) == KIND_CITY
                    and gz.admin2_name[f] == gz.name[g] and gz.admin1_code[f] == gz.admin1_code[g]):
                return True
        return False

    def _stray(self, f: int, fuzzy: bool, focus: int, keys: list[str],
               cand_of: dict[str, tuple[_Cand, ...]], choice: dict[str, int]) -> bool:
        """A weak reading far from the story: a near-miss spelling, or a small town
        abroad that nothing else in the document points to ("Chartres" in a New Orleans
        street list). Its span is more likely a street or building of the story's place."""
        gz = self.gz
        if int(gz.kind[f]) != KIND_CITY or f == focus:
            return False
        d = float(_haversine_km(float(gz.lat[focus]), float(gz.lon[focus]),
                                gz.lat[f:f + 1], gz.lon[f:f + 1])[0])
        if fuzzy:
            return d > NEAR_KM
        if d <= STRAY_KM or int(gz.population[f]) >= STRAY_POP:
            return False
        cc = gz.country_code[f]
        return sum(gz.country_code[cand_of[k][choice[k]].feature] == cc for k in keys) <= 1

    def _focus(self, keys: list[str], cand_of: dict[str, tuple[_Cand, ...]],
               choice: dict[str, int], conf: dict[str, float],
               groups: dict[str, list[int]]) -> int | None:
        """The document's main place: the resolved place that the others agree with most
        (near it, or naming its region or country), then the most mentioned and precise.

        Mentions alone pick outliers: a New Orleans story naming "Washington Square" twice
        must not back its streets off to Pennsylvania when Louisiana and Franklin agree."""
        gz = self.gz
        chosen = [(cand_of[k][choice[k]], len(groups[k]) * conf[k]) for k in keys]
        chosen = [(c.feature, w) for c, w in chosen if c.match != MATCH_DEMONYM]
        if not chosen:
            return None
        feats = np.array([f for f, _ in chosen], dtype=np.int64)
        weights = np.array([w for _, w in chosen])
        best: tuple[float, int] | None = None
        for f, w in chosen:
            kind = int(gz.kind[f])
            if kind == KIND_CONTINENT:
                continue
            d = _haversine_km(float(gz.lat[f]), float(gz.lon[f]), gz.lat[feats], gz.lon[feats])
            near = (d <= 100.0) & (gz.kind[feats] <= KIND_ADM2)
            same_a1 = np.array([gz.admin1_code[g] == gz.admin1_code[f] and gz.kind[g] == KIND_ADM1
                                for g in feats.tolist()])
            same_cc = np.array([gz.country_code[g] == gz.country_code[f]
                                and gz.kind[g] == KIND_COUNTRY for g in feats.tolist()])
            support = float(weights @ (near | same_a1 | same_cc)) - w
            # Towns first: a street backs off to its town, not to the whole state.
            score = FOCUS_SUPPORT * support + w + (0.5 if kind in (KIND_CITY, KIND_ADM2) else 0.0) \
                - (0.5 if kind == KIND_COUNTRY else 0.0)
            if best is None or score > best[0]:
                best = (score, f)
        return best[1] if best else None

    def _place(self, start: int, end: int, text: str, f: int, score: float) -> Place:
        gz = self.gz
        gid = int(gz.geonameid[f])
        kind = int(gz.kind[f])
        return Place(
            start=start, end=end, text=text,
            geonameid=gid if gid >= 0 else None,
            name=gz.name[f],
            lat=round(float(gz.lat[f]), 5), lon=round(float(gz.lon[f]), 5),
            country_code=gz.country_code[f] or None,
            admin1_code=gz.admin1_code[f] if kind != KIND_CONTINENT else None,
            admin2_name=gz.admin2_name[f],
            inegi_code=gz.inegi_code[f],
            feature_code=gz.feature_code[f],
            population=int(gz.population[f]) or None,
            geo_precision=PRECISION[kind],
            score=round(max(0.0, min(1.0, score)), 4),
        )


def _softmax_top(scores: list[float], temperature: float = 0.25) -> float:
    if len(scores) == 1:
        return 1.0
    a = np.asarray(scores) / temperature
    a = np.exp(a - a.max())
    return float(a.max() / a.sum())


@lru_cache(maxsize=4)
def _load_cached(path: str | None) -> Resolver:
    return Resolver(gzm.load(path))
