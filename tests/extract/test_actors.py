"""The actor registry (hand entries + BACRIM 2020 + OCVED 2.0) and actor resolution in events."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from spacy.language import Language

from corrobora.extract import events, ontology
from corrobora.extract.actors import ActorRegistry, candidate_id, group_mentions, hedged_before
from corrobora.extract.entities import entities
from corrobora.model import ActorRef

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reg() -> ActorRegistry:
    return ActorRegistry.load()


def _id(reg: ActorRegistry, text: str, **kw: bool) -> str | None:
    a = reg.match(text, **kw)
    return a.actor_id if a else None


def test_registry_seeded_from_bacrim_and_ocved(reg: ActorRegistry) -> None:
    assert len(reg.actors) > 250
    groups = [a for a in reg.actors.values() if a.type == "criminal_group"]
    assert len(groups) > 230
    # CJNG of BACRIM and OCVED is the hand entry, not a second actor.
    cjng = reg.get("cjng")
    assert cjng is not None and cjng.name == "Cártel de Jalisco Nueva Generación"
    assert 'BACRIM 2020 node "Cártel Jalisco Nueva Generación (CJNG)"' in cjng.source
    assert 'OCVED 2.0 actor "Cartel de Jalisco Nueva Generacion"' in cjng.source
    assert [a.actor_id for a in reg.actors.values() if "(CJNG)" in a.name] == []
    # Every entry says where it comes from; BACRIM's two Tequileros nodes are one actor.
    assert all(a.source for a in reg.actors.values())
    teq = reg.get("cartel-de-los-tequileros")
    assert teq is not None and teq.source.count("BACRIM 2020 node") == 2
    assert _id(reg, "Cártel de los Tequileros") == "cartel-de-los-tequileros"
    assert _id(reg, "Los Tequileros", guarded=True) == "cartel-de-los-tequileros"
    # OCVED's "Artistas Asesinos" is BACRIM's "Los Artistas Asesinos o Doble A".
    assert _id(reg, "Artistas Asesinos") == "los-artistas-asesinos-o-doble-a"


def test_generated_registry_is_up_to_date(shared: Path) -> None:
    run = subprocess.run([sys.executable, str(REPO / "training/actors/build.py"), "--check",
                          "--shared", str(shared)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("text,actor_id", [
    ("CJNG", "cjng"), ("Cártel de Jalisco Nueva Generación", "cjng"),
    ("Jalisco New Generation Cartel", "cjng"), ("cartel de jalisco nueva generacion", "cjng"),
    ("CÁRTEL JALISCO NUEVA GENERACIÓN", "cjng"), ("Nueva Generación Jalisco Cártel", "cjng"),
    ("El Mencho", "nemesio-oseguera-cervantes"),
    ("Nemesio Oseguera Cervantes", "nemesio-oseguera-cervantes"),
    ("Oseguera Cervantes, Nemesio", "nemesio-oseguera-cervantes"),
    ("Cartel del Noreste", "cdn"), ("Cártel del Golfo", "gulf-cartel"),
    ("Los Zetas", "los-zetas"), ("Zetas Vieja Escuela", "zetas-vieja-escuela"),
    ("Cártel del Golfo Nueva Era", "cartel-del-golfo-nueva-era"),
    ("Cártel Tijuana Nueva Generación", "cartel-tijuana-nueva-generacion"),
    ("Cártel del Pacífico", "sinaloa-cartel"),
    ("Cártel del Pacífico Sur", "cartel-del-pacifico-sur"),
    ("Cártel de la Sierra", "los-tlacos"),
    ("Nuevo Cártel de la Sierra", "nuevo-cartel-de-la-sierra"),
    ("Los Siete Demonios", "los-siete-demonios"),
    ("Cártel de Santa Rosa de Lima", "santa-rosa-de-lima"),
    ("La Línea", "la-linea"), ("CDN", "cdn"), ("CDG", "gulf-cartel"),
])
def test_aliases_across_languages_and_spellings(reg: ActorRegistry, text: str,
                                                actor_id: str) -> None:
    assert _id(reg, text) == actor_id


def test_confusable_bacrim_names_do_not_merge(reg: ActorRegistry) -> None:
    # Real near-pairs of the registry: a fuzzy slip between them would merge two groups.
    assert _id(reg, "Cartel del Norestee") == "cdn"  # a typo still resolves
    assert _id(reg, "Cartel del Siglo") == "cartel-del-siglo"
    assert _id(reg, "Cártel Zicuirán Nueva Generación") == "cartel-zicuiran-nueva-generacion"
    assert _id(reg, "Cártel Tihuana Nueva Generación") == "cartel-tijuana-nueva-generacion"
    assert _id(reg, "Cártel Colima Nueva Generación") is None  # not CJNG
    assert _id(reg, "Cártel San Luis Potosí Nueva Generación") != "cjng"
    assert _id(reg, "Zetas") == "los-zetas" and _id(reg, "Sangre Nueva Zeta") == "sangre-nueva-zeta"
    assert _id(reg, "CDX") is None and _id(reg, "CSRL") == "santa-rosa-de-lima"
    assert _id(reg, "El Menchito") == "ruben-oseguera-gonzalez"
    # Every name of every actor resolves to that actor and no other.
    wrong = [(al, a.actor_id, _id(reg, al, guarded=True)) for a in reg.actors.values()
             for al in (a.name, *a.aliases) if _id(reg, al, guarded=True) != a.actor_id]
    assert wrong == []


def test_guarded_names_need_a_group_cue(reg: ActorRegistry) -> None:
    # A town, a nationality, a plural noun: only after "grupo criminal", or as an NER ORG.
    for text, actor_id in [("Los Cabos", "los-cabos"), ("Los Rusos", "los-rusos"),
                           ("Los Ardillos", "los-ardillos"),
                           ("Los Halcones", "los-halcones"), ("El Jardinero", "el-jardinero")]:
        assert _id(reg, text) is None
        assert _id(reg, text, guarded=True) == actor_id
    aliases = {al for al, _ in reg.alias_strings()}
    assert "Los Cabos" not in aliases and "Cártel de Caborca" in aliases


def test_relations(reg: ActorRegistry) -> None:
    war = [r for r in reg.relations("los-mayos", "rivalry")
           if "los-chapitos" in (r.source, r.target)]
    assert len(war) == 1 and war[0].start == "2024-07" and "news usage" in war[0].evidence[0]
    assert {r.type for r in reg.relations("los-chapitos")} >= {"faction_of", "rivalry", "leader_of"}
    cuinis = [r for r in reg.relations("cjng", "alliance") if "los-cuinis" in (r.source, r.target)]
    assert len(cuinis) == 1 and cuinis[0].as_of == "2020"
    assert any(r.evidence[0].startswith("BACRIM 2020 alliance") for r in cuinis)
    assert any("sinaloa-cartel" in (r.source, r.target) for r in reg.relations("cjng", "rivalry"))
    cells = reg.relations("la-linea", "cell_of")
    assert [(r.target, r.as_of) for r in cells] == [("juarez-cartel", "2000/2018")]
    assert reg.relations("zetas-vieja-escuela", "splinter_of")[0].target == "los-zetas"
    counts = {t: len(reg.relations(type=t)) for t in ("alliance", "rivalry", "cell_of")}
    assert counts["alliance"] > 80 and counts["rivalry"] > 80 and counts["cell_of"] > 30
    # Symmetric relations are stored once per pair; every end is a known actor.
    keys = [r.key for r in reg.relations()]
    assert len(keys) == len(set(keys))
    assert all(reg.get(r.source) and reg.get(r.target) for r in reg.relations())
    assert reg.group_of("ismael-zambada-garcia") == {"los-mayos", "sinaloa-cartel"}


def test_group_mentions_and_hedges() -> None:
    text = ("Elementos del Ejército detuvieron a presuntos integrantes del Cártel de Santa Rosa "
            "de Lima y del grupo criminal Los Rusos. The Mexican cartel and the Barrio Azteca "
            "gang were named.")
    found = [g.text for g in group_mentions(text)]
    assert found == ["Cártel de Santa Rosa de Lima", "Los Rusos", "Barrio Azteca gang"]
    assert candidate_id("Barrio Azteca gang") == "candidate:barrio-azteca-gang"
    assert hedged_before("detuvieron a presuntos integrantes del ")
    assert hedged_before("police arrested alleged members of the ")
    assert hedged_before("fueron atacados por supuestos sicarios del ")
    assert not hedged_before("soldiers captured the leader of the ")


def _refs(nlp: Language, text: str, lang: str) -> list[tuple[str, list[ActorRef]]]:
    """Event types and actors of each trigger, as find_events computes them."""
    doc = nlp(text)
    ents = entities(doc, lang)
    reg = ActorRegistry.load()
    out = []
    for sent in doc.sents:
        for hit in events._select(events._match_triggers(sent, lang)):
            acts = events._actors(doc, sent, lang, hit, ents, [], reg)
            type_name = events._refine(hit.type, ontology.get(hit.type).refine, acts)
            out.append((type_name, events._roles_for(type_name, acts)))
    return out


def _roles(refs: list[ActorRef]) -> dict[str, str]:
    return {r.actor_id or r.candidate or r.text: r.role for r in refs}


def test_capture_of_a_leader_puts_his_group_in_actor2(nlp_en: Language) -> None:
    # The demo corpus sentence that made "Cártel de Sinaloa" the captor of its own leader.
    text = (REPO / "src/corrobora/demo/corpus/notes/2024-07-26-el-mayo-arrest.md").read_text()
    caps = [refs for t, refs in _refs(nlp_en, text, "en") if t == "LEADER_CAPTURED"]
    assert caps
    roles = _roles(caps[0])
    assert roles["ismael-zambada-garcia"] == "actor2"
    assert roles["sinaloa-cartel"] == "actor2"
    # "the organization" later in the document is the one cartel it named.
    later = [r for _, refs in _refs(nlp_en, text, "en") for r in refs
             if r.text == "the organization"]
    assert later and later[0].actor_id == "sinaloa-cartel"


def test_state_force_captures_leader_es(nlp_es: Language) -> None:
    text = ("Elementos de la Marina detuvieron en Culiacán a Ovidio Guzmán López, líder de "
            "Los Chapitos, facción del Cártel de Sinaloa.")
    found = _refs(nlp_es, text, "es")
    caps = [refs for t, refs in found if t == "LEADER_CAPTURED"]
    assert caps, found
    roles = _roles(caps[0])
    assert roles["semar"] == "actor1"
    assert roles["ovidio-guzman-lopez"] == "actor2" and roles["los-chapitos"] == "actor2"


def test_hedged_and_candidate_actors_es(nlp_es: Language) -> None:
    text = ("Soldados del Ejército detuvieron a tres presuntos integrantes del CJNG en Celaya. "
            "Un enfrentamiento entre el Cártel de los Pantanos del Norte y La Familia "
            "Michoacana dejó cinco muertos.")
    found = _refs(nlp_es, text, "es")
    arrest = next(refs for t, refs in found if t == "ARREST")
    cjng = next(r for r in arrest if r.actor_id == "cjng")
    assert cjng.hedged and cjng.role == "actor2"
    assert next(r for r in arrest if r.actor_id == "sedena").role == "actor1"
    refs = [r for _, rs in found for r in rs]
    unknown = [r for r in refs if r.candidate]
    assert [(r.text, r.actor_id, r.candidate) for r in unknown] == [
        ("Cártel de los Pantanos del Norte", None, "candidate:cartel-de-los-pantanos-del-norte")]
    assert unknown[0].to_contract() == {
        "text": "Cártel de los Pantanos del Norte", "actor_id": None, "role": unknown[0].role,
        "hedged": False, "candidate": "candidate:cartel-de-los-pantanos-del-norte",
        "inter": 3}  # an unknown armed group is coded as ACLED codes cartels
    assert "CRIMINAL_CLASH" in [t for t, _ in found]


def test_the_cartel_stays_unresolved_when_two_groups_were_named(nlp_en: Language) -> None:
    text = ("Los Chapitos and Los Mayos have fought in Culiacán since September. "
            "On Monday gunmen of the cartel attacked a police station in Culiacán.")
    refs = [r for _, rs in _refs(nlp_en, text, "en") for r in rs]
    assert not any(r.text == "the cartel" for r in refs)


def test_seed_article_actors(nlp_en: Language, seed_text: str) -> None:
    refs = [r for _, rs in _refs(nlp_en, seed_text, "en") for r in rs]
    ids = {r.actor_id for r in refs}
    assert {"cjng", "nemesio-oseguera-cervantes"} <= ids
    # Every candidate comes from a group cue in the text, never from a resolved name.
    assert all(r.actor_id is None for r in refs if r.candidate)
