"""Fragmentation: per region and period, how many criminal groups are active, how
concentrated the activity is among them, and which group names are new.

Sources: the store's events (every event type: an event counts for each criminal group its
reports name, registry group or candidate) or OCVED presence (`--ocved FILE`: one row per
group, municipality and day; the group is the cell or faction OCVED names, else the
organization; a person named stands for the organization).

Numbers, per region and period:
- `groups`: distinct groups active;
- `hhi`: Herfindahl-Hirschman index, the sum of squared shares of each group in the
  region-period's group-events (1 = one group; 1/n = n equal groups), and `effective_groups`
  = 1/hhi (Laakso-Taagepera). Assumes events (or OCVED rows) measure activity: a group
  reported more often looks bigger;
- `new_groups`: groups active here for the first time in the data (any region), with the
  registry's splinter-of and faction-of relations where it knows them, and candidates
  (names the registry does not know) flagged. New names are the visible sign of splits.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(slots=True)
class Cell:
    region: str
    period: date
    events: int
    groups: int
    hhi: float
    top_group: str
    top_share: float
    new_groups: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)

    @property
    def effective_groups(self) -> float:
        return 1.0 / self.hhi if self.hhi else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"region": self.region, "period": self.period.isoformat(),
                "events": self.events, "groups": self.groups, "hhi": round(self.hhi, 4),
                "effective_groups": round(self.effective_groups, 2),
                "top_group": self.top_group, "top_share": round(self.top_share, 3),
                "new_groups": self.new_groups, "relations": self.relations}


@dataclass(slots=True)
class Fragmentation:
    cells: list[Cell]
    period: str
    source: str
    names: dict[str, str]

    def to_contract(self) -> dict[str, object]:
        return {"period": self.period, "source": self.source,
                "method": "groups = distinct groups active; hhi = sum of squared group "
                          "shares of group-events; effective_groups = 1/hhi; new_groups = "
                          "first appearance anywhere in the data",
                "cells": [c.to_dict() for c in self.cells]}


def truncate(d: date, period: str) -> date:
    if period == "year":
        return date(d.year, 1, 1)
    if period == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return date(d.year, d.month, 1)


def compute(activity: list[tuple[date, str, str, int]], names: dict[str, str], period: str,
            source: str, relations: dict[str, list[str]] | None = None,
            candidates: set[str] | None = None) -> Fragmentation:
    """From (period, region, group key, events) rows: one Cell per region and period."""
    relations = relations or {}
    candidates = candidates or set()
    first_seen: dict[str, date] = {}
    table: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p, region, group, n in activity:
        table[(region, p)][group] += n
        if group not in first_seen or p < first_seen[group]:
            first_seen[group] = p
    data_start = min(first_seen.values()) if first_seen else None
    cells = []
    for (region, p), counts in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        total = sum(counts.values())
        shares = {g: n / total for g, n in counts.items()}
        top = max(shares, key=lambda g: (shares[g], g))
        # Groups in the data's first period are not "new": the data just begins there.
        new = sorted(g for g in counts if first_seen[g] == p and p != data_start)
        rel = [r for g in new for r in relations.get(g, [])]
        label = [names.get(g, g) + (" (candidate)" if g in candidates else "") for g in new]
        cells.append(Cell(region, p, total, len(counts), sum(s * s for s in shares.values()),
                          names.get(top, top), shares[top], label, rel))
    return Fragmentation(cells, period, source, names)


def from_store(store, period: str = "year", level: str = "admin1") -> Fragmentation:
    rows = store.group_activity(period, level)
    names = {r["actor_id"]: r["name"] for r in rows}
    candidates = {r["actor_id"] for r in rows if r["status"] == "candidate"}
    activity = [(r["period"], r["region"], r["actor_id"], int(r["events"])) for r in rows]
    return compute(activity, names, period, f"{store.path} (events naming criminal groups)",
                   _registry_relations(names), candidates)


def _registry_relations(names: dict[str, str]) -> dict[str, list[str]]:
    """'X splinter of Y' / 'X faction of Y' for groups the registry relates."""
    from corrobora.extract.actors import ActorRegistry

    reg = ActorRegistry.load()
    out: dict[str, list[str]] = {}
    for key in names:
        actor = reg.get(key)
        if actor is None:
            continue
        for kind in ("splinter_of", "faction_of"):
            target = actor.relations.get(kind)
            if target:
                parent = reg.get(target)
                out.setdefault(key, []).append(
                    f"{actor.name} {kind.replace('_', ' ')} {parent.name if parent else target}")
    return out


def from_ocved(path: str | Path, period: str = "year", level: str = "admin1") -> Fragmentation:
    """OCVED presence rows (group, municipality, day) without a store."""
    from corrobora.extract.actors import ActorRegistry
    from corrobora.imports import ocved
    from corrobora.imports.base import RowError
    from corrobora.imports.mapping import MX_STATES

    reg = ActorRegistry.load()
    path = Path(path)
    counts: dict[tuple[date, str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    for _line, row in ocved.rows(path):
        try:
            day = ocved.parse_day(row.get("date", ""))
        except RowError:
            continue  # the import names these rows; the shares do not need them
        mun = (row.get("mun") or "").split(".")[0].zfill(5)
        region = MX_STATES.get(mun[:2]) if level == "admin1" else mun
        main, sub = ocved.group_names(row.get("actor_main", ""), row.get("actor_sub", ""))
        # The cell or faction where OCVED names one (splits show there: Caballeros
        # Templarios under La Familia Michoacana), else the organization; a person named
        # as the sub-actor stands for the organization.
        group = sub or main
        actor = reg.match(group) if group else None
        if actor is not None and actor.type == "person":
            group = main
            actor = reg.match(main) if main else None
        if not region or not group:
            continue
        key = actor.actor_id if actor else "ocved:" + group
        names.setdefault(key, actor.name if actor else group)
        counts[(truncate(day, period), region, key)] += 1
    activity = [(p, r, g, n) for (p, r, g), n in counts.items()]
    return compute(activity, names, period, f"{path.name} (OCVED presence rows)",
                   _registry_relations(names))


def write_outputs(result: Fragmentation, stem, regions: list[str] | None = None) -> list[Path]:
    from corrobora.analyze.figures import save, stem_of

    stem = stem_of(stem)
    paths = save(draw(result, regions), stem)
    csv_path = stem.with_suffix(".csv")
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "period", "events", "groups", "hhi", "effective_groups",
                    "top_group", "top_share", "new_groups", "relations"])
        for c in result.cells:
            d = c.to_dict()
            w.writerow([d["region"], d["period"], d["events"], d["groups"], d["hhi"],
                        d["effective_groups"], d["top_group"], d["top_share"],
                        "; ".join(c.new_groups), "; ".join(c.relations)])
    json_path = stem.with_suffix(".json")
    json_path.write_text(json.dumps(result.to_contract(), ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    return [*paths, csv_path, json_path]


def draw(result: Fragmentation, regions: list[str] | None = None, n: int = 6):
    from corrobora.analyze.figures import pyplot

    plt = pyplot()
    volume: dict[str, int] = defaultdict(int)
    for c in result.cells:
        volume[c.region] += c.events
    shown = regions or sorted(volume, key=lambda r: -volume[r])[:n]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True,
                                      layout="constrained")
    for region in shown:
        cells = sorted((c for c in result.cells if c.region == region), key=lambda c: c.period)
        if not cells:
            continue
        x = [c.period for c in cells]
        line, = top.plot(x, [c.groups for c in cells], marker="o", markersize=3,
                         linewidth=1.3, label=region)
        bottom.plot(x, [c.hhi for c in cells], marker="o", markersize=3, linewidth=1.3,
                    color=line.get_color())
    top.set_ylabel("active groups")
    bottom.set_ylabel("concentration (HHI)")
    bottom.set_ylim(0, 1.05)
    top.set_ylim(bottom=0)
    for ax in (top, bottom):
        ax.grid(axis="y", alpha=0.3)
    top.legend(fontsize=8, frameon=False, ncol=min(len(shown), 6), loc="upper left")
    top.set_title(f"Fragmentation by {result.period}: active criminal groups and their "
                  "concentration (1 = one group)", fontsize=11)
    fig.text(0.01, -0.02, f"Source: {result.source}. HHI = sum of squared shares of "
             "group-events; fewer groups and higher HHI = more concentrated.", fontsize=7,
             color="#555555")
    return fig
