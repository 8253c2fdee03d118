"""Resolution of real toponyms: the seed article, accents, context, one sense per document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corrobora.geo.resolver import Resolver


def _spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of each name used as a place (not "Jalisco New Generation Cartel")."""
    out = []
    for name in names:
        for m in re.finditer(rf"\b{re.escape(name)}\b(?! New Generation)", text):
            out.append((m.start(), m.end()))
    return sorted(out)


def test_seed_article_places(resolver: Resolver, seed_article: Path) -> None:
    text = seed_article.read_text(encoding="utf-8")
    names = ["Tapalpa", "Jalisco", "Michoacan", "Tamaulipas", "Zacatecas", "Colima", "Oaxaca",
             "Guadalajara", "Puerto Vallarta"]
    spans = _spans(text, names)
    places = resolver.resolve(text, spans, lang="en")
    assert [(p.start, p.end) for p in places] == spans
    by_text: dict[str, list] = {}
    for p in places:
        by_text.setdefault(p.text, []).append(p)
    assert set(by_text) == set(names)

    tapalpa = by_text["Tapalpa"][0]
    assert tapalpa.country_code == "MX"
    assert tapalpa.admin1_code == "MX-JAL"
    assert tapalpa.admin2_name == "Tapalpa"
    assert tapalpa.inegi_code == "14086"
    assert tapalpa.geo_precision == 1
    assert tapalpa.lat == pytest.approx(19.95, abs=0.05)
    assert tapalpa.lon == pytest.approx(-103.76, abs=0.05)

    states = {"Jalisco": "MX-JAL", "Michoacan": "MX-MIC", "Tamaulipas": "MX-TAM",
              "Zacatecas": "MX-ZAC", "Colima": "MX-COL", "Oaxaca": "MX-OAX"}
    for name, code in states.items():
        for p in by_text[name]:
            assert p.admin1_code == code, (name, p)
            assert p.feature_code == "ADM1", (name, p)
            assert p.geo_precision == 3
    for name in ("Guadalajara", "Puerto Vallarta"):
        p = by_text[name][0]
        assert (p.country_code, p.admin1_code, p.feature_code) == ("MX", "MX-JAL", "PPL"), p
        assert p.inegi_code is not None and p.inegi_code.startswith("14")
    for p in places:
        assert 0.0 <= p.score <= 1.0


@pytest.mark.parametrize(("name", "code"), [
    ("Michoacán", "MX-MIC"), ("Michoacan", "MX-MIC"), ("MICHOACÁN", "MX-MIC"),
    ("Michoacán de Ocampo", "MX-MIC"), ("Estado de México", "MX-MEX"), ("Edomex", "MX-MEX"),
    ("CDMX", "MX-CMX"), ("Ciudad de México", "MX-CMX"), ("Mexico City", "MX-CMX"),
    ("Nuevo Leon", "MX-NLE"), ("Querétaro", "MX-QUE"), ("Veracruz", "MX-VER"),
    ("Louisiana", "US-LA"),
])
def test_names_accent_and_case_insensitive(resolver: Resolver, name: str, code: str) -> None:
    p = resolver.resolve_name(name)
    assert p.admin1_code == code, p
    assert p.resolved


@pytest.mark.parametrize(("name", "cc"), [
    ("Estados Unidos", "US"), ("United States", "US"), ("U.S.", "US"), ("EE.UU.", "US"),
    ("México", "MX"), ("Mexico", "MX"), ("Alemania", "DE"), ("Reino Unido", "GB"),
])
def test_country_names_and_feature_type(resolver: Resolver, name: str, cc: str) -> None:
    # A bare country name resolves to the country, not to a homonymous village or state.
    p = resolver.resolve_name(name)
    assert (p.country_code, p.feature_code, p.geo_precision) == (cc, "PCLI", 3), p


def test_context_picks_the_homonym(resolver: Resolver) -> None:
    alone = resolver.resolve_name("Guadalajara")
    assert alone.country_code == "MX"  # the larger one, without context
    spain = resolver.resolve_name("Guadalajara", context=["Madrid", "Toledo", "Cuenca"])
    assert spain.country_code == "ES", spain
    mexico = resolver.resolve_name("Guadalajara", context=["Madrid", "Jalisco", "Michoacán"])
    assert mexico.country_code == "MX", mexico
    hinted = resolver.resolve_name("Guadalajara", country_hint="ES")
    assert hinted.country_code == "ES"


def test_container_after_the_name(resolver: Resolver) -> None:
    text = "Shootings in Springfield, Missouri and in Springfield, Illinois."
    a = text.index("Springfield")
    b = text.index("Springfield", a + 1)
    spans = [(a, a + 11), (a + 13, a + 21), (b, b + 11), (b + 13, b + 21)]
    places = resolver.resolve(text, spans)
    # One sense per document wins over the two containers only if they agree; here they
    # disagree, so each mention must at least sit in the named state's country.
    assert places[1].admin1_code == "US-MO"
    assert places[3].admin1_code == "US-IL"
    assert places[0].country_code == places[2].country_code == "US"


def test_one_sense_per_document(resolver: Resolver) -> None:
    text = ("Guadalajara airport closed. Troops arrived from Madrid and Toledo. "
            "Later, Guadalajara reopened its roads.")
    spans = [(m.start(), m.end()) for m in re.finditer(r"Guadalajara|Madrid|Toledo", text)]
    places = resolver.resolve(text, spans)
    gdl = [p for p in places if p.text == "Guadalajara"]
    assert len(gdl) == 2
    assert gdl[0].geonameid == gdl[1].geonameid
    assert gdl[0].country_code == "ES"


def test_unresolvable_span_is_kept(resolver: Resolver) -> None:
    text = "Clashes in Qxzvwtplkq and Culiacán."
    spans = [(11, 21), (26, 34)]
    places = resolver.resolve(text, spans, backoff=False)
    assert len(places) == 2
    assert places[0].text == "Qxzvwtplkq"
    assert places[0].lat is None and places[0].lon is None and places[0].geonameid is None
    assert places[0].to_contract()["lat"] is None
    assert places[1].admin1_code == "MX-SIN" and places[1].inegi_code == "25006"
    backed = resolver.resolve(text, spans)  # backoff is the default
    assert backed[0].resolved and backed[0].geo_precision == 2
    assert backed[0].score < 0.5 and backed[0].geonameid is None
    assert backed[0].inegi_code == "25006"  # the street or building lies in the story's town


def test_fuzzy_only_when_exact_fails(resolver: Resolver) -> None:
    p = resolver.resolve_name("Tamaulipass")
    assert p.admin1_code == "MX-TAM"
    assert p.score < resolver.resolve_name("Tamaulipas").score


def test_washington_is_the_capital(resolver: Resolver) -> None:
    # In news "Washington" is the capital (or the government seated there), not the state.
    text = "WASHINGTON (Reuters) - Officials in Washington said the talks with Mexico failed."
    places = resolver.resolve(text, [(0, 10), (36, 46), (72, 78)])
    assert places[0].feature_code == "PPLC" and places[0].geonameid == 4140963
    assert places[1].geonameid == 4140963
    # The state when its towns are the context.
    state = resolver.resolve_name("Washington", context=["Seattle", "Spokane", "Oregon"])
    assert state.feature_code == "ADM1" and state.admin1_code == "US-WA"


@pytest.mark.parametrize(("text", "name", "code"), [
    ("The plant near Louisville, Ky., closed.", "Ky.", "US-KY"),
    ("Snow fell in Kelowna, B.C., on Monday.", "B.C.", "CA-BC"),
    ("Ensenada, B.C., amaneció con bloqueos.", "B.C.", "MX-BCN"),
])
def test_state_abbreviations_follow_their_town(resolver: Resolver, text: str, name: str,
                                               code: str) -> None:
    town = text.split(",")[0].split()[-1]
    spans = [(text.index(town), text.index(town) + len(town)),
             (text.index(name), text.index(name) + len(name))]
    places = resolver.resolve(text, spans)
    assert places[1].admin1_code == code, places[1]
    assert places[0].admin1_code == code, places[0]


def test_demonyms_only_where_nothing_else(resolver: Resolver) -> None:
    text = "Un joven jalisciense fue detenido en Tapalpa por elementos de la Guardia Nacional."
    spans = [(9, 20), (37, 44)]
    places = resolver.resolve(text, spans, lang="es")
    assert places[0].admin1_code == "MX-JAL" and places[0].geo_precision == 3
    assert places[1].inegi_code == "14086"
    korean = resolver.resolve_name("Korean")
    assert korean.country_code == "KR"  # not the fuzzy near-miss "Koran" (Bosnia)


def test_streets_back_off_to_the_place_the_story_agrees_on(resolver: Resolver) -> None:
    # GeoWebNews-style: streets and a park of a Louisiana town whose own name is not given;
    # "Washington Square" (a Pennsylvania town too) must not become the story's place.
    text = ("Parades left Franklin along Main Street and Royal Street, through Washington "
            "Square and past Washington Square again, as Louisiana officials watched Franklin.")
    names = ["Franklin", "Main Street", "Royal Street", "Washington Square", "Louisiana"]
    spans = _spans(text, names)
    places = {p.text: p for p in resolver.resolve(text, spans)}
    assert places["Louisiana"].admin1_code == "US-LA"
    assert places["Franklin"].admin1_code == "US-LA"
    street = places["Royal Street"]
    assert street.geo_precision == 2 and street.geonameid is None
    assert street.admin1_code == "US-LA"


@pytest.mark.parametrize(("word", "expected"), [
    ("Mexican", True), ("Mexicans", True), ("jalisciense", True), ("Canadian", True),
    ("Mexico", False), ("Sinaloa", False), ("Christian", False),
])
def test_demonyms(resolver: Resolver, word: str, expected: bool) -> None:
    assert resolver.is_demonym(word) is expected


def test_demonyms_are_toponyms_of_the_extraction() -> None:
    from corrobora.extractor import Extractor
    from corrobora.model import Document

    text = "Mexican troops clashed with gunmen in Culiacán on Monday."
    places = Extractor().extract(Document(text, "t", lang="en")).places
    mexican = [p for p in places if p.text == "Mexican"]
    assert mexican and mexican[0].country_code == "MX" and mexican[0].geo_precision == 3


def test_a_lone_letter_is_no_place(resolver: Resolver) -> None:
    # "Tijuana , B . C ." cut by the tagger into "B": GeoNames lists "B" for Ibb (Yemen).
    text = "municipio de Tijuana , B . C . , se realizaban actividades"
    places = resolver.resolve(text, [(13, 20), (23, 24)], backoff=False)
    assert places[0].inegi_code == "02004"
    assert not places[1].resolved
