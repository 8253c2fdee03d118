"""Dates, counts, attributions, the actor registry and the ontology, one function at a time."""

from __future__ import annotations

from datetime import datetime

import pytest
from spacy.language import Language

from corrobora.extract import ontology
from corrobora.extract.actors import ActorRegistry
from corrobora.extract.attribution import attributions, is_hedged
from corrobora.extract.dates import dates
from corrobora.extract.nlp import MODELS, load_pipeline, model_lang
from corrobora.extract.numbers import casualties

PUB = datetime(2024, 7, 26, 6, 41)  # a Friday


@pytest.mark.parametrize(("text", "expected"), [
    ("El pasado martes hubo un ataque.", ("2024-07-23", 1)),
    ("El martes pasado hubo un ataque.", ("2024-07-23", 1)),
    ("Ayer hubo un ataque.", ("2024-07-25", 1)),
    ("Anoche hubo un ataque.", ("2024-07-25", 1)),
    ("Este domingo hubo un ataque.", ("2024-07-21", 1)),
    ("El ataque ocurrió el 25 de julio.", ("2024-07-25", 1)),
    ("El ataque ocurrió el 25 de julio de 2023.", ("2023-07-25", 1)),
    ("El ataque ocurrió la semana pasada.", ("2024-07-15", 2)),
    ("El ataque ocurrió en julio.", ("2024-07-01", 3)),
])
def test_spanish_dates(nlp_es: Language, text: str, expected: tuple[str, int]) -> None:
    found = dates(nlp_es(text), "es", PUB)
    assert [(d.value, d.time_precision) for d in found] == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("Gunmen attacked a bar last Tuesday.", ("2024-07-23", 1)),
    ("Police arrested three men yesterday.", ("2024-07-25", 1)),
    ("The attack happened on July 25, 2024.", ("2024-07-25", 1)),
    ("The attack happened last week.", ("2024-07-15", 2)),
])
def test_english_dates(nlp_en: Language, text: str, expected: tuple[str, int]) -> None:
    found = [d for d in dates(nlp_en(text), "en", PUB) if d.value]
    assert [(d.value, d.time_precision) for d in found] == [expected]


def test_no_anchor_keeps_absolute_dates_only(nlp_es: Language) -> None:
    found = dates(nlp_es("Ayer, y el 25 de julio de 2023."), "es", None)
    assert [d.value for d in found] == [None, "2023-07-25"]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "At least 12 people were killed in the attack.", [("fatalities", 12, None)]),
    ("en", "Police arrested a dozen suspects.", [("arrested", 12, 12)]),
    ("en", "The gunmen fled after killing three.", [("fatalities", 3, 3)]),
    ("en", "Four people were kidnapped and 30 injured.",
     [("abducted", 4, 4), ("injured", 30, 30)]),
    ("es", "El ataque dejó entre 5 y 7 muertos.", [("fatalities", 5, 7)]),
    ("es", "Hubo dos policías muertos.", [("fatalities", 2, 2)]),
    ("es", "Murieron 4 personas.", [("fatalities", 4, 4)]),
    ("es", "Hubo seis detenidos.", [("arrested", 6, 6)]),
    ("es", "Al menos veintitrés personas fueron secuestradas.", [("abducted", 23, None)]),
    ("en", "The 34-year-old man was shot in 2024.", []),
])
def test_casualties(nlp_en: Language, nlp_es: Language, lang: str, text: str,
                    expected: list[tuple[str, int, int | None]]) -> None:
    doc = (nlp_en if lang == "en" else nlp_es)(text)
    assert [(n.kind, n.min, n.max) for n in casualties(doc, lang)] == expected


def test_attributions_english(nlp_en: Language) -> None:
    text = ("According to sources cited by Reuters and The New York Times, the CIA shared "
            "intelligence. A police officer told CNN that gunmen killed five. "
            "Officials said the attack was over.")
    found = attributions(nlp_en(text), "en")
    sources = [a.source for a in found]
    assert "Reuters" in sources and "The New York Times" in sources
    assert "CNN" in sources
    assert any(s.lower() == "officials" for s in sources)


def test_attributions_spanish(nlp_es: Language) -> None:
    text = "Según la Fiscalía, dos personas murieron. Informó la SEDENA que hubo 3 detenidos."
    sources = [a.source for a in attributions(nlp_es(text), "es")]
    assert sources == ["Fiscalía", "SEDENA"]


@pytest.mark.parametrize(("text", "hedged"), [
    ("Gunmen reportedly killed five people.", True),
    ("The cartel may have ordered the attack.", True),
    ("Gunmen killed five people.", False),
    ("Suspected cartel members killed five people.", False),  # identity, not the event
])
def test_hedging_english(nlp_en: Language, text: str, hedged: bool) -> None:
    assert is_hedged((0, len(text)), nlp_en(text), "en") is hedged


def test_actor_registry() -> None:
    reg = ActorRegistry.load()
    for text, actor_id in [("CJNG", "cjng"), ("Cartel Jalisco Nueva Generacion", "cjng"),
                           ("the Jalisco New Generation Cartel", "cjng"),
                           ("Cervantes Oseguera, Nemesio", "nemesio-oseguera-cervantes"),
                           ("El Mencho", "nemesio-oseguera-cervantes"),
                           ("Cártel de Sinaloa", "sinaloa-cartel"), ("la SEDENA", "sedena"),
                           ("Mexican Navy", "semar"), ("Guardia Nacional", "guardia-nacional"),
                           ("JITF-CC", "jitf-cc"), ("Los Chapitos", "los-chapitos")]:
        actor = reg.match(text)
        assert actor is not None and actor.actor_id == actor_id, text
    assert reg.match("Jalisco") is None
    assert reg.match("mayo") is None  # the month, not "El Mayo"
    assert reg.match("CDG") is not None and reg.match("CDX") is None
    chapitos = reg.get("los-chapitos")
    assert chapitos is not None and chapitos.relations["faction_of"] == "sinaloa-cartel"
    assert all(a.type in ("criminal_group", "state_force", "government", "person", "media")
               for a in reg.actors.values())


def test_ontology_covers_case_labels(shared) -> None:  # type: ignore[no-untyped-def]
    base = (shared / "data/events-dev/case2021-task2/event_types.txt").read_text().split()
    expected = set(base) | {"ORG_CRIME", "NATURAL_DISASTER", "MAN_MADE_DISASTER", "DIPLO",
                            "ATTRIB"}
    assert set(ontology.case_labels()) == expected
    assert len(expected) == 30
    assert ontology.case_label("LEADER_KILLED") == "ARMED_CLASH"
    assert ontology.acled("KIDNAPPING") == ("Violence against civilians",
                                            "Abduction/forced disappearance")
    assert ontology.acled("DIPLO") == (None, None)
    with pytest.raises(KeyError):
        ontology.get("NOT_A_TYPE")


def test_pipeline_routing() -> None:
    assert model_lang("es-MX") == "es" and model_lang("pt") == "es"
    assert model_lang("de") == "en" and model_lang(None) == "en"
    assert load_pipeline("en") is load_pipeline("en-US")
    assert set(MODELS) == {"en", "es"}
