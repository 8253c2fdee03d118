"""ACLED's participant rules: who takes territory, and what force means inside a protest."""

from __future__ import annotations

import pytest

from corrobora.extractor import Extractor
from corrobora.model import Document, EventReport


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _events(extractor: Extractor, text: str, lang: str = "en") -> list[EventReport]:
    return extractor.extract(Document(text, "t", lang=lang)).events


def _labels(extractor: Extractor, text: str, lang: str = "en") -> set[str]:
    return {e.case_label for e in _events(extractor, text, lang)}


_TERRITORY = {"GOV_REGAINS_TERIT", "NON_STATE_ACTOR_OVERTAKES_TER"}


@pytest.mark.parametrize(("text", "label"), [
    ("Government troops recaptured the town of Tal Afar on Sunday.", "GOV_REGAINS_TERIT"),
    ("The army took control of the village of Karadi after heavy fighting.",
     "GOV_REGAINS_TERIT"),
    ("Syrian troops captured two villages near Idlib on Wednesday.", "GOV_REGAINS_TERIT"),
    ("Rebel fighters retook the town of Saraqeb from government forces on Thursday.",
     "NON_STATE_ACTOR_OVERTAKES_TER"),
    ("Al-Shabaab militants seized a village near Kismayo on Monday.",
     "NON_STATE_ACTOR_OVERTAKES_TER"),
    # What fell to someone was taken by them, not by the subject.
    ("The army base at Wadi al-Deif fell to rebel fighters on Monday.",
     "NON_STATE_ACTOR_OVERTAKES_TER"),
    ("The town of Kidal fell to government troops after a week of fighting.",
     "GOV_REGAINS_TERIT"),
])
def test_who_takes_territory_decides_its_type(extractor: Extractor, text: str,
                                              label: str) -> None:
    labels = _labels(extractor, text)
    assert label in labels
    # Neither the other territory label nor an arrest or a seizure of goods.
    assert not labels & (_TERRITORY - {label} | {"ARREST", "ORG_CRIME"})


def test_taken_after_a_withdrawal_is_a_non_violent_transfer(extractor: Extractor) -> None:
    text = "Rebel fighters took control of the town of Afrin after Kurdish forces pulled out."
    assert "NON_VIOL_TERRIT_TRANSFER" in _labels(extractor, text)


def test_seizing_goods_and_capturing_people_stay_what_they_are(extractor: Extractor) -> None:
    labels = _labels(extractor, "Marines seized two tons of cocaine in the port of Manzanillo.")
    assert "ORG_CRIME" in labels and "NON_STATE_ACTOR_OVERTAKES_TER" not in labels
    labels = _labels(extractor, "Police captured the gang leader in Culiacán on Friday.")
    assert "ARREST" in labels and "NON_STATE_ACTOR_OVERTAKES_TER" not in labels


def test_force_against_protesters(extractor: Extractor) -> None:
    text = "Security forces shot dead four protesters during a demonstration in Baghdad."
    labels = _labels(extractor, text)
    assert "FORCE_AGAINST_PROTEST" in labels
    assert not labels & {"ATTACK", "PEACE_PROTEST"}


def test_protesters_who_clash_make_a_violent_demonstration(extractor: Extractor) -> None:
    text = "Demonstrators clashed with police and threw stones during a rally in Santiago."
    labels = _labels(extractor, text)
    assert "VIOL_DEMONSTR" in labels
    assert not labels & {"ARMED_CLASH", "PEACE_PROTEST"}


def test_arrests_at_a_protest_are_an_intervention(extractor: Extractor) -> None:
    labels = _labels(extractor, "Police detained dozens of protesters at a march in Moscow.")
    assert "PROTEST_WITH_INTER" in labels and "ARREST" not in labels


def test_spanish_protest_with_arrests(extractor: Extractor) -> None:
    text = "La policía detuvo a 20 manifestantes durante una marcha en Guadalajara."
    labels = _labels(extractor, text, "es")
    assert "PROTEST_WITH_INTER" in labels and "ARREST" not in labels


@pytest.mark.parametrize("text", [
    "Gunmen killed two activists in Guerrero on Sunday.",  # no protest: an attack
    "A mob lynched two men accused of theft in Puebla.",  # a riot is not a protest
])
def test_killings_outside_a_protest_stay_attacks(extractor: Extractor, text: str) -> None:
    labels = _labels(extractor, text)
    assert "FORCE_AGAINST_PROTEST" not in labels


def test_recoded_report_carries_acled_sub_event_type(extractor: Extractor) -> None:
    ev = next(e for e in _events(extractor, "Syrian troops captured two villages near Idlib.")
              if e.case_label == "GOV_REGAINS_TERIT")
    assert (ev.acled_event_type, ev.acled_sub_event_type) == (
        "Battles", "Government regains territory")
