"""Language of a text: en and es reliably, a dozen others labelled and kept."""

from __future__ import annotations

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
