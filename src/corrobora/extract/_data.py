"""Loading the YAML lexicons and matching their phrases against tokens."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token
from unidecode import unidecode


@cache
def load_yaml(name: str) -> Any:
    """A YAML file of data/ontology/ (or another data/ subfolder: `actors/actors.yaml`)."""
    path = name if "/" in name else f"ontology/{name}"
    return yaml.safe_load(resources.files("corrobora").joinpath("data", path).read_text("utf-8"))


def lex(name: str, section: str, lang: str) -> Any:
    """`section` of a lexicon for `lang`, falling back to English for other languages."""
    data = load_yaml(name)[section]
    return data.get(lang) or data.get("es" if lang in ("pt", "gl", "ca", "it", "fr") else "en")


def fold(text: str) -> str:
    return unidecode(text).lower()


def token_keys(tok: Token) -> set[str]:
    """Forms a lexicon entry may use for a token: surface and lemma, accent-folded."""
    return {fold(tok.text), fold(tok.lemma_)}


@lru_cache(maxsize=4096)
def _split(phrase: str) -> tuple[str, ...]:
    return tuple(fold(phrase).replace("-", " - ").split())


def find_phrases(tokens: Doc | Span, phrases: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(start token, end token, phrase) for each phrase occurrence; a word matches a token's
    text or lemma (accent- and case-insensitive)."""
    seqs = [(p, _split(p)) for p in phrases]
    toks = list(tokens)
    keys = [token_keys(t) for t in toks]
    for i in range(len(toks)):
        for phrase, seq in seqs:
            n = len(seq)
            if n and i + n <= len(toks) and all(seq[k] in keys[i + k] for k in range(n)):
                yield toks[i].i, toks[i + n - 1].i + 1, phrase
