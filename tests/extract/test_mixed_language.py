"""Mixed-language documents: each run of sentences is parsed by its own language's pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from corrobora.extractor import Extractor
from corrobora.model import Document
from corrobora.text.language import language_runs

ARTICLE = (
    "Soldiers clashed with gunmen near Culiacán on Monday, the army said in a statement.\n"
    "The statement, issued in Spanish, read in part:\n"
    "Elementos del Ejército Mexicano repelieron una agresión armada en el municipio de "
    "Navolato, Sinaloa, donde detuvieron a tres presuntos integrantes de la delincuencia "
    "organizada y aseguraron cuatro armas largas.\n"
    "Residents said schools in the area stayed closed on Tuesday.\n"
)


def test_language_runs_split_at_the_quoted_spanish_paragraph() -> None:
    runs = language_runs(ARTICLE, "en")
    assert [lang for _, _, lang in runs] == ["en", "es", "en"]
    spanish = ARTICLE[runs[1][0]:runs[1][1]]
    assert spanish.startswith("Elementos del Ejército") and spanish.endswith("armas largas.\n")
    # The runs cover the text without gaps, so offsets map back exactly.
    assert runs[0][0] == 0 and runs[-1][1] == len(ARTICLE)
    assert all(a[1] == b[0] for a, b in pairwise(runs))


def test_single_language_text_is_one_run() -> None:
    text = "Gunmen killed five people in Guerrero. Names are short. El Mencho is a nickname."
    assert language_runs(text, "en") == [(0, len(text), "en")]


def test_spanish_part_of_an_english_report_yields_events_with_exact_offsets() -> None:
    doc = Document(ARTICLE, "mixed.txt", lang="en",
                   published_at=datetime(2026, 2, 23, tzinfo=UTC))
    ex = Extractor().extract(doc)
    for m in [*ex.entities, *ex.places, *ex.dates, *ex.numbers, *ex.attributions]:
        assert ARTICLE[m.start:m.end] == m.text
    spanish_start = ARTICLE.index("Elementos")
    spanish = [ev for ev in ex.events if ev.sentence[0] >= spanish_start
               and ev.sentence[1] <= ARTICLE.index("Residents")]
    # Found only by the Spanish lexicon: the English one has no "repelieron" or "detuvieron".
    assert {ev.case_label for ev in spanish} >= {"ARMED_CLASH", "ARREST"}
    for ev in spanish:
        assert ARTICLE[ev.trigger[0]:ev.trigger[1]].lower() in ARTICLE[ev.sentence[0]:
                                                                     ev.sentence[1]].lower()
    arrest = next(ev for ev in spanish if ev.case_label == "ARREST")
    assert arrest.place is not None and arrest.place.inegi_code == "25018"  # Navolato
    assert any(p.text == "Navolato" and p.admin1_code == "MX-SIN" for p in ex.places)
