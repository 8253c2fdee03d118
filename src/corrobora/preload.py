"""The models every extraction worker needs, loaded once in the pool's fork server.

Imported by the fork server of corrobora/parallel.py only (multiprocessing's forkserver
preload), never by a command's own process: importing it loads the pipelines, the gazetteer,
the actor registry and the language detectors (lingua: 330 MB, 5 s to build), and extracts
one short document per language, its language detected, so that what is built lazily at the
first document (compiled patterns, caches) is built too. Workers are forked
from that process, so they start with everything loaded and share its memory copy-on-write
(the model weights are arrays no worker writes), instead of each loading its own copy.

The fork server is a fresh interpreter started by the pool, not a fork of the command: it
holds no store connection or thread state of the parent's.
"""

from __future__ import annotations

import gc
import logging

from corrobora.extractor import Extractor

log = logging.getLogger(__name__)

# One short document per pipeline: what its first document would load and compile.
_WARM = {
    "en": "Gunmen killed three police officers in Culiacán, Sinaloa, on Monday, police said.",
    "es": "Hombres armados asesinaron a dos personas en Zamora, Michoacán, informó la fiscalía.",
}

EXTRACTOR: Extractor | None = None
"""The Extractor the workers forked from here use; None when loading failed (a worker then
loads its own, and reports what fails when it extracts)."""


def _load() -> Extractor | None:
    from corrobora.extract.nlp import MODELS, load_pipeline
    from corrobora.model import Document
    from corrobora.text.language import detect, language_runs

    try:
        # First, lingua's detectors: lingua builds them on a rayon thread pool, which a forked
        # child could not use (it would wait on threads that were not forked). Built here,
        # and cached, workers only detect, which runs on the calling thread.
        for lang, text in _WARM.items():
            detect(text)
            language_runs(text, lang)
        extractor = Extractor()
        _ = extractor.resolver, extractor.actors
        for lang in MODELS:
            load_pipeline(lang)
        for lang, text in _WARM.items():
            extractor.extract(Document(text=text, origin=f"preload-{lang}"))
    except Exception:  # a worker loads again, and fails with one line per document
        log.debug("preloading the extraction models failed", exc_info=True)
        return None
    # Objects loaded so far are never collected: the collector would write into every shared
    # page that holds one, and the copy-on-write sharing would be lost.
    gc.freeze()
    return extractor


EXTRACTOR = _load()
