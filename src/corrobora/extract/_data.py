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


@cache
def actor_nouns(lang: str) -> tuple[dict[str, int], dict[str, int]]:
    """(single words, multi-word phrases) -> ACLED inter code, from cues.yaml `actor_nouns`."""
    words: dict[str, int] = {}
    phrases: dict[str, int] = {}
    for code, nouns in lex("cues.yaml", "actor_nouns", lang).items():
        for n in nouns:
            (phrases if " " in n else words)[fold(n)] = int(code)
    return words, phrases


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    return unidecode(text).lower()


def token_keys(tok: Token) -> set[str]:
    """Forms a lexicon entry may use for a token: surface and lemma, accent-folded."""
    return doc_keys(tok.doc)[tok.i]


def doc_keys(doc: Doc) -> list[set[str]]:
    """token_keys of every token, computed once per parsed document (kept in user_data)."""
    keys = doc.user_data.get("corrobora_keys")
    if keys is None:
        keys = [{fold(t.text), fold(t.lemma_)} for t in doc]
        if doc.lang_ == "es":
            preterites = _unaccented_preterites()
            for k, t in zip(keys, doc, strict=True):
                if (verb := preterites.get(fold(t.text))) is not None:
                    k.add(verb)
        doc.user_data["corrobora_keys"] = keys
    return keys


@cache
def _unaccented_preterites() -> dict[str, str]:
    """Third-person preterite without its accent -> infinitive, for the verbs of the Spanish
    lexicons. Text written without accents (official releases often are) turns "aseguró" into
    "aseguro", which the tagger reads as an adjective or a first person and lemmatises as
    itself, so no lexicon verb would match it."""
    out: dict[str, str] = {}
    for verb in _spanish_verbs():
        stem, end = verb[:-2], verb[-2:]
        if end == "ar":
            out[stem + "o"] = verb
        elif stem[-1] in "aeiou" and not stem.endswith(("gu", "qu")):
            out[stem + "yo"] = verb  # destruir -> destruyó, leer -> leyó
        else:
            out[stem + "io"] = verb
            if end == "ir":  # stem-changing -ir verbs: herir -> hirió, morir -> murió
                vowel = max(stem.rfind("e"), stem.rfind("o"))
                if vowel >= 0:
                    changed = stem[:vowel] + ("i" if stem[vowel] == "e" else "u")
                    out[changed + stem[vowel + 1:] + "io"] = verb
    return out


def _spanish_verbs() -> set[str]:
    """Infinitives (single words in -ar/-er/-ir) in the Spanish sections of the lexicons."""
    found: set[str] = set()

    def walk(node: Any, spanish: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, spanish or key == "es")
        elif isinstance(node, list):
            for item in node:
                walk(item, spanish)
        elif spanish and isinstance(node, str):
            for part in node.split("..."):
                word = fold(part.strip())
                if " " not in word and len(word) > 4 and word[-2:] in ("ar", "er", "ir"):
                    found.add(word)

    for name in ("event_types.yaml", "inventory.yaml", "cues.yaml", "lexicon.yaml"):
        walk(load_yaml(name), False)
    return found


@lru_cache(maxsize=4096)
def _split(phrase: str) -> tuple[str, ...]:
    return tuple(fold(phrase).replace("-", " - ").split())


@lru_cache(maxsize=1024)
def _by_first_word(phrases: tuple[str, ...]) -> dict[str, list[tuple[int, str, tuple[str, ...]]]]:
    """The phrases' word sequences by first word, each with its place in `phrases`."""
    index: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
    for order, phrase in enumerate(phrases):
        seq = _split(phrase)
        if seq:
            index.setdefault(seq[0], []).append((order, phrase, seq))
    return index


def find_phrases(tokens: Doc | Span, phrases: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(start token, end token, phrase) for each phrase occurrence; a word matches a token's
    text or lemma (accent- and case-insensitive). At each token, phrases in their given
    order."""
    # Phrases looked up by a token's own keys, not every phrase tried at every token: the
    # lists are long (hundreds of cues) and this runs over every sentence.
    index = _by_first_word(tuple(phrases))
    if isinstance(tokens, Doc):
        start, end, doc = 0, len(tokens), tokens
    else:
        start, end, doc = tokens.start, tokens.end, tokens.doc
    keys = doc_keys(doc)
    for i in range(start, end):
        found = [hit for key in keys[i] for hit in index.get(key, ())]
        if len(found) > 1:
            found.sort()
        for _, phrase, seq in found:
            n = len(seq)
            if i + n <= end and all(seq[k] in keys[i + k] for k in range(1, n)):
                yield i, i + n, phrase
