"""Casualty counts as reported: ranges, open counts, partitives and conjoined victims."""

from __future__ import annotations

import pytest
from spacy.language import Language

from corrobora.extract.numbers import casualties


@pytest.mark.parametrize(("text", "kind", "lo", "hi"), [
    ("Between 5 and 7 soldiers died in the ambush.", "fatalities", 5, 7),
    ("A dozen people were killed in the attack.", "fatalities", 12, 12),
    ("At least 12 people were wounded.", "injured", 12, None),
    ("Gunmen killed four police officers and two civilians.", "fatalities", 6, 6),
    ("Gunmen killed at least four police officers and two soldiers.", "fatalities", 6, None),
    ("The attack left 3 dead, including two children.", "fatalities", 3, 3),
])
def test_english_counts(nlp_en: Language, text: str, kind: str, lo: int, hi: int | None) -> None:
    found = [m for m in casualties(nlp_en(text), "en") if m.kind == kind]
    top = max(found, key=lambda m: m.min)
    assert (top.min, top.max) == (lo, hi)
    assert text[top.start:top.end] == top.text


@pytest.mark.parametrize(("text", "kind", "lo", "hi"), [
    ("Murieron entre 5 y 7 personas en el enfrentamiento.", "fatalities", 5, 7),
    ("Al menos doce muertos y decenas de lesionados.", "injured", 20, None),
    ("Fueron asesinados tres hombres y dos mujeres en la comunidad.", "fatalities", 5, 5),
])
def test_spanish_counts(nlp_es: Language, text: str, kind: str, lo: int, hi: int | None) -> None:
    found = [m for m in casualties(nlp_es(text), "es") if m.kind == kind]
    top = max(found, key=lambda m: m.min)
    assert (top.min, top.max) == (lo, hi)


def test_a_year_is_no_death_toll() -> None:
    from corrobora.extractor import Extractor
    from corrobora.model import Document

    ex = Extractor()
    died = ex.extract(Document("Her father died in 1981 and her mother in 2008.", "t", lang="en"))
    assert all(e.fatalities is None for e in died.events)
    killed = ex.extract(Document("A bomb killed 2000 people in the market.", "t", lang="en"))
    assert any(e.fatalities and e.fatalities.min == 2000 for e in killed.events)
