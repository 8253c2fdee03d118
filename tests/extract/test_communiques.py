"""Official releases (SEDENA) from the development set: seizures listed item by item, events
located in the paragraph that names their municipality, closing boilerplate ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corrobora.extract.place_cues import cued_place_spans
from corrobora.extractor import Extractor
from corrobora.model import Document, Extraction


def _release(shared: Path, doc_id: str) -> tuple[str, Extraction]:
    path = shared / "data/mexico/sedena-dev/sedena.dev.input.jsonl"
    with path.open(encoding="utf-8") as fh:
        row = next(r for r in map(json.loads, fh) if r["id"] == doc_id)
    doc = Document(row["text"], doc_id, lang="es")
    return row["text"], Extractor().extract(doc)


@pytest.fixture(scope="module")
def tamaulipas(shared: Path) -> tuple[str, Extraction]:
    # Reynosa dateline; marijuana found in Camargo, Matamoros and Miguel Alemán.
    return _release(shared, "2012122001_SEDENA")


def test_each_paragraph_locates_its_seizure(tamaulipas: tuple[str, Extraction]) -> None:
    _, ex = tamaulipas
    seizures = [ev for ev in ex.events if ev.type == "DRUG_SEIZURE"]
    assert {ev.place.inegi_code for ev in seizures if ev.place} >= {"28007", "28022", "28025"}
    # The closing call for citizen tips ("coadyuven a la captura de ...") is no arrest.
    assert not [ev for ev in ex.events if ev.case_label == "ARREST"]


def test_cue_words_make_places_of_names_ner_missed(tamaulipas: tuple[str, Extraction]) -> None:
    _, ex = tamaulipas
    # The Spanish NER tags "Miguel Aleman" as a person in this accent-stripped release.
    assert any(p.text == "Miguel Aleman" and p.inegi_code == "28025" for p in ex.places)


def test_listed_items_make_one_located_seizure(shared: Path) -> None:
    text, ex = _release(shared, "2012120801_SEDENA")
    orizaba = [ev for ev in ex.events if ev.place and ev.place.inegi_code == "30118"]
    weapons = [ev for ev in orizaba if ev.type == "SEIZURE"]
    assert len(weapons) == 1
    ev = weapons[0]
    # "... abandonando en el lugar lo siguiente: Dos armas largas. 19 cartuchos ..."
    assert text[ev.trigger[0]:ev.trigger[1]] == "Dos armas largas"
    assert "lo siguiente" in text[ev.sentence[0]:ev.sentence[1]]
    assert ev.weapons == ["firearms"]
    # The items themselves report no events of their own.
    items_start = text.index("Dos armas largas")
    assert not [e for e in ex.events if e.sentence[0] >= items_start
                and e.sentence[1] <= text.index("19 dosis de marihuana") + 20
                and e is not ev and e.type != "DRUG_SEIZURE"]


@pytest.mark.parametrize(("text", "names"), [
    ("en los municipios de Camargo , Matamoros y Miguel Aleman , Tamps .",
     ["Camargo", "Matamoros", "Miguel Aleman", "Tamps"]),
    ("en el municipio de Martínez de la Torre, Veracruz", ["Martínez de la Torre",
                                                           "Veracruz"]),
    ("gunmen stormed the town of Tapalpa on Sunday", ["Tapalpa"]),
    ("la Ciudad de México y el municipio", []),
])
def test_place_cues(text: str, names: list[str]) -> None:
    assert [text[s:e] for s, e in cued_place_spans(text)] == names


def test_roads_and_destinations_are_not_where_it_happened(shared: Path) -> None:
    # "... en la localidad de Rio Blanco , Ver . , sobre la autopista Veracruz Mexico ,
    # localizo un vehiculo": the vehicle was found in Río Blanco, not in the port.
    _, ex = _release(shared, "2012120801_SEDENA")
    assert {ev.place.inegi_code for ev in ex.events if ev.place} <= {"30118", "30138"}
    # "... un tren que sale de Mexicali B . C . , con destino a los Estados Unidos de America
    # localizo ...": the marijuana was seized in Mexicali.
    _, ex = _release(shared, "2012121001_SEDENA")
    assert all(ev.place.country_code == "MX" for ev in ex.events if ev.place)


def _extract_es(text: str) -> Extraction:
    return Extractor().extract(Document(text, "t", lang="es"))


@pytest.mark.parametrize(("sentence", "kind"), [
    # Written without accents, as releases often are: "aseguró" reads as "aseguro".
    ("Personal militar aseguro 23,000 litros de hidrocarburo en el municipio de Navolato, Sin.",
     "ORG_CRIME"),
    ("Personal militar aseguró 23,000 litros de hidrocarburo en el municipio de Navolato, Sin.",
     "ORG_CRIME"),
    ("Personal militar localizo y destruyo un plantio de mariguana en el municipio de "
     "Badiraguato, Sin.", "DRUG_SEIZURE"),
    ("Tropas aseguraron 14 armas largas en el municipio de Culiacán, Sin.", "DISR_WEAP"),
])
def test_seizure_verb_with_inventory_goods_is_a_seizure(sentence: str, kind: str) -> None:
    ex = _extract_es(f"Culiacan , Sin . , a 1 de diciembre de 2012 .\n{sentence}\n"
                     "Lo asegurado fue puesto a disposicion de la autoridad correspondiente .")
    assert [ev.case_label if kind == "DISR_WEAP" else ev.type for ev in ex.events] == [kind]
    assert ex.events[0].place is not None and ex.events[0].place.admin1_code == "MX-SIN"


def test_statement_verb_without_goods_is_no_seizure() -> None:
    ex = _extract_es("El vocero aseguro que la estrategia de seguridad continuara en Sinaloa.")
    assert ex.events == []


def test_headline_restating_the_body_is_one_report(shared: Path) -> None:
    # Headline "Personal militar aseguro una tonelada de mariguana en Ciudad Juarez, Chih."
    # and a body reporting the seizure with its details.
    text, ex = _release(shared, "2013011201_SEDENA")
    headline_end = text.index("\n", text.index("Personal militar aseguro una tonelada"))
    assert ex.events
    assert not [ev for ev in ex.events if ev.sentence[0] < headline_end]
