"""Build `src/corrobora/data/actors/bacrim_ocved.yaml` from BACRIM 2020 and OCVED 2.0.

    .venv/bin/python training/actors/build.py [--shared /work/shared] [--check]

Inputs (read-only, in the shared data folder, never committed):
- BACRIM 2020 (`data/mexico/prietocuriel_Recruitment_BACRIM2020/`): 150 groups active in
  2020 with their alliances and rivalries, compiled from open sources by CentroGeo, GeoInt
  and DataLab (CONACYT), via github:rafaelprietocuriel/Recruitment, which has no licence file.
- OCVED 2.0 (`data/mexico/ocved-2.0-silver/actors_and_locations.xlsx`, sheet "actors"):
  main organisations and the cells coded under them, 2000-2018; MIT licence, (c) 2023
  Javier Osorio.
We copy neither file: only group names (facts) with the node or row they come from, and
which groups BACRIM saw allied or rival in 2020 (no weights, states or other columns).

Rules (hand-curated `actors.yaml` wins on every conflict):
- a name that equals a hand entry's name or alias (accents, case, articles ignored) maps
  onto it: its name becomes an extra alias and the node goes into its `source`;
- BACRIM names are split on " o ", "/" and parentheses ("Los Tlacos (Cartel de la Sierra)");
  two nodes with the same core name ("Cártel de Los Tequileros", "Los Tequileros") are one;
- an alias that is a place in the gazetteer, a common Spanish word (seen in lower case in
  CoNLL-2002 es train), a nickname ("El Jardinero"), a person's name or an isolated word is
  *guarded*: kept, but matched only after a group cue (see extract/actors.py);
- OCVED cells coded under a main organisation become `cell_of` relations, as_of 2000/2018;
  OCVED labels that are persons or generic words are left out (listed below).
The run prints what it merged, guarded and dropped, so a reviewer can audit the choices.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from corrobora.extract.actors import (
    ActorRegistry,
    _strip_articles,
    load_files,
    normalize,
    slug,
)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src/corrobora/data/actors/bacrim_ocved.yaml"
SHARED = Path(os.environ.get("CORROBORA_SHARED", ROOT.parent / "shared"))
BACRIM_DIR = "data/mexico/prietocuriel_Recruitment_BACRIM2020"
OCVED_XLSX = "data/mexico/ocved-2.0-silver/actors_and_locations.xlsx"
CONLL_ES = "data/ner-dev/conll2002-es/esp.train"

# BACRIM labels whose alternatives need a reader's judgement.
BACRIM_NAMES = {
    "U o la UVA": ["La UVA"],
    "Juan L. (El Moco), líder huachicolero": ["Juan L. (El Moco)"],
    'La Reina del Sur, Cecilia “V"': ["La Reina del Sur"],
    "Célula liderada por Alfonso Arzate García, El Aquiles":
        ["Célula liderada por Alfonso Arzate García, El Aquiles", "El Aquiles"],
    "Los Dámasos/Fuerzas especiales Dámaso": ["Los Dámasos", "Fuerzas Especiales Dámaso"],
    "La Barredora 24/7": ["La Barredora 24/7"],
    "La Ronda 88 / Fabian R88": ["La Ronda 88", "Fabian R88"],
}
# Non-criminal armed actors in BACRIM (a guerrilla, ACLED inter 2; a community-police
# federation, ACLED inter 4): the registry has no actor type for them yet
# (tests/extract/test_mentions.py pins the five types), so they and their edges are left out.
BACRIM_SKIP = {"Ejército Revolucionario del Pueblo Insurgente (ERPI)",
               "Unión de Pueblos y Organizaciones del Estado de Guerrero (UPOEG)"}
# OCVED labels that are not groups: persons (design: persons come from reports, not lists),
# a generic word for fuel thieves, and its own catch-all rows.
OCVED_SKIP = {"El Chapo", "El Guero Palma", "Nacho Coronel", "Zambada", "La Barbie",
              "El Charro", "Huachicoleros", "Individual", "Unidentified Criminal Group",
              "Criminal", "Drugtrafficker", "Hitman", "Key operator", "Leader", "Cartel member",
              "Other"}
# OCVED labels that name a group the registry spells otherwise.
OCVED_SAME = {"Beltran Leyva": "beltran-leyva", "Arellano Felix": "tijuana-cartel",
              "Union Tepio": "union-tepito"}  # "Tepio": a typo for Tepito in the codebook

_CORE_PREFIX = re.compile(r"^(?:cartel(?:es)?\s+(?:de\s+|del\s+)?)?(?:(?:el|la|los|las)\s+)?")


def core(name: str) -> str:
    """'Cártel de Los Tequileros' and 'Los Tequileros' -> 'tequileros' (merge key only)."""
    return _CORE_PREFIX.sub("", normalize(name)).strip()


def split_names(label: str) -> list[str]:
    if label in BACRIM_NAMES:
        return BACRIM_NAMES[label]
    label = label.strip()
    parts: list[str] = []
    m = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", label)
    if m:
        parts += [m.group(1), m.group(2)]
        label = m.group(1)
    for piece in re.split(r"\s*/\s*|\s+o\s+(?=[A-ZÁÉÍÓÚÑ])", label):
        parts.append(piece)
    out = [label] if label not in parts else []
    out += parts
    return [p.strip() for p in dict.fromkeys(out) if p.strip()]


def read_xlsx_sheet(path: Path, sheet: int = 1) -> list[list[str]]:
    """Rows of one sheet, as strings (the standard library reads xlsx: no dependency)."""
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ns = {"m": main_ns}
    t = f"{{{main_ns}}}t"
    with zipfile.ZipFile(path) as z:
        strings = ["".join(x.text or "" for x in si.iter(t))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        root = ET.fromstring(z.read(f"xl/worksheets/sheet{sheet}.xml"))
    rows = []
    for row in root.iter(f"{{{main_ns}}}row"):
        vals = []
        for c in row.findall("m:c", ns):
            v = c.find("m:v", ns)
            if c.get("t") == "s" and v is not None:
                vals.append(strings[int(v.text or 0)])
            elif v is not None:
                vals.append(v.text or "")
            else:
                vals.append("".join(x.text or "" for x in c.iter(t)))
        rows.append(vals)
    return rows


class Guard:
    """Why an alias must not match on its own, or None."""

    def __init__(self, shared: Path) -> None:
        from corrobora.geo.gazetteer import load

        self.gaz = load()
        self.common: set[str] = set()
        conll = shared / CONLL_ES
        if conll.is_file():
            with open(conll, encoding="latin-1") as fh:
                for line in fh:
                    w = line.split(" ", 1)[0]
                    if w.isalpha() and w.islower():
                        self.common.add(normalize(w))
        else:
            print(f"warning: {conll} missing; common-word guard off", file=sys.stderr)

    def reason(self, alias: str) -> str | None:
        norm = normalize(alias)
        bare = _strip_articles(norm)
        words = bare.split()
        if self.gaz.lookup(norm) or self.gaz.lookup(bare):
            return "place"
        if alias.isupper() or re.fullmatch(r"[A-Z0-9]{2,}", alias.replace(" ", "")):
            return "short acronym" if len(bare.replace(" ", "")) <= 2 else None
        if len(words) == 1 and words[0] in self.common:
            return "common word"
        if len(words) == 1:
            # "Los Halcones", "Los Pumas", "Robles": a plural noun, a team, a surname or a
            # nationality as often as a group; CoNLL's vocabulary is too small to tell.
            return "single word"
        if re.match(r"^(el|la)\s", norm) and len(words) <= 3 and not re.search(
                r"\b(cartel|familia|union|linea|barredora|anti)\b", norm):
            return "nickname"  # "El Jardinero", "La Guera": persons' nicknames in news
        if "," in alias or re.match(r"^(juan|pedro|lenin|paco|francisco)\b", norm):
            return "person's name"
        return None


def build(shared: Path) -> tuple[dict[str, object], list[str]]:
    hand_actors, _ = load_files(("actors.yaml",))
    hand = ActorRegistry(hand_actors)
    hand_index: dict[str, str] = {}
    for a in hand_actors:
        for al in (a.name, *a.aliases):
            hand_index.setdefault(_strip_articles(normalize(al)), a.actor_id)
    guard = Guard(shared)
    log: list[str] = []

    new: dict[str, dict[str, object]] = {}
    extend: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"aliases": [], "source": []})
    by_core: dict[str, str] = {}
    node_actor: dict[str, str] = {}

    def known_names(aid: str) -> set[str]:
        if aid in new:
            return {_strip_articles(normalize(x)) for x in new[aid]["aliases"]}  # type: ignore[union-attr]
        a = hand.get(aid)
        assert a is not None
        return {_strip_articles(normalize(x)) for x in (a.name, *a.aliases)} | {
            _strip_articles(normalize(x)) for x in extend[aid]["aliases"]}

    def attach(aid: str, names: list[str], source: str) -> None:
        have = known_names(aid)
        for n in names:
            if _strip_articles(normalize(n)) in have:
                continue
            have.add(_strip_articles(normalize(n)))
            if aid in new:
                new[aid]["aliases"].append(n)  # type: ignore[union-attr]
            else:
                extend[aid]["aliases"].append(n)
        sources = new[aid]["source"] if aid in new else extend[aid]["source"]
        hand_src = "" if aid in new else hand.get(aid).source  # type: ignore[union-attr]
        if source not in sources and source not in hand_src:  # type: ignore[operator]
            sources.append(source)  # type: ignore[union-attr]

    def resolve(names: list[str], any_name: bool = False) -> str | None:
        for n in names:
            hit = hand_index.get(_strip_articles(normalize(n)))
            if hit:
                return hit
        if any_name:  # OCVED "Artistas Asesinos" is BACRIM's "Los Artistas Asesinos o Doble A"
            for aid, row in new.items():
                if _strip_articles(normalize(names[0])) in {
                        _strip_articles(normalize(x)) for x in row["aliases"]}:  # type: ignore[union-attr]
                    return aid
        return by_core.get(core(names[0]))

    def create(name: str, names: list[str], source: str, kind: tuple[str, int]) -> str:
        aid = slug(name)
        while aid in new or hand.get(aid):
            aid += "-2"
        new[aid] = {"id": aid, "name": name, "type": kind[0], "inter": kind[1],
                    "aliases": list(dict.fromkeys(names)), "source": [source]}
        # Only the full label: "Los Durangos" is not "Durangos/Cazadores" (other state).
        by_core.setdefault(core(name), aid)
        return aid

    # -- BACRIM nodes ----------------------------------------------------------------
    bdir = shared / BACRIM_DIR
    with open(bdir / "BACRIM2020_Nodes.csv", encoding="utf-8-sig") as fh:
        nodes = list(csv.DictReader(fh))
    for row in nodes:
        label = row["Group"].strip()
        if label in BACRIM_SKIP:
            log.append(f"skip   BACRIM {label!r} (not a criminal group)")
            continue
        names = split_names(label)
        src = f'BACRIM 2020 node "{label}"'
        aid = resolve(names)
        if aid:
            log.append(f"merge  BACRIM {label!r} -> {aid}")
            attach(aid, names, src)
        else:
            aid = create(names[0], names, src, ("criminal_group", 3))
        node_actor[row["Node"]] = aid

    # -- OCVED actors ----------------------------------------------------------------
    rows = read_xlsx_sheet(shared / OCVED_XLSX)
    cells: list[tuple[str, str, str, str]] = []
    for main, sub in (r[:2] for r in rows[1:] if len(r) >= 2):
        ids = []
        for label in (main, sub):
            if label in OCVED_SKIP:
                ids.append(None)
                continue
            src = f'OCVED 2.0 actor "{label}"'
            aid = OCVED_SAME.get(label) or resolve([label], any_name=True)
            if aid:
                # OCVED_SAME labels are a typo or a family name: never aliases.
                attach(aid, [] if label in OCVED_SAME else [label], src)
                log.append(f"merge  OCVED {label!r} -> {aid}")
            else:
                aid = create(label, [label], src, ("criminal_group", 3))
            ids.append(aid)
        if ids[0] and ids[1] and ids[0] != ids[1]:
            cells.append((ids[1], ids[0], sub, main))

    # -- guards ----------------------------------------------------------------------
    guarded_n = 0
    for aid, row in new.items():
        g = []
        for al in row["aliases"]:  # type: ignore[union-attr]
            why = guard.reason(al)
            if why:
                g.append(al)
                log.append(f"guard  {al!r} ({why}) of {aid}")
        guarded_n += len(g)
        if g:
            row["guarded"] = g
            row["aliases"] = [a for a in row["aliases"] if a not in g]  # type: ignore[union-attr]
    for aid, ext in extend.items():
        g = [al for al in ext["aliases"] if guard.reason(al)]
        for al in g:
            log.append(f"guard  {al!r} ({guard.reason(al)}) of {aid}")
        ext["guarded"] = g
        ext["aliases"] = [a for a in ext["aliases"] if a not in g]

    # -- relations -------------------------------------------------------------------
    relations: dict[tuple[str, str, str], dict[str, object]] = {}
    for kind, fname in (("alliance", "BACRIM2020_Alliances.csv"),
                        ("rivalry", "BACRIM2020_Rivals.csv")):
        with open(bdir / fname, encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                a, b = node_actor.get(r["Node"]), node_actor.get(r["RNode"])
                if a is None or b is None or a == b:
                    continue
                s, t = sorted((a, b))
                key = (kind, s, t)
                ev = f'BACRIM 2020 {kind}: "{r["Group"].strip()}" - "{r["RGroup"].strip()}"'
                rel = relations.setdefault(key, {"type": kind, "source": s, "target": t,
                                                 "as_of": "2020", "evidence": []})
                pair_ev = {e for e in rel["evidence"]}  # type: ignore[union-attr]
                rev = f'BACRIM 2020 {kind}: "{r["RGroup"].strip()}" - "{r["Group"].strip()}"'
                if ev not in pair_ev and rev not in pair_ev:
                    rel["evidence"].append(ev)  # type: ignore[union-attr]
    for sub_id, main_id, sub, main in cells:
        key = ("cell_of", sub_id, main_id)
        rel = relations.setdefault(key, {"type": "cell_of", "source": sub_id,
                                         "target": main_id, "as_of": "2000/2018",
                                         "evidence": []})
        rel["evidence"].append(  # type: ignore[union-attr]
            f'OCVED 2.0 codebook: "{sub}" under main organization "{main}"')

    out_actors = []
    for row in new.values():
        row = dict(row)
        row["source"] = "; ".join(row["source"])  # type: ignore[arg-type]
        out_actors.append(row)
    out_ext = [{"id": aid, "aliases": e["aliases"], "guarded": e["guarded"],
                "source": "; ".join(e["source"])} for aid, e in extend.items()]
    for e in out_ext:
        for k in ("aliases", "guarded"):
            if not e[k]:
                del e[k]
    data = {"extend": out_ext, "actors": out_actors,
            "relations": sorted(relations.values(),
                                key=lambda r: (r["type"], r["source"], r["target"]))}
    return data, log


HEADER = """\
# GENERATED by training/actors/build.py from BACRIM 2020 and OCVED 2.0: do not edit by hand
# (edit actors.yaml, which wins on every conflict, or the build script, and re-run it).
#
# BACRIM 2020: group names, alliances and rivalries active in 2020, compiled from open
# sources by CentroGeo, GeoInt and DataLab (CONACYT), https://ppdata.politicadedrogas.org/,
# via github:rafaelprietocuriel/Recruitment@a1db30c (no licence file). OCVED 2.0: Osorio and
# Beltrán (2020), actors_and_locations.xlsx, MIT licence (c) 2023 Javier Osorio.
# Only names (facts) and relations are kept, each with the node or row it comes from.
#
# extend: more names and sources for actors of actors.yaml. guarded: names matched only
# after a group cue (a place, a common word, a nickname). Relations: as_of is the snapshot
# that observed them (BACRIM 2020; OCVED coded 2000-2018), not their start or end.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="fail if the output is out of date")
    ap.add_argument("-v", "--verbose", action="store_true", help="print merges and guards")
    args = ap.parse_args()
    data, log = build(args.shared)
    text = HEADER + "\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    if args.verbose:
        print("\n".join(log))
    n_rel: dict[str, int] = defaultdict(int)
    for r in data["relations"]:  # type: ignore[union-attr]
        n_rel[r["type"]] += 1
    print(f"{len(data['extend'])} hand actors extended, {len(data['actors'])} new actors, "  # type: ignore[arg-type]
          f"relations {dict(n_rel)}, {sum(1 for x in log if x.startswith('guard'))} guarded")
    if args.check:
        if not args.out.is_file() or args.out.read_text("utf-8") != text:
            sys.exit(f"{args.out} is out of date: run training/actors/build.py")
        return
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
