"""Datelines of official communiqués locate the events their sentences leave unplaced."""

from __future__ import annotations

from corrobora.extract.dateline import dateline_spans
from corrobora.extractor import Extractor
from corrobora.model import Document

RELEASE = (
    "Comunicados de Prensa de los Mandos Territoriales\n"
    "Reynosa , Tamps . , a 3 de enero de 2013 .\n"
    "Personal militar detuvo a tres individuos y aseguró 12 armas largas y un vehículo .\n"
    "La Secretaría de la Defensa Nacional refrenda su compromiso con la ciudadanía ."
)


def test_dateline_gives_the_town_and_the_state_abbreviation() -> None:
    assert [RELEASE[s:e] for s, e in dateline_spans(RELEASE)] == ["Reynosa", "Tamps ."]


def test_text_without_a_dateline_gives_nothing() -> None:
    assert dateline_spans("Gunmen attacked a bar in Celaya, Guanajuato, on Monday.") == []
    assert dateline_spans("Mexico City, 3 March (AP) - Gunmen attacked a bar.") == []


def test_unplaced_events_of_a_release_are_located_at_its_dateline() -> None:
    ext = Extractor().extract(Document(RELEASE, "release.txt", lang="es"))
    places = {(p.text, p.admin1_code, p.inegi_code) for p in ext.places}
    assert ("Reynosa", "MX-TAM", "28032") in places
    arrests = [e for e in ext.events if e.case_label == "ARREST"]
    assert arrests and all(e.place is not None and e.place.inegi_code == "28032"
                           for e in arrests)
