"""Removing website chrome (cookie banners, menus, share lines) from copied text.

The patterns are data: `corrobora/data/boilerplate.yaml`. Only whole, short lines are removed,
so sentences inside a paragraph are never cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
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


_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.)])\s")


def unwrap(text: str) -> str:
    """Hard-wrapped paragraphs joined back into long lines ("... in Culiacán,\nSinaloa, on
    Tuesday" from a text file wrapped at 72 columns), so that line-based steps (NER, the
    sentence cut at line breaks) see whole sentences. A line break is a wrap when the next
    line's first word would have fitted on the line within the paragraph's width (its longest
    line, 40 to 100 characters), in paragraphs of three lines or more where most breaks are
    wraps; list items, lines ending in ":" and short deliberate lines stay as they are."""
    out = []
    for para in text.split("\n\n"):
        lines = para.split("\n")
        width = max(len(line) for line in lines)
        if len(lines) < 3 or not 40 <= width <= 100:
            out.append(para)
            continue
        wraps = [_is_wrap(a, b, width) for a, b in pairwise(lines)]
        if sum(wraps) * 3 < len(wraps) * 2:
            out.append(para)
            continue
        joined = lines[0]
        for line, wrap in zip(lines[1:], wraps, strict=True):
            joined += (" " + line.lstrip()) if wrap else ("\n" + line)
        out.append(joined)
    return "\n\n".join(out)


def _is_wrap(line: str, nxt: str, width: int) -> bool:
    first = nxt.split(maxsplit=1)[0] if nxt.strip() else ""
    return bool(first) and not _LIST_ITEM.match(nxt) and not line.rstrip().endswith(":") \
        and len(line.rstrip()) + 1 + len(first) > width
