"""Language of a text: en and es reliably, a dozen others labelled and kept."""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# Restricting the candidate set keeps lingua fast and accurate on short headlines; the set
# covers what reaches Mexican and Latin American reporting plus the big wire languages.
LANGUAGES = (
    Language.ENGLISH, Language.SPANISH, Language.PORTUGUESE, Language.FRENCH, Language.GERMAN,
    Language.ITALIAN, Language.CATALAN, Language.DUTCH, Language.RUSSIAN, Language.UKRAINIAN,
    Language.ARABIC, Language.CHINESE, Language.TURKISH,
)
# Long texts are decided by their opening; the rest adds time, not accuracy.
SAMPLE_CHARS = 2000


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    builder = LanguageDetectorBuilder.from_languages(*LANGUAGES)
    return builder.with_preloaded_language_models().build()


def detect(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence in [0, 1]; (None, 0.0) when the text has no letters."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None, 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None, 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), round(best.value, 3)


# Mixed-language documents (an English report quoting a Spanish communiqué) are routed
# sentence by sentence between the languages that have pipelines.
ROUTED = ("en", "es")
_SENTENCE = re.compile(r"[^\n.!?]*(?:[.!?]+[\"'»”)]*|\n|$)")
# A sentence is routed away from the document's language only when it is long enough for the
# detector to be sure and the detector is sure: names and short quotes stay with their context.
_MIN_WORDS = 6
_MIN_CONFIDENCE = 0.95


@lru_cache(maxsize=1)
def _routing_detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.SPANISH).with_preloaded_language_models().build()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (line and end-punctuation breaks), enough to route by language."""
    spans = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        if e > s:
            spans.append((s, e))
    return spans


def language_runs(text: str, lang: str) -> list[tuple[int, int, str]]:
    """Maximal runs of sentences in one routed language, as (start, end, lang) covering the
    text; a single run in `lang` when nothing is confidently in the other language."""
    if lang not in ROUTED:
        return [(0, len(text), lang)]
    detector = _routing_detector()
    runs: list[tuple[int, int, str]] = []
    current, start = lang, 0
    for s, e in sentence_spans(text):
        sent_lang = current
        if len(text[s:e].split()) >= _MIN_WORDS:
            best = detector.compute_language_confidence_values(text[s:e])[0]
            if best.value >= _MIN_CONFIDENCE:
                sent_lang = best.language.iso_code_639_1.name.lower()
        if sent_lang != current:
            if s > start:
                runs.append((start, s, current))
            current, start = sent_lang, s
    runs.append((start, len(text), current))
    return runs
