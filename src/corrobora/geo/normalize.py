"""Name normalisation shared by the gazetteer build and the resolver."""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

_DROP = re.compile(r"[.\u2019'`´]")  # "U.S." -> "us", "Xi'an" -> "xian"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=200_000)
def norm(name: str) -> str:
    """Accent-, case- and punctuation-insensitive key: 'Michoacán' -> 'michoacan'."""
    s = (name if name.isascii() else unidecode(name)).lower()
    s = _DROP.sub("", s)
    return _NON_ALNUM.sub(" ", s).strip()


def is_latin(name: str) -> bool:
    """True for Latin-script names (other scripts only add noise to an English/Spanish index)."""
    if name.isascii():
        return True
    for ch in name:
        o = ord(ch)
        if o < 0x250 or 0x1E00 <= o <= 0x1EFF or ch in "\u2019\u2018":
            continue
        return False
    return True
