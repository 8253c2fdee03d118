"""Removing website chrome (cookie banners, menus, share lines) from copied text.

The patterns are data: `corrobora/data/boilerplate.yaml`. Only whole, short lines are removed,
so sentences inside a paragraph are never cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


@dataclass(frozen=True, slots=True)
class _Rules:
    short: re.Pattern[str] | None
    long: re.Pattern[str] | None
    max_words: int
    long_max_words: int
    long_keywords: tuple[str, ...]


@cache
def _config() -> dict[str, Any]:
    path = resources.files("corrobora") / "data" / "boilerplate.yaml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping")
    return loaded


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@cache
def _rules(lang: str | None) -> _Rules:
    config = _config()
    languages = [k for k, v in config.items() if isinstance(v, dict) and k != "any"]
    # Unknown language: every section applies.
    chosen = ["any", *([lang] if lang in languages else languages)]
    short: list[str] = []
    long: list[str] = []
    for section in chosen:
        short += config[section].get("short") or []
        long += config[section].get("long") or []
    return _Rules(
        _alternation(short),
        _alternation(long),
        int(config.get("max_words", 16)),
        int(config.get("long_max_words", 80)),
        tuple(str(k).lower() for k in config.get("long_keywords") or ()),
    )


def is_boilerplate_line(line: str, lang: str | None = None) -> bool:
    """Whether one line (as a whole) is website chrome."""
    rules = _rules(lang)
    folded = " ".join(line.split())
    if not folded:
        return False
    words = folded.count(" ") + 1
    if words <= rules.max_words and rules.short and rules.short.fullmatch(folded):
        return True
    if words > rules.long_max_words or rules.long is None:
        return False
    if rules.long_keywords:
        lowered = folded.lower()
        if not any(k in lowered for k in rules.long_keywords):
            return False
    return bool(rules.long.search(folded))


def strip_boilerplate(text: str, lang: str | None = None) -> str:
    """The text without chrome lines; blank-line runs left behind are folded to one.

    `lang` ("en", "es") narrows the patterns to that language; None applies all of them.
    """
    lang = lang.lower()[:2] if lang else None
    kept = [line for line in text.split("\n") if not is_boilerplate_line(line, lang)]
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
