"""The source registry: who reports, how reliable they have been (Admiralty A-F), what kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from unidecode import unidecode


def _key(name: str) -> str:
    words = unidecode(name).casefold().split()
    # Leading articles and a dangling preposition go: "the Justice Department", and the
    # "Departamento de Justicia de" a name cut before its place becomes.
    while words and words[0] in ("the", "el", "la", "los", "las"):
        words = words[1:]
    while len(words) > 1 and words[-1] in ("de", "del", "of", "the"):
        words = words[:-1]
    return " ".join(words)


@dataclass(slots=True, frozen=True)
class Source:
    name: str
    kind: str | None
    reliability: str
    country: str | None

    def row(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "reliability": self.reliability,
                "country": self.country}


class SourceRegistry:
    def __init__(self, sources: list[Source], aliases: dict[str, Source]) -> None:
        self.sources = sources
        self._by_key = aliases

    @classmethod
    def from_yaml(cls, text: str) -> SourceRegistry:
        sources, aliases = [], {}
        for entry in yaml.safe_load(text) or []:
            src = Source(entry["name"], entry.get("kind"), entry.get("reliability", "F"),
                         entry.get("country"))
            sources.append(src)
            for alias in [src.name, *entry.get("aliases", [])]:
                aliases[_key(alias)] = src
        return cls(sources, aliases)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls, path: Path | None = None) -> SourceRegistry:
        text = (path.read_text(encoding="utf-8") if path else
                (resources.files("corrobora") / "data" / "sources.yaml").read_text("utf-8"))
        return cls.from_yaml(text)

    def get(self, name: str | None) -> Source | None:
        return self._by_key.get(_key(name)) if name else None

    def canonical(self, name: str) -> str:
        """The registry's name for a source ("NYT" -> "The New York Times"), else as given."""
        src = self.get(name)
        return src.name if src else name.strip()

    def grade(self, name: str | None) -> str:
        src = self.get(name)
        return src.reliability if src else "F"

    def row_for(self, name: str) -> dict[str, object]:
        src = self.get(name)
        if src is not None and src.name == name:
            return src.row()
        return {"name": name, "kind": None, "reliability": "F", "country": None}
