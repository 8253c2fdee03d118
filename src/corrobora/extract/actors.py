"""The actor registry: canonical groups, forces and named persons with their aliases.

Matching is accent-, case- and word-order-insensitive (rapidfuzz token_sort_ratio over
unidecoded text), with exact matching only for short aliases, where a fuzzy match is noise
("CDN" must not match "CDG").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from unidecode import unidecode

ACTOR_TYPES = ("criminal_group", "state_force", "government", "person", "media")
_SHORT = 5  # aliases shorter than this match exactly only
_THRESHOLD = 92.0
_ARTICLES = {"the", "el", "la", "los", "las"}


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced."""
    text = unidecode(text).lower()
    text = re.sub(r"[\"'“”‘’`´]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _strip_articles(norm: str, articles: frozenset[str] | set[str] = _ARTICLES) -> str:
    words = norm.split()
    while len(words) > 1 and words[0] in articles:
        words = words[1:]
    return " ".join(words)


@dataclass(slots=True, frozen=True)
class Actor:
    actor_id: str
    name: str
    type: str
    inter: int | None
    aliases: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    source: str = ""
    relations: dict[str, str] = field(default_factory=dict)
    """faction_of, splinter_of, leader_of, official_of: target actor_id."""

    @property
    def ner_label(self) -> str:
        return "PER" if self.type == "person" else "ORG"

    @property
    def leader_of(self) -> str | None:
        return self.relations.get("leader_of")


class ActorRegistry:
    def __init__(self, actors: list[Actor]) -> None:
        self.actors = {a.actor_id: a for a in actors}
        self._alias: dict[str, str] = {}
        self._mention: dict[str, str] = {}
        for a in actors:
            for alias in (a.name, *a.aliases):
                # Only "the" is dropped from aliases: "El Mayo" without "El" is the month.
                for key in {normalize(alias), _strip_articles(normalize(alias), {"the"})}:
                    self._alias.setdefault(key, a.actor_id)
            for m in a.mentions:
                self._mention.setdefault(normalize(m), a.actor_id)
        self._fuzzy_keys = [k for k in self._alias if len(k) >= _SHORT]

    @classmethod
    def load(cls, path: str | None = None) -> ActorRegistry:
        if path is None:
            return _default_registry()
        with open(path, encoding="utf-8") as fh:
            return cls(_parse(yaml.safe_load(fh)))

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def match(self, text: str) -> Actor | None:
        """The actor a proper-name mention refers to, or None."""
        full = normalize(text)
        norm = _strip_articles(full)
        if not norm:
            return None
        hit = self._alias.get(full) or self._alias.get(norm)
        if hit:
            return self.actors[hit]
        if len(norm) < _SHORT:
            return None
        best = process.extractOne(norm, self._fuzzy_keys, scorer=fuzz.token_sort_ratio,
                                  score_cutoff=_THRESHOLD)
        return self.actors[self._alias[best[0]]] if best else None

    def match_mention(self, text: str) -> Actor | None:
        """The actor a common-noun reference ("security forces", "la Marina") points to."""
        return self.actors.get(self._mention.get(normalize(text), ""))

    def alias_strings(self) -> list[tuple[str, str]]:
        """(alias, actor_id) pairs, for building phrase matchers."""
        return [(al, a.actor_id) for a in self.actors.values() for al in (a.name, *a.aliases)]

    def mention_strings(self) -> list[tuple[str, str]]:
        return [(m, a.actor_id) for a in self.actors.values() for m in a.mentions]


def _parse(data: dict[str, Any]) -> list[Actor]:
    out = []
    for row in data["actors"]:
        if row["type"] not in ACTOR_TYPES:
            raise ValueError(f"actor {row['id']}: unknown type {row['type']!r}")
        rel = {k: row[k] for k in ("faction_of", "splinter_of", "leader_of", "official_of")
               if row.get(k)}
        out.append(Actor(actor_id=row["id"], name=row["name"], type=row["type"],
                         inter=row.get("inter"), aliases=tuple(row.get("aliases") or ()),
                         mentions=tuple(row.get("mentions") or ()),
                         source=row.get("source", ""), relations=rel))
    return out


@lru_cache(maxsize=1)
def _default_registry() -> ActorRegistry:
    text = resources.files("corrobora").joinpath("data/actors/actors.yaml").read_text("utf-8")
    return ActorRegistry(_parse(yaml.safe_load(text)))
